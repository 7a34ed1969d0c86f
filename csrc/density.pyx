# cython: language_level=3
"""DBSCAN's kernels, compiled: ``rows_of_pairs`` (for ``radius_neighbors``) and ``dbscan_labels``.

The chain: ``neuroclust/models/dbscan.py`` (the estimator) ->
``neuroclust/backend/reference/density.py`` (the same kernels in NumPy, with the equations) ->
this file (wrapped by ``neuroclust/backend/cython.py``) -> ``docs/algorithms/density.md``.
Shared helpers: ``csrc/_common.pxd``.

``rows_of_pairs`` turns the pairs of neighbours a k-d tree finds (SciPy's, see
``neuroclust/backend/cython.py``) into the compressed rows ``reference.radius_neighbors``
returns, by a counting sort; ``dbscan_labels`` is the reference's loop, compiled.
"""
from libc.stdlib cimport free

from _common cimport NEUROCLUST_BOUNDSCHECK, allocate, check_range

import numpy as np

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py).
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)


def rows_of_pairs(const long long[:, ::1] pairs, Py_ssize_t n):
    """Neighbourhoods in compressed rows from the pairs (i, j), i != j, each listed once:
    row i holds i itself, then its partners in the pairs' order. Returns ``(indptr,
    indices)``, int64; a counting sort, one pass over the pairs to count and one to place."""
    cdef Py_ssize_t m = pairs.shape[0], k, i
    cdef long long a, b
    if pairs.shape[1] != 2:
        raise ValueError("rows_of_pairs: pairs must have two columns.")
    indptr_arr = np.ones(n + 1, dtype=np.int64)      # every sample is its own neighbour
    indptr_arr[0] = 0
    cdef long long[::1] indptr = indptr_arr
    for k in range(m):
        a, b = pairs[k, 0], pairs[k, 1]
        if a < 0 or a >= n or b < 0 or b >= n:
            raise ValueError(f"rows_of_pairs: pair {k} names a sample outside [0, {n}).")
        indptr[a + 1] += 1
        indptr[b + 1] += 1
    np.cumsum(indptr_arr, out=indptr_arr)
    indices_arr = np.empty(int(indptr_arr[n]), dtype=np.int64)
    cursor_arr = indptr_arr[:n].copy()
    cdef long long[::1] indices = indices_arr
    cdef long long[::1] cursor = cursor_arr
    with nogil:
        for i in range(n):
            indices[cursor[i]] = i
            cursor[i] += 1
        for k in range(m):
            a, b = pairs[k, 0], pairs[k, 1]
            indices[cursor[a]] = b
            cursor[a] += 1
            indices[cursor[b]] = a
            cursor[b] += 1
    return indptr_arr, indices_arr


def dbscan_labels(const long long[::1] indptr, const long long[::1] indices, long long
                  min_samples):
    """See ``reference.dbscan_labels``: its loop, compiled (eq. (2), then each cluster grown
    from its lowest-indexed core sample). Returns ``(labels, is_core)``."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, seed, point, top, k
    cdef long long neighbour, cluster = 0
    if n < 0 or indptr[0] != 0 or indptr[n] != indices.shape[0]:
        raise ValueError("dbscan_labels: indptr must rise from 0 to the length of indices.")
    for k in range(n):
        if indptr[k + 1] < indptr[k]:
            raise ValueError("dbscan_labels: indptr must rise from 0 to the length of indices.")
    check_range("dbscan_labels", "indices", indices, n)
    labels_arr = np.full(n, -1, dtype=np.int64)
    is_core_arr = (np.diff(np.asarray(indptr)) >= min_samples)                   # eq. (2)
    cdef long long[::1] labels = labels_arr
    cdef const unsigned char[::1] is_core = is_core_arr.view(np.uint8)
    cdef long long *stack = <long long*> allocate(1, max(n, 1), sizeof(long long),
                                                  "dbscan_labels", "the stack of samples")
    try:
        with nogil:
            for seed in range(n):
                if labels[seed] != -1 or not is_core[seed]:
                    continue
                labels[seed] = cluster
                stack[0] = seed
                top = 1
                while top > 0:               # grow the cluster from its core samples
                    top -= 1
                    point = stack[top]
                    for k in range(indptr[point], indptr[point + 1]):
                        neighbour = indices[k]
                        if labels[neighbour] == -1:
                            labels[neighbour] = cluster
                            if is_core[neighbour]:
                                stack[top] = neighbour
                                top += 1
                cluster += 1
    finally:
        free(stack)
    return labels_arr, is_core_arr
