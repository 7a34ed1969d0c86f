# cython: language_level=3
"""Best-matching units and per-unit sums, compiled: ``bmu``, ``accumulate``, ``bmu_accumulate``,
``two_nearest``.

The chain of the distance kernels: ``neuroclust/models/kmeans.py`` and
``neuroclust/models/competitive.py`` (their callers) -> ``neuroclust/backend/reference/distances.py``
(the same functions in NumPy, with the equations: read it for the math) -> this file ->
``docs/algorithms/competitive.md`` -> ``tutorials/plot_01_competitive_learning.py``.

Samples are processed in chunks of ``CHUNK_ROWS`` rows under ``prange``, each thread with its
own buffers; the distance cross term of a chunk is one BLAS product (single-threaded BLAS
inside: ``neuroclust/backend/cython.py`` limits BLAS threads), followed by a vectorised
search of each row's scores (``csrc/argmin.h``) and the winners' exact distances. The rows
are centred on the prototypes' mean only where that mean is far from the origin
(``_prepare_scores``). ``CHUNK_ROWS`` is ``COMPILED_CHUNK_ROWS`` of
``neuroclust/backend/_chunks.py``, which setup.py compiles in as the macro
``NEUROCLUST_CHUNK_ROWS``. Shared helpers: ``csrc/_common.pxd``.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY
from libc.stdlib cimport free
from scipy.linalg.cython_blas cimport sgemm, dgemm

from _common cimport (NEUROCLUST_BOUNDSCHECK, WIDE_ROW, allocate, check_length, check_range,
                      check_width, clamp_threads, squared_distance)

import numpy as np

cdef extern from "argmin.h":
    # the lowest-index winner (and runner-up) of the scores offset[j] - 2 products[j]
    int nc_first_min_f32(const float *offset, const float *products, int n) noexcept nogil
    int nc_first_min_f64(const double *offset, const double *products, int n) noexcept nogil
    int nc_two_min_f32(const float *offset, const float *products, int n,
                       int *second) noexcept nogil
    int nc_two_min_f64(const double *offset, const double *products, int n,
                       int *second) noexcept nogil
    void nc_prefetch(const void *start, size_t n_bytes) noexcept nogil

cdef extern from "simd.h":
    # a long row's squared distance to its unit, and the row added into the unit's sums
    float nc_distance_and_add_f32(const float *x, const float *w, float *sums,
                                  int n) noexcept nogil
    double nc_distance_and_add_f64(const double *x, const double *w, double *sums,
                                   int n) noexcept nogil

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
    bint centre_rows,                # IN  whether the rows of X are centred before the product
    Py_ssize_t start, Py_ssize_t stop,
    floating *X_centred,             # scratch (CHUNK_ROWS, n_features)
    floating *products,              # OUT (stop - start, n_units): rows @ W_centred.T
) noexcept nogil:
    """The rows start:stop of X (centred, or as they are: see _prepare_scores) times the
    centred prototypes: one BLAS product."""
    cdef Py_ssize_t n_features = X.shape[1], r, f
    cdef const floating *rows = &X[start, 0]
    if centre_rows:
        for r in range(stop - start):
            for f in range(n_features):
                X_centred[r * n_features + f] = X[start + r, f] - centre[f]
        rows = X_centred
    _gemm_scores(rows, &W_centred[0, 0], products, <int> (stop - start),
                 <int> W_centred.shape[0], <int> n_features)


cdef inline void _winner_distances(
    const floating[:, ::1] X,        # IN  (n_samples, n_features)
    const floating[:, ::1] W,        # IN  (n_units, n_features)
    const long long[::1] index,      # IN  (n_samples,) a unit of each row
    Py_ssize_t start, Py_ssize_t stop,
    floating[::1] distance,          # OUT (n_samples,) ||x_i - w_index[i]||^2, rows start:stop
    floating *sums,                  # INOUT (n_units, n_features) or NULL: rows added by unit
    long long *counts,               # INOUT (n_units,) or NULL: rows counted by unit
) noexcept nogil:
    """The exact squared distances of the rows to their units, from the differences, and
    (given sums) each row added into its unit's sum in the same pass. The rows have left the
    cache by now (the product streamed the prototypes through it): the next pairs are asked
    for while this one is summed."""
    cdef Py_ssize_t n_features = X.shape[1], i, f
    cdef floating *unit_sums
    for i in range(start, stop):
        if i + 3 < stop:
            nc_prefetch(&X[i + 3, 0], n_features * sizeof(floating))
            nc_prefetch(&W[index[i + 3], 0], n_features * sizeof(floating))
        unit_sums = NULL if sums == NULL else &sums[index[i] * n_features]
        if n_features >= WIDE_ROW:  # one vector loop for both
            if floating is float:
                distance[i] = nc_distance_and_add_f32(&X[i, 0], &W[index[i], 0], unit_sums,
                                                      <int> n_features)
            else:
                distance[i] = nc_distance_and_add_f64(&X[i, 0], &W[index[i], 0], unit_sums,
                                                      <int> n_features)
        else:
            distance[i] = squared_distance(&X[i, 0], &W[index[i], 0], n_features)
            if unit_sums != NULL:  # the row is in the nearest cache now
                for f in range(n_features):
                    unit_sums[f] += X[i, f]
        if sums != NULL:
            counts[index[i]] += 1


cdef void _bmu_chunk(
    const floating[:, ::1] X,        # IN  (n_samples, n_features)
    const floating[:, ::1] W,        # IN  (n_units, n_features)
    const floating[:, ::1] W_centred,  # IN (n_units, n_features): W minus the prototypes' mean
    const floating[::1] centre,      # IN  (n_features,) the prototypes' mean
    const floating[::1] offset,      # IN  (n_units,) the score offsets of _prepare_scores
    bint centre_rows,                # IN  whether the rows are centred (_prepare_scores)
    Py_ssize_t start, Py_ssize_t stop,
    floating *X_centred,             # scratch (CHUNK_ROWS, n_features)
    floating *products,              # scratch (CHUNK_ROWS, n_units)
    long long[::1] index,            # OUT (n_samples,)
    floating[::1] distance,          # OUT (n_samples,)
    floating *sums,                  # INOUT (n_units, n_features) or NULL: this thread's sums
    long long *counts,               # INOUT (n_units,) or NULL: this thread's counts
) noexcept nogil:
    cdef Py_ssize_t n_units = W.shape[0], r
    _chunk_products(X, W_centred, centre, centre_rows, start, stop, X_centred, products)
    for r in range(stop - start):   # the lowest index keeps a tie
        if floating is float:
            index[start + r] = nc_first_min_f32(&offset[0], &products[r * n_units],
                                                <int> n_units)
        else:
            index[start + r] = nc_first_min_f64(&offset[0], &products[r * n_units],
                                                <int> n_units)
    _winner_distances(X, W, index, start, stop, distance, sums, counts)


cdef void _two_nearest_chunk(
    const floating[:, ::1] X,        # IN  (n_samples, n_features)
    const floating[:, ::1] W,        # IN  (n_units, n_features)
    const floating[:, ::1] W_centred,  # IN (n_units, n_features): W minus the prototypes' mean
    const floating[::1] centre,      # IN  (n_features,) the prototypes' mean
    const floating[::1] offset,      # IN  (n_units,) the score offsets of _prepare_scores
    bint centre_rows,                # IN  whether the rows are centred (_prepare_scores)
    Py_ssize_t start, Py_ssize_t stop,
    floating *X_centred,             # scratch (CHUNK_ROWS, n_features)
    floating *products,              # scratch (CHUNK_ROWS, n_units)
    long long[::1] index,            # OUT (n_samples,) the nearest unit
    floating[::1] distance,          # OUT (n_samples,) its squared distance
    long long[::1] second,           # OUT (n_samples,) the second-nearest unit
    floating[::1] second_distance,   # OUT (n_samples,) its squared distance
) noexcept nogil:
    # _bmu_chunk's scores, keeping the two smallest: the same winner as bmu, in one pass.
    cdef Py_ssize_t n_units = W.shape[0], r, i
    cdef int runner_up = 0   # stays 0 with a single unit, as in the reference
    _chunk_products(X, W_centred, centre, centre_rows, start, stop, X_centred, products)
    for r in range(stop - start):   # the lowest index keeps a tie, in both places
        if floating is float:
            index[start + r] = nc_two_min_f32(&offset[0], &products[r * n_units],
                                              <int> n_units, &runner_up)
        else:
            index[start + r] = nc_two_min_f64(&offset[0], &products[r * n_units],
                                              <int> n_units, &runner_up)
        second[start + r] = runner_up
    _winner_distances(X, W, index, start, stop, distance, NULL, NULL)
    if n_units > 1:
        _winner_distances(X, W, second, start, stop, second_distance, NULL, NULL)
    else:
        for i in range(start, stop):
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


cdef bint _prepare_scores(
    const floating[:, ::1] W,        # IN  (n_units, n_features)
    floating[:, ::1] W_centred,      # OUT (n_units, n_features): W - m
    floating[::1] centre,            # OUT (n_features,) m, the prototypes' mean
    floating[::1] offset,            # OUT (n_units,) the score offsets
    double[::1] sums_and_norms,      # scratch (n_features + n_units,)
) noexcept nogil:
    """The prototypes' side of the scores, eq. (1) of reference.bmu, once per call; returns
    whether the rows of X are to be centred.

    The score of unit j is offset[j] - 2 (x - m).(w_j - m) when the rows are centred, and
    offset[j] - 2 x.(w_j - m) when they are not. Centring keeps the product's operands
    small, which matters when the data sit far from the origin, but it costs a copy of every
    chunk. So the rows are centred only when m lies farther from the origin than the
    prototypes' spread around it (||m||^2 > mean_j ||w_j - m||^2): closer in, x differs from
    x - m by no more than the spread, and the product on x is about as accurate. The two
    products differ by m.(w_j - m) for each unit, which the offset takes in:
    offset[j] = ||w_j - m||^2, plus 2 m.(w_j - m) for uncentred rows. Sums run in float64.
    """
    cdef Py_ssize_t n_units = W.shape[0], n_features = W.shape[1], j, f
    cdef double *sums = &sums_and_norms[0]
    cdef double *norms = &sums_and_norms[n_features]
    cdef double dot, spread = 0, centre_sq = 0
    cdef bint centre_rows
    for f in range(n_features):
        sums[f] = 0
    for j in range(n_units):
        for f in range(n_features):
            sums[f] += W[j, f]
    for f in range(n_features):
        centre[f] = <floating> (sums[f] / n_units)
        centre_sq += <double> centre[f] * centre[f]
    for j in range(n_units):
        norms[j] = 0
        for f in range(n_features):
            W_centred[j, f] = W[j, f] - centre[f]
            norms[j] += <double> W_centred[j, f] * W_centred[j, f]
        spread += norms[j]
    centre_rows = centre_sq * n_units > spread
    for j in range(n_units):
        dot = 0
        if not centre_rows:
            for f in range(n_features):
                dot += <double> W_centred[j, f] * centre[f]
        offset[j] = <floating> (norms[j] + 2 * dot)
    return centre_rows


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
    rows to its own thread's sums in the pass that takes their distances."""
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1], n_units = W.shape[0]
    cdef bint accumulating = partial_sums is not None
    cdef bint two = second is not None
    dtype = np.float32 if floating is float else np.float64
    cdef floating[:, ::1] W_centred = np.empty((n_units, n_features), dtype=dtype)
    cdef floating[::1] centre = np.empty(n_features, dtype=dtype)
    cdef floating[::1] offset = np.empty(n_units, dtype=dtype)
    cdef double[::1] sums_and_norms = np.empty(n_features + n_units)
    cdef bint centre_rows
    with nogil:
        centre_rows = _prepare_scores(W, W_centred, centre, offset, sums_and_norms)
    cdef Py_ssize_t n_chunks = (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS
    cdef Py_ssize_t chunk, start, stop
    cdef int thread
    # Each thread's scratch: a chunk of centred rows (when they are centred), then the
    # chunk's products with W.
    cdef Py_ssize_t centred_size = CHUNK_ROWS * n_features if centre_rows else 0
    cdef Py_ssize_t per_thread = centred_size + CHUNK_ROWS * n_units
    cdef floating *scratch = <floating*> allocate(
        n_threads, per_thread, sizeof(floating), kernel,
        f"the per-thread buffers of {n_threads} thread(s) for {n_units} prototypes")
    cdef floating *X_centred
    cdef floating *products
    try:
        with nogil, parallel(num_threads=n_threads):
            thread = threadid()
            X_centred = scratch + thread * per_thread
            products = X_centred + centred_size
            for chunk in prange(n_chunks, schedule="static"):
                start = chunk * CHUNK_ROWS
                stop = min(start + CHUNK_ROWS, n_samples)
                if two:
                    _two_nearest_chunk(X, W, W_centred, centre, offset, centre_rows, start,
                                       stop, X_centred, products, index, distance, second,
                                       second_distance)
                elif accumulating:
                    _bmu_chunk(X, W, W_centred, centre, offset, centre_rows, start, stop,
                               X_centred, products, index, distance,
                               &partial_sums[thread, 0, 0], &partial_counts[thread, 0])
                else:
                    _bmu_chunk(X, W, W_centred, centre, offset, centre_rows, start, stop,
                               X_centred, products, index, distance, NULL, NULL)
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
