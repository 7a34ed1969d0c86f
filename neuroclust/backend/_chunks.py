"""Rows per chunk of the distance kernels: the one source for the NumPy and compiled code.

``bmu``, ``accumulate``, ``bmu_accumulate`` and ``two_nearest`` go through ``X`` a chunk of
rows at a time, so that the (rows, units) block of scores stays small. setup.py reads
``COMPILED_CHUNK_ROWS`` from this file and compiles it into ``csrc/distances.pyx`` (as the macro
``NEUROCLUST_CHUNK_ROWS``); ``neuroclust._kernels.CHUNK_ROWS`` reports the number a build holds,
and a test checks it against this file (a stale build fails it). Keep each assignment a plain
integer literal: setup.py reads it without importing the package.
"""

#: The compiled kernels: each thread scores a chunk with one small BLAS product (centring it
#: first when the prototypes sit far from the origin); 256 rows and their block of scores stay
#: in the thread's cache while their winners are searched (128 and 512 were slower).
COMPILED_CHUNK_ROWS = 256

#: The NumPy reference: one BLAS call per chunk, so larger chunks pay less Python overhead.
NUMPY_CHUNK_ROWS = 4096
