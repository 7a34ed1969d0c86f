r"""Internal clustering indices of soft assignments, as losses: the soft silhouette and the soft
Calinski-Harabasz index.

The chain of CNNI: ``models/cnni.py`` (the estimator that trains a network on these) ->
``backend/reference/mmj.py`` (the min-max-jump distances the silhouette can use) -> this file
-> ``nn/training.py`` (the epoch loop) -> ``docs/algorithms/cnni.md`` ->
``tutorials/plot_11_cnni.py``.

An internal index scores a clustering from the data alone. Computed on hard labels it is a
step function of the network's weights; computed on the soft assignments :math:`S` (rows on
the simplex: a softmax output), it is a smooth function of them, so gradient descent can
raise it. On one-hot rows each soft index here equals the usual one (the tests check this
against scikit-learn).

The target of a batch tells the loss what its samples are, so :func:`~neuroclust.nn.train`
needs nothing new: it hands each loss the batch's rows of ``y``.

* :class:`SoftSilhouette` with ``distances=None``: the target is the batch's features, and
  the distances are Euclidean, between the samples of the batch;
* :class:`SoftSilhouette` with ``distances=M``, an :math:`n \times n` matrix of the whole
  training set (the min-max-jump distances, computed once): the target is a column holding
  the row numbers of the batch's samples in :math:`M`, and the batch's block
  :math:`M[B, B]` is used;
* :class:`SoftCalinskiHarabasz`: the target is the batch's features.
"""
from .._validation import array_module, check_array, check_scalar, to_module
from .losses import Loss

__all__ = ["SoftSilhouette", "SoftCalinskiHarabasz"]


def _check_assignments(prediction, target):
    """A 2-D float array of soft assignments (n, K) and a target with n rows."""
    S = check_array(prediction, name="prediction")
    T = check_array(target, name="target")
    if T.shape[0] != S.shape[0]:
        raise ValueError(f"target has {T.shape[0]} rows, but prediction has {S.shape[0]}; "
                         "they must match.")
    return S, to_module(T, array_module(S)).astype(S.dtype, copy=False)


def euclidean_distances(X):
    """The Euclidean distance between every two rows of ``X``, (n, n), zero on the diagonal
    (the expansion :math:`\\|x\\|^2 - 2 x \\cdot y + \\|y\\|^2` on centred rows, clipped at 0)."""
    xp = array_module(X)
    Xc = X - X.mean(axis=0)
    sq = (Xc * Xc).sum(axis=1)
    D2 = xp.maximum(sq[:, None] - 2 * (Xc @ Xc.T) + sq[None, :], 0)
    D2[xp.arange(X.shape[0]), xp.arange(X.shape[0])] = 0
    return xp.sqrt(D2)


class SoftSilhouette(Loss):
    r"""Minus the mean soft silhouette of soft assignments, from a distance matrix.

    Parameters
    ----------
    distances : ndarray of shape (n, n) or None, default=None
        None: Euclidean distances between the samples of each batch, whose features are the
        target. A matrix: the distances between all :math:`n` training samples (for CNNI's
        "mmj_silhouette", their min-max-jump distances); the target is then a column of the
        batch's row numbers in it, and the batch's block is used.
    eps : float > 0, default=1e-12
        Floor of the cluster masses in eq. (1), so an empty cluster gives a finite value.

    Notes
    -----
    For a batch of :math:`n` samples with distances :math:`D` (symmetric, zero diagonal) and
    soft assignments :math:`S` (n, K), let the mass of cluster :math:`k` without sample
    :math:`i` be :math:`m_{ik} = \max(\sum_j S_{jk} - S_{ik}, \epsilon)`, and the mean
    distance from :math:`i` to the other members of :math:`k`, each weighted by its share,

    .. math:: d_{ik} = \frac{\sum_j D_{ij} S_{jk}}{m_{ik}} .                       \tag{1}

    The silhouette's :math:`a_i` (mean distance to one's own cluster) and :math:`b_i` (to the
    nearest other cluster) are their expectations when sample :math:`i`'s cluster is drawn
    from its row of :math:`S`:

    .. math:: a_i = \sum_k S_{ik}\, d_{ik} ,                                          \tag{2}

    .. math:: b_i = \sum_k S_{ik} \min_{l \ne k} d_{il}
              = (1 - S_{i\rho})\, d_{i\rho} + S_{i\rho}\, d_{i\sigma} ,                \tag{3}

    where :math:`\rho` is the cluster with the smallest :math:`d_{il}` and :math:`\sigma` the
    runner-up (if the own cluster is :math:`\rho`, the nearest other one is :math:`\sigma`,
    else it is :math:`\rho`). The loss is minus the mean silhouette:

    .. math:: s_i = \frac{b_i - a_i}{\max(a_i, b_i)} , \qquad
              L = -\frac1n \sum_i s_i                                               \tag{4}

    (:math:`s_i = 0` where :math:`a_i = b_i = 0`; and :math:`L = 0` for one cluster,
    :math:`K = 1`, which has no other to compare with). **How the minimum is softened.** The
    minimum over the other clusters is kept hard, and the softening is only the expectation
    over the own cluster in eqs. (2) and (3): with one-hot rows both are then exactly the
    silhouette's :math:`a_i` and :math:`b_i` (with clusters of two samples or more: a sample
    alone in its cluster gets :math:`s_i = 1` here, 0 in scikit-learn), and with two clusters
    nothing is left to soften (the only other cluster is the nearest). A soft minimum
    (log-sum-exp at a temperature) would lower :math:`b_i` for every :math:`K > 2` and add a
    setting to choose; the hard one is piecewise smooth, like a ReLU, and passes its gradient
    to the nearest other cluster.

    **The gradient.** With :math:`g = -1/n`, the partial derivatives of eq. (4) are, where
    :math:`b_i > a_i`, :math:`\alpha_i = \partial L/\partial a_i = -g / b_i` and
    :math:`\beta_i = \partial L/\partial b_i = g\, a_i / b_i^2`; elsewhere
    :math:`\alpha_i = -g\, b_i / a_i^2` and :math:`\beta_i = g / a_i`:

    .. math:: (\alpha_i, \beta_i) = \begin{cases}
              (-g/b_i,\; g a_i/b_i^2) & b_i > a_i \\
              (-g b_i/a_i^2,\; g/a_i) & \text{otherwise.} \end{cases}               \tag{5}

    Through eqs. (2), (3), the gradient with respect to :math:`d_{ik}` is

    .. math:: G_{ik} = \alpha_i S_{ik} + \beta_i c_{ik}, \qquad
              c_{i\rho} = 1 - S_{i\rho},\; c_{i\sigma} = S_{i\rho},\; 0 \text{ elsewhere;} \tag{6}

    and eqs. (2), (3) also hold :math:`S_{ik}` directly:

    .. math:: \frac{\partial L}{\partial S_{ik}}\Big|_{\text{direct}} = \alpha_i d_{ik}
              + \beta_i\, [k = \rho]\, (d_{i\sigma} - d_{i\rho}) .                    \tag{7}

    Eq. (1) is a quotient: with :math:`P_{ik} = G_{ik} / m_{ik}` (through the numerator)
    and :math:`Q_{ik} = -G_{ik} d_{ik} / m_{ik}` (through the mass, which holds every
    :math:`S_{jk}` but :math:`S_{ik}`), the whole gradient is

    .. math:: \frac{\partial L}{\partial S_{jk}} = \frac{\partial L}{\partial S_{jk}}
              \Big|_{\text{direct}} + \sum_i D_{ij} P_{ik} + \sum_i Q_{ik} - Q_{jk} .  \tag{8}

    Eqs. (1) and (8) are two products of the (n, n) distances with an (n, K) matrix:
    :math:`O(n^2 K)` per batch.

    References
    ----------
    P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of
    cluster analysis", J. Comput. Appl. Math. 20, 1987. G. Vardakas, I. Papakostas,
    A. Likas, "Deep clustering using the soft silhouette score", arXiv:2402.00608, 2024.
    G. Liu, "CNNI: clustering with neural network and index", arXiv:2212.03853.
    """

    def __init__(self, distances=None, eps=1e-12):
        super().__init__()
        check_scalar(eps, "eps", low=0, low_inclusive=False)
        if distances is not None:
            distances = check_array(distances, name="distances")
            if distances.shape[0] != distances.shape[1]:
                raise ValueError(f"distances must be a square matrix, got shape "
                                 f"{distances.shape}.")
        self.distances = distances
        self.eps = float(eps)

    def _batch_distances(self, S, T):
        """D of the batch: Euclidean between the rows of T, or the block of ``distances``
        at the row numbers T holds."""
        xp = array_module(S)
        if self.distances is None:
            return euclidean_distances(T)
        if T.shape[1] != 1:
            raise ValueError(f"target must be one column of row numbers into distances, got "
                             f"shape {T.shape}.")
        rows = T[:, 0]
        n_all = self.distances.shape[0]
        if bool(((rows < 0) | (rows >= n_all) | (rows != xp.floor(rows))).any()):
            raise ValueError(f"target must hold row numbers of distances, whole numbers in "
                             f"[0, {n_all}).")
        rows = rows.astype(xp.int64)
        M = to_module(self.distances, xp)
        return M[rows[:, None], rows[None, :]].astype(S.dtype, copy=False)

    def forward(self, prediction, target):
        """Eq. (4) of soft assignments ``prediction`` (n, K) for the batch ``target``
        describes (its features, or its row numbers in ``distances``)."""
        S, T = _check_assignments(prediction, target)
        xp = array_module(S)
        D = self._batch_distances(S, T)
        n = S.shape[0]
        if S.shape[1] == 1:     # one cluster: no other to compare with, no silhouette
            self._cache = S
            return 0.0
        mass = xp.maximum(S.sum(axis=0)[None, :] - S, self.eps)                   # (n, K)
        d = (D @ S) / mass                                                        # eq. (1)
        a = (S * d).sum(axis=1)                                                   # eq. (2)
        two = xp.argsort(d, axis=1)[:, :2]
        rho, sigma = two[:, 0], two[:, 1]
        rows = xp.arange(n)
        s_rho, d_rho, d_sigma = S[rows, rho], d[rows, rho], d[rows, sigma]
        b = (1 - s_rho) * d_rho + s_rho * d_sigma                                 # eq. (3)
        top = xp.maximum(a, b)
        safe = xp.where(top > 0, top, 1)
        s = xp.where(top > 0, (b - a) / safe, 0)
        self._cache = (S, D, mass, d, a, b, safe, top > 0, rho, sigma)
        return float(-s.mean())                                                   # eq. (4)

    def backward(self):
        """Eq. (8): the gradient with respect to the soft assignments, shape (n, K)."""
        if not isinstance(self._cached(), tuple):
            return array_module(self._cache).zeros_like(self._cache)
        S, D, mass, d, a, b, safe, defined, rho, sigma = self._cached()
        xp = array_module(S)
        n = S.shape[0]
        g = -1.0 / n
        b_larger = b > a
        alpha = xp.where(b_larger, -g / safe, -g * b / safe ** 2)                 # eq. (5)
        beta = xp.where(b_larger, g * a / safe ** 2, g / safe)                    # eq. (5)
        alpha, beta = xp.where(defined, alpha, 0), xp.where(defined, beta, 0)
        rows = xp.arange(n)
        s_rho = S[rows, rho]
        c = xp.zeros_like(S)
        c[rows, rho] = 1 - s_rho
        c[rows, sigma] = s_rho
        G = alpha[:, None] * S + beta[:, None] * c                                # eq. (6)
        direct = alpha[:, None] * d                                               # eq. (7)
        direct[rows, rho] += beta * (d[rows, sigma] - d[rows, rho])               # eq. (7)
        P = G / mass
        Q = -G * d / mass
        return (direct + D.T @ P + Q.sum(axis=0)[None, :] - Q).astype(S.dtype)   # eq. (8)


class SoftCalinskiHarabasz(Loss):
    r"""Minus the Calinski-Harabasz index of soft assignments, from the samples' features.

    Parameters
    ----------
    eps : float > 0, default=1e-12
        Floor of the cluster masses and of the within-cluster scatter, so an empty cluster
        or a batch of identical samples gives a finite value.

    Notes
    -----
    For a batch of :math:`n` samples :math:`x_i` (the target), centred on their mean (the
    index does not change under a shift, and centred numbers lose less to rounding), and
    soft assignments :math:`S` (n, K), each cluster has a mass and a weighted mean,

    .. math:: m_k = \sum_i S_{ik} , \qquad \mu_k = \frac{1}{m_k} \sum_i S_{ik} x_i ;  \tag{1}

    the within-cluster scatter :math:`W` and the between-cluster scatter :math:`B` weigh each
    sample's share in each cluster:

    .. math:: W = \sum_{i,k} S_{ik} \|x_i - \mu_k\|^2 , \qquad
              B = \sum_k m_k \|\mu_k\|^2 ;                                           \tag{2}

    and the loss is minus the index,

    .. math:: L = -\frac{B / (K - 1)}{W / (n - K)} .                                   \tag{3}

    On one-hot rows eq. (3) is minus scikit-learn's ``calinski_harabasz_score``. A batch of
    :math:`n \le K` samples has no index (:math:`n - K \le 0`), nor has one cluster
    (:math:`K = 1`); their loss is 0, and its gradient too.

    **The gradient.** :math:`S_{ik}` enters :math:`W` through its own term and through
    :math:`\mu_k`; the latter's part vanishes, since :math:`\mu_k` minimises
    :math:`\sum_i S_{ik} \|x_i - \mu\|^2`. So does that of :math:`B` through :math:`\mu_k`,
    after writing :math:`B = \sum_{i,k} S_{ik}\|x_i\|^2 - W`:

    .. math:: \frac{\partial W}{\partial S_{ik}} = \|x_i - \mu_k\|^2 , \qquad
              \frac{\partial B}{\partial S_{ik}} = \|x_i\|^2 - \|x_i - \mu_k\|^2 ;      \tag{4}

    .. math:: \frac{\partial L}{\partial S_{ik}} = -\frac{n - K}{K - 1} \cdot
              \frac{W\, \partial B / \partial S_{ik} - B\, \partial W / \partial S_{ik}}{W^2} .
              \tag{5}

    References
    ----------
    T. Calinski and J. Harabasz, "A dendrite method for cluster analysis", Communications in
    Statistics 3, 1974.
    """

    def __init__(self, eps=1e-12):
        super().__init__()
        check_scalar(eps, "eps", low=0, low_inclusive=False)
        self.eps = float(eps)

    def forward(self, prediction, target):
        """Eq. (3) of soft assignments ``prediction`` (n, K) of the samples ``target``
        (n, n_features)."""
        S, X = _check_assignments(prediction, target)
        xp = array_module(S)
        n, K = S.shape
        X = X - X.mean(axis=0)
        mass = xp.maximum(S.sum(axis=0), self.eps)                                # eq. (1)
        mu = (S.T @ X) / mass[:, None]                                            # eq. (1)
        sq = (X * X).sum(axis=1)
        E = xp.maximum(sq[:, None] - 2 * (X @ mu.T) + (mu * mu).sum(axis=1)[None, :], 0)
        W = max(float((S * E).sum()), self.eps)                                   # eq. (2)
        B = float((mass * (mu * mu).sum(axis=1)).sum())                           # eq. (2)
        factor = (n - K) / (K - 1) if n > K > 1 else 0.0
        self._cache = (S, E, sq, W, B, factor)
        return -factor * B / W                                                    # eq. (3)

    def backward(self):
        """Eq. (5): the gradient with respect to the soft assignments, shape (n, K)."""
        S, E, sq, W, B, factor = self._cached()
        dW = E                                                                    # eq. (4)
        dB = sq[:, None] - E                                                      # eq. (4)
        return (-factor * (W * dB - B * dW) / W ** 2).astype(S.dtype)             # eq. (5)
