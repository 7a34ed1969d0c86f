# cython: language_level=3
"""The hot loops of neuroclust, one step each; Python owns the training loops.

Each kernel computes the same thing as its twin in ``neuroclust/backend/reference.py`` (read
that file for the math) and is tested against it. Conventions, after scikit-learn's k-means:
``floating`` serves float32 and float64 from one source; arguments are tagged IN / OUT / INOUT;
samples are processed in chunks of ``CHUNK_ROWS`` rows under ``prange``, each thread with its
own buffers; the distance cross term of a chunk is one BLAS product (single-threaded BLAS
inside, the caller limits BLAS threads); a tie goes to the lowest index.

Every function here checks, before it releases the GIL, what it can check in O(1) (shapes,
counts, capacities) and that its index arrays lie in range, so that no call can read or write
outside its arrays; every allocation is checked and a failed one raises MemoryError. The
wrappers in ``neuroclust/backend/cython.py`` check the rest (dtypes, layouts, the ranges of
the parameters) and give the same sentences as the NumPy reference: call the kernels
through them.
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.stdlib cimport malloc, free
from libc.string cimport memset
from libc.math cimport exp, sqrt
from scipy.linalg.cython_blas cimport sgemm, dgemm, sgemv, dgemv, sdot, ddot

import numpy as np

cdef enum:
    CHUNK_ROWS = 256   # rows per chunk: a chunk and its distance block stay in cache

cdef extern from *:
    """
    #ifndef NEUROCLUST_BOUNDSCHECK
    #define NEUROCLUST_BOUNDSCHECK 0
    #endif
    """
    int NEUROCLUST_BOUNDSCHECK
    const Py_ssize_t PY_SSIZE_T_MAX

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py), whose memoryview
#: accesses are bounds-checked: an index out of range raises IndexError.
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)

#: BLAS and the vector loops count rows and features in C ints.
_INT_MAX = 2147483647


def _check_width(str kernel, Py_ssize_t n_features, Py_ssize_t w_features, str w_name,
                 Py_ssize_t n_units, Py_ssize_t minimum):
    """O(1) shape checks shared by the kernels (see ``backend/_checks.py`` for the full set)."""
    if n_features < 1:
        raise ValueError(f"{kernel}: X must have at least one feature (column), got 0.")
    if w_features != n_features:
        raise ValueError(f"{kernel}: {w_name} must have as many features (columns) as X "
                         f"({n_features}), got {w_features}.")
    if n_units < minimum:
        raise ValueError(f"{kernel}: {w_name} must hold at least {minimum} row(s), got "
                         f"{n_units}.")
    if n_units > _INT_MAX or n_features > _INT_MAX:
        raise ValueError(f"{kernel}: {w_name} of {n_units} rows and {n_features} features is "
                         f"more than the compiled kernels can count.")


def _check_length(str kernel, str name, Py_ssize_t length, Py_ssize_t expected):
    if length != expected:
        raise ValueError(f"{kernel}: {name} must have {expected} entries, got {length}.")


cdef int _check_range(str kernel, str name, const long long[::1] indices,
                      Py_ssize_t upper) except -1:
    """Every index in [0, upper): one pass, before any of them is used."""
    cdef Py_ssize_t k, n = indices.shape[0]
    cdef long long low = 0, high = 0, value
    with nogil:
        if n > 0:
            low = indices[0]
            high = indices[0]
        for k in range(1, n):
            value = indices[k]
            if value < low:
                low = value
            elif value > high:
                high = value
    if n > 0 and (low < 0 or high >= upper):
        raise ValueError(f"{kernel}: {name} must hold indices in [0, {upper}), but it has "
                         f"values from {low} to {high}.")
    return 0


cdef void *_allocate(Py_ssize_t count, Py_ssize_t size, Py_ssize_t itemsize, str kernel,
                     str what) except NULL:
    """malloc of ``count * size`` items, or MemoryError with a sentence (also on overflow)."""
    cdef void *memory
    cdef Py_ssize_t n_bytes
    count = max(count, 1)
    size = max(size, 1)
    if size > PY_SSIZE_T_MAX // itemsize // count:
        raise MemoryError(f"{kernel} cannot allocate {what}: {count} x {size} items of "
                          f"{itemsize} bytes are more bytes than a size can count.")
    n_bytes = count * size * itemsize
    memory = malloc(<size_t> n_bytes)
    if memory == NULL:
        raise MemoryError(f"{kernel} could not allocate {n_bytes} bytes "
                          f"({<double> n_bytes / 2**30:.3g} GiB) for {what}.")
    return memory


cdef int _clamp_threads(int n_threads, Py_ssize_t work_items) noexcept:
    """At least one thread, and none more than there are chunks of work."""
    if n_threads > work_items:
        n_threads = <int> work_items
    return n_threads if n_threads >= 1 else 1


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


cdef inline floating _squared_distance(
    const floating *x, const floating *w, Py_ssize_t n_features,
) noexcept nogil:
    # Four partial sums let the compiler keep several vector lanes busy without -ffast-math.
    cdef floating s0 = 0, s1 = 0, s2 = 0, s3 = 0, diff
    cdef Py_ssize_t f = 0
    while f + 4 <= n_features:
        diff = x[f] - w[f]
        s0 = s0 + diff * diff
        diff = x[f + 1] - w[f + 1]
        s1 = s1 + diff * diff
        diff = x[f + 2] - w[f + 2]
        s2 = s2 + diff * diff
        diff = x[f + 3] - w[f + 3]
        s3 = s3 + diff * diff
        f += 4
    while f < n_features:
        diff = x[f] - w[f]
        s0 = s0 + diff * diff
        f += 1
    return (s0 + s1) + (s2 + s3)


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
    cdef Py_ssize_t i, r, j, f, best
    cdef floating best_score, score
    for r in range(stop - start):
        for f in range(n_features):
            X_centred[r * n_features + f] = X[start + r, f] - centre[f]
    _gemm_scores(X_centred, &W_centred[0, 0], products, <int> (stop - start),
                 <int> n_units, <int> n_features)
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
        distance[i] = _squared_distance(&X[i, 0], &W[best, 0], n_features)


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


def bmu(const floating[:, ::1] X, const floating[:, ::1] W, int n_threads=1):
    """Index of the nearest row of W for every row of X, and its squared distance.

    The same as ``reference.bmu``; see it for the equations.
    """
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1], n_units = W.shape[0]
    _check_width("bmu", n_features, W.shape[1], "W", n_units, 1)
    dtype = np.float32 if floating is float else np.float64
    W_centred_arr, centre_arr, w_sq_arr = _prepare_centred(np.asarray(W))
    cdef const floating[:, ::1] W_centred = W_centred_arr
    cdef const floating[::1] centre = centre_arr
    cdef const floating[::1] w_sq = w_sq_arr
    index_arr = np.empty(n_samples, dtype=np.int64)
    distance_arr = np.empty(n_samples, dtype=dtype)
    cdef long long[::1] index = index_arr
    cdef floating[::1] distance = distance_arr
    cdef Py_ssize_t n_chunks = (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS
    cdef Py_ssize_t chunk, start, stop
    n_threads = _clamp_threads(n_threads, n_chunks)
    # Each thread's scratch: a chunk of centred rows, then the chunk's products with W.
    cdef Py_ssize_t per_thread = CHUNK_ROWS * (n_features + n_units)
    cdef floating *scratch = <floating*> _allocate(
        n_threads, per_thread, sizeof(floating), "bmu",
        f"the per-thread buffers of {n_threads} thread(s) for {n_units} prototypes")
    cdef floating *X_centred
    cdef floating *products
    try:
        with nogil, parallel(num_threads=n_threads):
            X_centred = scratch + threadid() * per_thread
            products = X_centred + CHUNK_ROWS * n_features
            for chunk in prange(n_chunks, schedule="static"):
                start = chunk * CHUNK_ROWS
                stop = min(start + CHUNK_ROWS, n_samples)
                _bmu_chunk(X, W, W_centred, centre, w_sq, start, stop, X_centred, products,
                           index, distance)
    finally:
        free(scratch)
    return index_arr, distance_arr


def accumulate(const floating[:, ::1] X, const long long[::1] labels, Py_ssize_t n_units,
               int n_threads=1):
    """Per-unit sums and counts of the rows of X assigned by labels (see reference.accumulate)."""
    cdef Py_ssize_t n_samples = X.shape[0], n_features = X.shape[1]
    _check_width("accumulate", n_features, n_features, "X", n_units, 1)
    _check_length("accumulate", "labels", labels.shape[0], n_samples)
    _check_range("accumulate", "labels", labels, n_units)
    dtype = np.float32 if floating is float else np.float64
    n_threads = _clamp_threads(n_threads, (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS)
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
    _check_width("bmu_accumulate", n_features, W.shape[1], "W", n_units, 1)
    dtype = np.float32 if floating is float else np.float64
    n_threads = _clamp_threads(n_threads, (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS)
    W_centred_arr, centre_arr, w_sq_arr = _prepare_centred(np.asarray(W))
    cdef const floating[:, ::1] W_centred = W_centred_arr
    cdef const floating[::1] centre = centre_arr
    cdef const floating[::1] w_sq = w_sq_arr
    index_arr = np.empty(n_samples, dtype=np.int64)
    distance_arr = np.empty(n_samples, dtype=dtype)
    partial_sums_arr = np.zeros((n_threads, n_units, n_features), dtype=dtype)
    partial_counts_arr = np.zeros((n_threads, n_units), dtype=np.int64)
    cdef long long[::1] index = index_arr
    cdef floating[::1] distance = distance_arr
    cdef floating[:, :, ::1] partial_sums = partial_sums_arr
    cdef long long[:, ::1] partial_counts = partial_counts_arr
    cdef Py_ssize_t n_chunks = (n_samples + CHUNK_ROWS - 1) // CHUNK_ROWS
    cdef Py_ssize_t chunk, start, stop
    cdef int thread
    cdef Py_ssize_t per_thread = CHUNK_ROWS * (n_features + n_units)
    cdef floating *scratch = <floating*> _allocate(
        n_threads, per_thread, sizeof(floating), "bmu_accumulate",
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
                _bmu_chunk(X, W, W_centred, centre, w_sq, start, stop, X_centred, products,
                           index, distance)
                _accumulate_rows(X, index, start, stop, &partial_sums[thread, 0, 0],
                                 &partial_counts[thread, 0])
    finally:
        free(scratch)
    return index_arr, distance_arr, partial_sums_arr.sum(axis=0), partial_counts_arr.sum(axis=0)


def wta_online(const floating[:, ::1] X,      # IN  (n_samples, n_features)
               floating[:, ::1] W,            # INOUT (n_units, n_features)
               const long long[::1] order,    # IN  (n_steps,) rows of X in presentation order
               double learning_rate,
               double[::1] win_frequency=None,  # INOUT (n_units,) or None: no conscience
               double conscience_rate=0.0,
               double conscience_bias=0.0):
    """One sequential pass of winner-take-all learning (see reference.wta_online, eqs. 1-5)."""
    cdef Py_ssize_t n_steps = order.shape[0], n_units = W.shape[0], n_features = W.shape[1]
    cdef bint conscience = win_frequency is not None
    _check_width("wta_online", X.shape[1], n_features, "W", n_units, 1)
    _check_range("wta_online", "order", order, X.shape[0])
    if conscience:
        _check_length("wta_online", "win_frequency", win_frequency.shape[0], n_units)
    winners_arr = np.empty(n_steps, dtype=np.int64)
    cdef long long[::1] winners = winners_arr
    cdef Py_ssize_t step, i, j, f, nearest, winner
    cdef double distance, nearest_distance, score, winner_score, fair_share = 1.0 / n_units
    cdef floating rate = <floating> learning_rate
    with nogil:
        for step in range(n_steps):
            i = order[step]
            nearest = 0
            winner = 0
            nearest_distance = _squared_distance(&X[i, 0], &W[0, 0], n_features)
            winner_score = nearest_distance
            if conscience:
                winner_score = nearest_distance - conscience_bias * (fair_share - win_frequency[0])
            for j in range(1, n_units):
                distance = _squared_distance(&X[i, 0], &W[j, 0], n_features)
                if distance < nearest_distance:                       # eq. (1)
                    nearest_distance = distance
                    nearest = j
                if conscience:
                    score = distance - conscience_bias * (fair_share - win_frequency[j])  # eq. (2)
                    if score < winner_score:                          # eq. (3)
                        winner_score = score
                        winner = j
            if conscience:
                for j in range(n_units):                              # eq. (4)
                    win_frequency[j] *= 1.0 - conscience_rate
                win_frequency[nearest] += conscience_rate
            else:
                winner = nearest
            for f in range(n_features):                               # eq. (5)
                W[winner, f] = W[winner, f] + rate * (X[i, f] - W[winner, f])
            winners[step] = winner
    return winners_arr


# ------------------------------------------------------------------ self-organizing map
cdef enum:
    GAUSSIAN = 0
    BUBBLE = 1
    MEXICAN_HAT = 2
    TRIANGLE = 3


cdef inline double _neighbourhood(double d2, double sigma, int kind) noexcept nogil:
    """h(d^2, sigma): eqs. (1)-(4) of neuroclust.grid.neighbourhood."""
    if kind == GAUSSIAN:
        return exp(-d2 / (2 * sigma * sigma))
    if kind == BUBBLE:
        return 1.0 if d2 < sigma * sigma else 0.0
    if kind == MEXICAN_HAT:
        return (1 - d2 / (sigma * sigma)) * exp(-d2 / (2 * sigma * sigma))
    return max(0.0, 1 - sqrt(d2) / sigma)


cdef inline double _wrapped(double delta, double period) noexcept nogil:
    if delta < 0:
        delta = -delta
    if period > 0 and period - delta < delta:
        delta = period - delta
    return delta


cdef inline void _products(const floating *W, const floating *x, floating *out,
                           int n_units, int n_features) noexcept nogil:
    """out = W @ x for row-major W (n_units, n_features), through BLAS gemv."""
    cdef char trans = b"T"
    cdef int one = 1
    cdef float alpha_s = 1.0, beta_s = 0.0
    cdef double alpha_d = 1.0, beta_d = 0.0
    if floating is float:
        sgemv(&trans, &n_features, &n_units, &alpha_s, <float*> W, &n_features,
              <float*> x, &one, &beta_s, <float*> out, &one)
    else:
        dgemv(&trans, &n_features, &n_units, &alpha_d, <double*> W, &n_features,
              <double*> x, &one, &beta_d, <double*> out, &one)


cdef inline double _dot(const floating *a, const floating *b, int n) noexcept nogil:
    cdef int one = 1
    if floating is float:
        return sdot(&n, <float*> a, &one, <float*> b, &one)
    else:
        return ddot(&n, <double*> a, &one, <double*> b, &one)


cdef extern from "simd.h":
    void nc_update_f32(float *w, const float *x, const float *next, float a, int n,
                       float *norm_out, float *dot_out) noexcept nogil
    void nc_update_f64(double *w, const double *x, const double *next, double a, int n,
                       double *norm_out, double *dot_out) noexcept nogil
    float nc_dot_f32(const float *a, const float *b, int n) noexcept nogil
    double nc_dot_f64(const double *a, const double *b, int n) noexcept nogil
    void nc_update_wide_f32(float *w, const float *x, const float *next, float a, int n,
                            float *norm_out, float *dot_out) noexcept nogil
    void nc_update_wide_f64(double *w, const double *x, const double *next, double a, int n,
                            double *norm_out, double *dot_out) noexcept nogil
    float nc_dot_wide_f32(const float *a, const float *b, int n) noexcept nogil
    double nc_dot_wide_f64(const double *a, const double *b, int n) noexcept nogil
    void nc_barrier() noexcept nogil
    void nc_block_step(int n_units, int k, int size, int stride, const double *a,
                       double *norms, double *products, const double *gram,
                       double *coefficients, double *keep) noexcept nogil
    void nc_scale_row_f32(float *w, double b, int n) noexcept nogil
    void nc_scale_row_f64(double *w, double b, int n) noexcept nogil
    void nc_scaled_row_f32(float *out, const double *factors, double scale, int n) noexcept nogil
    void nc_scaled_row_f64(double *out, const double *factors, double scale,
                           int n) noexcept nogil
    int nc_argmin_score_f32(const float *norms, const float *products, int n,
                            double *scores) noexcept nogil
    int nc_argmin_score_f64(const double *norms, const double *products, int n,
                            double *scores) noexcept nogil
    void nc_narrow_step_f32(float *wt, int n_features, int n_units, const float *x,
                            const float *next, const float *a, float *norms,
                            float *products) noexcept nogil
    void nc_narrow_step_f64(double *wt, int n_features, int n_units, const double *x,
                            const double *next, const double *a, double *norms,
                            double *products) noexcept nogil

cdef enum:
    WIDE_ROW = 48   # features from which the out-of-line, CPU-dispatched loops pay off
    NARROW_ROW = 8  # features up to which a one-thread SOM stores prototypes feature by feature


cdef inline void _update(floating *w, const floating *x, const floating *next, floating a,
                         int n, floating *norm_out, floating *dot_out) noexcept nogil:
    """w += a (x - w), then ||w||^2 and w . next, in one vectorised pass over w."""
    if floating is float:
        if n >= WIDE_ROW:
            nc_update_wide_f32(w, x, next, a, n, norm_out, dot_out)
        else:
            nc_update_f32(w, x, next, a, n, norm_out, dot_out)
    else:
        if n >= WIDE_ROW:
            nc_update_wide_f64(w, x, next, a, n, norm_out, dot_out)
        else:
            nc_update_f64(w, x, next, a, n, norm_out, dot_out)


cdef inline floating _vdot(const floating *a, const floating *b, int n) noexcept nogil:
    if floating is float:
        return nc_dot_wide_f32(a, b, n) if n >= WIDE_ROW else nc_dot_f32(a, b, n)
    else:
        return nc_dot_wide_f64(a, b, n) if n >= WIDE_ROW else nc_dot_f64(a, b, n)


cdef void _axis_tables(int n, int winner_index, double offset, double squared_spacing,
                       double period, double sigma, bint with_exp, double *squared,
                       double *gauss, double *powers) noexcept nogil:
    """Squared distances along one grid axis from the winner, and their gaussian factors.

    Offsets and periods are in steps of the axis; the squared spacing (3/4 between hexagonal
    rows) multiplies the squared step count, so every squared grid distance is exact. Every
    distance is m / 2 steps for a whole m < 2n, and its gaussian factor q^(m^2) with
    q = exp(-spacing / (8 sigma^2)): ``powers`` (2n entries) receives them by the recurrence
    q^((m+1)^2) = q^(m^2) q^(2m+1), two exponentials per axis instead of one per unit.
    """
    cdef int k, m
    cdef double delta, q, odd_power
    for k in range(n):
        delta = _wrapped((k - winner_index) + offset, period)
        squared[k] = delta * delta * squared_spacing
    if not with_exp:
        return
    q = exp(-squared_spacing / (8 * sigma * sigma))
    odd_power = q                               # q^(2m + 1) for m = 0
    powers[0] = 1.0
    for m in range(1, 2 * n):
        powers[m] = powers[m - 1] * odd_power
        odd_power = odd_power * q * q
    for k in range(n):
        delta = _wrapped((k - winner_index) + offset, period)
        gauss[k] = powers[<int> (2 * delta + 0.5)]


cdef inline int _winner(const floating *products, const floating *norms, int n_units,
                        bint cosine, double *scores=NULL) noexcept nogil:
    """eq. (1): the unit of lowest ||w||^2 - 2 x.w (or of highest cosine); ties to the lowest.

    With a ``scores`` buffer (one thread) the Euclidean search runs vectorised.
    """
    cdef int j, winner = 0
    cdef double score, best = 0
    if scores != NULL and not cosine:
        if floating is float:
            return nc_argmin_score_f32(norms, products, n_units, scores)
        else:
            return nc_argmin_score_f64(norms, products, n_units, scores)
    for j in range(n_units):
        if cosine:
            score = -products[j] / sqrt(norms[j]) if norms[j] > 0 else 0.0
        else:
            score = norms[j] - 2 * products[j]
        if j == 0 or score < best:
            best = score
            winner = j
    return winner


cdef inline int _tables_size(int rows, int cols) noexcept nogil:
    """Numbers in _grid_tables' buffer: distances and factors per axis, then scratch."""
    return 4 * cols + 2 * rows + 2 * (rows if rows > cols else cols)


cdef inline void _grid_tables(int rows, int cols, bint hexagonal, double row_spacing_sq,
                              double x_period, double y_period, int winner, double sigma,
                              bint with_exp, double *tables) noexcept nogil:
    """Per-axis squared distances and gaussian factors from the winner (see som_online);
    ``tables`` holds _tables_size(rows, cols) numbers."""
    cdef int parity
    cdef int winner_row = winner // cols
    cdef int winner_col = winner - winner_row * cols
    cdef int winner_parity = winner_row % 2 if hexagonal else 0
    cdef double *scratch = &tables[4 * cols + 2 * rows]
    for parity in range(2 if hexagonal else 1):
        _axis_tables(cols, winner_col, 0.5 * (parity - winner_parity), 1.0, x_period, sigma,
                     with_exp, &tables[parity * cols], &tables[(2 + parity) * cols], scratch)
    _axis_tables(rows, winner_row, 0.0, row_spacing_sq, y_period, sigma, with_exp,
                 &tables[4 * cols], &tables[4 * cols + rows], scratch)


cdef inline double _unit_weight(int r, int c, int rows, int cols, bint hexagonal,
                               const double *tables, double sigma,
                               int neighbourhood) noexcept nogil:
    """h of the unit in row r, column c around the winner of ``tables`` (see _grid_tables)."""
    cdef int parity = r % 2 if hexagonal else 0
    cdef double d2 = tables[parity * cols + c] + tables[4 * cols + r]
    if neighbourhood == GAUSSIAN:
        return tables[(2 + parity) * cols + c] * tables[4 * cols + rows + r]
    if neighbourhood == MEXICAN_HAT:
        return ((1 - d2 / (sigma * sigma)) * tables[(2 + parity) * cols + c]
                * tables[4 * cols + rows + r])
    return _neighbourhood(d2, sigma, neighbourhood)


cdef inline void _update_unit(int j, int r, floating *w, int n_features, const floating *x,
                              const floating *next_x, int rows, int cols, bint hexagonal,
                              const double *tables, double rate, double sigma,
                              int neighbourhood, const floating *norms_in,
                              floating *norms_out, floating *products_out) noexcept nogil:
    """eq. (2) for unit j (prototype w), then its new squared norm and product with the next x."""
    cdef double h = _unit_weight(r, j - r * cols, rows, cols, hexagonal, tables, sigma,
                                 neighbourhood)
    if h != 0:
        _update(w, x, next_x, <floating> (rate * h), n_features, &norms_out[j],
                &products_out[j])
    else:
        norms_out[j] = norms_in[j]
        if next_x != NULL:
            products_out[j] = _vdot(w, next_x, n_features)


cdef void _som_online_narrow(const floating[:, ::1] X, floating[:, ::1] W, int rows, int cols,
                             bint hexagonal, double row_spacing_sq, double x_period,
                             double y_period, const long long[::1] order,
                             const double[::1] learning_rates, const double[::1] sigmas,
                             int neighbourhood, bint cosine, bint with_exp,
                             floating[::1] norms, floating[::1] products,
                             long long[::1] winners):
    """som_online's steps for short rows, one thread: the prototypes are held transposed
    (feature by feature) so that each step's loops run along the units (nc_narrow_step)."""
    cdef Py_ssize_t n_steps = order.shape[0], step
    cdef int n_units = W.shape[0], n_features = W.shape[1]
    dtype = np.float32 if floating is float else np.float64
    transposed_arr = np.ascontiguousarray(np.asarray(W).T)
    cdef floating[:, ::1] transposed = transposed_arr
    cdef floating[::1] rates = np.empty(n_units, dtype=dtype)
    cdef double[::1] scores = np.empty(n_units)
    cdef double[::1] tables = np.empty(_tables_size(rows, cols))
    cdef int winner, r, c
    cdef double row_rate
    cdef double *column_factors
    cdef const floating *next_x
    with nogil:
        for step in range(n_steps):
            winner = _winner(&products[0], &norms[0], n_units, cosine, &scores[0])  # eq. (1)
            _grid_tables(rows, cols, hexagonal, row_spacing_sq, x_period, y_period, winner,
                         sigmas[step], with_exp, &tables[0])
            for r in range(rows):
                if neighbourhood == GAUSSIAN:  # h = g_x(c) g_y(r): one product per unit
                    row_rate = learning_rates[step] * tables[4 * cols + rows + r]
                    column_factors = &tables[(2 + (r % 2 if hexagonal else 0)) * cols]
                    if floating is float:
                        nc_scaled_row_f32(&rates[r * cols], column_factors, row_rate, cols)
                    else:
                        nc_scaled_row_f64(&rates[r * cols], column_factors, row_rate, cols)
                    continue
                for c in range(cols):
                    rates[r * cols + c] = <floating> (learning_rates[step] * _unit_weight(
                        r, c, rows, cols, hexagonal, &tables[0], sigmas[step], neighbourhood))
            next_x = &X[order[step + 1], 0] if step + 1 < n_steps else NULL
            if floating is float:                                                   # eq. (2)
                nc_narrow_step_f32(&transposed[0, 0], n_features, n_units, &X[order[step], 0],
                                   next_x, &rates[0], &norms[0], &products[0])
            else:
                nc_narrow_step_f64(&transposed[0, 0], n_features, n_units, &X[order[step], 0],
                                   next_x, &rates[0], &norms[0], &products[0])
            winners[step] = winner
    np.asarray(W)[...] = transposed_arr.T


def som_online(const floating[:, ::1] X,          # IN  (n_samples, n_features)
               floating[:, ::1] W,                # INOUT (rows * cols, n_features)
               int rows, int cols, bint hexagonal, bint toroidal,
               const long long[::1] order,        # IN  (n_steps,) rows of X in order
               const double[::1] learning_rates,  # IN  (n_steps,)
               const double[::1] sigmas,          # IN  (n_steps,)
               int neighbourhood=GAUSSIAN,
               bint cosine=False,
               int n_threads=1):
    """Online SOM over the samples in order (see reference.som_online, eqs. 1-2).

    One pass over the prototypes per step: each unit is updated, and in the same pass its
    squared norm and its product with the *next* sample are taken, so the next winner needs
    no further pass (||x - w||^2 = ||x||^2 - 2 x.w + ||w||^2: centre X and W first, as
    backend.cython.som_online does). The neighbourhood comes from per-column and per-row
    tables: the squared grid distance is dx^2 + dy^2 and the gaussian exp(dx^2) exp(dy^2), so a
    step costs rows + 2 cols exponentials, not one per unit.

    With n_threads > 1 the units of each step are split between threads. Every thread finds
    the winner itself (the same one: it reads the same numbers); norms and products are
    double-buffered by step parity, so a thread that runs ahead into the next step's updates
    never overwrites what a slower one is still reading for its argmin, and the one barrier
    at the end of each step's loop over units is enough.
    """
    cdef Py_ssize_t n_steps = order.shape[0]
    cdef Py_ssize_t n_units = W.shape[0], n_features = W.shape[1]
    _check_width("som_online", X.shape[1], n_features, "W", n_units, 1)
    if (rows < 1 or cols < 1 or <Py_ssize_t> rows * cols != n_units or rows > (1 << 28)
            or cols > (1 << 28)):
        raise ValueError(f"som_online: a grid of {rows} x {cols} units does not fit the "
                         f"{n_units} rows of W.")
    _check_range("som_online", "order", order, X.shape[0])
    _check_length("som_online", "learning_rates", learning_rates.shape[0], n_steps)
    _check_length("som_online", "sigmas", sigmas.shape[0], n_steps)
    n_threads = _clamp_threads(n_threads, n_units)
    dtype = np.float32 if floating is float else np.float64
    winners_arr = np.empty(n_steps, dtype=np.int64)
    products_arr = np.empty((2, n_units), dtype=dtype)
    norms_arr = np.empty((2, n_units), dtype=dtype)
    cdef long long[::1] winners = winners_arr
    cdef floating[:, ::1] products = products_arr
    cdef floating[:, ::1] norms = norms_arr
    cdef double[::1] scores = np.empty(n_units)
    cdef int n_tables = _tables_size(rows, cols)
    cdef double row_spacing_sq = 0.75 if hexagonal else 1.0  # (sqrt(3) / 2)^2
    cdef double x_period = cols if toroidal else 0.0
    cdef double y_period = rows if toroidal else 0.0  # in rows
    cdef bint with_exp = neighbourhood == GAUSSIAN or neighbourhood == MEXICAN_HAT
    cdef Py_ssize_t j
    if n_steps == 0:
        return winners_arr
    with nogil:
        for j in range(n_units):
            norms[0, j] = _vdot(&W[j, 0], &W[j, 0], n_features)
            products[0, j] = _vdot(&W[j, 0], &X[order[0], 0], n_features)
    if n_threads <= 1 and n_features <= NARROW_ROW:
        _som_online_narrow(X, W, rows, cols, hexagonal, row_spacing_sq, x_period, y_period,
                           order, learning_rates, sigmas, neighbourhood, cosine, with_exp,
                           norms[0], products[0], winners)
        return winners_arr
    # One table buffer per thread, allocated (and checked) before the loops start.
    cdef double *all_tables = <double*> _allocate(n_threads, n_tables, sizeof(double),
                                                  "som_online", "the neighbourhood tables")
    try:
        _som_online_steps(X, W, rows, cols, hexagonal, row_spacing_sq, x_period, y_period,
                          order, learning_rates, sigmas, neighbourhood, cosine, with_exp,
                          norms, products, scores, winners, all_tables, n_tables, n_threads)
    finally:
        free(all_tables)
    return winners_arr


cdef void _som_online_steps(const floating[:, ::1] X, floating[:, ::1] W, int rows, int cols,
                            bint hexagonal, double row_spacing_sq, double x_period,
                            double y_period, const long long[::1] order,
                            const double[::1] learning_rates, const double[::1] sigmas,
                            int neighbourhood, bint cosine, bint with_exp,
                            floating[:, ::1] norms, floating[:, ::1] products,
                            double[::1] scores, long long[::1] winners, double *all_tables,
                            int n_tables, int n_threads):
    """som_online's steps, on one thread or with the units of each step split between threads;
    ``all_tables`` holds ``n_tables`` numbers per thread."""
    cdef Py_ssize_t n_steps = order.shape[0], step
    cdef int n_units = W.shape[0], n_features = W.shape[1]
    cdef int j, r, winner, now, later
    cdef double *tables
    cdef const floating *next_x
    if n_threads <= 1:  # the same steps without an OpenMP region: small maps pay no overhead
        with nogil:
            tables = all_tables
            for step in range(n_steps):
                now = step % 2
                winner = _winner(&products[now, 0], &norms[now, 0], n_units, cosine,
                                 &scores[0])                                          # eq. (1)
                _grid_tables(rows, cols, hexagonal, row_spacing_sq, x_period, y_period, winner,
                             sigmas[step], with_exp, tables)
                next_x = &X[order[step + 1], 0] if step + 1 < n_steps else NULL
                for r in range(rows):                                               # eq. (2)
                    for j in range(r * cols, (r + 1) * cols):
                        _update_unit(j, r, &W[j, 0], n_features, &X[order[step], 0], next_x,
                                     rows, cols, hexagonal, tables, learning_rates[step],
                                     sigmas[step], neighbourhood, &norms[now, 0],
                                     &norms[1 - now, 0], &products[1 - now, 0])
                winners[step] = winner
        return
    with nogil, parallel(num_threads=n_threads):
        tables = all_tables + threadid() * n_tables
        for step in range(n_steps):
            now = step % 2
            later = 1 - now
            winner = _winner(&products[now, 0], &norms[now, 0], n_units, cosine)     # eq. (1)
            _grid_tables(rows, cols, hexagonal, row_spacing_sq, x_period, y_period, winner,
                         sigmas[step], with_exp, tables)
            next_x = &X[order[step + 1], 0] if step + 1 < n_steps else NULL
            for j in prange(n_units, schedule="static"):                            # eq. (2)
                _update_unit(j, j // cols, &W[j, 0], n_features, &X[order[step], 0], next_x,
                             rows, cols,
                             hexagonal, tables, learning_rates[step], sigmas[step],
                             neighbourhood, &norms[now, 0], &norms[later, 0],
                             &products[later, 0])
            nc_barrier()  # every unit is updated before any thread picks the next winner
            if threadid() == 0:
                winners[step] = winner


# ------------------------------------------------------------------ growing neural gas
# Fritzke's growing neural gas: one call runs a whole pass over ``order``, insertions every
# lambda_ steps included, with no Python per sample. The same steps as reference.gng_online
# (eqs. 1-11 there) on the same fixed-capacity arrays: nodes 0 .. n_nodes - 1 are alive,
# age[i, j] is the age of the edge i-j (-1: no edge), a removed node's row is taken by the
# last node (the highest index removed first), and a tie goes to the lowest index.


cdef inline floating _gng_square(const floating *x, const floating *w, Py_ssize_t f) noexcept nogil:
    cdef floating diff = x[f] - w[f]
    return diff * diff


cdef inline floating _gng_squared_distance(const floating *x, const floating *w,
                                           Py_ssize_t n_features) noexcept nogil:
    # Summed in the order NumPy sums a row of up to 128 numbers (one by one below 8; else 8
    # partial sums joined pairwise, then the rest one by one), so that the reference's
    # distances are equal to the last bit and both pick the same nodes, float32 included.
    cdef floating total = 0, r0, r1, r2, r3, r4, r5, r6, r7
    cdef Py_ssize_t f
    if n_features < 8:
        for f in range(n_features):
            total = total + _gng_square(x, w, f)
        return total
    r0, r1 = _gng_square(x, w, 0), _gng_square(x, w, 1)
    r2, r3 = _gng_square(x, w, 2), _gng_square(x, w, 3)
    r4, r5 = _gng_square(x, w, 4), _gng_square(x, w, 5)
    r6, r7 = _gng_square(x, w, 6), _gng_square(x, w, 7)
    f = 8
    while f + 8 <= n_features:
        r0 = r0 + _gng_square(x, w, f)
        r1 = r1 + _gng_square(x, w, f + 1)
        r2 = r2 + _gng_square(x, w, f + 2)
        r3 = r3 + _gng_square(x, w, f + 3)
        r4 = r4 + _gng_square(x, w, f + 4)
        r5 = r5 + _gng_square(x, w, f + 5)
        r6 = r6 + _gng_square(x, w, f + 6)
        r7 = r7 + _gng_square(x, w, f + 7)
        f += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while f < n_features:
        total = total + _gng_square(x, w, f)
        f += 1
    return total


cdef void _gng_remove_node(floating[:, ::1] W,       # INOUT (max_nodes, n_features)
                           double[::1] error,        # INOUT (max_nodes,)
                           long long[:, ::1] age,    # INOUT (max_nodes, max_nodes)
                           Py_ssize_t j, Py_ssize_t n_nodes) noexcept nogil:
    """reference._gng_remove_node: the last node moves into row j."""
    cdef Py_ssize_t last = n_nodes - 1, k
    for k in range(W.shape[1]):
        W[j, k] = W[last, k]
    error[j] = error[last]
    for k in range(n_nodes):
        age[j, k] = age[last, k]
    for k in range(n_nodes):
        age[k, j] = age[k, last]
    age[j, j] = -1
    for k in range(W.shape[1]):
        W[last, k] = 0
    error[last] = 0
    for k in range(n_nodes):
        age[last, k] = -1
        age[k, last] = -1


cdef Py_ssize_t _gng_remove_old_edges(floating[:, ::1] W, double[::1] error,
                                      long long[:, ::1] age, Py_ssize_t s1,
                                      Py_ssize_t n_nodes, long long max_age,
                                      Py_ssize_t *old) noexcept nogil:
    """Eq. (7): the winner's edges older than max_age go, then the nodes left without one.

    ``old`` is scratch room for max_nodes indices. Returns the number of nodes alive.
    """
    cdef Py_ssize_t j, k, n_old = 0
    cdef bint alone
    for j in range(n_nodes):
        if age[s1, j] > max_age:                                                  # eq. (7)
            age[s1, j] = -1
            age[j, s1] = -1
            old[n_old] = j
            n_old += 1
    while n_old > 0:  # highest index first: a node moved into a hole is never a candidate
        n_old -= 1
        j = old[n_old]
        alone = True
        for k in range(n_nodes):
            if age[j, k] >= 0:
                alone = False
                break
        if alone:
            _gng_remove_node(W, error, age, j, n_nodes)                           # eq. (7)
            n_nodes -= 1
    return n_nodes


cdef Py_ssize_t _gng_insert_node(floating[:, ::1] W, double[::1] error,
                                 long long[:, ::1] age, Py_ssize_t n_nodes,
                                 double alpha) noexcept nogil:
    """Eqs. (8)-(10): node r half-way between q (largest error) and f, q's worst neighbour.

    Returns the number of nodes (unchanged if q has no neighbour).
    """
    cdef Py_ssize_t j, k, q = 0, f = -1, r = n_nodes
    for j in range(1, n_nodes):
        if error[j] > error[q]:                                                   # eq. (8)
            q = j
    for j in range(n_nodes):
        if age[q, j] >= 0 and (f < 0 or error[j] > error[f]):                     # eq. (8)
            f = j
    if f < 0:
        return n_nodes
    for k in range(W.shape[1]):
        W[r, k] = (W[q, k] + W[f, k]) / 2                                         # eq. (9)
    age[q, f] = -1
    age[f, q] = -1
    age[q, r] = 0
    age[r, q] = 0
    age[f, r] = 0
    age[r, f] = 0
    error[q] *= alpha                                                             # eq. (10)
    error[f] *= alpha
    error[r] = error[q]
    return n_nodes + 1


def gng_online(const floating[:, ::1] X,    # IN  (n_samples, n_features)
               floating[:, ::1] W,          # INOUT (max_nodes, n_features)
               double[::1] error,           # INOUT (max_nodes,)
               long long[:, ::1] age,       # INOUT (max_nodes, max_nodes), -1: no edge
               Py_ssize_t n_nodes,
               long long n_steps,
               const long long[::1] order,  # IN  (n_presented,) rows of X in order
               double epsilon_b, double epsilon_n, long long max_age, long long lambda_,
               double alpha, double beta):
    """Growing neural gas over the samples in order (see reference.gng_online, eqs. 1-11).

    Returns (n_nodes, n_steps) after the pass.
    """
    cdef Py_ssize_t max_nodes = W.shape[0], n_features = W.shape[1]
    cdef Py_ssize_t step, i, j, f, s1, s2
    _check_width("gng_online", X.shape[1], n_features, "W", max_nodes, 2)
    _check_length("gng_online", "error", error.shape[0], max_nodes)
    if age.shape[0] != max_nodes or age.shape[1] != max_nodes:
        raise ValueError(f"gng_online: age must have shape ({max_nodes}, {max_nodes}), got "
                         f"({age.shape[0]}, {age.shape[1]}).")
    if not 2 <= n_nodes <= max_nodes:
        raise ValueError(f"gng_online: n_nodes must lie in [2, {max_nodes}], got {n_nodes}.")
    if lambda_ < 1 or max_age < 0 or n_steps < 0:
        raise ValueError(f"gng_online: lambda_ must be >= 1 and max_age and n_steps >= 0, got "
                         f"{lambda_}, {max_age} and {n_steps}.")
    _check_range("gng_online", "order", order, X.shape[0])
    cdef floating distance, nearest, second
    cdef floating rate_b = <floating> epsilon_b, rate_n = <floating> epsilon_n
    cdef double keep = 1.0 - beta
    old_arr = np.empty(max_nodes, dtype=np.intp)
    cdef Py_ssize_t[::1] old = old_arr
    with nogil:
        for step in range(order.shape[0]):
            i = order[step]
            s1 = 0
            s2 = -1
            nearest = _gng_squared_distance(&X[i, 0], &W[0, 0], n_features)
            second = nearest
            for j in range(1, n_nodes):                                           # eq. (1)
                distance = _gng_squared_distance(&X[i, 0], &W[j, 0], n_features)
                if distance < nearest:  # strict: the lowest index keeps a tie
                    second = nearest
                    s2 = s1
                    nearest = distance
                    s1 = j
                elif s2 < 0 or distance < second:
                    second = distance
                    s2 = j
            for j in range(n_nodes):                                              # eqs. (2), (5)
                if age[s1, j] >= 0:
                    age[s1, j] += 1
                    age[j, s1] += 1
                    for f in range(n_features):
                        W[j, f] = W[j, f] + rate_n * (X[i, f] - W[j, f])
            error[s1] += nearest                                                  # eq. (3)
            for f in range(n_features):                                           # eq. (4)
                W[s1, f] = W[s1, f] + rate_b * (X[i, f] - W[s1, f])
            age[s1, s2] = 0                                                       # eq. (6)
            age[s2, s1] = 0
            n_nodes = _gng_remove_old_edges(W, error, age, s1, n_nodes, max_age, &old[0])
            n_steps += 1
            if n_steps % lambda_ == 0 and n_nodes < max_nodes:
                n_nodes = _gng_insert_node(W, error, age, n_nodes, alpha)         # eqs. (8)-(10)
            for j in range(n_nodes):                                              # eq. (11)
                error[j] *= keep
    return n_nodes, n_steps


cdef inline void _gemm_nn_or_tn(bint transpose_a, int m, int n, int k, double alpha,
                                const floating *A, int lda, const floating *B, int ldb,
                                double beta, floating *C, int ldc) noexcept nogil:
    """Column-major C = alpha op(A) B + beta C, op(A) = A or A^T (BLAS gemm, one dtype)."""
    cdef char no = b"N"
    cdef char yes = b"T"
    cdef char trans_a = yes if transpose_a else no
    cdef float alpha_s = alpha, beta_s = beta
    if floating is float:
        sgemm(&trans_a, &no, &m, &n, &k, &alpha_s, <float*> A, &lda, <float*> B, &ldb,
              &beta_s, <float*> C, &ldc)
    else:
        dgemm(&trans_a, &no, &m, &n, &k, &alpha, <double*> A, &lda, <double*> B, &ldb,
              &beta, <double*> C, &ldc)


cdef inline void _step_sizes(int rows, int cols, bint hexagonal, const double *tables,
                             double learning_rate, double sigma, int neighbourhood,
                             double *rates) noexcept nogil:
    """eta h_j for every unit j around the winner of ``tables`` (gaussian: row products)."""
    cdef int r, c
    cdef double row_rate
    cdef const double *column_factors
    for r in range(rows):
        if neighbourhood == GAUSSIAN:
            row_rate = learning_rate * tables[4 * cols + rows + r]
            column_factors = &tables[(2 + (r % 2 if hexagonal else 0)) * cols]
            for c in range(cols):
                rates[r * cols + c] = row_rate * column_factors[c]
        else:
            for c in range(cols):
                rates[r * cols + c] = learning_rate * _unit_weight(
                    r, c, rows, cols, hexagonal, tables, sigma, neighbourhood)


def som_online_blocked(const floating[:, ::1] X,  # IN  (n_samples, n_features)
                       floating[:, ::1] W,        # INOUT (rows * cols, n_features)
                       int rows, int cols, bint hexagonal, bint toroidal,
                       const long long[::1] order,        # IN  (n_steps,)
                       const double[::1] learning_rates,  # IN  (n_steps,)
                       const double[::1] sigmas,          # IN  (n_steps,)
                       int neighbourhood=GAUSSIAN,
                       bint cosine=False,
                       int block=32):
    """The online SOM of ``som_online``, the same steps, B of them per pass over the prototypes.

    Each step moves every prototype toward the sample, w <- (1 - a) w + a x (eq. 2, with
    a = eta h). Over the B steps of a block a prototype therefore stays of the form

        w_j = p_j w_j(start) + sum_m C[j, m] x_m,    p_j = prod (1 - a_j),

    so the block's prototypes need not be touched step by step. What the winner search needs
    follows from scalars: with Q[j, m] = w_j . x_m and the block's Gram matrix K = X_B X_B^T,

        ||w'||^2  = (1 - a)^2 ||w||^2 + 2 a (1 - a) w.x_k + a^2 ||x_k||^2
        w'. x_m   = (1 - a) w.x_m + a K[k, m]

    One BLAS product gives Q at the start of a block, one more applies p and C at its end: the
    prototypes are read twice per block instead of three times per step. The scalars are kept
    in float64 whatever the data's dtype. Long rows only: with few features the per-step
    kernel is faster (backend.cython.som_online chooses). The products may use BLAS threads
    (the caller sets how many); the scalar steps run on one.
    """
    cdef Py_ssize_t n_steps = order.shape[0]
    cdef int n_units, n_features
    _check_width("som_online_blocked", X.shape[1], W.shape[1], "W", W.shape[0], 1)
    if (rows < 1 or cols < 1 or <Py_ssize_t> rows * cols != W.shape[0] or rows > (1 << 28)
            or cols > (1 << 28)):
        raise ValueError(f"som_online_blocked: a grid of {rows} x {cols} units does not fit the "
                         f"{W.shape[0]} rows of W.")
    _check_range("som_online_blocked", "order", order, X.shape[0])
    _check_length("som_online_blocked", "learning_rates", learning_rates.shape[0], n_steps)
    _check_length("som_online_blocked", "sigmas", sigmas.shape[0], n_steps)
    n_units, n_features = W.shape[0], W.shape[1]
    dtype = np.float32 if floating is float else np.float64
    block = max(1, min(block, n_steps))
    winners_arr = np.empty(n_steps, dtype=np.int64)
    cdef long long[::1] winners = winners_arr
    cdef floating[:, ::1] batch = np.empty((block, n_features), dtype=dtype)
    cdef floating[:, ::1] products_f = np.empty((n_units, block), dtype=dtype)
    cdef floating[:, ::1] gram_f = np.empty((block, block), dtype=dtype)
    cdef floating[:, ::1] coefficients_f = np.empty((n_units, block), dtype=dtype)
    cdef double[:, ::1] products = np.empty((n_units, block))
    cdef double[:, ::1] gram = np.empty((block, block))
    cdef double[:, ::1] coefficients = np.empty((n_units, block))
    cdef double[::1] norms = np.empty(n_units)
    cdef double[::1] keep = np.empty(n_units)
    cdef double[::1] rates = np.empty(n_units)
    cdef double[::1] tables = np.empty(_tables_size(rows, cols))
    cdef double row_spacing_sq = 0.75 if hexagonal else 1.0  # (sqrt(3) / 2)^2
    cdef double x_period = cols if toroidal else 0.0
    cdef double y_period = rows if toroidal else 0.0  # in rows
    cdef bint with_exp = neighbourhood == GAUSSIAN or neighbourhood == MEXICAN_HAT
    cdef Py_ssize_t start, step
    cdef int size, j, k, m, f, winner
    cdef double score, best
    with nogil:
        start = 0
        while start < n_steps:
            size = <int> min(block, n_steps - start)
            for k in range(size):
                for f in range(n_features):
                    batch[k, f] = X[order[start + k], f]
            # Q = W X_B^T and K = X_B X_B^T (column-major views of the row-major arrays)
            _gemm_nn_or_tn(True, size, n_units, n_features, 1.0, &batch[0, 0], n_features,
                           &W[0, 0], n_features, 0.0, &products_f[0, 0], block)
            _gemm_nn_or_tn(True, size, size, n_features, 1.0, &batch[0, 0], n_features,
                           &batch[0, 0], n_features, 0.0, &gram_f[0, 0], block)
            for j in range(n_units):
                norms[j] = _vdot(&W[j, 0], &W[j, 0], n_features)
                keep[j] = 1.0
                for k in range(size):
                    products[j, k] = products_f[j, k]
                    coefficients[j, k] = 0.0
            for k in range(size):
                for m in range(size):
                    gram[k, m] = gram_f[k, m]
            for k in range(size):
                step = start + k
                winner = 0
                best = 0
                for j in range(n_units):                                            # eq. (1)
                    if cosine:
                        score = -products[j, k] / sqrt(norms[j]) if norms[j] > 0 else 0.0
                    else:
                        score = norms[j] - 2 * products[j, k]
                    if j == 0 or score < best:
                        best = score
                        winner = j
                _grid_tables(rows, cols, hexagonal, row_spacing_sq, x_period, y_period, winner,
                             sigmas[step], with_exp, &tables[0])
                _step_sizes(rows, cols, hexagonal, &tables[0], learning_rates[step],
                            sigmas[step], neighbourhood, &rates[0])
                nc_block_step(n_units, k, size, block, &rates[0], &norms[0],        # eq. (2)
                              &products[0, 0], &gram[0, 0], &coefficients[0, 0], &keep[0])
                winners[step] = winner
            # W <- diag(p) W + C X_B
            for j in range(n_units):
                if keep[j] != 1.0:
                    if floating is float:
                        nc_scale_row_f32(&W[j, 0], keep[j], n_features)
                    else:
                        nc_scale_row_f64(&W[j, 0], keep[j], n_features)
                for k in range(size):
                    coefficients_f[j, k] = <floating> coefficients[j, k]
            _gemm_nn_or_tn(False, n_features, n_units, size, 1.0, &batch[0, 0], n_features,
                           &coefficients_f[0, 0], block, 1.0, &W[0, 0], n_features)
            start += size
    return winners_arr


# ------------------------------------------------------------------ adaptive resonance theory
# Fuzzy ART (and ART1, which is Fuzzy ART on binary data without complement coding, with
# alpha = L - 1 and fast learning): see reference.fuzzy_art_online for the math, eqs. (1)-(5).
# Every sum is taken in double, in the same fixed order for |x AND w| and for |w| (csrc/art.h),
# so that the computed |x AND w| never exceeds the computed |w| or |x|: the bounds used below
# to skip categories are then exact, and skipping never changes the result.

cdef extern from "art.h":
    double nc_art_and_size_f32(const float *x, const float *w, int n) noexcept nogil
    double nc_art_and_size_f64(const double *x, const double *w, int n) noexcept nogil
    double nc_art_size_f32(const float *w, int n) noexcept nogil
    double nc_art_size_f64(const double *w, int n) noexcept nogil
    double nc_art_and_size_wide_f32(const float *x, const float *w, int n) noexcept nogil
    double nc_art_and_size_wide_f64(const double *x, const double *w, int n) noexcept nogil
    double nc_art_size_wide_f32(const float *w, int n) noexcept nogil
    double nc_art_size_wide_f64(const double *w, int n) noexcept nogil


cdef inline double _art_and_size(const floating *x, const floating *w,
                                 Py_ssize_t n) noexcept nogil:
    """|x AND w| = sum_i min(x_i, w_i), in double (csrc/art.h)."""
    if floating is float:
        if n >= WIDE_ROW:
            return nc_art_and_size_wide_f32(x, w, <int> n)
        return nc_art_and_size_f32(x, w, <int> n)
    else:
        if n >= WIDE_ROW:
            return nc_art_and_size_wide_f64(x, w, <int> n)
        return nc_art_and_size_f64(x, w, <int> n)


cdef inline double _art_size(const floating *w, Py_ssize_t n) noexcept nogil:
    """|w| = sum_i w_i (inputs and templates are >= 0), in the order of _art_and_size."""
    if floating is float:
        if n >= WIDE_ROW:
            return nc_art_size_wide_f32(w, <int> n)
        return nc_art_size_f32(w, <int> n)
    else:
        if n >= WIDE_ROW:
            return nc_art_size_wide_f64(w, <int> n)
        return nc_art_size_f64(w, <int> n)


cdef inline Py_ssize_t _art_search(
    const floating *x,       # IN  (n_features,) the input, |x| = x_size
    const floating *W,       # IN  (n_categories, n_features) committed templates, row-major
    const double *sizes,     # IN  (n_categories,) |w_j|
    Py_ssize_t n_categories, Py_ssize_t n_features, double x_size,
    double rho, double alpha,
    double *winner_matched,  # OUT |x AND w_J| of the category returned
) noexcept nogil:
    """The category of largest choice (eq. 1) among those passing the vigilance test (eq. 3),
    ties to the lowest index; -1 if none passes. This is where the search of eq. (2) ends."""
    cdef Py_ssize_t j, best = -1
    cdef double size, bound, matched, choice, best_choice = -1.0
    for j in range(n_categories):
        size = sizes[j]
        if size / x_size < rho:      # |x AND w_j| <= |w_j|: the vigilance test must fail
            continue
        bound = (size if size < x_size else x_size) / (alpha + size)
        if bound <= best_choice:     # T_j <= bound: cannot beat the best so far
            continue
        matched = _art_and_size(x, W + j * n_features, n_features)
        if matched / x_size >= rho:                                   # eq. (3)
            choice = matched / (alpha + size)                         # eq. (1)
            if choice > best_choice:  # strict: the lowest index keeps a tie
                best_choice = choice
                best = j
                winner_matched[0] = matched
    return best


def fuzzy_art_online(const floating[:, ::1] X,      # IN  (n_samples, n_features) in [0, 1]
                     floating[:, ::1] W,            # INOUT (capacity, n_features) templates
                     Py_ssize_t n_categories,       # IN  committed rows of W
                     const long long[::1] order,    # IN  (n_steps,) rows of X in order
                     double rho, double alpha, double beta):
    """Fuzzy ART over the samples in ``order`` (see reference.fuzzy_art_online, eqs. 1-5).

    Returns (categories of int64, shape (n_steps,), -1 where no row was free; n_categories).
    """
    cdef Py_ssize_t capacity = W.shape[0], n_features = W.shape[1], n_steps = order.shape[0]
    cdef Py_ssize_t step, i, j, f, winner
    _check_width("fuzzy_art_online", X.shape[1], n_features, "W", capacity, 0)
    if not 0 <= n_categories <= capacity:
        raise ValueError(f"fuzzy_art_online: n_categories must lie in [0, {capacity}], got "
                         f"{n_categories}.")
    _check_range("fuzzy_art_online", "order", order, X.shape[0])
    sizes_arr = np.zeros(max(capacity, 1), dtype=np.float64)
    categories_arr = np.empty(n_steps, dtype=np.int64)
    cdef double[::1] sizes = sizes_arr
    cdef long long[::1] categories = categories_arr
    cdef double x_size, matched = 0.0
    cdef bint fast = beta == 1.0
    cdef floating rate = <floating> beta, keep = <floating> (1.0 - beta), m, w
    with nogil:
        for j in range(n_categories):
            sizes[j] = _art_size(&W[j, 0], n_features)
        for step in range(n_steps):
            i = order[step]
            x_size = _art_size(&X[i, 0], n_features)
            winner = -1
            if n_categories > 0:
                winner = _art_search(&X[i, 0], &W[0, 0], &sizes[0], n_categories, n_features,
                                     x_size, rho, alpha, &matched)
            if winner >= 0:
                if fast:   # w_J <- x AND w_J, whose size is the |x AND w_J| just summed
                    for f in range(n_features):                               # eq. (4)
                        if X[i, f] < W[winner, f]:
                            W[winner, f] = X[i, f]
                    sizes[winner] = matched
                else:
                    for f in range(n_features):                               # eq. (4)
                        w = W[winner, f]
                        m = X[i, f] if X[i, f] < w else w
                        W[winner, f] = rate * m + keep * w
                    sizes[winner] = _art_size(&W[winner, 0], n_features)
            elif n_categories < capacity:
                winner = n_categories
                n_categories += 1
                for f in range(n_features):                                   # eq. (5)
                    W[winner, f] = X[i, f]
                sizes[winner] = x_size
            categories[step] = winner
    return categories_arr, n_categories


def fuzzy_art_predict(const floating[:, ::1] X,     # IN  (n_samples, n_features) in [0, 1]
                      const floating[:, ::1] W,     # IN  (n_categories, n_features) templates
                      double alpha, double rho, int n_threads=1):
    """The category each sample resonates with, no learning (reference.fuzzy_art_predict)."""
    cdef Py_ssize_t n_samples = X.shape[0], n_categories = W.shape[0]
    cdef Py_ssize_t n_features = X.shape[1], i, j
    _check_width("fuzzy_art_predict", n_features, W.shape[1], "W", n_categories, 0)
    n_threads = _clamp_threads(n_threads, n_samples)
    sizes_arr = np.zeros(max(n_categories, 1), dtype=np.float64)
    categories_arr = np.full(n_samples, -1, dtype=np.int64)
    cdef double[::1] sizes = sizes_arr
    cdef long long[::1] categories = categories_arr
    cdef double matched
    if n_categories == 0 or n_samples == 0:
        return categories_arr
    with nogil:
        for j in range(n_categories):
            sizes[j] = _art_size(&W[j, 0], n_features)
        for i in prange(n_samples, num_threads=n_threads, schedule="static"):
            matched = 0.0
            categories[i] = _art_search(&X[i, 0], &W[0, 0], &sizes[0], n_categories,
                                        n_features, _art_size(&X[i, 0], n_features), rho,
                                        alpha, &matched)
    return categories_arr
