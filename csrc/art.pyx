# cython: language_level=3
"""Adaptive resonance theory, compiled: ``fuzzy_art_online`` and ``fuzzy_art_predict``.

The chain of ART: ``neuroclust/models/art.py`` (FuzzyART and ART1) ->
``neuroclust/backend/reference/art.py`` (the same search in NumPy, with eqs. 1-5) -> this file
-> ``docs/algorithms/art.md`` -> ``tutorials/plot_04_adaptive_resonance_theory.py``. Shared
helpers: ``csrc/_common.pxd``; the sums: ``csrc/art.h``.

Fuzzy ART (and ART1, which is Fuzzy ART on binary data without complement coding, with
alpha = L - 1 and fast learning). Every sum is taken in double, in the same fixed order for
|x AND w| and for |w| (csrc/art.h), so that the computed |x AND w| never exceeds the computed
|w| or |x|: the bounds used below to skip categories are then exact, and skipping never changes
the result. ``fuzzy_art_online`` runs a whole pass over ``order`` on one thread (each step
depends on the last); ``fuzzy_art_predict`` splits the samples between threads.
"""
from cython cimport floating
from cython.parallel cimport prange

from _common cimport NEUROCLUST_BOUNDSCHECK, WIDE_ROW, check_range, check_width, clamp_threads

import numpy as np

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py), whose memoryview
#: accesses are bounds-checked: an index out of range raises IndexError.
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)


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
    check_width("fuzzy_art_online", X.shape[1], n_features, "W", capacity, 0)
    if not 0 <= n_categories <= capacity:
        raise ValueError(f"fuzzy_art_online: n_categories must lie in [0, {capacity}], got "
                         f"{n_categories}.")
    check_range("fuzzy_art_online", "order", order, X.shape[0])
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
    check_width("fuzzy_art_predict", n_features, W.shape[1], "W", n_categories, 0)
    n_threads = clamp_threads(n_threads, n_samples)
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
