# cython: language_level=3
"""Density clustering's kernels, compiled: ``rows_of_pairs`` (for ``radius_neighbors``),
``dbscan_labels`` and ``optics_ordering``.

The chains: ``neuroclust/models/dbscan.py`` (the estimator) ->
``neuroclust/backend/reference/density.py`` (the same kernels in NumPy, with the equations) ->
this file (wrapped by ``neuroclust/backend/cython.py``) -> ``docs/algorithms/density.md``;
``neuroclust/models/optics.py`` -> ``neuroclust/backend/reference/optics.py`` -> this file's
``optics_ordering`` -> ``neuroclust/plotting/density.py`` -> the same page.
Shared helpers: ``csrc/_common.pxd``.

``rows_of_pairs`` turns the pairs of neighbours a k-d tree finds (SciPy's, see
``neuroclust/backend/cython.py``) into the compressed rows ``reference.radius_neighbors``
returns, by a counting sort; ``dbscan_labels`` is the reference's loop, compiled; so is
``optics_ordering`` (the reference's ``optics_ordering``), with a heap in place of the
reference's scan when the neighbourhoods are given.
"""
from libc.math cimport INFINITY, rint, sqrt
from libc.stdlib cimport free

from _common cimport NEUROCLUST_BOUNDSCHECK, allocate, check_length, check_range

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


cdef inline double rounded(double value) noexcept nogil:
    """``np.around(value, 15)``, the same three operations: scale, round to even, unscale."""
    return rint(value * 1e15) / 1e15


cdef inline double distance(const double[:, ::1] X, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """From the differences, features summed in order (as the reference sums them)."""
    cdef double total = 0.0, difference
    cdef Py_ssize_t f
    for f in range(X.shape[1]):
        difference = X[b, f] - X[a, f]
        total += difference * difference
    return sqrt(total)


cdef inline bint before(const double *reach, long long a, long long b) noexcept nogil:
    """Eq. (3)'s order: lower reachability first, then lower index."""
    return reach[a] < reach[b] or (reach[a] == reach[b] and a < b)


cdef inline void sift_up(long long *heap, long long *where, const double *reach,
                         Py_ssize_t slot) noexcept nogil:
    cdef long long item = heap[slot]
    cdef Py_ssize_t parent
    while slot > 0:
        parent = (slot - 1) // 2
        if not before(reach, item, heap[parent]):
            break
        heap[slot] = heap[parent]
        where[heap[slot]] = slot
        slot = parent
    heap[slot] = item
    where[item] = slot


cdef inline void sift_down(long long *heap, long long *where, const double *reach,
                           Py_ssize_t size, Py_ssize_t slot) noexcept nogil:
    cdef long long item = heap[slot]
    cdef Py_ssize_t child
    while 2 * slot + 1 < size:
        child = 2 * slot + 1
        if child + 1 < size and before(reach, heap[child + 1], heap[child]):
            child += 1
        if not before(reach, heap[child], item):
            break
        heap[slot] = heap[child]
        where[heap[slot]] = slot
        slot = child
    heap[slot] = item
    where[item] = slot


def optics_ordering(const double[:, ::1] X, const double[::1] core, indptr_in, indices_in):
    """See ``reference.optics_ordering``: eqs. (2) and (3) of ``reference/optics.py``.

    With ``indptr_in`` and ``indices_in`` None, every sample is a neighbour of every other: each
    step offers eq. (2) to every waiting sample and finds the next one in the same pass. With
    neighbourhoods, the waiting samples some core sample reached wait in a binary heap ordered
    as eq. (3) orders them; when it is empty, the next sample is the lowest-indexed waiting one.
    Returns ``(ordering, reachability, predecessor)``."""
    cdef Py_ssize_t n = X.shape[0], step, slot, size, k, lowest = 0, best_slot
    cdef long long point, other, best
    cdef double offer, radius
    cdef bint everyone = indptr_in is None
    cdef const long long[::1] indptr
    cdef const long long[::1] indices
    check_length("optics_ordering", "core", core.shape[0], n)
    if everyone:
        if indices_in is not None:
            raise ValueError("optics_ordering: indptr and indices must both be given, or "
                             "both be None.")
    else:
        indptr = indptr_in
        indices = indices_in
        check_length("optics_ordering", "indptr", indptr.shape[0], n + 1)
        if n >= 0 and (indptr[0] != 0 or indptr[n] != indices.shape[0]):
            raise ValueError("optics_ordering: indptr must rise from 0 to the length of "
                             "indices.")
        for k in range(n):
            if indptr[k + 1] < indptr[k]:
                raise ValueError("optics_ordering: indptr must rise from 0 to the length of "
                                 "indices.")
        check_range("optics_ordering", "indices", indices, n)
    ordering_arr = np.empty(n, dtype=np.int64)
    reach_arr = np.full(n, np.inf)
    predecessor_arr = np.full(n, -1, dtype=np.int64)
    cdef long long[::1] ordering = ordering_arr
    cdef double[::1] reach_view = reach_arr
    cdef long long[::1] predecessor = predecessor_arr
    cdef double *reach = &reach_view[0] if n > 0 else NULL
    # everyone: the waiting samples, packed; heap: the heap and each sample's slot in it
    cdef long long *pool = <long long*> allocate(1, n, sizeof(long long), "optics_ordering",
                                                 "the waiting samples")
    cdef long long *where = NULL
    try:
        where = <long long*> allocate(1, n, sizeof(long long), "optics_ordering",
                                      "the heap's slots")
        with nogil:
            if everyone:
                for slot in range(n):
                    pool[slot] = slot
                size = n
                best_slot = 0
                for step in range(n):
                    point = pool[best_slot]                                     # eq. (3)
                    size -= 1
                    pool[best_slot] = pool[size]
                    ordering[step] = point
                    radius = core[point]
                    best_slot = 0
                    for slot in range(size):
                        other = pool[slot]
                        if radius != INFINITY:
                            offer = rounded(max(distance(X, point, other), radius))
                            if offer < reach[other]:                           # eq. (2)
                                reach[other] = offer
                                predecessor[other] = point
                        if before(reach, other, pool[best_slot]):
                            best_slot = slot
            else:
                for slot in range(n):
                    where[slot] = -1           # -1: waiting, not in the heap; -2: processed
                size = 0
                for step in range(n):
                    if size > 0:
                        point = pool[0]                                         # eq. (3)
                        size -= 1
                        if size > 0:
                            pool[0] = pool[size]
                            sift_down(pool, where, reach, size, 0)
                    else:
                        while where[lowest] == -2:
                            lowest += 1
                        point = lowest
                    where[point] = -2
                    ordering[step] = point
                    radius = core[point]
                    if radius == INFINITY:
                        continue
                    for k in range(indptr[point], indptr[point + 1]):
                        other = indices[k]
                        if where[other] == -2:
                            continue
                        offer = rounded(max(distance(X, point, other), radius))
                        if offer < reach[other]:                               # eq. (2)
                            reach[other] = offer
                            predecessor[other] = point
                            if where[other] == -1:
                                pool[size] = other
                                where[other] = size
                                size += 1
                            sift_up(pool, where, reach, where[other])
    finally:
        free(pool)
        free(where)
    return ordering_arr, reach_arr, predecessor_arr
