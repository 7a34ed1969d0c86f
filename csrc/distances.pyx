# cython: language_level=3
"""Best-matching units and per-unit sums, compiled: ``bmu``, ``accumulate``, ``bmu_accumulate``,
``two_nearest``.

The chain of the distance kernels: ``neuroclust/models/kmeans.py`` and
``neuroclust/models/competitive.py`` (their callers) -> ``neuroclust/backend/reference/distances.py``
(the same functions in NumPy, with the equations: read it for the math) -> this file ->
``docs/algorithms/competitive.md`` -> ``tutorials/plot_01_competitive_learning.py``.

Samples are processed in chunks of ``CHUNK_ROWS`` rows under ``prange``, each thread with its
own buffers; the distance cross term of a chunk is one BLAS product (single-threaded BLAS
inside: ``neuroclust/backend/cython.py`` limits BLAS threads), followed by a fused argmin.
``CHUNK_ROWS`` is ``COMPILED_CHUNK_ROWS`` of ``neuroclust/backend/_chunks.py``, which setup.py
compiles in as the macro ``NEUROCLUST_CHUNK_ROWS``. Shared helpers: ``csrc/_common.pxd``.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY
from libc.stdlib cimport free
from scipy.linalg.cython_blas cimport sgemm, dgemm

from _common cimport (NEUROCLUST_BOUNDSCHECK, allocate, check_length, check_range,
                      check_width, clamp_threads, squared_distance)

import numpy as np

cdef extern from *:
    """
    #ifndef NEUROCLUST_CHUNK_ROWS
    #error "NEUROCLUST_CHUNK_ROWS is set by setup.py from neuroclust/backend/_chunks.py"
    #endif
    """
    # rows per chunk: a chunk and its distance block stay in a thread's cache
    const Py_ssize_t CHUNK_ROWS "NEUROCLUST_CHUNK_ROWS"

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py), whose memoryview
#: accesses are bounds-checked: an index out of range raises IndexError.
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)

#: The chunk size this build was compiled with (a test checks it against ``_chunks.py``).
BUILT_CHUNK_ROWS = CHUNK_ROWS

cdef inline void _gemm_scores(
    const floating *X_centred,   # IN  (n_rows, n_features) row-major
    const floating *W_centred,   # IN  (n_units, n_features) row-major
    floating *products,          # OUT (n_rows, n_units) row-major: X_centred @ W_centred.T
    int n_rows, int n_units, int n_features,
) noexcept nogil:
    # Row-major P = Xc Wc^T is column-major P^T = Wc Xc^T: "T","N" on the column-major views.
    cdef char trans_w = b"T"
    cdef char trans_x = b"N"
    cdef float alpha_s = 1.0, beta_s = 0.0
    cdef double alpha_d = 1.0, beta_d = 0.0
    if floating is float:
        sgemm(&trans_w, &trans_x, &n_units, &n_rows, &n_features, &alpha_s,
              <float*> W_centred, &n_features, <float*> X_centred, &n_features,
              &beta_s, <float*> products, &n_units)
    else:
        dgemm(&trans_w, &trans_x, &n_units, &n_rows, &n_features, &alpha_d,
              <double*> W_centred, &n_features, <double*> X_centred, &n_features,
              &beta_d, <double*> products, &n_units)


cdef inline void _chunk_products(
    const floating[:, ::1] X,        # IN  (n_samples, n_features)
    const floating[:, ::1] W_centred,  # IN (n_units, n_features): W minus the prototypes' mean
    const floating[::1] centre,      # IN  (n_features,) the prototypes' mean
    Py_ssize_t start, Py_ssize_t stop,
    floating *X_centred,             # scratch (CHUNK_ROWS, n_features)
    floating *products,              # OUT (stop - start, n_units): X_centred @ W_centred.T
) noexcept nogil:
    """The rows start:stop of X, centred, times the centred prototypes: one BLAS product."""
    cdef Py_ssize_t n_features = X.shape[1], r, f
    for r in range(stop - start):
        for f in range(n_features):
            X_centred[r * n_features + f] = X[start + r, f] - centre[f]
    _gemm_scores(X_centred, &W_centred[0, 0], products, <int> (stop - start),
                 <int> W_centred.shape[0], <int> n_features)


cdef void _bmu_chunk(
    const floating[:, ::1] X,        # IN  (n_samples, n_features)
    const floating[:, ::1] W,        # IN  (n_units, n_features)
    const floating[:, ::1] W_centred,  # IN (n_units, n_features): W minus the prototypes' mean
    const floating[::1] centre,      # IN  (n_features,) the prototypes' mean
    const floating[::1] w_sq,        # IN  (n_units,) squared norms of W_centred
    Py_ssize_t start, Py_ssize_t stop,
    floating *X_centred,             # scratch (CHUNK_ROWS, n_features)
    floating *products,              # scratch (CHUNK_ROWS, n_units)
    long long[::1] index,            # OUT (n_samples,)
    floating[::1] distance,          # OUT (n_samples,)
) noexcept nogil:
    cdef Py_ssize_t n_features = X.shape[1], n_units = W.shape[0]
    cdef Py_ssize_t i, r, j, best
    cdef floating best_score, score
    _chunk_products(X, W_centred, centre, start, stop, X_centred, products)
    for r in range(stop - start):
        i = start + r
        best = 0
        best_score = w_sq[0] - 2 * products[r * n_units]
        for j in range(1, n_units):
            score = w_sq[j] - 2 * products[r * n_units + j]
            if score < best_score:   # strict: the lowest index keeps a tie
                best_score = score
                best = j
        index[i] = best
        distance[i] = squared_distance(&X[i, 0], &W[best, 0], n_features)


cdef void _two_nearest_chunk(
    const floating[:, ::1] X,        # IN  (n_samples, n_features)
    const floating[:, ::1] W,        # IN  (n_units, n_features)
    const floating[:, ::1] W_centred,  # IN (n_units, n_features): W minus the prototypes' mean
    const floating[::1] centre,      # IN  (n_features,) the prototypes' mean
    const floating[::1] w_sq,        # IN  (n_units,) squared norms of W_centred
    Py_ssize_t start, Py_ssize_t stop,
    floating *X_centred,             # scratch (CHUNK_ROWS, n_features)
    floating *products,              # scratch (CHUNK_ROWS, n_units)
    long long[::1] index,            # OUT (n_samples,) the nearest unit
    floating[::1] distance,          # OUT (n_samples,) its squared distance
    long long[::1] second,           # OUT (n_samples,) the second-nearest unit
    floating[::1] second_distance,   # OUT (n_samples,) its squared distance
) noexcept nogil:
    # _bmu_chunk's scores, keeping the two smallest: the same winner as bmu, in one pass.
    cdef Py_ssize_t n_features = X.shape[1], n_units = W.shape[0]
    cdef Py_ssize_t i, r, j, best, runner_up
    cdef floating best_score, runner_up_score, score
    _chunk_products(X, W_centred, centre, start, stop, X_centred, products)
    for r in range(stop - start):
        i = start + r
        best = 0
        best_score = w_sq[0] - 2 * products[r * n_units]
        runner_up = 0          # stays 0 with a single unit, as in the reference
        runner_up_score = INFINITY
        for j in range(1, n_units):
            score = w_sq[j] - 2 * products[r * n_units + j]
            if score < best_score:   # strict: the lowest index keeps a tie
                runner_up_score = best_score
                runner_up = best
                best_score = score
                best = j
            elif score < runner_up_score:
                runner_up_score = score
                runner_up = j
        index[i] = best
        distance[i] = squared_distance(&X[i, 0], &W[best, 0], n_features)
        second[i] = runner_up
        if n_units > 1:
            second_distance[i] = squared_distance(&X[i, 0], &W[runner_up, 0], n_features)
        else:
            second_distance[i] = INFINITY


cdef void _accumulate_rows(
    const floating[:, ::1] X,        # IN  (n_samples, n_features)
    const long long[::1] labels,     # IN  (n_samples,)
    Py_ssize_t start, Py_ssize_t stop,
    floating *sums,                  # INOUT (n_units, n_features): this thread's sums
    long long *counts,               # INOUT (n_units,): this thread's counts
) noexcept nogil:
    cdef Py_ssize_t n_features = X.shape[1]
    cdef Py_ssize_t i, f
    cdef long long j
    for i in range(start, stop):
        j = labels[i]
        counts[j] += 1
        for f in range(n_features):
            sums[j * n_features + f] += X[i, f]


def _prepare_centred(W_arr):
    """Return (W - mean, mean, squared norms of W - mean): the shift of reference.bmu, eq. (1)."""
    centre = W_arr.mean(axis=0)
    W_centred = np.ascontiguousarray(W_arr - centre)
    w_sq = np.einsum("ij,ij->i", W_centred, W_centred)
    return W_centred, np.ascontiguousarray(centre), np.ascontiguousarray(w_sq)

cdef int _bmu_chunks(
    const floating[:, ::1] X,          # IN  (n_samples, n_features)
    const floating[:, ::1] W,          # IN  (n_units, n_features)
    str kernel, int n_threads,
    long long[::1] index,              # OUT (n_samples,)
    floating[::1] distance,            # OUT (n_samples,)
    floating[:, :, ::1] partial_sums,  # INOUT (n_threads, n_units, n_features) or None
    long long[:, ::1] partial_counts,  # INOUT (n_threads, n_units) or None
    long long[::1] second,             # OUT (n_samples,) or None
    floating[::1] second_distance,     # OUT (n_samples,) or None
) except -1:
    """The chunks of X split between threads: each finds its rows' winners (_bmu_chunk, or
    _two_nearest_chunk when ``second`` is given) and, when partial sums are given, adds the
    rows to its own thread's sums (_accumulate_rows)."""
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1], n_units = W.shape[0]
    cdef bint accumulating = partial_sums is not None
    cdef bint two = second is not None
    W_centred_arr, centre_arr, w_sq_arr = _prepare_centred(np.asarray(W))
    cdef const floating[:, ::1] W_centred = W_centred_arr
    cdef const floating[::1] centre = centre_arr
    cdef const floating[::1] w_sq = w_sq_arr
    cdef Py_ssize_t n_chunks = (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS
    cdef Py_ssize_t chunk, start, stop
    cdef int thread
    # Each thread's scratch: a chunk of centred rows, then the chunk's products with W.
    cdef Py_ssize_t per_thread = CHUNK_ROWS * (n_features + n_units)
    cdef floating *scratch = <floating*> allocate(
        n_threads, per_thread, sizeof(floating), kernel,
        f"the per-thread buffers of {n_threads} thread(s) for {n_units} prototypes")
    cdef floating *X_centred
    cdef floating *products
    try:
        with nogil, parallel(num_threads=n_threads):
            thread = threadid()
            X_centred = scratch + thread * per_thread
            products = X_centred + CHUNK_ROWS * n_features
            for chunk in prange(n_chunks, schedule="static"):
                start = chunk * CHUNK_ROWS
                stop = min(start + CHUNK_ROWS, n_samples)
                if two:
                    _two_nearest_chunk(X, W, W_centred, centre, w_sq, start, stop, X_centred,
                                       products, index, distance, second, second_distance)
                else:
                    _bmu_chunk(X, W, W_centred, centre, w_sq, start, stop, X_centred,
                               products, index, distance)
                if accumulating:
                    _accumulate_rows(X, index, start, stop, &partial_sums[thread, 0, 0],
                                     &partial_counts[thread, 0])
    finally:
        free(scratch)
    return 0


def bmu(const floating[:, ::1] X, const floating[:, ::1] W, int n_threads=1):
    """Index of the nearest row of W for every row of X, and its squared distance.

    The same as ``reference.bmu``; see it for the equations.
    """
    cdef Py_ssize_t n_samples = X.shape[0]
    check_width("bmu", X.shape[1], W.shape[1], "W", W.shape[0], 1)
    dtype = np.float32 if floating is float else np.float64
    n_threads = clamp_threads(n_threads, (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS)
    index_arr = np.empty(n_samples, dtype=np.int64)
    distance_arr = np.empty(n_samples, dtype=dtype)
    cdef long long[::1] index = index_arr
    cdef floating[::1] distance = distance_arr
    cdef floating[:, :, ::1] no_sums = None
    cdef long long[:, ::1] no_counts = None
    cdef long long[::1] no_second = None
    cdef floating[::1] no_second_distance = None
    _bmu_chunks(X, W, "bmu", n_threads, index, distance, no_sums, no_counts, no_second,
                no_second_distance)
    return index_arr, distance_arr


def two_nearest(const floating[:, ::1] X, const floating[:, ::1] W, int n_threads=1):
    """The nearest and second-nearest row of W for every row of X, and their squared distances.

    Returns (first, second, first_distance, second_distance) as ``reference.two_nearest``;
    see it for the equations. ``first`` and ``first_distance`` are ``bmu``'s.
    """
    cdef Py_ssize_t n_samples = X.shape[0]
    check_width("two_nearest", X.shape[1], W.shape[1], "W", W.shape[0], 1)
    dtype = np.float32 if floating is float else np.float64
    n_threads = clamp_threads(n_threads, (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS)
    index_arr = np.empty(n_samples, dtype=np.int64)
    distance_arr = np.empty(n_samples, dtype=dtype)
    second_arr = np.empty(n_samples, dtype=np.int64)
    second_distance_arr = np.empty(n_samples, dtype=dtype)
    cdef long long[::1] index = index_arr
    cdef floating[::1] distance = distance_arr
    cdef long long[::1] second = second_arr
    cdef floating[::1] second_distance = second_distance_arr
    cdef floating[:, :, ::1] no_sums = None
    cdef long long[:, ::1] no_counts = None
    _bmu_chunks(X, W, "two_nearest", n_threads, index, distance, no_sums, no_counts, second,
                second_distance)
    return index_arr, second_arr, distance_arr, second_distance_arr


def accumulate(const floating[:, ::1] X, const long long[::1] labels, Py_ssize_t n_units,
               int n_threads=1):
    """Per-unit sums and counts of the rows of X assigned by labels (see reference.accumulate)."""
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1]
    check_width("accumulate", n_features, n_features, "X", n_units, 1)
    check_length("accumulate", "labels", labels.shape[0], n_samples)
    check_range("accumulate", "labels", labels, n_units)
    dtype = np.float32 if floating is float else np.float64
    n_threads = clamp_threads(n_threads, (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS)
    partial_sums_arr = np.zeros((n_threads, n_units, n_features), dtype=dtype)
    partial_counts_arr = np.zeros((n_threads, n_units), dtype=np.int64)
    cdef floating[:, :, ::1] partial_sums = partial_sums_arr
    cdef long long[:, ::1] partial_counts = partial_counts_arr
    cdef Py_ssize_t n_chunks = (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS
    cdef Py_ssize_t chunk, start, stop
    cdef int thread
    with nogil, parallel(num_threads=n_threads):
        thread = threadid()
        for chunk in prange(n_chunks, schedule="static"):
            start = chunk * CHUNK_ROWS
            stop = min(start + CHUNK_ROWS, n_samples)
            _accumulate_rows(X, labels, start, stop, &partial_sums[thread, 0, 0],
                             &partial_counts[thread, 0])
    return partial_sums_arr.sum(axis=0), partial_counts_arr.sum(axis=0)


def bmu_accumulate(const floating[:, ::1] X, const floating[:, ::1] W, int n_threads=1):
    """bmu and accumulate fused: each chunk of X is read from memory once.

    Returns (index, distance, sums, counts) as reference.bmu_accumulate.
    """
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1], n_units = W.shape[0]
    check_width("bmu_accumulate", n_features, W.shape[1], "W", n_units, 1)
    dtype = np.float32 if floating is float else np.float64
    n_threads = clamp_threads(n_threads, (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS)
    index_arr = np.empty(n_samples, dtype=np.int64)
    distance_arr = np.empty(n_samples, dtype=dtype)
    partial_sums_arr = np.zeros((n_threads, n_units, n_features), dtype=dtype)
    partial_counts_arr = np.zeros((n_threads, n_units), dtype=np.int64)
    cdef long long[::1] index = index_arr
    cdef floating[::1] distance = distance_arr
    cdef floating[:, :, ::1] partial_sums = partial_sums_arr
    cdef long long[:, ::1] partial_counts = partial_counts_arr
    cdef long long[::1] no_second = None
    cdef floating[::1] no_second_distance = None
    _bmu_chunks(X, W, "bmu_accumulate", n_threads, index, distance, partial_sums,
                partial_counts, no_second, no_second_distance)
    return index_arr, distance_arr, partial_sums_arr.sum(axis=0), partial_counts_arr.sum(axis=0)
