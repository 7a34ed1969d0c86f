"""The kernels in plain NumPy, one module per algorithm: the math, written to be read, and the
oracle every fast kernel is tested against.

* ``distances.py``: ``squared_distances``, ``bmu``, ``undefined_bmu``, ``accumulate``,
  ``bmu_accumulate``, ``two_nearest`` (k-means, competitive learning, every prototype model);
* ``competitive.py``: ``wta_online``;
* ``som.py``: ``som_online``, ``som_batch_weights``;
* ``density.py``: ``radius_neighbors``, ``dbscan_labels`` (DBSCAN);
* ``gng.py``: ``gng_online``;
* ``art.py``: ``fuzzy_art_online``, ``fuzzy_art_choice``, ``fuzzy_art_predict``, ``art1_online``,
  ``art1_bottom_up``;
* ``mmj.py``: ``minimum_spanning_tree``, ``mmj_distances`` (the min-max-jump distance);
* ``optics.py``: ``optics_core_distances``, ``optics_ordering``, ``optics_dbscan_labels``,
  ``optics_xi_clusters``, ``optics_xi_labels`` (OPTICS; its neighbourhoods are
  ``density.py``'s);
* ``optim.py``: ``adam_step`` (Adam's update of one parameter array, :class:`neuroclust.nn.Adam`).

Every kernel is re-exported here, so ``get_kernels("numpy").bmu`` (this package) offers the
same names as ``neuroclust.backend.cython`` and ``neuroclust.backend.cupy``. Each function is
written against the array module of its inputs, so the same lines run on NumPy and CuPy arrays;
the compiled twins live in ``csrc/<algorithm>.pyx``.
"""
from .art import art1_bottom_up, art1_online, fuzzy_art_choice, fuzzy_art_online, fuzzy_art_predict
from .competitive import wta_online
from .density import dbscan_labels, radius_neighbors
from .distances import (CHUNK_ROWS, accumulate, bmu, bmu_accumulate, squared_distances,
                        two_nearest, undefined_bmu)
from .gng import gng_online
from .mmj import minimum_spanning_tree, mmj_distances
from .optics import (optics_core_distances, optics_dbscan_labels, optics_ordering,
                     optics_xi_clusters, optics_xi_labels)
from .optim import adam_step
from .som import som_batch_weights, som_online

__all__ = ["bmu", "undefined_bmu", "accumulate", "bmu_accumulate", "wta_online",
           "squared_distances", "two_nearest", "som_online", "som_batch_weights", "gng_online",
           "fuzzy_art_online", "fuzzy_art_choice", "fuzzy_art_predict", "art1_online",
           "art1_bottom_up", "CHUNK_ROWS",
           "minimum_spanning_tree", "mmj_distances",
           "radius_neighbors", "dbscan_labels",
           "optics_core_distances", "optics_ordering", "optics_dbscan_labels",
           "optics_xi_clusters", "optics_xi_labels", "adam_step"]
