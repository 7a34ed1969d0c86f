r"""The clustering layer of DEC: Student's t soft assignments to learned cluster centres.

The files a reader follows for DEC and IDEC, in order: ``models/dec.py`` (the estimator) ->
``nn/clustering.py`` (this layer, the target :func:`dec_target` and the closed-form gradient
:func:`kl_gradients`) -> ``nn/losses.py`` (:class:`~neuroclust.nn.KLDivergence`) ->
``nn/training.py`` (the loop, whose ``after_batch`` hook refreshes the target) ->
``docs/algorithms/dec.md`` -> ``tutorials/plot_08_deep_embedded_clustering.py``.
"""
import numbers

import numpy as np

from .._validation import array_module, check_array, check_random_state, check_scalar
from ._checks import check_input, check_upstream, require_forward
from .dense import check_dtype
from .layer import Layer

__all__ = ["ClusteringLayer", "dec_target", "kl_gradients"]


class ClusteringLayer(Layer):
    r"""Soft assignments of codes to ``n_clusters`` centres by Student's t kernel.

    Parameters
    ----------
    n_clusters : int >= 1
        :math:`K`, the number of centres.
    n_features : int >= 1
        :math:`m`, the width of a code (and of a centre).
    alpha : float > 0, default=1.0
        The degrees of freedom :math:`\alpha` of the Student's t kernel, eq. (2). DEC uses 1
        (the Cauchy kernel of t-SNE).
    centers : array-like of shape (n_clusters, n_features), optional
        The starting centres (copied, in ``dtype``), e.g. from k-means on the codes. None
        draws them standard normal from ``random_state``.
    random_state : int, numpy.random.Generator or None
        Seeds the centres when ``centers`` is None.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32

    Attributes
    ----------
    params : dict
        ``"centers"``, :math:`M` of shape (n_clusters, n_features), row :math:`j` is
        :math:`\mu_j`.
    grads : dict
        ``"centers"``, filled by :meth:`backward`.

    Notes
    -----
    **Forward.** For codes :math:`z_i` (rows of :math:`Z`, shape (n, m)) and centres
    :math:`\mu_j`, with the squared distances

    .. math:: d_{ij} = \|z_i - \mu_j\|^2,                                           \tag{1}

    the Student's t kernel and its normalisation over the clusters are (Xie et al. 2016,
    eq. (1))

    .. math:: k_{ij} = \Big(1 + \frac{d_{ij}}{\alpha}\Big)^{-\frac{\alpha + 1}{2}}, \qquad
              q_{ij} = \frac{k_{ij}}{s_i}, \quad s_i = \sum_{l=1}^K k_{il}.          \tag{2}

    :math:`q_{ij}` reads as the probability that sample :math:`i` belongs to cluster
    :math:`j`. It is computed as a softmax of :math:`\log k_{ij} = -\frac{\alpha+1}{2}
    \log(1 + d_{ij}/\alpha)` over :math:`j`, so far codes do not underflow to 0/0.

    **Backward.** Given :math:`G = \partial L / \partial Q` for any loss :math:`L`:

    1. through the normalisation, :math:`\partial q_{il} / \partial k_{ij} =
       \delta_{lj}/s_i - k_{il}/s_i^2`, so

       .. math:: \frac{\partial L}{\partial k_{ij}} = \frac{1}{s_i}\Big(G_{ij}
                 - \sum_l G_{il}\, q_{il}\Big);                                     \tag{3}

    2. through the kernel, :math:`\partial k_{ij} / \partial d_{ij} = -\frac{\alpha+1}{2\alpha}
       k_{ij} (1 + d_{ij}/\alpha)^{-1}`, and with :math:`k_{ij}/s_i = q_{ij}`,

       .. math:: H_{ij} = \frac{\partial L}{\partial d_{ij}} = -\frac{\alpha + 1}{2\alpha}\,
                 \frac{q_{ij}\big(G_{ij} - \sum_l G_{il} q_{il}\big)}{1 + d_{ij}/\alpha}; \tag{4}

    3. through eq. (1), :math:`\partial d_{ij}/\partial z_i = 2(z_i - \mu_j) =
       -\partial d_{ij}/\partial \mu_j`, so

       .. math:: \frac{\partial L}{\partial z_i} = 2\sum_j H_{ij}(z_i - \mu_j), \qquad
                 \frac{\partial L}{\partial \mu_j} = -2\sum_i H_{ij}(z_i - \mu_j).   \tag{5}

       In matrix form, :math:`\partial L/\partial Z = 2(\operatorname{diag}(H\mathbf 1) Z - H M)`
       and :math:`\partial L/\partial M = -2(H^\top Z - \operatorname{diag}(H^\top \mathbf 1) M)`:
       two small products, no (n, K, m) array.

    **The KL special case.** For DEC's loss :math:`L = \frac1n \sum_{ij} p_{ij}\log(p_{ij}/q_{ij})`
    with :math:`P` held fixed, :math:`G_{ij} = -p_{ij}/(n q_{ij})` (eq. (2) of
    :class:`~neuroclust.nn.KLDivergence`) and :math:`\sum_l G_{il} q_{il} = -\frac1n \sum_l
    p_{il} = -\frac1n`, so eq. (4) becomes :math:`H_{ij} = \frac{\alpha+1}{2\alpha n}
    (p_{ij} - q_{ij})(1 + d_{ij}/\alpha)^{-1}` and eq. (5) gives the paper's eqs. (4)-(5)
    (divided by :math:`n`, since the loss here is a mean), :func:`kl_gradients`.

    References
    ----------
    J. Xie, R. Girshick and A. Farhadi, "Unsupervised deep embedding for clustering
    analysis", ICML 2016. L. van der Maaten and G. Hinton, "Visualizing data using t-SNE",
    JMLR 9, 2008.
    """

    def __init__(self, n_clusters, n_features, alpha=1.0, centers=None, random_state=None,
                 dtype=np.float32):
        super().__init__()
        k = check_scalar(n_clusters, "n_clusters", numbers.Integral, low=1)
        m = check_scalar(n_features, "n_features", numbers.Integral, low=1)
        self.alpha = float(check_scalar(alpha, "alpha", low=0, low_inclusive=False))
        self.dtype = check_dtype(dtype)
        if centers is None:
            M = check_random_state(random_state).standard_normal((k, m))
        else:
            M = check_array(centers, name="centers")
            if M.shape != (k, m):
                raise ValueError(f"centers has shape {M.shape}, but n_clusters={k} and "
                                 f"n_features={m} need ({k}, {m}).")
        self.params["centers"] = array_module(M).array(M, dtype=self.dtype)   # a copy
        self.grads["centers"] = array_module(M).zeros_like(self.params["centers"])
        self._cache = None

    def config(self):
        """``n_clusters``, ``n_features`` and ``alpha`` (see :meth:`Layer.config`)."""
        k, m = (int(s) for s in self.params["centers"].shape)
        return {"n_clusters": k, "n_features": m, "alpha": self.alpha}

    def forward(self, x, training=False):
        """Eqs. (1), (2): ``x`` the codes (n_samples, n_features), returns Q (n_samples,
        n_clusters) whose rows sum to 1."""
        Z = check_input(x, "x", ndim=2).astype(self.dtype, copy=False)
        self._follow(Z)
        M = self.params["centers"]
        if Z.shape[1] != M.shape[1]:
            raise ValueError(f"x has {Z.shape[1]} features, but this ClusteringLayer's centres "
                             f"have n_features={M.shape[1]}.")
        xp = array_module(Z)
        # ||z||^2 - 2 z.mu + ||mu||^2: one product, no (n, K, m) array; >= 0 despite rounding
        d = xp.maximum((Z * Z).sum(axis=1)[:, None] - 2 * Z @ M.T
                       + (M * M).sum(axis=1)[None, :], 0)                         # eq. (1)
        log1p_d = xp.log1p(d / self.alpha)                                        # (n, K)
        log_k = -(self.alpha + 1) / 2 * log1p_d
        E = xp.exp(log_k - log_k.max(axis=1, keepdims=True))
        Q = E / E.sum(axis=1, keepdims=True)                                      # eq. (2)
        self._cache = (Z, Q, xp.exp(-log1p_d))          # (1 + d / alpha)^-1, for eq. (4)
        return Q

    def backward(self, dy):
        """Eqs. (3)-(5): fills ``grads["centers"]``, returns dL/dx (n_samples, n_features)."""
        require_forward(self, self._cache)
        Z, Q, inverse = self._cache
        M = self.params["centers"]
        G = check_upstream(dy, Q.shape).astype(self.dtype, copy=False)
        centred = G - (G * Q).sum(axis=1, keepdims=True)                          # eq. (3)
        H = -(self.alpha + 1) / (2 * self.alpha) * Q * centred * inverse          # eq. (4)
        self.grads["centers"] = -2 * (H.T @ Z - H.sum(axis=0)[:, None] * M)       # eq. (5)
        return 2 * (H.sum(axis=1)[:, None] * Z - H @ M)                           # eq. (5)


def dec_target(q):
    r"""DEC's target distribution :math:`P` from soft assignments :math:`Q`.

    Parameters
    ----------
    q : array-like of shape (n_samples, n_clusters)
        Soft assignments, rows summing to 1 (the output of :class:`ClusteringLayer`).

    Returns
    -------
    ndarray of shape (n_samples, n_clusters)
        :math:`P`, in q's dtype and array module.

    Notes
    -----
    Squaring :math:`q_{ij}` sharpens each row toward its largest entry; dividing by the
    soft cluster frequency :math:`f_j` keeps large clusters from swallowing the others
    (Xie et al. 2016, eq. (3)):

    .. math:: f_j = \sum_i q_{ij}, \qquad
              p_{ij} = \frac{q_{ij}^2 / f_j}{\sum_{l} q_{il}^2 / f_l}.              \tag{1}

    A cluster with no mass (:math:`f_j = 0`) has :math:`q_{ij} = 0` in every row and keeps
    :math:`p_{ij} = 0`.
    """
    Q = check_array(q, name="q")
    if bool((Q < 0).any()):
        raise ValueError("q must be non-negative: it holds soft assignments.")
    xp = array_module(Q)
    f = Q.sum(axis=0)                                                             # eq. (1)
    W = Q * Q / xp.where(f > 0, f, 1)
    s = W.sum(axis=1, keepdims=True)
    if not bool((s > 0).all()):
        raise ValueError("q has a row of zeros; each row must hold soft assignments that "
                         "sum to 1.")
    return W / s                                                                  # eq. (1)


def kl_gradients(Z, centers, P, alpha=1.0):
    r"""The closed-form gradients of DEC's loss :math:`KL(P\,\|\,Q)` (P held fixed).

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        The codes.
    centers : array-like of shape (n_clusters, n_features)
        The centres :math:`\mu_j`.
    P : array-like of shape (n_samples, n_clusters)
        The target.
    alpha : float > 0, default=1.0

    Returns
    -------
    dZ, dcenters : ndarray
        :math:`\partial L / \partial z_i` and :math:`\partial L / \partial \mu_j` for the
        mean loss :math:`L = \frac1n \sum_i \sum_j p_{ij} \log(p_{ij}/q_{ij})`
        (:class:`~neuroclust.nn.KLDivergence` on the output of :class:`ClusteringLayer`).

    Notes
    -----
    Xie et al. (2016), eqs. (4) and (5), divided by :math:`n` for the mean, with
    :math:`q_{ij}` from eq. (2) of :class:`ClusteringLayer`:

    .. math:: \frac{\partial L}{\partial z_i} = \frac{\alpha+1}{\alpha n} \sum_j
              \Big(1 + \frac{\|z_i - \mu_j\|^2}{\alpha}\Big)^{-1} (p_{ij} - q_{ij})
              (z_i - \mu_j),                                                        \tag{1}

    .. math:: \frac{\partial L}{\partial \mu_j} = -\frac{\alpha+1}{\alpha n} \sum_i
              \Big(1 + \frac{\|z_i - \mu_j\|^2}{\alpha}\Big)^{-1} (p_{ij} - q_{ij})
              (z_i - \mu_j).                                                        \tag{2}

    This is the special case of eqs. (3)-(5) of :class:`ClusteringLayer` worked out in its
    docstring; the tests check that both agree.
    """
    Z = check_array(Z, name="Z")
    M = check_array(centers, name="centers").astype(Z.dtype, copy=False)
    P = check_array(P, name="P").astype(Z.dtype, copy=False)
    alpha = float(check_scalar(alpha, "alpha", low=0, low_inclusive=False))
    if M.shape[1] != Z.shape[1] or P.shape != (Z.shape[0], M.shape[0]):
        raise ValueError(f"Z {Z.shape}, centers {M.shape} and P {P.shape} do not fit: they "
                         "must be (n, m), (K, m) and (n, K).")
    xp = array_module(Z)
    layer = ClusteringLayer(M.shape[0], M.shape[1], alpha=alpha, centers=M, dtype=Z.dtype)
    Q = layer.forward(Z)
    D = Z[:, None, :] - M[None, :, :]                                    # z_i - mu_j, (n, K, m)
    weight = (P - Q) / (1 + xp.einsum("ijk,ijk->ij", D, D) / alpha)      # (n, K)
    scale = (alpha + 1) / (alpha * Z.shape[0])
    dZ = scale * xp.einsum("ij,ijk->ik", weight, D)                               # eq. (1)
    dM = -scale * xp.einsum("ij,ijk->jk", weight, D)                              # eq. (2)
    return dZ, dM
