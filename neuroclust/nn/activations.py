r"""Element-wise activations and the softmax: layers without parameters.

Each layer caches what its derivative needs in ``forward`` and multiplies the upstream
gradient by that derivative in ``backward`` (the chain rule,
:math:`\partial L / \partial x = \partial L / \partial y \cdot dy/dx`). The output keeps the
input's dtype (float32 stays float32; non-float input becomes float64). Any shape is
accepted; the softmax normalises over the last axis.
"""
import numpy as np

from .._validation import check_scalar
from ._checks import check_input, check_upstream, require_forward
from .layer import Layer

__all__ = ["Identity", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax"]


class _Activation(Layer):
    """Shared bookkeeping: check and cache in forward, check the upstream shape in backward."""

    def __init__(self):
        super().__init__()
        self._cache = None

    def forward(self, x, training=False):
        x = check_input(x)
        y = self._forward(x)
        self._cache = (x, y)
        return y

    def backward(self, dy):
        require_forward(self, self._cache)
        x, y = self._cache
        dy = check_upstream(dy, y.shape).astype(y.dtype, copy=False)
        return self._backward(x, y, dy)


class Identity(_Activation):
    r"""The identity, a placeholder where a layer is expected.

    Notes
    -----
    .. math:: y = x,                                                              \tag{1}

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}.         \tag{2}
    """

    def _forward(self, x):
        return x.copy()                                                          # eq. (1)

    def _backward(self, x, y, dy):
        return dy.copy()                                                         # eq. (2)


class ReLU(_Activation):
    r"""The rectified linear unit.

    Notes
    -----
    .. math:: y = \max(x, 0),                                                     \tag{1}

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\,[x > 0]
              \quad \text{(the derivative at 0 is taken as 0)}.                    \tag{2}

    :math:`[x > 0] = [y > 0]` for every :math:`x` (NaN included), so ``backward`` reads only
    the output. Inside a :class:`~neuroclust.nn.Sequential`, after a layer whose output is a
    new array no one else holds (:class:`~neuroclust.nn.Dense`), eq. (1) overwrites that
    array, and eq. (2) the gradient the next such layer returns: no block of activations is
    allocated, the same numbers.
    """

    def _forward(self, x):
        return np.maximum(x, 0)                                                  # eq. (1)

    def _backward(self, x, y, dy):
        return dy * (y > 0)                                                      # eq. (2)

    def _forward_in_place(self, x):
        y = np.maximum(x, 0, out=x)                                              # eq. (1)
        self._cache = (y, y)
        return y

    def _backward_in_place(self, dy):
        require_forward(self, self._cache)
        y = self._cache[1]
        if dy.shape != y.shape or dy.dtype != y.dtype:
            return self.backward(dy)
        return np.multiply(dy, y > 0, out=dy)                                    # eq. (2)


class LeakyReLU(_Activation):
    r"""The leaky ReLU: slope ``negative_slope`` (:math:`\alpha \ge 0`) below zero.

    Parameters
    ----------
    negative_slope : float, default=0.01

    Notes
    -----
    .. math:: y = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases},       \tag{1}

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}
              \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}.            \tag{2}

    References
    ----------
    A. L. Maas, A. Y. Hannun and A. Y. Ng, "Rectifier nonlinearities improve neural network
    acoustic models", ICML Workshop on Deep Learning, 2013.
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = check_scalar(negative_slope, "negative_slope", low=0)

    def config(self):
        """``negative_slope`` (see :meth:`Layer.config`)."""
        return {"negative_slope": float(self.negative_slope)}

    def _forward(self, x):
        return np.where(x > 0, x, self.negative_slope * x).astype(x.dtype)        # eq. (1)

    def _backward(self, x, y, dy):
        return dy * np.where(x > 0, 1, self.negative_slope).astype(x.dtype)       # eq. (2)


class Sigmoid(_Activation):
    r"""The logistic function, computed without overflow for any :math:`|x|`.

    Notes
    -----
    .. math:: y = \frac{1}{1 + e^{-x}} = \begin{cases} 1 / (1 + e^{-|x|}) & x \ge 0 \\
              e^{-|x|} / (1 + e^{-|x|}) & x < 0 \end{cases},                       \tag{1}

    the second form exponentiating only :math:`-|x| \le 0`, so :math:`x = \pm 1000` gives
    exactly 1 and 0 with no overflow warning.

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\, y (1 - y). \tag{2}
    """

    def _forward(self, x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))                        # eq. (1)

    def _backward(self, x, y, dy):
        return dy * y * (1 - y)                                                  # eq. (2)


class Tanh(_Activation):
    r"""The hyperbolic tangent.

    Notes
    -----
    .. math:: y = \tanh x,                                                        \tag{1}

    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} (1 - y^2). \tag{2}
    """

    def _forward(self, x):
        return np.tanh(x)                                                        # eq. (1)

    def _backward(self, x, y, dy):
        return dy * (1 - y * y)                                                  # eq. (2)


class Softmax(_Activation):
    r"""The softmax over the last axis, with a temperature: each row becomes a probability
    distribution.

    Parameters
    ----------
    temperature : float > 0, default=1.0
        :math:`\tau` of eq. (1): below 1 the distribution sharpens towards the one-hot row of
        the largest input, above 1 it flattens towards the uniform one; 1 is the plain
        softmax.

    Notes
    -----
    Subtracting the row maximum :math:`m = \max_k x_k` changes nothing mathematically and
    keeps every exponent :math:`\le 0`, so inputs like 1000 do not overflow:

    .. math:: y_j = \frac{e^{(x_j - m)/\tau}}{\sum_k e^{(x_k - m)/\tau}}.            \tag{1}

    With :math:`u_j = x_j / \tau`, :math:`y_j = e^{u_j} / \sum_k e^{u_k}`, so
    :math:`\partial y_j / \partial u_k = y_j \delta_{jk} - y_j y_k` (the derivative of the
    numerator, then of the denominator), and :math:`\partial u_k / \partial x_k = 1/\tau`:
    the Jacobian is :math:`\partial y_j / \partial x_k = y_j (\delta_{jk} - y_k) / \tau`.
    Its product with the upstream gradient :math:`g_j = \partial L / \partial y_j`, summed
    over :math:`j`, is

    .. math:: \frac{\partial L}{\partial x_k} = \frac{y_k}{\tau}\left(g_k
              - \sum_j g_j\, y_j\right),                                              \tag{2}

    computed in :math:`O(K)` per row without forming the :math:`K \times K` Jacobian. A
    constant added to every :math:`g_j` cancels: eq. (2) sees only how the upstream gradient
    varies across the row.

    For classification, prefer :class:`~neuroclust.nn.SoftmaxCrossEntropy` on the logits: it
    fuses the two and avoids :math:`\log 0`.
    """

    def __init__(self, temperature=1.0):
        super().__init__()
        self.temperature = check_scalar(temperature, "temperature", low=0,
                                        low_inclusive=False)

    def config(self):
        """``temperature`` (see :meth:`Layer.config`)."""
        return {"temperature": float(self.temperature)}

    def _forward(self, x):
        E = np.exp((x - x.max(axis=-1, keepdims=True)) / self.temperature)
        return E / E.sum(axis=-1, keepdims=True)                                 # eq. (1)

    def _backward(self, x, y, dy):
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True)) / self.temperature  # eq. (2)
