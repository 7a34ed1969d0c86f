r"""One-dimensional pooling: MaxPool1D, AveragePool1D and GlobalAveragePool1D, for
(n_samples, channels, length).

Each channel is pooled on its own over windows of ``pool_size`` positions that start every
``stride`` positions (``stride=None`` means ``stride=pool_size``: windows that touch but do
not overlap). There is no padding: positions after the last whole window are dropped, and
get a zero gradient. Windows are gathered with the same im2col view as
:class:`~neuroclust.nn.Conv1D`, and the gradient is scattered back with one slice per
position in the window (a loop over ``pool_size``, never over samples or positions), so
overlapping windows (``stride < pool_size``) add up their gradients correctly. The output
keeps the input's dtype (float32 stays float32; non-float input becomes float64).
GlobalAveragePool1D averages each channel over the whole signal, whatever its length.
"""
import numbers

from .._validation import array_module, check_scalar
from ._checks import check_input, check_upstream, require_forward
from .conv import _scatter, _windows
from .layer import Layer

__all__ = ["MaxPool1D", "AveragePool1D", "GlobalAveragePool1D"]


class _Pool1D(Layer):
    """Bookkeeping shared by the two pooling layers: arguments, input checks, eq. (1)."""

    def __init__(self, pool_size, stride=None):
        super().__init__()
        self.pool_size = int(check_scalar(pool_size, "pool_size", numbers.Integral, low=1))
        if stride is None:
            stride = self.pool_size
        self.stride = int(check_scalar(stride, "stride", numbers.Integral, low=1))
        self._in_shape = self._dtype = None

    def config(self):
        """``pool_size`` and ``stride`` (see :meth:`~neuroclust.nn.Layer.config`)."""
        return {"pool_size": self.pool_size, "stride": self.stride}

    def output_length(self, length):
        """The number of whole windows in ``length`` positions."""
        if length < self.pool_size:
            raise ValueError(f"pool_size={self.pool_size} is larger than the input "
                             f"(length {length}).")
        return (length - self.pool_size) // self.stride + 1

    def _gather(self, x):
        """Validate x (n, channels, length); return it and its windows (n, c, L_out, P)."""
        X = check_input(x, "x", ndim=3)
        L_out = self.output_length(X.shape[2])
        self._in_shape, self._dtype = X.shape, X.dtype
        return X, _windows(X, self.pool_size, self.stride, L_out)

    def _upstream(self, dy):
        """Validate dy against the last forward's output; return it in the input's dtype."""
        require_forward(self, self._in_shape)
        n, c, length = self._in_shape
        G = check_upstream(dy, (n, c, self.output_length(length)))
        return G.astype(self._dtype, copy=False)


class MaxPool1D(_Pool1D):
    r"""The largest value of each window.

    Parameters
    ----------
    pool_size : int
        The window length :math:`P`.
    stride : int or None, default=None
        The step :math:`s` between window starts; ``None`` means :math:`s = P`.

    Notes
    -----
    For :math:`X` of shape (n, C, N) (:math:`N` time steps; :math:`L` is the loss), the output
    has shape (n, C, :math:`N_{out}`) with

    .. math:: N_{out} = \left\lfloor \frac{N - P}{s} \right\rfloor + 1,\qquad
              Y_{ict} = \max_{0 \le k < P} X_{i, c, st + k}.                         \tag{1}

    With :math:`k^*_{ict}` the position of the maximum in window :math:`t` (the *first* such
    position when several entries tie: ``np.argmax``), the gradient goes to that one entry:

    .. math:: \frac{\partial L}{\partial X_{icj}} = \sum_{t:\ st + k^*_{ict} = j}
              \frac{\partial L}{\partial Y_{ict}}.                                  \tag{2}

    At a tie the max is not differentiable; sending the whole gradient to the first index is
    one valid subgradient, and the one PyTorch uses.
    """

    def __init__(self, pool_size, stride=None):
        super().__init__(pool_size, stride)
        self._argmax = None

    def forward(self, x, training=False):
        """Eq. (1); ``x`` of shape (n_samples, channels, length)."""
        X, cols = self._gather(x)                                  # cols: (n, C, L_out, P)
        self._argmax = cols.argmax(axis=3)                         # first index on a tie
        return cols.max(axis=3)                                                   # eq. (1)

    def backward(self, dy):
        """Eq. (2): returns dL/dx of shape (n_samples, channels, length)."""
        G = self._upstream(dy)                                     # (n, C, L_out)
        xp = array_module(G)
        onehot = self._argmax[..., None] == xp.arange(self.pool_size)  # (n, C, L_out, P)
        return _scatter(onehot * G[..., None], self.stride, self._in_shape[2])    # eq. (2)


class AveragePool1D(_Pool1D):
    r"""The mean of each window.

    Parameters
    ----------
    pool_size : int
        The window length :math:`P`.
    stride : int or None, default=None
        The step :math:`s` between window starts; ``None`` means :math:`s = P`.

    Notes
    -----
    For :math:`X` of shape (n, C, N), the output has shape (n, C, :math:`N_{out}`),
    :math:`N_{out} = \lfloor (N - P) / s \rfloor + 1`, with

    .. math:: Y_{ict} = \frac{1}{P} \sum_{k=0}^{P-1} X_{i, c, st + k},              \tag{1}

    .. math:: \frac{\partial L}{\partial X_{icj}} = \frac{1}{P} \sum_{k, t:\ st + k = j}
              \frac{\partial L}{\partial Y_{ict}}.                                  \tag{2}
    """

    def forward(self, x, training=False):
        """Eq. (1); ``x`` of shape (n_samples, channels, length)."""
        X, cols = self._gather(x)                                  # cols: (n, C, L_out, P)
        return cols.mean(axis=3)                                                  # eq. (1)

    def backward(self, dy):
        """Eq. (2): returns dL/dx of shape (n_samples, channels, length)."""
        G = self._upstream(dy)                                     # (n, C, L_out)
        cols = array_module(G).broadcast_to(G[..., None] / self.pool_size,
                                            G.shape + (self.pool_size,))
        return _scatter(cols, self.stride, self._in_shape[2])                     # eq. (2)


class GlobalAveragePool1D(Layer):
    r"""The mean of each channel over all positions: (n, C, N) becomes (n, C).

    Where in the signal a feature fired is averaged away, so a stack of convolutions followed
    by this layer describes *what* the signal contains and not *when*: shifting the input
    (circularly, or far from its ends with zero padding) leaves the output unchanged.

    Notes
    -----
    For :math:`X` of shape (n, C, N) (:math:`N` positions; :math:`L` is the loss),

    .. math:: Y_{ic} = \frac1N \sum_{j=0}^{N-1} X_{icj},                               \tag{1}

    .. math:: \frac{\partial L}{\partial X_{icj}} = \frac1N
              \frac{\partial L}{\partial Y_{ic}}.                                      \tag{2}
    """

    def __init__(self):
        super().__init__()
        self._in_shape = self._dtype = None

    def forward(self, x, training=False):
        """Eq. (1); ``x`` of shape (n_samples, channels, length), returns (n_samples, channels)."""
        X = check_input(x, "x", ndim=3)
        self._in_shape, self._dtype = X.shape, X.dtype
        return X.mean(axis=2)                                                     # eq. (1)

    def backward(self, dy):
        """Eq. (2): returns dL/dx of shape (n_samples, channels, length)."""
        require_forward(self, self._in_shape)
        n, c, length = self._in_shape
        G = check_upstream(dy, (n, c)).astype(self._dtype, copy=False)
        return array_module(G).repeat(G[:, :, None] / length, length, axis=2)     # eq. (2)
