r"""Growing neural gas in plain NumPy: the math, and the oracle for the fast kernel.

The chain: ``neuroclust/models/gng.py`` (the estimator) -> this file -> ``csrc/gng.pyx`` (the
compiled twin, wrapped by ``neuroclust/backend/cython.py``) -> ``neuroclust/plotting/gng.py``
-> ``docs/algorithms/gng.md`` -> ``tutorials/plot_03_growing_neural_gas.py``.

Written against the array module of its inputs, so it runs on NumPy and CuPy arrays alike.
"""
from ..._validation import array_module
from .._checks import check_gng_online

__all__ = ["gng_online"]


def gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b, epsilon_n, max_age,
               insert_every, alpha, beta):
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
    insert_every : int
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
                                               epsilon_b, epsilon_n, max_age, insert_every, alpha,
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
        if n_steps % insert_every == 0 and n_nodes < max_nodes:
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
