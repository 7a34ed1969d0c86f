# cython: language_level=3
"""Growing neural gas, compiled: ``gng_online``.

The chain of GNG: ``neuroclust/models/gng.py`` (the estimator) ->
``neuroclust/backend/reference/gng.py`` (the same steps in NumPy, with eqs. 1-11) -> this file
-> ``docs/algorithms/gng.md`` -> ``tutorials/plot_03_growing_neural_gas.py``. Shared helpers:
``csrc/_common.pxd``.

Fritzke's growing neural gas: one call runs a whole pass over ``order``, insertions every
insert_every steps included, with no Python per sample. The same steps as reference.gng_online on
the same fixed-capacity arrays: nodes 0 .. n_nodes - 1 are alive, age[i, j] is the age of the
edge i-j (-1: no edge), a removed node's row is taken by the last node (the highest index
removed first), and a tie goes to the lowest index.
"""
from cython cimport floating

from _common cimport NEUROCLUST_BOUNDSCHECK, check_length, check_range, check_width

import numpy as np

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py), whose memoryview
#: accesses are bounds-checked: an index out of range raises IndexError.
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)


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
               double epsilon_b, double epsilon_n, long long max_age, long long insert_every,
               double alpha, double beta):
    """Growing neural gas over the samples in order (see reference.gng_online, eqs. 1-11).

    Returns (n_nodes, n_steps) after the pass.
    """
    cdef Py_ssize_t max_nodes = W.shape[0], n_features = W.shape[1]
    cdef Py_ssize_t step, i, j, f, s1, s2
    check_width("gng_online", X.shape[1], n_features, "W", max_nodes, 2)
    check_length("gng_online", "error", error.shape[0], max_nodes)
    if age.shape[0] != max_nodes or age.shape[1] != max_nodes:
        raise ValueError(f"gng_online: age must have shape ({max_nodes}, {max_nodes}), got "
                         f"({age.shape[0]}, {age.shape[1]}).")
    if not 2 <= n_nodes <= max_nodes:
        raise ValueError(f"gng_online: n_nodes must lie in [2, {max_nodes}], got {n_nodes}.")
    if insert_every < 1 or max_age < 0 or n_steps < 0:
        raise ValueError(f"gng_online: insert_every must be >= 1 and max_age and n_steps >= 0, got "
                         f"{insert_every}, {max_age} and {n_steps}.")
    check_range("gng_online", "order", order, X.shape[0])
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
            if n_steps % insert_every == 0 and n_nodes < max_nodes:
                n_nodes = _gng_insert_node(W, error, age, n_nodes, alpha)         # eqs. (8)-(10)
            for j in range(n_nodes):                                              # eq. (11)
                error[j] *= keep
    return n_nodes, n_steps
