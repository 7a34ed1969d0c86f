r"""Losses: a scalar from a prediction and a target, and its gradient for backpropagation.

Every loss here has the same two calls:

- ``forward(prediction, target) -> float`` computes the loss and caches what the gradient
  needs;
- ``backward() -> ndarray`` returns :math:`\partial L / \partial\, \text{prediction}`, of the
  prediction's shape and dtype.

Each loss is a **mean over samples** (rows) of a per-sample loss that **sums** over the
sample's entries: :math:`L = \frac1n \sum_i \ell_i`. So the gradient carries a factor
:math:`1/n`, and the loss of one sample does not change when the batch grows.
"""
import numbers
from abc import ABC, abstractmethod

import numpy as np

from .._validation import array_module, check_array, check_scalar, ndim_of, to_module
from ._checks import require_forward

__all__ = ["Loss", "MeanSquaredError", "ShiftInvariantMSE", "BinaryCrossEntropy", "SoftmaxCrossEntropy",
           "KLDivergence"]


class Loss(ABC):
    """Base class: ``forward(prediction, target) -> float`` and ``backward() -> dprediction``."""

    def __init__(self):
        self._cache = None

    @abstractmethod
    def forward(self, prediction, target):
        """The loss of ``prediction`` against ``target``; caches what ``backward`` needs."""

    @abstractmethod
    def backward(self):
        """The gradient of the last ``forward``'s loss with respect to ``prediction``."""

    def __call__(self, prediction, target):
        return self.forward(prediction, target)

    def _cached(self):
        require_forward(self, self._cache)
        return self._cache


def _check_pair(prediction, target, name="target"):
    """A 2-D float prediction and a target of the same shape, in the prediction's dtype and
    array module (NumPy or CuPy)."""
    prediction = check_array(prediction, name="prediction")
    target = check_array(target, name=name)
    if target.shape != prediction.shape:
        raise ValueError(f"{name} has shape {target.shape}, but prediction has shape "
                         f"{prediction.shape}; they must match.")
    target = to_module(target, array_module(prediction))
    return prediction, target.astype(prediction.dtype, copy=False)


class MeanSquaredError(Loss):
    r"""Squared error summed over a sample's features, averaged over samples.

    Notes
    -----
    For a prediction :math:`P` and a target :math:`T`, both of shape (n, d),

    .. math:: L = \frac1n \sum_{i=1}^n \sum_{j=1}^d (p_{ij} - t_{ij})^2,            \tag{1}

    .. math:: \frac{\partial L}{\partial p_{ij}} = \frac2n (p_{ij} - t_{ij}).        \tag{2}
    """

    def forward(self, prediction, target):
        """Eq. (1); ``prediction`` and ``target`` of shape (n_samples, n_features)."""
        P, T = _check_pair(prediction, target)
        D = P - T                                                                 # (n, d)
        self._cache = D
        return float(np.sum(D * D) / P.shape[0])                                  # eq. (1)

    def backward(self):
        """Eq. (2), shape (n_samples, n_features)."""
        D = self._cached()
        return 2 * D / D.shape[0]                                                 # eq. (2)


class ShiftInvariantMSE(Loss):
    r"""Squared error after the best circular shift of each predicted signal.

    For signals whose start is arbitrary (a phase shift), the error of a prediction should not
    depend on where it starts: each sample's prediction is rotated along time to line up best
    with its target, then compared as in :class:`MeanSquaredError`. An autoencoder trained on
    this loss (Matsuo et al.'s "relaxed reconstruction") need not store *when* in its code,
    only *what*.

    Parameters
    ----------
    channels : int >= 1, default=1
        Each row of the prediction and target holds ``channels`` signals of equal length, one
        after the other (a flattened (channels, length) sample); they are shifted together.

    Attributes
    ----------
    shifts_ : ndarray of int, shape (n_samples,)
        The best shift :math:`s^*_i` of each sample in the last ``forward``.

    Notes
    -----
    With a prediction :math:`P` and target :math:`T` of shape (n, C, N) (:math:`N` time steps) and the circular shift
    :math:`(S_s p)_{cj} = p_{c, (j - s) \bmod N}` (``np.roll(p, s, axis=-1)``),

    .. math:: \ell_i = \min_{0 \le s < N} \|S_s p_i - t_i\|^2, \qquad
              L = \frac1n \sum_{i=1}^n \ell_i.                                          \tag{1}

    A shift does not change :math:`\|p_i\|`, so the best :math:`s` maximises the circular
    cross-correlation :math:`r_i(s) = \sum_{c,j} p_{i,c,(j-s) \bmod N}\, t_{icj}`, all
    :math:`N` of which one FFT gives: with :math:`\mathcal F` the discrete Fourier transform
    along time,

    .. math:: r_i = \mathcal F^{-1}\Big(\sum_c \overline{\mathcal F(p_{ic})}\,
              \mathcal F(t_{ic})\Big), \qquad s^*_i = \arg\max_s r_i(s).                \tag{2}

    Away from ties the minimum is attained at one :math:`s^*_i`, so the gradient is that of
    eq. (1) of :class:`MeanSquaredError` with the target shifted back by :math:`s^*_i`:

    .. math:: \frac{\partial L}{\partial p_{icm}} = \frac2n \big(p_{icm} -
              t_{i,c,(m + s^*_i) \bmod N}\big).                                        \tag{3}

    References
    ----------
    T. Matsuo, H. Fukuhara and N. Shimada, "Transform invariant auto-encoder", IEEE/RSJ
    IROS 2017 (arXiv:1709.03754).
    J. Paparrizos and L. Gravano, "k-Shape: efficient and accurate clustering of time series",
    SIGMOD 2015 (shift-invariant distances by cross-correlation through the FFT).
    """

    def __init__(self, channels=1):
        super().__init__()
        self.channels = int(check_scalar(channels, "channels", numbers.Integral, low=1))
        self.shifts_ = None

    def forward(self, prediction, target):
        """Eq. (1); ``prediction`` and ``target`` of shape (n_samples, channels * length)."""
        P, T = _check_pair(prediction, target)
        if P.shape[1] % self.channels:
            raise ValueError(f"prediction has {P.shape[1]} values per sample, which do not "
                             f"split into channels={self.channels} signals of equal length.")
        n, length = P.shape[0], P.shape[1] // self.channels
        xp = array_module(P)
        P3, T3 = P.reshape(n, self.channels, length), T.reshape(n, self.channels, length)
        spectrum = xp.conj(xp.fft.rfft(P3, axis=2)) * xp.fft.rfft(T3, axis=2)
        correlation = xp.fft.irfft(spectrum.sum(axis=1), n=length, axis=1)      # eq. (2)
        shifts = xp.argmax(correlation, axis=1)
        aligned = circular_shift(T3, -shifts)                    # t_{i,c,(m+s*) mod L}
        D = (P3 - aligned).reshape(P.shape)
        self.shifts_, self._cache = shifts, D
        return float(np.sum(D * D) / n)                                           # eq. (1)

    def backward(self):
        """Eq. (3), shape (n_samples, channels * length)."""
        D = self._cached()
        return 2 * D / D.shape[0]                                                 # eq. (3)


def circular_shift(X, shifts):
    """Each row of X (n, ..., length) rotated along its last axis by its own shift: row ``i``
    becomes ``np.roll(X[i], shifts[i], axis=-1)``, i.e. entry ``j`` takes ``(j - s) mod L``."""
    length, xp = X.shape[-1], array_module(X)
    index = (xp.arange(length) - xp.asarray(shifts)[:, None]) % length        # (n, length)
    index = index.reshape((X.shape[0],) + (1,) * (X.ndim - 2) + (length,))
    return xp.take_along_axis(X, xp.broadcast_to(index, X.shape), axis=-1)


class BinaryCrossEntropy(Loss):
    r"""Binary cross-entropy computed from logits, stable for any :math:`|z|`.

    ``prediction`` holds the logits :math:`z` (before the sigmoid), ``target`` the labels
    :math:`y \in [0, 1]`, both of shape (n_samples, n_outputs).

    Notes
    -----
    With :math:`\sigma(z) = 1 / (1 + e^{-z})`, the naive per-entry loss
    :math:`-y \log\sigma(z) - (1 - y) \log(1 - \sigma(z))` equals

    .. math:: \ell(z, y) = \max(z, 0) - z y + \log\left(1 + e^{-|z|}\right),          \tag{1}

    which never exponentiates a positive number, so it stays finite for :math:`|z| = 1000`
    where :math:`\sigma(z)` rounds to 0 or 1. The loss and its gradient are

    .. math:: L = \frac1n \sum_{i,j} \ell(z_{ij}, y_{ij}), \qquad
              \frac{\partial L}{\partial z_{ij}} = \frac1n (\sigma(z_{ij}) - y_{ij}).   \tag{2}
    """

    def forward(self, prediction, target):
        """Eqs. (1) and (2); the logits and the labels, shape (n_samples, n_outputs)."""
        z, y = _check_pair(prediction, target)
        if np.any((y < 0) | (y > 1)):
            raise ValueError("target must hold labels (or probabilities) in [0, 1].")
        self._cache = (z, y)
        ell = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))             # eq. (1)
        return float(np.sum(ell) / z.shape[0])                                    # eq. (2)

    def backward(self):
        """Eq. (2), shape (n_samples, n_outputs)."""
        z, y = self._cached()
        return (_sigmoid(z) - y) / z.shape[0]                                     # eq. (2)


def _sigmoid(z):
    """The logistic function without overflow: :math:`e^{-|z|}` is all it exponentiates."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


class SoftmaxCrossEntropy(Loss):
    r"""Cross-entropy of the softmax of logits, from integer labels or one-hot rows.

    ``prediction`` holds the logits :math:`Z` of shape (n_samples, n_classes); ``target`` is
    either integer labels of shape (n_samples,) in ``0 .. n_classes - 1`` or rows of shape
    (n_samples, n_classes) that are one-hot (any probability rows summing to 1 work too).

    Notes
    -----
    With :math:`m_i = \max_j z_{ij}` subtracted for stability (it cancels),

    .. math:: L = \frac1n \sum_i \Big( m_i + \log \sum_j e^{z_{ij} - m_i}
              - \sum_j t_{ij} z_{ij} \Big),                                        \tag{1}

    .. math:: \frac{\partial L}{\partial z_{ij}} = \frac1n\big(\operatorname{softmax}(z_i)_j
              - t_{ij}\big),                                                       \tag{2}

    where eq. (2) uses :math:`\sum_j t_{ij} = 1`.
    """

    def forward(self, prediction, target):
        """Eq. (1); logits (n_samples, n_classes), labels (n_samples,) or rows like the logits."""
        Z = check_array(prediction, name="prediction")
        T = _one_hot(target, Z)
        shifted = Z - Z.max(axis=1, keepdims=True)                                # (n, k)
        log_sum = np.log(np.sum(np.exp(shifted), axis=1))                         # (n,)
        self._cache = (shifted, T)
        return float(np.sum(log_sum - np.sum(T * shifted, axis=1)) / Z.shape[0])  # eq. (1)

    def backward(self):
        """Eq. (2), shape (n_samples, n_classes)."""
        shifted, T = self._cached()
        E = np.exp(shifted)
        return (E / E.sum(axis=1, keepdims=True) - T) / T.shape[0]                # eq. (2)


def _one_hot(target, Z):
    """Integer labels become one-hot rows; rows are checked to sum to 1."""
    n, k = Z.shape
    xp = array_module(Z)
    if ndim_of(target) == 1:
        labels = check_array(target, name="target", ndim=1, dtype="int")
        if labels.shape[0] != n:
            raise ValueError(f"target has {labels.shape[0]} labels, but prediction has {n} rows.")
        if labels.min() < 0 or labels.max() >= k:
            raise ValueError(f"target labels must lie in 0 .. {k - 1} (one per class), got "
                             f"values from {labels.min()} to {labels.max()}.")
        T = xp.zeros_like(Z)
        T[xp.arange(n), to_module(labels, xp)] = 1
        return T
    Z, T = _check_pair(Z, target)
    _check_rows(T, "target")
    return T


def _check_rows(P, name):
    """Rows of non-negative entries that sum to 1 (within a tolerance for the dtype)."""
    if np.any(P < 0):
        raise ValueError(f"{name} must be non-negative; it holds a distribution in each row.")
    tol = 1e-3 if P.dtype == np.float32 else 1e-5
    worst = float(np.max(np.abs(P.sum(axis=1) - 1)))
    if worst > tol:
        raise ValueError(f"{name} rows must sum to 1, but one is off by {worst:.3g}.")


class KLDivergence(Loss):
    r"""Kullback-Leibler divergence :math:`KL(P \,\|\, Q)` of the prediction from the target.

    ``target`` is :math:`P` (the reference distribution, e.g. DEC's sharpened target),
    ``prediction`` is :math:`Q` (e.g. soft cluster assignments). Both have shape
    (n_samples, n_classes) with rows of non-negative entries summing to 1.

    Parameters
    ----------
    eps : float, default=1e-12
        Lower bound on :math:`Q` inside the logarithm: :math:`\tilde q = \max(q, \epsilon)`,
        so a zero prediction where the target is positive gives a large finite loss
        instead of infinity (its gradient is then taken as zero). Entries with
        :math:`p = 0` contribute nothing (:math:`0 \log 0 = 0`).

    Notes
    -----
    .. math:: L = \frac1n \sum_i \sum_{j:\, p_{ij} > 0} p_{ij}
              \log\frac{p_{ij}}{\tilde q_{ij}},                                    \tag{1}

    .. math:: \frac{\partial L}{\partial q_{ij}} = -\frac1n \frac{p_{ij}}{q_{ij}}
              \quad (q_{ij} > \epsilon;\ 0 \text{ otherwise}).                    \tag{2}

    The gradient treats the entries of :math:`Q` as free: keeping rows on the simplex is the
    job of the layer that produced them (a softmax, or Student's t assignments).

    References
    ----------
    S. Kullback and R. A. Leibler, "On information and sufficiency", Ann. Math. Statist. 22,
    1951. J. Xie, R. Girshick and A. Farhadi, "Unsupervised deep embedding for clustering
    analysis" (DEC), ICML 2016.
    """

    def __init__(self, eps=1e-12):
        super().__init__()
        self.eps = check_scalar(eps, "eps", low=0, low_inclusive=False)

    def forward(self, prediction, target):
        """Eq. (1); ``prediction`` Q and ``target`` P, shape (n_samples, n_classes)."""
        Q, P = _check_pair(prediction, target)
        _check_rows(Q, "prediction")
        _check_rows(P, "target")
        Q_tilde = np.maximum(Q, self.eps)
        self._cache = (P, Q, Q_tilde)
        terms = np.where(P > 0, P * np.log(np.where(P > 0, P, 1) / Q_tilde), 0)
        return float(np.sum(terms) / P.shape[0])                                  # eq. (1)

    def backward(self):
        """Eq. (2), shape (n_samples, n_classes)."""
        P, Q, Q_tilde = self._cached()
        return np.where(Q > self.eps, -P / Q_tilde, 0) / P.shape[0]              # eq. (2)
