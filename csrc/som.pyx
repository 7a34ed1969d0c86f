# cython: language_level=3
"""The self-organizing map, compiled: ``som_online`` and ``som_online_blocked``.

The chain of the SOM: ``neuroclust/models/som.py`` (the estimator) and ``neuroclust/nn/som.py``
(the layer) -> ``neuroclust/backend/reference/som.py`` (the same steps in NumPy, with the
equations) -> this file -> ``neuroclust/plotting/som.py`` -> ``docs/algorithms/som.md`` ->
``tutorials/plot_02_self_organizing_map.py``. Shared helpers: ``csrc/_common.pxd``; the vector
loops and the thread barrier: ``csrc/simd.h``; the winner search: ``csrc/argmin.h``.

Each kernel runs a whole pass over ``order`` (one step per presented sample) in compiled code;
the grid is given as its rows, columns, hexagonal flag and toroidal flag, from which the
neighbourhood tables are built (``neuroclust/backend/cython.py`` turns the estimator's
``(shape, topology, toroidal)`` into them).
"""
from cython cimport floating
from cython.parallel cimport parallel, prange, threadid
from libc.stdlib cimport free
from libc.math cimport INFINITY, exp, sqrt
from scipy.linalg.cython_blas cimport sgemm, dgemm

from _common cimport (NEUROCLUST_BOUNDSCHECK, WIDE_ROW, allocate, check_length, check_range,
                      check_width, clamp_threads)

import numpy as np

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py), whose memoryview
#: accesses are bounds-checked: an index out of range raises IndexError.
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)

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


cdef extern from "argmin.h":
    int nc_first_min_f32_in_f64(const float *offset, const float *products,
                                int n) noexcept nogil
    int nc_first_min_f64(const double *offset, const double *products, int n) noexcept nogil
    int nc_two_min_f32_in_f64(const float *offset, const float *products, int n,
                              int *second) noexcept nogil
    int nc_two_min_f64(const double *offset, const double *products, int n,
                       int *second) noexcept nogil

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
    void nc_narrow_step_f32(float *wt, int n_features, int n_units, const float *x,
                            const float *next, const float *a, float *norms,
                            float *products) noexcept nogil
    void nc_narrow_step_f64(double *wt, int n_features, int n_units, const double *x,
                            const double *next, const double *a, double *norms,
                            double *products) noexcept nogil

cdef enum:
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
                        bint cosine) noexcept nogil:
    """eq. (1): the unit of lowest ||w||^2 - 2 x.w (or of highest cosine); ties to the lowest.

    The Euclidean search runs vectorised (csrc/argmin.h), its scores in double.
    """
    cdef int j, winner = 0
    cdef double score, best = 0
    if not cosine:
        if floating is float:
            return nc_first_min_f32_in_f64(norms, products, n_units)
        else:
            return nc_first_min_f64(norms, products, n_units)
    for j in range(n_units):
        score = -products[j] / sqrt(norms[j]) if norms[j] > 0 else 0.0
        if j == 0 or score < best:
            best = score
            winner = j
    return winner


cdef inline void _two_slots(double score, int j, double *best, int *winner, double *next_best,
                            int *runner_up) noexcept nogil:
    """The serial search's step for unit j: the least score so far and the runner-up (the
    lowest other index of least score; a tie keeps the lower index in both)."""
    if j == 0 or score < best[0]:
        if j > 0:
            runner_up[0], next_best[0] = winner[0], best[0]
        best[0] = score
        winner[0] = j
    elif score < next_best[0]:
        runner_up[0], next_best[0] = j, score


cdef inline int _winner_and_runner_up(const floating *products, const floating *norms,
                                      int n_units, bint cosine, int *second) noexcept nogil:
    """_winner, and in ``second`` the runner-up: the lowest other unit of least score (0 with
    one unit), as ``two_nearest`` takes it."""
    cdef int j, winner = 0, runner_up = 0
    cdef double score, best = 0, next_best = INFINITY
    if not cosine:
        if floating is float:
            return nc_two_min_f32_in_f64(norms, products, n_units, second)
        else:
            return nc_two_min_f64(norms, products, n_units, second)
    for j in range(n_units):
        score = -products[j] / sqrt(norms[j]) if norms[j] > 0 else 0.0
        _two_slots(score, j, &best, &winner, &next_best, &runner_up)
    second[0] = runner_up
    return winner


cdef inline double _met_distance(double x_norm, double norm, double product) noexcept nogil:
    """||x - w||^2 = ||x||^2 + ||w||^2 - 2 x.w of the winner as the step met it (before its
    update): the per-step record of the epoch's errors, in double, never below zero."""
    cdef double d2 = x_norm + norm - 2 * product
    return d2 if d2 > 0 else 0.0


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
                             long long[::1] winners, bint with_errors, long long[::1] second,
                             double[::1] distance):
    """som_online's steps for short rows, one thread: the prototypes are held transposed
    (feature by feature) so that each step's loops run along the units (nc_narrow_step)."""
    cdef Py_ssize_t n_steps = order.shape[0], step
    cdef int n_units = W.shape[0], n_features = W.shape[1]
    dtype = np.float32 if floating is float else np.float64
    transposed_arr = np.ascontiguousarray(np.asarray(W).T)
    cdef floating[:, ::1] transposed = transposed_arr
    cdef floating[::1] rates = np.empty(n_units, dtype=dtype)
    cdef double[::1] tables = np.empty(_tables_size(rows, cols))
    cdef int winner, r, c, runner_up
    cdef double row_rate
    cdef double *column_factors
    cdef const floating *next_x
    with nogil:
        for step in range(n_steps):
            if with_errors:
                winner = _winner_and_runner_up(&products[0], &norms[0], n_units, cosine,
                                               &runner_up)                          # eq. (1)
                second[step] = runner_up
                distance[step] = _met_distance(
                    _vdot(&X[order[step], 0], &X[order[step], 0], n_features),
                    norms[winner], products[winner])
            else:
                winner = _winner(&products[0], &norms[0], n_units, cosine)          # eq. (1)
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
               int n_threads=1,
               bint with_errors=False):
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

    Returns the winners; with ``with_errors``, also each step's runner-up and the squared
    distance of its sample to the winner before the update (reference.som_online).
    """
    cdef Py_ssize_t n_steps = order.shape[0]
    cdef Py_ssize_t n_units = W.shape[0], n_features = W.shape[1]
    check_width("som_online", X.shape[1], n_features, "W", n_units, 1)
    if (rows < 1 or cols < 1 or <Py_ssize_t> rows * cols != n_units or rows > (1 << 28)
            or cols > (1 << 28)):
        raise ValueError(f"som_online: a grid of {rows} x {cols} units does not fit the "
                         f"{n_units} rows of W.")
    check_range("som_online", "order", order, X.shape[0])
    check_length("som_online", "learning_rates", learning_rates.shape[0], n_steps)
    check_length("som_online", "sigmas", sigmas.shape[0], n_steps)
    n_threads = clamp_threads(n_threads, n_units)
    dtype = np.float32 if floating is float else np.float64
    winners_arr = np.empty(n_steps, dtype=np.int64)
    second_arr = np.zeros(n_steps if with_errors else 0, dtype=np.int64)
    distance_arr = np.zeros(n_steps if with_errors else 0)
    cdef long long[::1] second = second_arr
    cdef double[::1] distance = distance_arr
    products_arr = np.empty((2, n_units), dtype=dtype)
    norms_arr = np.empty((2, n_units), dtype=dtype)
    cdef long long[::1] winners = winners_arr
    cdef floating[:, ::1] products = products_arr
    cdef floating[:, ::1] norms = norms_arr
    cdef int n_tables = _tables_size(rows, cols)
    cdef double row_spacing_sq = 0.75 if hexagonal else 1.0  # (sqrt(3) / 2)^2
    cdef double x_period = cols if toroidal else 0.0
    cdef double y_period = rows if toroidal else 0.0  # in rows
    cdef bint with_exp = neighbourhood == GAUSSIAN or neighbourhood == MEXICAN_HAT
    cdef Py_ssize_t j
    result = (winners_arr, second_arr, distance_arr) if with_errors else winners_arr
    if n_steps == 0:
        return result
    with nogil:
        for j in range(n_units):
            norms[0, j] = _vdot(&W[j, 0], &W[j, 0], n_features)
            products[0, j] = _vdot(&W[j, 0], &X[order[0], 0], n_features)
    if n_threads <= 1 and n_features <= NARROW_ROW:
        _som_online_narrow(X, W, rows, cols, hexagonal, row_spacing_sq, x_period, y_period,
                           order, learning_rates, sigmas, neighbourhood, cosine, with_exp,
                           norms[0], products[0], winners, with_errors, second, distance)
        return result
    # One table buffer per thread, allocated (and checked) before the loops start.
    cdef double *all_tables = <double*> allocate(n_threads, n_tables, sizeof(double),
                                                  "som_online", "the neighbourhood tables")
    try:
        _som_online_steps(X, W, rows, cols, hexagonal, row_spacing_sq, x_period, y_period,
                          order, learning_rates, sigmas, neighbourhood, cosine, with_exp,
                          norms, products, winners, with_errors, second, distance, all_tables,
                          n_tables, n_threads)
    finally:
        free(all_tables)
    return result


cdef void _som_online_steps(const floating[:, ::1] X, floating[:, ::1] W, int rows, int cols,
                            bint hexagonal, double row_spacing_sq, double x_period,
                            double y_period, const long long[::1] order,
                            const double[::1] learning_rates, const double[::1] sigmas,
                            int neighbourhood, bint cosine, bint with_exp,
                            floating[:, ::1] norms, floating[:, ::1] products,
                            long long[::1] winners, bint with_errors, long long[::1] second,
                            double[::1] distance, double *all_tables, int n_tables,
                            int n_threads):
    """som_online's steps, on one thread or with the units of each step split between threads;
    ``all_tables`` holds ``n_tables`` numbers per thread."""
    cdef Py_ssize_t n_steps = order.shape[0], step
    cdef int n_units = W.shape[0], n_features = W.shape[1]
    cdef int j, r, winner, now, later, runner_up = 0
    cdef double met = 0
    cdef double *tables
    cdef const floating *next_x
    if n_threads <= 1:  # the same steps without an OpenMP region: small maps pay no overhead
        with nogil:
            tables = all_tables
            for step in range(n_steps):
                now = step % 2
                if with_errors:
                    winner = _winner_and_runner_up(&products[now, 0], &norms[now, 0], n_units,
                                                   cosine, &runner_up)              # eq. (1)
                    second[step] = runner_up
                    distance[step] = _met_distance(
                        _vdot(&X[order[step], 0], &X[order[step], 0], n_features),
                        norms[now, winner], products[now, winner])
                else:
                    winner = _winner(&products[now, 0], &norms[now, 0], n_units, cosine)
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
            runner_up = 0  # assigned here, so each thread has its own (Cython's rule)
            if with_errors:  # read before the updates: a thread ahead overwrites them later
                winner = _winner_and_runner_up(&products[now, 0], &norms[now, 0], n_units,
                                               cosine, &runner_up)                  # eq. (1)
                met = _met_distance(_vdot(&X[order[step], 0], &X[order[step], 0], n_features),
                                    norms[now, winner], products[now, winner])
            else:
                winner = _winner(&products[now, 0], &norms[now, 0], n_units, cosine)
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
                if with_errors:
                    second[step] = runner_up
                    distance[step] = met



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
                       int block=32,
                       bint with_errors=False):
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
    (the caller sets how many); the scalar steps run on one. Returns as ``som_online``.
    """
    cdef Py_ssize_t n_steps = order.shape[0]
    cdef int n_units, n_features
    check_width("som_online_blocked", X.shape[1], W.shape[1], "W", W.shape[0], 1)
    if (rows < 1 or cols < 1 or <Py_ssize_t> rows * cols != W.shape[0] or rows > (1 << 28)
            or cols > (1 << 28)):
        raise ValueError(f"som_online_blocked: a grid of {rows} x {cols} units does not fit the "
                         f"{W.shape[0]} rows of W.")
    check_range("som_online_blocked", "order", order, X.shape[0])
    check_length("som_online_blocked", "learning_rates", learning_rates.shape[0], n_steps)
    check_length("som_online_blocked", "sigmas", sigmas.shape[0], n_steps)
    n_units, n_features = W.shape[0], W.shape[1]
    dtype = np.float32 if floating is float else np.float64
    block = max(1, min(block, n_steps))
    winners_arr = np.empty(n_steps, dtype=np.int64)
    second_arr = np.zeros(n_steps if with_errors else 0, dtype=np.int64)
    distance_arr = np.zeros(n_steps if with_errors else 0)
    cdef long long[::1] winners = winners_arr
    cdef long long[::1] second = second_arr
    cdef double[::1] distance = distance_arr
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
    cdef int size, j, k, m, f, winner, runner_up
    cdef double score, best, next_best
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
                winner = runner_up = 0
                best = 0
                next_best = INFINITY
                for j in range(n_units):                                            # eq. (1)
                    if cosine:
                        score = -products[j, k] / sqrt(norms[j]) if norms[j] > 0 else 0.0
                    else:
                        score = norms[j] - 2 * products[j, k]
                    _two_slots(score, j, &best, &winner, &next_best, &runner_up)
                if with_errors:  # gram[k, k] = ||x_k||^2
                    second[step] = runner_up
                    distance[step] = _met_distance(gram[k, k], norms[winner],
                                                   products[winner, k])
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
    return (winners_arr, second_arr, distance_arr) if with_errors else winners_arr
