"""The compiled kernels, one extension per algorithm (built by setup.py from csrc/*.pyx).

``import neuroclust._kernels`` succeeds exactly when they are built: this file imports every
extension, so a missing or broken one fails the import (and the "cython" backend is then
reported unavailable). Call the kernels through ``neuroclust.backend.cython``, which checks
every argument first.

* ``distances``: ``bmu``, ``accumulate``, ``bmu_accumulate`` (csrc/distances.pyx)
* ``competitive``: ``wta_online`` (csrc/competitive.pyx)
* ``som``: ``som_online``, ``som_online_blocked`` (csrc/som.pyx)
* ``gng``: ``gng_online`` (csrc/gng.pyx)
* ``art``: ``fuzzy_art_online``, ``fuzzy_art_predict`` (csrc/art.pyx)
* ``mmj``: ``mmj_distances`` (csrc/mmj.pyx)
* ``density``: ``rows_of_pairs``, ``dbscan_labels`` (csrc/density.pyx)
* ``optim``: ``adam_step`` (csrc/optim.pyx)
"""
from . import art, competitive, density, distances, gng, mmj, optim, som

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py): every memoryview
#: access is bounds-checked, and an index out of range raises IndexError.
BOUNDSCHECK = all(module.BOUNDSCHECK for module in (art, competitive, distances, gng, som, optim,
                                                    mmj, density))

#: Rows per chunk the distance kernels were compiled with (``backend/_chunks.py``).
CHUNK_ROWS = distances.BUILT_CHUNK_ROWS
