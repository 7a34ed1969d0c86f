r"""The kernels in plain NumPy: the math, written to be read, and the oracle for the fast ones.

Every function here is written against an array module ``xp`` taken from its inputs, so the
same lines run on NumPy arrays and on CuPy arrays. The Cython kernels in ``csrc/kernels.pyx``
compute the same things and are tested against these.

Notation (see the docs' notation page): ``X`` holds the samples :math:`x_i` as rows, ``W`` the
prototypes :math:`w_j` as rows, :math:`c(x)` is the index of the winning (nearest) prototype.
"""
import numpy as np

from .._validation import array_module

__all__ = ["bmu", "undefined_bmu", "accumulate", "bmu_accumulate", "wta_online", "squared_distances",
           "two_nearest", "som_online", "som_batch_weights"]

#: Rows of ``X`` handled at once, so the (rows, units) distance block stays small.
CHUNK_ROWS = 4096


def squared_distances(X, W):
    r"""Squared Euclidean distances between every row of ``X`` and every row of ``W``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)

    Returns
    -------
    ndarray of shape (n_samples, n_units)

    Notes
    -----
    Uses the expansion

    .. math:: \|x - w\|^2 = \|x\|^2 - 2\,x \cdot w + \|w\|^2             \tag{1}

    after subtracting the prototypes' mean :math:`m` from both sides (distances do not change
    under a shift, and the shift keeps the three terms small so that little is lost when they
    cancel). The result is clipped at zero, since rounding can make it slightly negative.
    """
    xp = array_module(X)
    centre = W.mean(axis=0)
    Xc, Wc = X - centre, W - centre
    x_sq = (Xc * Xc).sum(axis=1)[:, None]
    w_sq = (Wc * Wc).sum(axis=1)[None, :]
    return xp.maximum(x_sq - 2 * (Xc @ Wc.T) + w_sq, 0)                   # eq. (1)


def bmu(X, W):
    r"""Best-matching unit: the nearest prototype of every sample and its squared distance.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)

    Returns
    -------
    index : ndarray of int64, shape (n_samples,)
        :math:`c(x_i)`, the index of the nearest prototype; a tie goes to the lowest index.
    distance : ndarray of shape (n_samples,), dtype of ``X``
        :math:`\|x_i - w_{c(x_i)}\|^2`, computed directly from the difference.

    Notes
    -----
    .. math:: c(x) = \arg\min_j \|x - w_j\|^2
                   = \arg\min_j \left(\|w_j - m\|^2 - 2\,(x - m) \cdot (w_j - m)\right)   \tag{1}

    The term :math:`\|x - m\|^2` is the same for every unit and is dropped from the argmin; the
    products for a chunk of rows are one matrix multiplication. The winner's distance is then
    recomputed exactly from :math:`x - w_{c(x)}`, so the returned distance carries no
    cancellation error.

    If any prototype holds NaN or infinity (a diverged training run), no nearest unit is
    defined: every index is 0 and every distance NaN, so the caller's NaN guard sees it.
    """
    xp = array_module(X)
    n_samples = X.shape[0]
    if not bool(xp.isfinite(W).all()):
        return undefined_bmu(X)
    centre = W.mean(axis=0)
    Wc = W - centre
    w_sq = (Wc * Wc).sum(axis=1)
    index = xp.empty(n_samples, dtype=xp.int64)
    distance = xp.empty(n_samples, dtype=X.dtype)
    for start in range(0, n_samples, CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        scores = w_sq - 2 * ((X[rows] - centre) @ Wc.T)                   # eq. (1)
        winners = scores.argmin(axis=1)  # argmin returns the first minimum: lowest index wins
        difference = X[rows] - W[winners]
        index[rows] = winners
        distance[rows] = (difference * difference).sum(axis=1)
    return index, distance


def undefined_bmu(X):
    """The answer of :func:`bmu` when a prototype is not finite: index 0, distance NaN."""
    xp = array_module(X)
    return (xp.zeros(X.shape[0], dtype=xp.int64),
            xp.full(X.shape[0], xp.nan, dtype=X.dtype))


def accumulate(X, labels, n_units):
    r"""Per-unit sums and counts of the samples assigned to each unit.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    labels : ndarray of int64, shape (n_samples,)
        The unit of each sample, in ``[0, n_units)``.
    n_units : int

    Returns
    -------
    sums : ndarray of shape (n_units, n_features), dtype of ``X``
        :math:`s_j = \sum_{i : c_i = j} x_i`.
    counts : ndarray of int64, shape (n_units,)
        :math:`n_j = |\{i : c_i = j\}|`.

    Notes
    -----
    These are the sufficient statistics of the batch update: the mean of unit :math:`j`'s
    samples is :math:`s_j / n_j` (the M-step of k-means).

    .. math:: s_j = \sum_{i : c_i = j} x_i, \qquad n_j = \sum_{i : c_i = j} 1     \tag{1}
    """
    xp = array_module(X)
    sums = xp.zeros((n_units, X.shape[1]), dtype=X.dtype)
    _scatter_add(xp, sums, labels, X)                                       # eq. (1)
    counts = xp.bincount(labels, minlength=n_units).astype(xp.int64)        # eq. (1)
    return sums, counts


def _scatter_add(xp, target, index, values):
    if xp is np:
        np.add.at(target, index, values)
    elif hasattr(xp.add, "at"):  # CuPy >= 13 has ufunc.at for add
        xp.add.at(target, index, values)
    else:  # older CuPy spells the unbuffered scatter-add differently
        import cupyx

        cupyx.scatter_add(target, index, values)


def bmu_accumulate(X, W):
    """:func:`bmu` followed by :func:`accumulate` on its winners, in one call.

    The fast kernels fuse the two so each chunk of ``X`` is read from memory once.

    Returns
    -------
    index, distance, sums, counts
        As returned by :func:`bmu` and :func:`accumulate`.
    """
    index, distance = bmu(X, W)
    sums, counts = accumulate(X, index, W.shape[0])
    return index, distance, sums, counts


def wta_online(X, W, order, learning_rate, win_frequency=None,
               conscience_rate=0.0, conscience_bias=0.0):
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
        :math:`C`, the weight of the bias.

    Returns
    -------
    winners : ndarray of int64, shape (n_steps,)
        The unit that learned at each step.

    Notes
    -----
    For each presented sample :math:`x`, with :math:`d_j = \|x - w_j\|^2`:

    .. math:: y = \arg\min_j d_j                                                \tag{1}
    .. math:: b_j = C\,(1/K - p_j)                                              \tag{2}
    .. math:: z = \arg\min_j (d_j - b_j)                                        \tag{3}
    .. math:: p_j \leftarrow p_j + B\,([j = y] - p_j)                           \tag{4}
    .. math:: w_z \leftarrow w_z + \eta\,(x - w_z)                              \tag{5}

    Without conscience :math:`z = y` and only (1) and (5) run. Rule (5) is a stochastic
    gradient step on :math:`E = \tfrac12 \|x - w_{c(x)}\|^2`, whose gradient with respect to
    the winner is :math:`-(x - w_c)`. Equations (2)-(4) are DeSieno's conscience: a unit that
    wins more than its share :math:`1/K` is handicapped, so units that never win (dead units)
    get a chance.

    References
    ----------
    D. DeSieno, "Adding a conscience to competitive learning", IEEE International Conference
    on Neural Networks, 1988, pp. 117-124.
    """
    xp = array_module(X)
    n_units = W.shape[0]
    winners = xp.empty(len(order), dtype=xp.int64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        distances = ((W - x) ** 2).sum(axis=1)
        nearest = int(distances.argmin())                                   # eq. (1)
        winner = nearest
        if win_frequency is not None:
            bias = conscience_bias * (1.0 / n_units - win_frequency)        # eq. (2)
            winner = int((distances - bias).argmin())                       # eq. (3)
            win_frequency *= 1.0 - conscience_rate                          # eq. (4)
            win_frequency[nearest] += conscience_rate                       # eq. (4)
        W[winner] += learning_rate * (x - W[winner])                        # eq. (5)
        winners[step] = winner
    return winners


def two_nearest(X, W):
    r"""The nearest and the second-nearest prototype of every sample (for topographic error).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features), with n_units >= 2

    Returns
    -------
    first, second : ndarrays of int64, shape (n_samples,)

    Notes
    -----
    Squared distances by :func:`squared_distances` a chunk of rows at a time; ties go to the
    lowest index, as in :func:`bmu`. This is one matrix product per chunk, so every backend
    uses this function as it is.
    """
    xp = array_module(X)
    first = xp.empty(X.shape[0], dtype=xp.int64)
    second = xp.empty(X.shape[0], dtype=xp.int64)
    for start in range(0, X.shape[0], CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        distances = squared_distances(X[rows], W)
        nearest = distances.argmin(axis=1)          # argmin: the first of equal values
        first[rows] = nearest
        distances[xp.arange(len(nearest)), nearest] = xp.inf
        second[rows] = distances.argmin(axis=1)
    return first, second


def som_online(X, W, positions, periods, order, learning_rates, sigmas,
               neighbourhood="gaussian", metric="euclidean"):
    r"""Online self-organizing map training over the samples in ``order``, updating ``W``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)
        The prototypes, units numbered row by row; updated in place.
    positions : ndarray of shape (n_units, 2)
        Grid coordinates :math:`r_j` (see ``neuroclust.models._grid.grid_positions``).
    periods : ndarray of shape (2,)
        Wrap-around lengths of a toroidal grid; zeros for a flat one.
    order : ndarray of int64, shape (n_steps,)
        The row of ``X`` presented at each step.
    learning_rates, sigmas : ndarrays of shape (n_steps,)
        :math:`\eta(t)` and :math:`\sigma(t)` for each step.
    neighbourhood : {"gaussian", "bubble", "mexican_hat", "triangle"}
    metric : {"euclidean", "cosine"}

    Returns
    -------
    winners : ndarray of int64, shape (n_steps,)

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
    from ..models._grid import grid_squared_distances, neighbourhood as neighbourhood_weight

    xp = array_module(X)
    grid_d2 = grid_squared_distances(positions, periods)  # host: h is computed there
    winners = xp.empty(len(order), dtype=xp.int64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        if metric == "cosine":
            winner = int((-(W @ x) / xp.sqrt((W * W).sum(axis=1))).argmin())      # eq. (1)
        else:
            winner = int(((W - x) ** 2).sum(axis=1).argmin())                      # eq. (1)
        h = xp.asarray(neighbourhood_weight(grid_d2[winner], sigmas[step], neighbourhood))
        W += (learning_rates[step] * h).astype(W.dtype)[:, None] * (x - W)        # eq. (2)
        winners[step] = winner
    return winners


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
    xp = array_module(sums)
    numerator = H @ sums                                                          # eq. (1)
    denominator = H @ counts.astype(H.dtype)                                      # eq. (1)
    weights = previous.copy()
    safe = denominator > 0
    weights[safe] = (numerator[safe] / denominator[safe, None]).astype(previous.dtype)
    return weights
