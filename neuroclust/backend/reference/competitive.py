r"""Winner-take-all competitive learning in plain NumPy: the math, and the oracle for the fast kernel.

The chain: ``neuroclust/models/competitive.py`` (the estimator) and ``neuroclust/nn/competitive.py``
(the layer) -> this file -> ``csrc/competitive.pyx`` (the compiled twin, wrapped by
``neuroclust/backend/cython.py``) -> ``docs/algorithms/competitive.md`` ->
``tutorials/plot_01_competitive_learning.py``. The batch rule (k-means' M-step) is
``accumulate`` in ``distances.py``.

Written against the array module of its inputs, so it runs on NumPy and CuPy arrays alike.
"""
from ..._validation import array_module
from .._checks import check_wta_online

__all__ = ["wta_online"]


def wta_online(X, W, order, learning_rate, win_frequency=None,
               conscience_rate=0.0, conscience_bias=0.0, variance=1.0):
    r"""One pass of sequential winner-take-all learning, updating ``W`` in place.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)
        The prototypes; updated in place.
    order : ndarray of int64, shape (n_steps,)
        The row of ``X`` presented at each step.
    learning_rate : float
        :math:`\eta`.
    win_frequency : ndarray of shape (n_units,), optional
        DeSieno's running win frequencies :math:`p_j`, updated in place. ``None`` turns the
        conscience off.
    conscience_rate : float
        :math:`B`, how fast :math:`p_j` follows the wins.
    conscience_bias : float
        :math:`C`, the weight of the bias, a pure number.
    variance : float, default=1.0
        :math:`V`, the unit the bias is measured in: the data's total variance (the
        mean squared distance of a sample to the data's mean, computed once per fit by the
        caller), so that the bias scales with the squared distances it is compared with.
        1.0 leaves :math:`C` in units of squared distance (DeSieno's form).

    Returns
    -------
    winners : ndarray of int64, shape (n_steps,)
        The unit that learned at each step.

    Notes
    -----
    For each presented sample :math:`x`, with :math:`d_j = \|x - w_j\|^2`, in DeSieno's
    order (the frequencies first, then the bias they give):

    .. math:: y = \arg\min_j d_j                                                \tag{1}
    .. math:: p_j \leftarrow p_j + B\,([j = y] - p_j)                           \tag{2}
    .. math:: b_j = C\,V\,(1/K - p_j)                                    \tag{3}
    .. math:: z = \arg\min_j (d_j - b_j)                                        \tag{4}
    .. math:: w_z \leftarrow w_z + \eta\,(x - w_z)                              \tag{5}

    Without conscience :math:`z = y` and only (1) and (5) run. Rule (5) is a stochastic
    gradient step on :math:`E = \tfrac12 \|x - w_{c(x)}\|^2`, whose gradient with respect to
    the winner is :math:`-(x - w_c)`. Equations (2)-(4) are DeSieno's conscience: a unit that
    wins more than its share :math:`1/K` is handicapped, so units that never win (dead units)
    get a chance. DeSieno compares :math:`C\,(1/K - p_j)` with squared distances directly,
    so his :math:`C = 10` means something different on every scale of the data; measured in
    :math:`V`, the same :math:`C` handicaps a unit by the same share of the data's
    spread whether the data are in millimetres or in kilometres.

    References
    ----------
    D. DeSieno, "Adding a conscience to competitive learning", IEEE International Conference
    on Neural Networks, 1988, pp. 117-124.
    """
    order = check_wta_online(X, W, order, learning_rate, win_frequency, conscience_rate,
                             conscience_bias, variance)[0]
    xp = array_module(X)
    n_units = W.shape[0]
    bias_unit = conscience_bias * variance  # C V of eq. (3), once per pass
    winners = xp.empty(len(order), dtype=xp.int64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        distances = ((W - x) ** 2).sum(axis=1)
        nearest = int(distances.argmin())                                   # eq. (1)
        winner = nearest
        if win_frequency is not None:
            win_frequency *= 1.0 - conscience_rate                          # eq. (2)
            win_frequency[nearest] += conscience_rate                       # eq. (2)
            bias = bias_unit * (1.0 / n_units - win_frequency)              # eq. (3)
            winner = int((distances - bias).argmin())                       # eq. (4)
        W[winner] += learning_rate * (x - W[winner])                        # eq. (5)
        winners[step] = winner
    return winners
