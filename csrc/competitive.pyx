# cython: language_level=3
"""Winner-take-all competitive learning, compiled: ``wta_online``.

The chain of competitive learning: ``neuroclust/models/competitive.py`` (the estimator) and
``neuroclust/nn/competitive.py`` (the layer) -> ``neuroclust/backend/reference/competitive.py``
(the same kernel in NumPy, with the equations) -> this file -> ``docs/algorithms/competitive.md``
-> ``tutorials/plot_01_competitive_learning.py``. Shared helpers: ``csrc/_common.pxd``.
"""
from cython cimport floating

from _common cimport NEUROCLUST_BOUNDSCHECK, check_range, check_length, check_width, squared_distance

import numpy as np

#: True in the build made with ``NEUROCLUST_BOUNDSCHECK=1`` (see setup.py), whose memoryview
#: accesses are bounds-checked: an index out of range raises IndexError.
BOUNDSCHECK = bool(NEUROCLUST_BOUNDSCHECK)


def wta_online(const floating[:, ::1] X,      # IN  (n_samples, n_features)
               floating[:, ::1] W,            # INOUT (n_units, n_features)
               const long long[::1] order,    # IN  (n_steps,) rows of X in presentation order
               double learning_rate,
               double[::1] win_frequency=None,  # INOUT (n_units,) or None: no conscience
               double conscience_rate=0.0,
               double conscience_bias=0.0,
               double variance=1.0):          # V: the bias's unit, eq. (3)
    """One sequential pass (an epoch) of winner-take-all learning over the samples in order,
    all of it in compiled code (see reference.wta_online, eqs. 1-5: the frequencies are
    updated before the bias is formed from them, as DeSieno orders it)."""
    cdef Py_ssize_t n_steps = order.shape[0], n_units = W.shape[0], n_features = W.shape[1]
    cdef bint conscience = win_frequency is not None
    check_width("wta_online", X.shape[1], n_features, "W", n_units, 1)
    check_range("wta_online", "order", order, X.shape[0])
    if conscience:
        check_length("wta_online", "win_frequency", win_frequency.shape[0], n_units)
    winners_arr = np.empty(n_steps, dtype=np.int64)
    cdef long long[::1] winners = winners_arr
    # each unit's squared distance to the current sample: the biased competition (eq. 4)
    # needs them after the frequencies (eq. 2) have followed the unbiased winner (eq. 1)
    distances_arr = np.empty(n_units if conscience else 0, dtype=np.float64)
    cdef double[::1] distances = distances_arr
    cdef Py_ssize_t step, i, j, f, nearest, winner
    cdef double distance, nearest_distance, score, winner_score, fair_share = 1.0 / n_units
    cdef double bias_unit = conscience_bias * variance
    cdef floating rate = <floating> learning_rate
    with nogil:
        for step in range(n_steps):
            i = order[step]
            nearest = 0
            nearest_distance = squared_distance(&X[i, 0], &W[0, 0], n_features)
            if conscience:
                distances[0] = nearest_distance
            for j in range(1, n_units):
                distance = squared_distance(&X[i, 0], &W[j, 0], n_features)
                if conscience:
                    distances[j] = distance
                if distance < nearest_distance:                       # eq. (1)
                    nearest_distance = distance
                    nearest = j
            winner = nearest
            if conscience:
                for j in range(n_units):                              # eq. (2)
                    win_frequency[j] *= 1.0 - conscience_rate
                win_frequency[nearest] += conscience_rate
                winner = 0
                winner_score = distances[0] - bias_unit * (fair_share - win_frequency[0])
                for j in range(1, n_units):
                    score = distances[j] - bias_unit * (fair_share - win_frequency[j])  # eq. (3)
                    if score < winner_score:                          # eq. (4)
                        winner_score = score
                        winner = j
            for f in range(n_features):                               # eq. (5)
                W[winner, f] = W[winner, f] + rate * (X[i, f] - W[winner, f])
            winners[step] = winner
    return winners_arr
