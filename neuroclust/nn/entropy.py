r"""The entropy of a soft code as a term of the loss: a layer that passes its input on unchanged.

Used by the softmax-bottleneck autoencoder: ``models/softmax_autoencoder.py`` ->
``nn/activations.py`` (:class:`~neuroclust.nn.Softmax` with a temperature) -> this file ->
``nn/training.py`` (which adds the term to the loss) -> ``docs/algorithms/softmax_autoencoder.md``
-> ``tutorials/plot_09_softmax_bottleneck.py``.
"""
import numpy as np

from .._validation import check_scalar
from ._checks import check_input, check_upstream, require_forward
from .layer import Layer

__all__ = ["EntropyPenalty"]


class EntropyPenalty(Layer):
    r"""Charge ``weight`` times the mean entropy of the rows of its input, a soft code.

    Placed after a :class:`~neuroclust.nn.Softmax`, it leaves the code as it is (forward is
    the identity) and adds :math:`\lambda H` to the loss (:meth:`extra_losses`, which
    :func:`~neuroclust.nn.train` adds and records under ``"entropy"``): with :math:`\lambda > 0`
    training prefers codes near a one-hot row, one unit per sample, as a hard clustering
    gives.

    Parameters
    ----------
    weight : float >= 0, default=0.0
        :math:`\lambda` of eq. (2). 0 adds nothing, but the entropy is still measured.
    eps : float > 0, default=1e-12
        The floor :math:`\epsilon` inside the logarithm of eq. (1), so a code entry of 0
        gives a finite term.

    Notes
    -----
    For a batch of codes :math:`Q` of shape (n, K), rows on the simplex, with
    :math:`\tilde q = \max(q, \epsilon)`,

    .. math:: H = \frac1n \sum_{i=1}^n \Big(-\sum_{k=1}^K q_{ik} \log \tilde q_{ik}\Big),  \tag{1}

    between 0 (every row one-hot) and :math:`\log K` (every row uniform). The layer's
    output is its input, and the loss it adds is

    .. math:: L_H = \lambda H.                                                          \tag{2}

    Each term depends on its own entry only: for :math:`q > \epsilon`,
    :math:`\frac{d}{dq}(-q \log q) = -\log q - 1`; below the floor the term is
    :math:`-q \log \epsilon`, of derivative :math:`-\log \epsilon`. So ``backward`` adds to
    the upstream gradient :math:`g` (the identity's Jacobian passes it on)

    .. math:: \frac{\partial L}{\partial q_{ik}} = g_{ik} - \frac{\lambda}{n}
              \begin{cases} \log q_{ik} + 1 & q_{ik} > \epsilon \\
              \log \epsilon & q_{ik} \le \epsilon \end{cases}.                       \tag{3}

    On the simplex the constant 1 of eq. (3) changes nothing upstream: the softmax's
    backward (eq. (2) of :class:`~neuroclust.nn.Softmax`) cancels any constant added to a
    row.

    References
    ----------
    Y. Grandvalet and Y. Bengio, "Semi-supervised learning by entropy minimization", NIPS
    2004 (the mean per-sample entropy as a penalty towards confident assignments).
    """

    def __init__(self, weight=0.0, eps=1e-12):
        super().__init__()
        self.weight = check_scalar(weight, "weight", low=0)
        self.eps = check_scalar(eps, "eps", low=0, low_inclusive=False)
        self._cache = None
        self._entropy = None

    def config(self):
        """``weight`` and ``eps`` (see :meth:`Layer.config`)."""
        return {"weight": float(self.weight), "eps": float(self.eps)}

    def forward(self, x, training=False):
        """The input unchanged; measures eq. (1) for :meth:`extra_losses`."""
        Q = check_input(x, "x", ndim=2)
        log_q = np.log(np.maximum(Q, self.eps))
        self._entropy = float(-np.sum(Q * log_q) / Q.shape[0])                     # eq. (1)
        self._cache = (Q, log_q)
        return Q.copy()

    def extra_losses(self):
        """``{"entropy": (weight, H)}``: eq. (2) for the last ``forward`` (see
        :meth:`Layer.extra_losses`); ``{}`` before any."""
        if self._entropy is None:
            return {}
        return {"entropy": (float(self.weight), self._entropy)}                    # eq. (2)

    def backward(self, dy):
        r"""Eq. (3): the upstream gradient plus that of :math:`\lambda H`, shape (n, K)."""
        require_forward(self, self._cache)
        Q, log_q = self._cache
        dy = check_upstream(dy, Q.shape).astype(Q.dtype, copy=False)
        dH = -np.where(Q > self.eps, log_q + 1, log_q) / Q.shape[0]
        return dy + self.weight * dH                                               # eq. (3)
