r"""The self-organizing map in plain NumPy: the math, and the oracle for the fast kernels.

``som_online`` (Kohonen's online rule over a whole pass of samples) and ``som_batch_weights``
(the batch map). The chain: ``neuroclust/models/som.py`` (the estimator) and
``neuroclust/nn/som.py`` (the layer) -> this file (the grid's geometry: ``neuroclust/grid.py``)
-> ``csrc/som.pyx`` (the compiled twin, wrapped by ``neuroclust/backend/cython.py``) ->
``neuroclust/plotting/som.py`` -> ``docs/algorithms/som.md`` ->
``tutorials/plot_02_self_organizing_map.py``.

Written against the array module of its inputs, so it runs on NumPy and CuPy arrays alike.
"""
from ..._validation import array_module
from ...grid import grid_squared_distances, neighbourhood as neighbourhood_weight, standard_grid
from .._checks import check_som_online

__all__ = ["som_online", "som_batch_weights"]


def som_online(X, W, shape, topology, toroidal, order, learning_rates, sigmas,
               neighbourhood="gaussian", metric="euclidean", with_errors=False):
    r"""Online self-organizing map training over the samples in ``order``, updating ``W``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)
        The prototypes, units numbered row by row; updated in place.
    shape : (int, int)
        The map's ``(rows, cols)``, with ``rows * cols == n_units``.
    topology : {"rectangular", "hexagonal"}
    toroidal : bool
        Whether the grid wraps around. The grid positions :math:`r_j` of the units follow from
        these three (:func:`neuroclust.grid.standard_grid`).
    order : ndarray of int64, shape (n_steps,)
        The row of ``X`` presented at each step.
    learning_rates, sigmas : ndarrays of shape (n_steps,)
        :math:`\eta(t)` and :math:`\sigma(t)` for each step.
    neighbourhood : {"gaussian", "bubble", "mexican_hat", "triangle"}
    metric : {"euclidean", "cosine"}
    with_errors : bool, default=False
        Also return what each step met before its update: the runner-up unit (the winner's
        search with the winner left out, eq. 1; 0 with a single unit) and the squared distance
        :math:`\|x - w_c\|^2` of the sample to its winner. An epoch's quantization and
        topographic errors are estimated from these (:class:`neuroclust.SOM`'s online
        history) without another pass over the data.

    Returns
    -------
    winners : ndarray of int64, shape (n_steps,)
    runners_up : ndarray of int64, shape (n_steps,)
        Only with ``with_errors``.
    squared_distances : ndarray of float64, shape (n_steps,)
        Only with ``with_errors``.

    Notes
    -----
    At step :math:`t`, for the presented sample :math:`x`:

    .. math:: c = \arg\min_j \|x - w_j\|^2 \quad\text{or, for cosine,}\quad
              c = \arg\max_j \frac{x \cdot w_j}{\|w_j\|}                            \tag{1}
    .. math:: w_j \leftarrow w_j + \eta(t)\, h\!\left(\|r_j - r_c\|^2, \sigma(t)\right)
              (x - w_j) \quad \text{for every unit } j                             \tag{2}

    Kohonen's rule: the winner and its grid neighbours all move toward the sample, the
    neighbours less. Because neighbours on the grid learn from the same samples, they end up
    with similar prototypes: the map orders itself.

    References
    ----------
    T. Kohonen, *Self-Organizing Maps*, 3rd ed., Springer, 2001, sec. 3.2.
    """
    order, shape, toroidal = check_som_online(X, W, shape, topology, toroidal, order,
                                              learning_rates, sigmas, neighbourhood, metric)
    xp = array_module(X)
    positions, periods = standard_grid(shape, topology, toroidal)
    grid_d2 = grid_squared_distances(positions, periods)  # host: h is computed there
    winners = xp.empty(len(order), dtype=xp.int64)
    runners_up = xp.zeros(len(order) if with_errors else 0, dtype=xp.int64)
    met = xp.zeros(len(order) if with_errors else 0, dtype=xp.float64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        squared = ((W - x) ** 2).sum(axis=1)
        if metric == "cosine":
            scores = -(W @ x) / xp.sqrt((W * W).sum(axis=1))                         # eq. (1)
        else:
            scores = squared                                                        # eq. (1)
        winner = int(scores.argmin())
        if with_errors:
            runners_up[step] = _runner_up(scores, winner)
            met[step] = float(squared[winner])
        h = xp.asarray(neighbourhood_weight(grid_d2[winner], sigmas[step], neighbourhood))
        W += (learning_rates[step] * h).astype(W.dtype)[:, None] * (x - W)        # eq. (2)
        winners[step] = winner
    return (winners, runners_up, met) if with_errors else winners


def _runner_up(scores, winner):
    """The lowest other index of least score; 0 when there is no other."""
    if len(scores) == 1:
        return 0
    others = scores.astype(float).copy()
    others[winner] = float("inf")
    return int(others.argmin())


def som_batch_weights(sums, counts, H, previous):
    r"""Kohonen's batch map: each prototype becomes the neighbourhood-weighted mean.

    Parameters
    ----------
    sums : ndarray of shape (n_units, n_features)
        :math:`s_c`, the sum of the samples whose winner is unit :math:`c` (:func:`accumulate`).
    counts : ndarray of shape (n_units,)
        :math:`n_c`, how many samples each unit won.
    H : ndarray of shape (n_units, n_units)
        :math:`h_{jc}`, the neighbourhood of unit :math:`j` around winner :math:`c`.
    previous : ndarray of shape (n_units, n_features)
        The prototypes before the update; a unit with no weight at all keeps its own.

    Returns
    -------
    ndarray of shape (n_units, n_features)

    Notes
    -----
    Setting the expected online step of eq. (2) of :func:`som_online` to zero, with the winners
    held fixed, gives the fixed point

    .. math:: w_j = \frac{\sum_i h_{j c(x_i)}\, x_i}{\sum_i h_{j c(x_i)}}
                  = \frac{\sum_c h_{jc}\, s_c}{\sum_c h_{jc}\, n_c}                  \tag{1}

    so one batch epoch is two small matrix products over the per-unit sums.
    """
    numerator = H @ sums                                                          # eq. (1)
    denominator = H @ counts.astype(H.dtype)                                      # eq. (1)
    weights = previous.copy()
    safe = denominator > 0
    weights[safe] = (numerator[safe] / denominator[safe, None]).astype(previous.dtype)
    return weights
