# cython: language_level=3
"""The min-max-jump distance matrix, compiled: ``mmj_distances``.

The chain: ``neuroclust/models/cnni.py`` (the estimator) ->
``neuroclust/backend/reference/mmj.py`` (the same steps in NumPy, with eqs. (1)-(3): read it
for the math) -> this file -> ``neuroclust/nn/indices.py`` -> ``docs/algorithms/cnni.md`` ->
``tutorials/plot_11_cnni.py``.

Prim's algorithm on Euclidean distances computed a row at a time (eq. (2)), over a compacted
list of the samples still outside the tree, on one thread (each step depends on the last).
The path maxima (eq. (3)) are found differently from the reference: not in the order the
samples joined (which writes a column of M for every row, one cache line per entry: 8.6 s
at n = 10,000 where this takes a fraction of a second), but by a depth-first search of the
tree from each sample, which writes that sample's row of M front to back while the tree's
arrays (a few n-sized lists) stay in cache; rows are independent, so they are shared between
threads. The same O(n^2) work, and the same maxima. The output arrays are allocated by the
wrapper in ``neuroclust/backend/cython.py`` (which refuses a matrix that cannot fit in memory,
before allocating it); the buffers here are allocated with ``allocate``, each checked. Shared
helpers: ``csrc/_common.pxd``.
"""
from cython cimport floating
from libc.math cimport INFINITY, sqrt
from libc.stdlib cimport free
from cython.parallel cimport prange, threadid

from _common cimport NEUROCLUST_BOUNDSCHECK, allocate, clamp_threads, squared_distance

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py).
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)


def mmj_distances(const floating[:, ::1] X,   # IN  (n, p)
                  floating[:, ::1] M,         # OUT (n, n)
                  long long[::1] order,       # OUT (n,) the samples in the order they joined
                  long long[::1] parent,      # OUT (n,) the sample each joined through; -1 first
                  floating[::1] weight,       # OUT (n,) the length of that edge
                  int n_threads):
    """Fill ``M`` with the MMJ distances of the rows of ``X`` (and the tree's arrays)."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    if n < 1 or p < 1:
        raise ValueError("mmj_distances: X must hold at least one sample and one feature.")
    if M.shape[0] != n or M.shape[1] != n:
        raise ValueError(f"mmj_distances: M must have shape ({n}, {n}), got "
                         f"({M.shape[0]}, {M.shape[1]}).")
    if order.shape[0] != n or parent.shape[0] != n or weight.shape[0] != n:
        raise ValueError(f"mmj_distances: order, parent and weight must have {n} entries.")
    n_threads = clamp_threads(n_threads, n)
    cdef double *best = NULL
    cdef Py_ssize_t *link = NULL
    cdef Py_ssize_t *rest = NULL
    cdef Py_ssize_t *start = NULL
    cdef Py_ssize_t *neighbour = NULL
    cdef Py_ssize_t *stack = NULL
    cdef floating *reach = NULL
    try:
        best = <double *> allocate(n, 1, sizeof(double), "mmj_distances",
                                   "the distances to the tree")
        link = <Py_ssize_t *> allocate(n, 1, sizeof(Py_ssize_t), "mmj_distances",
                                       "the nearest tree samples")
        rest = <Py_ssize_t *> allocate(n, 1, sizeof(Py_ssize_t), "mmj_distances",
                                       "the samples outside the tree")
        start = <Py_ssize_t *> allocate(n + 1, 1, sizeof(Py_ssize_t), "mmj_distances",
                                        "the tree's adjacency offsets")
        neighbour = <Py_ssize_t *> allocate(2 * n, 1, sizeof(Py_ssize_t), "mmj_distances",
                                            "the tree's adjacency lists")
        stack = <Py_ssize_t *> allocate(n_threads, 2 * n, sizeof(Py_ssize_t), "mmj_distances",
                                        "the search stacks")
        reach = <floating *> allocate(n_threads, n, sizeof(floating), "mmj_distances",
                                      "the path maxima on the stacks")
        with nogil:
            _prim(X, order, parent, weight, best, link, rest, n, p)
            _adjacency(parent, start, neighbour, rest, n)
            _path_maxima(M, weight, parent, start, neighbour, stack, reach, n, n_threads)
    finally:
        free(best)
        free(link)
        free(rest)
        free(start)
        free(neighbour)
        free(stack)
        free(reach)


cdef void _prim(const floating[:, ::1] X, long long[::1] order, long long[::1] parent,
                floating[::1] weight, double *best, Py_ssize_t *link, Py_ssize_t *rest,
                Py_ssize_t n, Py_ssize_t p) noexcept nogil:
    """Eq. (2): Prim's tree; ``rest`` lists the samples outside it, compacted as they join."""
    cdef Py_ssize_t step, k, j, v = 0, n_rest = n - 1, pick_at
    cdef double d, pick_d
    for k in range(n_rest):
        rest[k] = k + 1
        best[k + 1] = INFINITY
        link[k + 1] = 0
    parent[0] = -1
    weight[0] = 0
    for step in range(n):
        order[step] = v
        if n_rest == 0:
            break
        pick_at = 0
        pick_d = INFINITY
        for k in range(n_rest):
            j = rest[k]
            d = squared_distance(&X[v, 0], &X[j, 0], p)
            if d < best[j]:
                best[j] = d
                link[j] = v
            if best[j] < pick_d or (best[j] == pick_d and j < rest[pick_at]):
                pick_at = k                  # ties (and NaN rows, never closer): lowest index
                pick_d = best[j]
        v = rest[pick_at]
        n_rest -= 1
        rest[pick_at] = rest[n_rest]
        parent[v] = link[v]
        weight[v] = <floating> sqrt(best[v])


cdef void _adjacency(long long[::1] parent, Py_ssize_t *start, Py_ssize_t *neighbour,
                     Py_ssize_t *fill, Py_ssize_t n) noexcept nogil:
    """The tree as adjacency lists: the neighbours of ``i`` are
    ``neighbour[start[i]:start[i + 1]]`` (its parent and its children)."""
    cdef Py_ssize_t i, u
    for i in range(n + 1):
        start[i] = 0
    for i in range(n):
        u = parent[i]
        if u >= 0:
            start[i + 1] += 1
            start[u + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
        fill[i] = start[i]
    for i in range(n):
        u = parent[i]
        if u >= 0:
            neighbour[fill[i]] = u
            fill[i] += 1
            neighbour[fill[u]] = i
            fill[u] += 1


cdef void _path_maxima(floating[:, ::1] M, floating[::1] weight, long long[::1] parent,
                       Py_ssize_t *start, Py_ssize_t *neighbour, Py_ssize_t *stack,
                       floating *reach, Py_ssize_t n, int n_threads) noexcept nogil:
    """Eq. (3) by a depth-first search of the tree from every sample: row ``i`` of M holds the
    largest edge on the path from ``i`` to each sample. Each row is written by one thread,
    through the row it owns; the tree's arrays are read-only and stay in cache."""
    cdef Py_ssize_t i
    cdef int tid
    for i in prange(n, nogil=True, schedule="static", num_threads=n_threads):
        tid = threadid()
        _row_maxima(M, weight, parent, start, neighbour, stack + 2 * n * tid,
                    reach + n * tid, i)


cdef inline void _row_maxima(floating[:, ::1] M, floating[::1] weight, long long[::1] parent,
                             Py_ssize_t *start, Py_ssize_t *neighbour, Py_ssize_t *stack,
                             floating *reach, Py_ssize_t i) noexcept nogil:
    """One search from ``i``: the stack holds (sample, the sample it was reached from) pairs,
    and ``reach`` the largest edge on the way to each."""
    cdef Py_ssize_t x, y, k, top = 1, came
    cdef floating m, w
    stack[0] = i
    stack[1] = -1
    reach[0] = 0
    while top > 0:
        top -= 1
        x = stack[2 * top]
        came = stack[2 * top + 1]
        m = reach[top]
        M[i, x] = m
        for k in range(start[x], start[x + 1]):
            y = neighbour[k]
            if y == came:
                continue
            w = weight[y] if parent[y] == x else weight[x]    # the edge (x, y)
            stack[2 * top] = y
            stack[2 * top + 1] = x
            reach[top] = m if m > w else w                                    # eq. (3)
            top += 1
