r"""The kernels in plain NumPy: the math, written to be read, and the oracle for the fast ones.

Every function here is written against an array module ``xp`` taken from its inputs, so the
same lines run on NumPy arrays and on CuPy arrays. The Cython kernels in ``csrc/kernels.pyx``
compute the same things and are tested against these.

Notation (see the docs' notation page): ``X`` holds the samples :math:`x_i` as rows, ``W`` the
prototypes :math:`w_j` as rows, :math:`c(x)` is the index of the winning (nearest) prototype.
"""
import numpy as np

from .._validation import array_module
from ..grid import grid_squared_distances, neighbourhood as neighbourhood_weight
from ._checks import (check_accumulate, check_art1_online, check_art_online, check_art_predict,
                      check_bmu, check_gng_online, check_som_online, check_wta_online)

__all__ = ["bmu", "undefined_bmu", "accumulate", "bmu_accumulate", "wta_online", "squared_distances",
           "two_nearest", "som_online", "som_batch_weights", "gng_online",
           "fuzzy_art_online", "fuzzy_art_choice", "fuzzy_art_predict", "art1_online",
           "art1_bottom_up"]

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
    check_bmu(X, W)
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
    labels, n_units = check_accumulate(X, labels, n_units)
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
    order = check_wta_online(X, W, order, learning_rate, win_frequency, conscience_rate,
                             conscience_bias)[0]
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
        Grid coordinates :math:`r_j` (see :func:`neuroclust.grid.grid_positions`).
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
    order = check_som_online(X, W, positions, periods, order, learning_rates, sigmas,
                             neighbourhood, metric)
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
    numerator = H @ sums                                                          # eq. (1)
    denominator = H @ counts.astype(H.dtype)                                      # eq. (1)
    weights = previous.copy()
    safe = denominator > 0
    weights[safe] = (numerator[safe] / denominator[safe, None]).astype(previous.dtype)
    return weights


def gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b, epsilon_n, max_age,
               lambda_, alpha, beta):
    r"""Growing neural gas (Fritzke): present the samples in ``order``, growing the graph.

    The graph lives in arrays of a fixed capacity ``max_nodes = W.shape[0]``, so that the
    compiled kernel can work on the same memory: nodes ``0 .. n_nodes - 1`` are alive, the rows
    beyond them hold zeros (and ages of -1). When a node is removed, the last node moves into
    its row (position, error and edges), so the alive nodes always stay ``0 .. n_nodes - 1``;
    when one step removes several nodes, the highest index goes first.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (max_nodes, n_features)
        The node positions :math:`w_j`, rows ``0 .. n_nodes - 1`` in use; updated in place.
    error : ndarray of float64, shape (max_nodes,)
        The accumulated local errors :math:`E_j`; updated in place.
    age : ndarray of int64, shape (max_nodes, max_nodes)
        Symmetric: ``age[i, j]`` is the age :math:`a_{ij}` of the edge between nodes
        :math:`i` and :math:`j`, -1 where there is no edge; updated in place.
    n_nodes : int
        The number of nodes alive, at least 2.
    n_steps : int
        The number of samples presented before this call: the clock of the insertions.
    order : ndarray of int64, shape (n_presented,)
        The row of ``X`` presented at each step.
    epsilon_b, epsilon_n : float
        :math:`\epsilon_b` and :math:`\epsilon_n`, the steps of the winner and of its
        neighbours.
    max_age : int
        :math:`a_{max}`: an edge older than this is removed.
    lambda_ : int
        :math:`\lambda`: a node is inserted after every :math:`\lambda` steps.
    alpha, beta : float
        :math:`\alpha`, the factor on the errors of the two nodes a new one is put between,
        and :math:`\beta`, the fraction every error loses per step.

    Returns
    -------
    n_nodes : int
        The number of nodes alive afterwards.
    n_steps : int
        ``n_steps + len(order)``.

    Notes
    -----
    For each presented sample :math:`x`, in the order of Fritzke's steps: the nearest and the
    second-nearest node (a tie goes to the lowest index),

    .. math:: s_1 = \arg\min_j \|x - w_j\|^2, \qquad
              s_2 = \arg\min_{j \ne s_1} \|x - w_j\|^2                                 \tag{1}

    every edge of the winner grows older, with :math:`N(s_1)` the winner's neighbours,

    .. math:: a_{s_1 n} \leftarrow a_{s_1 n} + 1 \quad \text{for } n \in N(s_1)        \tag{2}

    the winner accumulates its squared error, and it and its neighbours move toward
    :math:`x`,

    .. math:: E_{s_1} \leftarrow E_{s_1} + \|x - w_{s_1}\|^2                            \tag{3}
    .. math:: w_{s_1} \leftarrow w_{s_1} + \epsilon_b\, (x - w_{s_1})                   \tag{4}
    .. math:: w_n \leftarrow w_n + \epsilon_n\, (x - w_n) \quad \text{for } n \in N(s_1) \tag{5}

    the two nearest nodes are joined by a fresh edge (competitive Hebbian learning: made if
    missing, its age reset if present),

    .. math:: a_{s_1 s_2} \leftarrow 0                                                  \tag{6}

    and the edges older than :math:`a_{max}` are removed, then every node left without an
    edge (only the winner's edges aged in eq. (2), so only they can pass :math:`a_{max}`,
    and only the winner's former neighbours can be left alone; the winner keeps its edge to
    :math:`s_2`):

    .. math:: a_{s_1 n} > a_{max} \;\Rightarrow\; \text{remove edge } (s_1, n);\quad
              N(n) = \emptyset \;\Rightarrow\; \text{remove node } n                    \tag{7}

    After every :math:`\lambda`-th step, while there are fewer than ``max_nodes`` nodes, a
    node :math:`r` is inserted half-way between the node of largest error :math:`q` and its
    neighbour of largest error :math:`f` (ties: the lowest index); the edge :math:`q`-:math:`f`
    is replaced by :math:`q`-:math:`r` and :math:`r`-:math:`f`:

    .. math:: q = \arg\max_j E_j, \qquad f = \arg\max_{n \in N(q)} E_n                  \tag{8}
    .. math:: w_r = \tfrac12\, (w_q + w_f)                                              \tag{9}
    .. math:: E_q \leftarrow \alpha E_q, \qquad E_f \leftarrow \alpha E_f, \qquad
              E_r = E_q                                                                 \tag{10}

    Finally every error decays (Fritzke multiplies by :math:`d = 1 - \beta`):

    .. math:: E_j \leftarrow (1 - \beta)\, E_j                                          \tag{11}

    New nodes go where the error is largest, i.e. where the nodes are too few for the data;
    the edges of eq. (6) connect nodes whose regions touch in the data, and the ageing of
    eqs. (2) and (7) removes the edges that no sample supports any more. The connected
    components of the graph are then the clusters.

    References
    ----------
    B. Fritzke, "A Growing Neural Gas Network Learns Topologies", Advances in Neural
    Information Processing Systems 7, 1995, pp. 625-632.
    """
    n_nodes, n_steps, order = check_gng_online(X, W, error, age, n_nodes, n_steps, order,
                                               epsilon_b, epsilon_n, max_age, lambda_, alpha,
                                               beta)[:3]
    xp = array_module(X)
    max_nodes = W.shape[0]
    for i in order.tolist():
        x = X[i]
        distances = ((W[:n_nodes] - x) ** 2).sum(axis=1)
        # argmin and argmax return the first extremum: a tie goes to the lowest index
        s1 = int(distances.argmin())                                                  # eq. (1)
        nearest = distances[s1]
        distances[s1] = xp.inf
        s2 = int(distances.argmin())                                                  # eq. (1)
        neighbours = xp.flatnonzero(age[s1, :n_nodes] >= 0)
        age[s1, neighbours] += 1                                                      # eq. (2)
        age[neighbours, s1] += 1                                                      # eq. (2)
        error[s1] += nearest                                                          # eq. (3)
        W[s1] += epsilon_b * (x - W[s1])                                              # eq. (4)
        W[neighbours] += epsilon_n * (x - W[neighbours])                              # eq. (5)
        age[s1, s2] = age[s2, s1] = 0                                                 # eq. (6)
        n_nodes = _gng_remove_old_edges(W, error, age, s1, n_nodes, max_age)
        n_steps += 1
        if n_steps % lambda_ == 0 and n_nodes < max_nodes:
            n_nodes = _gng_insert_node(W, error, age, n_nodes, alpha)
        error[:n_nodes] *= 1.0 - beta                                                 # eq. (11)
    return n_nodes, n_steps


def _gng_remove_old_edges(W, error, age, s1, n_nodes, max_age):
    """Eq. (7) of :func:`gng_online`: drop the winner's old edges, then the nodes left alone.

    Returns the number of nodes alive afterwards.
    """
    xp = array_module(W)
    old = xp.flatnonzero(age[s1, :n_nodes] > max_age)
    age[s1, old] = -1                                                                 # eq. (7)
    age[old, s1] = -1                                                                 # eq. (7)
    for j in sorted(old.tolist(), reverse=True):  # highest first: a moved node is never next
        if not bool((age[j, :n_nodes] >= 0).any()):
            n_nodes = _gng_remove_node(W, error, age, j, n_nodes)                     # eq. (7)
    return n_nodes


def _gng_remove_node(W, error, age, j, n_nodes):
    """Remove node ``j``: the last node moves into its row. Returns ``n_nodes - 1``."""
    last = n_nodes - 1
    W[j] = W[last]
    error[j] = error[last]
    age[j, :] = age[last, :]
    age[:, j] = age[:, last]
    age[j, j] = -1
    W[last] = 0
    error[last] = 0
    age[last, :] = -1
    age[:, last] = -1
    return last


def _gng_insert_node(W, error, age, n_nodes, alpha):
    """Eqs. (8)-(10) of :func:`gng_online`: a new node between q and its worst neighbour f.

    Returns the number of nodes afterwards (unchanged if q has no neighbour).
    """
    xp = array_module(W)
    q = int(error[:n_nodes].argmax())                                                 # eq. (8)
    neighbours = xp.flatnonzero(age[q, :n_nodes] >= 0)
    if len(neighbours) == 0:
        return n_nodes
    f = int(neighbours[int(error[neighbours].argmax())])                              # eq. (8)
    r = n_nodes
    W[r] = (W[q] + W[f]) / 2                                                          # eq. (9)
    age[q, f] = age[f, q] = -1                                                        # eq. (9)
    age[q, r] = age[r, q] = age[f, r] = age[r, f] = 0                                 # eq. (9)
    error[q] *= alpha                                                                 # eq. (10)
    error[f] *= alpha                                                                 # eq. (10)
    error[r] = error[q]                                                               # eq. (10)
    return n_nodes + 1


# ------------------------------------------------------------------ adaptive resonance theory
def fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta):
    r"""Fuzzy ART (Carpenter, Grossberg and Rosen): present the samples in ``order``, learning.

    Each step is one pass of the network's cycle: the input :math:`x` (the F1 *comparison
    field* holds it) sends its activity up to the F2 *recognition field*, whose categories
    compete; lateral inhibition leaves the one with the largest choice value active; its
    template comes back down and F1 compares it with :math:`x` (the *vigilance test*); a
    mismatch resets that category (it is inhibited for the rest of this step) and the search
    goes on with the next; a match is *resonance*, and only then does the category learn.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The inputs, already prepared: values in [0, 1], complement coded by the estimator
        (``n_features`` is then twice the original number), and no row all zeros.
    W : ndarray of shape (capacity, n_features)
        The category templates :math:`w_j`, rows ``0 .. n_categories - 1`` committed, the rows
        beyond them free; updated in place.
    n_categories : int
        How many categories are committed before the first step.
    order : ndarray of int64, shape (n_steps,)
        The row of ``X`` presented at each step.
    rho : float
        The vigilance :math:`\rho \in [0, 1]`.
    alpha : float
        The choice parameter :math:`\alpha > 0`.
    beta : float
        The learning rate :math:`\beta \in (0, 1]`; 1 is fast learning.

    Returns
    -------
    categories : ndarray of int64, shape (n_steps,)
        The category that resonated with (and learned) the sample of each step; -1 where no
        category resonated and all ``capacity`` rows were committed already (the sample is
        then not learned).
    n_categories : int
        How many categories are committed afterwards.

    Notes
    -----
    With :math:`|a| = \sum_i |a_i|` (the L1 norm) and :math:`(a \wedge b)_i = \min(a_i, b_i)`
    (the fuzzy AND), each category :math:`j` receives the choice value

    .. math:: T_j = \frac{|x \wedge w_j|}{\alpha + |w_j|}                              \tag{1}

    The categories are tried in decreasing order of :math:`T_j` (a tie goes to the lowest
    index): the winner of the competition first, then, after each reset, the best one left,

    .. math:: J = \arg\max_{j \notin \text{reset}} T_j                                  \tag{2}

    Category :math:`J` resonates when it passes the vigilance (match) test

    .. math:: \frac{|x \wedge w_J|}{|x|} \ge \rho                                        \tag{3}

    and then learns, fast (:math:`\beta = 1`) or slowly,

    .. math:: w_J \leftarrow \beta\, (x \wedge w_J) + (1 - \beta)\, w_J                  \tag{4}

    When every committed category is reset, a new one is committed with the input as its
    template (a fresh category's all-ones template would learn exactly :math:`x` in one fast
    step):

    .. math:: w_{\text{new}} = x                                                           \tag{5}

    Since the vigilance test (3) of a category does not depend on which others were tried,
    the search (2)-(3) ends at the category of largest :math:`T_j` among those that pass (3);
    the compiled kernel finds it in one pass. Sums are taken in float64, so the choice and the
    match do not depend on the summation order in float32.

    References
    ----------
    G. A. Carpenter, S. Grossberg and D. B. Rosen, "Fuzzy ART: Fast stable learning and
    categorization of analog patterns by an adaptive resonance system", Neural Networks 4(6),
    1991, pp. 759-771.
    """
    n_categories, order = check_art_online(X, W, n_categories, order, rho, alpha, beta)[:2]
    xp = array_module(X)
    capacity = W.shape[0]
    categories = xp.empty(len(order), dtype=xp.int64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        committed = W[:n_categories]
        matched = xp.minimum(x, committed).sum(axis=1, dtype=xp.float64)   # eqs. (1), (3)
        sizes = committed.sum(axis=1, dtype=xp.float64)
        choice = _host(matched / (alpha + sizes))                           # eq. (1)
        match = _host(matched / x.sum(dtype=xp.float64))                    # eq. (3)
        winner = -1
        for j in np.argsort(-choice, kind="stable").tolist():               # eq. (2)
            if match[j] >= rho:                                             # eq. (3)
                winner = j
                break
        if winner >= 0:
            w = W[winner]
            W[winner] = beta * xp.minimum(x, w) + (1 - beta) * w            # eq. (4)
        elif n_categories < capacity:
            winner, n_categories = n_categories, n_categories + 1
            W[winner] = x                                                   # eq. (5)
        categories[step] = winner
    return categories, n_categories


def fuzzy_art_choice(X, W, alpha):
    r"""The choice value of every category for every sample, and their match values.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Prepared inputs, as for :func:`fuzzy_art_online`.
    W : ndarray of shape (n_categories, n_features)
        The committed templates.
    alpha : float
        The choice parameter :math:`\alpha`.

    Returns
    -------
    choice : ndarray of float64, shape (n_samples, n_categories)
        :math:`T_j(x_i)`, eq. (1).
    match : ndarray of float64, shape (n_samples, n_categories)
        :math:`|x_i \wedge w_j| / |x_i|`, the left side of the vigilance test, eq. (2).

    Notes
    -----
    .. math:: T_j(x) = \frac{|x \wedge w_j|}{\alpha + |w_j|}                            \tag{1}
    .. math:: M_j(x) = \frac{|x \wedge w_j|}{|x|}                                        \tag{2}

    Computed a block of samples at a time, so the (samples, categories, features) array of
    minima stays small.
    """
    xp = array_module(X)
    sizes = W.sum(axis=1, dtype=xp.float64)
    choice = xp.empty((X.shape[0], W.shape[0]), dtype=xp.float64)
    match = xp.empty_like(choice)
    rows_per_block = max(1, (1 << 21) // max(1, W.shape[0] * W.shape[1]))
    for start in range(0, X.shape[0], rows_per_block):
        rows = slice(start, start + rows_per_block)
        matched = xp.minimum(X[rows, None, :], W[None, :, :]).sum(axis=2, dtype=xp.float64)
        choice[rows] = matched / (alpha + sizes)                                     # eq. (1)
        match[rows] = matched / X[rows].sum(axis=1, dtype=xp.float64)[:, None]       # eq. (2)
    return choice, match


def fuzzy_art_predict(X, W, alpha, rho=0.0):
    r"""The category each sample would resonate with, without learning.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Prepared inputs, as for :func:`fuzzy_art_online`.
    W : ndarray of shape (n_categories, n_features)
        The committed templates.
    alpha : float
        The choice parameter :math:`\alpha`.
    rho : float, default=0.0
        The vigilance; 0 lets every category pass, so the answer is the winner of the choice
        competition alone.

    Returns
    -------
    ndarray of int64, shape (n_samples,)
        The category of largest choice value among those that pass the vigilance test (a tie
        goes to the lowest index); -1 where none passes.

    Notes
    -----
    The search of :func:`fuzzy_art_online` with the weights held fixed: with the choice
    :math:`T_j` and match :math:`M_j` of :func:`fuzzy_art_choice`,

    .. math:: J(x) = \arg\max_{j \,:\, M_j(x) \ge \rho} T_j(x)                           \tag{1}
    """
    check_art_predict(X, W, alpha, rho)
    xp = array_module(X)
    if W.shape[0] == 0:  # no category committed yet: none to choose
        return xp.full(X.shape[0], -1, dtype=xp.int64)
    choice, match = fuzzy_art_choice(X, W, alpha)
    passes = match >= rho
    best = xp.where(passes, choice, -xp.inf).argmax(axis=1)                          # eq. (1)
    return xp.where(passes.any(axis=1), best, -1).astype(xp.int64)


def art1_online(X, W, n_categories, order, rho, L):
    r"""ART1 (Carpenter and Grossberg, 1987) on binary inputs, fast learning, in ``order``.

    The same cycle as :func:`fuzzy_art_online` (choice in the F2 recognition field, lateral
    inhibition, the vigilance test in the F1 comparison field, reset and search, resonance),
    in ART1's own terms: binary top-down templates :math:`w_j` and bottom-up weights
    :math:`b_j` that fast learning keeps at their equilibrium.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Binary inputs (0 and 1), each with at least one 1.
    W : ndarray of shape (capacity, n_features)
        The binary top-down templates, rows ``0 .. n_categories - 1`` committed; updated in
        place.
    n_categories : int
    order : ndarray of int64, shape (n_steps,)
    rho : float
        The vigilance :math:`\rho \in [0, 1]`.
    L : float
        The bottom-up learning parameter :math:`L > 1`.

    Returns
    -------
    categories : ndarray of int64, shape (n_steps,)
        As in :func:`fuzzy_art_online` (-1: no category resonated and none was free).
    n_categories : int

    Notes
    -----
    With :math:`|a|` the number of ones and :math:`x \cap w` the elementwise AND, the input
    reaches category :math:`j` through its bottom-up weights
    :math:`b_j = L\, w_j / (L - 1 + |w_j|)` (:func:`art1_bottom_up`), so the choice values are

    .. math:: T_j = x \cdot b_j = \frac{L\, |x \cap w_j|}{L - 1 + |w_j|}                  \tag{1}

    the search goes through the categories in decreasing :math:`T_j` (ties: lowest index),

    .. math:: J = \arg\max_{j \notin \text{reset}} T_j                                    \tag{2}

    the vigilance test (here :math:`|x|` counts the active inputs) is

    .. math:: \frac{|x \cap w_J|}{|x|} \ge \rho                                             \tag{3}

    and fast learning keeps only the features the input and the template share (the
    bottom-up weights follow), or commits a new category with :math:`w = x`:

    .. math:: w_J \leftarrow x \cap w_J                                                     \tag{4}
    .. math:: w_{\text{new}} = x                                                            \tag{5}

    Uncommitted categories are tried after all committed ones (the limit of small initial
    bottom-up weights). Since :math:`T_j` is :math:`L` times Fuzzy ART's choice with
    :math:`\alpha = L - 1`, and (3)-(5) are Fuzzy ART's vigilance test and learning with
    :math:`\beta = 1` on binary data, this is :func:`fuzzy_art_online` without complement
    coding, with :math:`\alpha = L - 1` and :math:`\beta = 1`; the compiled backend runs that
    kernel. (The factor :math:`L` does not change the order of the search.)

    References
    ----------
    G. A. Carpenter and S. Grossberg, "A massively parallel architecture for a
    self-organizing neural pattern recognition machine", Computer Vision, Graphics, and Image
    Processing 37, 1987, pp. 54-115.
    """
    n_categories, order = check_art1_online(X, W, n_categories, order, rho, L)[:2]
    xp = array_module(X)
    capacity = W.shape[0]
    categories = xp.empty(len(order), dtype=xp.int64)
    for step, i in enumerate(order.tolist()):
        x = X[i]
        templates = W[:n_categories]
        common = (x * templates).sum(axis=1, dtype=xp.float64)               # eqs. (1), (3)
        sizes = templates.sum(axis=1, dtype=xp.float64)
        choice = _host(L * common / (L - 1 + sizes))                         # eq. (1)
        match = _host(common / x.sum(dtype=xp.float64))                      # eq. (3)
        winner = -1
        for j in np.argsort(-choice, kind="stable").tolist():                # eq. (2)
            if match[j] >= rho:                                              # eq. (3)
                winner = j
                break
        if winner >= 0:
            W[winner] = x * W[winner]                                        # eq. (4)
        elif n_categories < capacity:
            winner, n_categories = n_categories, n_categories + 1
            W[winner] = x                                                    # eq. (5)
        categories[step] = winner
    return categories, n_categories


def art1_bottom_up(W, L):
    r"""ART1's bottom-up weights from its top-down templates, at fast-learning equilibrium.

    Parameters
    ----------
    W : ndarray of shape (n_categories, n_features)
        Binary templates :math:`w_j`.
    L : float
        :math:`L > 1`.

    Returns
    -------
    ndarray of shape (n_categories, n_features)

    Notes
    -----
    .. math:: b_j = \frac{L\, w_j}{L - 1 + |w_j|}                                         \tag{1}

    A template with few ones gets large bottom-up weights: this is what lets a small category
    win for the inputs it codes, against a larger one that also contains them (Carpenter and
    Grossberg's 2/3 rule and "Weber law" choice).
    """
    xp = array_module(W)
    sizes = W.sum(axis=1, keepdims=True, dtype=xp.float64)
    return (L * W / (L - 1 + sizes)).astype(W.dtype)                                   # eq. (1)


def _host(a):
    """A NumPy copy of a small device array (the search loop runs on the host)."""
    return a.get() if hasattr(a, "get") else np.asarray(a)
