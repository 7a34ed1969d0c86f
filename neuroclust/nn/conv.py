r"""One-dimensional convolution: Conv1D and its adjoint, ConvTranspose1D.

Signals are laid out (n_samples, channels, length). Both layers compute with an
*im2col* gather: the windows of the (padded) signal are read into an array ``cols`` of
shape (n, channels, n_windows, kernel_size), and the layer is then one matrix product
(``np.tensordot``) with the weights. The way back is the *col2im* scatter-add: each kernel
tap adds its slice of the gradient into every ``stride``-th position of the signal, a loop
over the ``kernel_size`` taps, never over samples or positions.

Conv1D is a cross-correlation (the kernel is not flipped), as in every deep-learning
library. ConvTranspose1D's forward is Conv1D's backward with respect to its input, so the
two share a weight array of shape (channels of the signal, channels of the windows, kernel).
"""
import numbers

import numpy as np

from .._validation import array_module, check_choice, check_scalar
from ._checks import check_input, check_upstream, require_forward
from .dense import check_dtype, initial_weights
from .layer import Layer

__all__ = ["Conv1D", "ConvTranspose1D"]


def _windows(x, kernel_size, stride, n_windows):
    """im2col: (n, c, length) -> (n, c, n_windows, kernel_size), window t starting at s t.

    A strided view (no copy); ``tensordot`` copies it once into the matrix it multiplies.
    """
    view = array_module(x).lib.stride_tricks.sliding_window_view(x, kernel_size, axis=2)
    return view[:, :, : stride * (n_windows - 1) + 1 : stride, :]


def _scatter(cols, stride, length):
    """col2im, the adjoint of :func:`_windows`: (n, c, n_windows, k) -> (n, c, length).

    Position j receives the sum of every cols[:, :, t, k] with s t + k = j.
    """
    n, c, n_windows, kernel_size = cols.shape
    out = array_module(cols).zeros((n, c, length), dtype=cols.dtype)
    for k in range(kernel_size):                                     # one slice per tap
        out[:, :, k : k + stride * (n_windows - 1) + 1 : stride] += cols[:, :, :, k]
    return out


def _set_parameters(layer, c_in, c_out, K, weight_shape, init, random_state, dtype):
    """Sizes, dtype, initial weights (fans of C K) and a zero bias of a convolution layer."""
    check_choice(init, "init", ("he", "glorot"))
    layer.dtype = check_dtype(dtype)
    layer.in_channels, layer.out_channels, layer.kernel_size = int(c_in), int(c_out), int(K)
    layer.params["W"] = initial_weights(weight_shape, c_in * K, c_out * K, init, random_state,
                                        layer.dtype)
    layer.params["b"] = np.zeros(c_out, dtype=layer.dtype)
    layer.grads = {name: np.zeros_like(p) for name, p in layer.params.items()}


def _check_signal(x, channels, argument, layer):
    """Validate a (n, channels, length) input, convert it to the layer's dtype and move the
    layer's parameters to its array module."""
    X = check_input(x, "x", ndim=3).astype(layer.dtype, copy=False)
    layer._follow(X)
    if X.shape[1] != channels:
        raise ValueError(f"x has {X.shape[1]} channels, but this {type(layer).__name__} layer "
                         f"takes {argument}={channels}.")
    return X


class Conv1D(Layer):
    r"""A 1-D convolution (cross-correlation) from ``in_channels`` to ``out_channels``.

    Parameters
    ----------
    in_channels : int
    out_channels : int
    kernel_size : int
    stride : int, default=1
        The step between the starts of two windows.
    padding : int or "same", default=0
        Zeros added at both ends of each signal. ``"same"`` (stride 1 only) adds
        ``kernel_size - 1`` zeros in all, ``(kernel_size - 1) // 2`` on the left and the
        rest on the right, so that the output is as long as the input.
    init : {"he", "glorot"}, default="he"
        He: normal with variance :math:`2 / (C_{in} K)`; Glorot: uniform with variance
        :math:`2 / ((C_{in} + C_{out}) K)`. The bias starts at zero.
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        The dtype of the parameters and of the output; the input is converted to it.

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (out_channels, in_channels, kernel_size), ``"b"`` of shape
        (out_channels,).
    grads : dict
        The same names and shapes, filled by :meth:`backward`.

    Notes
    -----
    For :math:`X` of shape (n, :math:`C_{in}`, :math:`N`) (:math:`N` time steps; :math:`L` is
    the loss), padded with :math:`p_l` zeros on the left
    and :math:`p_r` on the right into :math:`\tilde X` (length :math:`N + p_l + p_r`), with
    kernel size :math:`K` and stride :math:`s`, the output length is

    .. math:: N_{out} = \left\lfloor \frac{N + p_l + p_r - K}{s} \right\rfloor + 1,  \tag{1}

    and the output, of shape (n, :math:`C_{out}`, :math:`N_{out}`), is

    .. math:: Y_{iot} = b_o + \sum_{c=1}^{C_{in}} \sum_{k=0}^{K-1}
              W_{ock}\, \tilde X_{i, c, st + k}.                                    \tag{2}

    Written with the windows :math:`\text{cols}_{ictk} = \tilde X_{i,c,st+k}` (im2col), eq. (2)
    is one matrix product of ``cols`` reshaped to (n :math:`N_{out}`, :math:`C_{in} K`) with
    :math:`W` reshaped to (:math:`C_{out}`, :math:`C_{in} K`). Backward, given
    :math:`G = \partial L / \partial Y`:

    .. math:: \frac{\partial L}{\partial \tilde X_{icj}} = \sum_{o} \sum_{k, t:\ st + k = j}
              W_{ock}\, G_{iot},                                                    \tag{3}

    a scatter-add of :math:`\sum_o W_{ock} G_{iot}` (col2im), cropped to the unpadded
    positions to give :math:`\partial L / \partial X`;

    .. math:: \frac{\partial L}{\partial W_{ock}} = \sum_{i} \sum_{t}
              G_{iot}\, \tilde X_{i, c, st + k},                                    \tag{4}

    .. math:: \frac{\partial L}{\partial b_o} = \sum_{i} \sum_{t} G_{iot}.         \tag{5}

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
    arXiv:1603.07285, 2016.
    K. Chellapilla, S. Puri and P. Simard, "High performance convolutional neural networks
    for document processing", IWFHR 2006 (im2col).
    """

    #: ``forward`` and ``backward`` return new arrays that nothing else holds (see
    #: :meth:`Sequential.forward`).
    _new_output = _new_input_gradient = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, init="he",
                 random_state=None, dtype=np.float32):
        super().__init__()
        c_in = check_scalar(in_channels, "in_channels", numbers.Integral, low=1)
        c_out = check_scalar(out_channels, "out_channels", numbers.Integral, low=1)
        K = check_scalar(kernel_size, "kernel_size", numbers.Integral, low=1)
        self.stride = int(check_scalar(stride, "stride", numbers.Integral, low=1))
        if isinstance(padding, str):
            if padding != "same":
                raise ValueError(f'padding must be a non-negative integer or "same", '
                                 f"got {padding!r}.")
            if self.stride != 1:
                raise ValueError(f'padding="same" needs stride=1, got stride={self.stride}.')
            self._pad = ((K - 1) // 2, K - 1 - (K - 1) // 2)
        else:
            p = int(check_scalar(padding, "padding", numbers.Integral, low=0))
            self._pad = (p, p)
        self.padding = padding
        _set_parameters(self, c_in, c_out, K, (c_out, c_in, K), init, random_state, dtype)
        self._Xpad = None

    def config(self):
        """The channels, kernel size, stride and padding (see :meth:`Layer.config`)."""
        c_out, c_in, K = (int(s) for s in self.params["W"].shape)
        padding = self.padding if isinstance(self.padding, str) else int(self.padding)
        return {"in_channels": c_in, "out_channels": c_out, "kernel_size": K,
                "stride": self.stride, "padding": padding}

    def output_length(self, length):
        """Eq. (1): the output length for an input of ``length`` positions."""
        padded = length + sum(self._pad)
        if padded < self.kernel_size:
            raise ValueError(f"kernel_size={self.kernel_size} is larger than the padded input "
                             f"(length {length} + padding {sum(self._pad)} = {padded}).")
        return (padded - self.kernel_size) // self.stride + 1                     # eq. (1)

    def forward(self, x, training=False):
        """Eq. (2); ``x`` of shape (n_samples, in_channels, length), output
        (n_samples, out_channels, output_length(length))."""
        X = _check_signal(x, self.in_channels, "in_channels", self)
        L_out = self.output_length(X.shape[2])
        xp = array_module(X)
        Xpad = xp.pad(X, ((0, 0), (0, 0), self._pad))              # (n, C_in, L + p_l + p_r)
        cols = _windows(Xpad, self.kernel_size, self.stride, L_out)  # (n, C_in, L_out, K)
        W, b = self.params["W"], self.params["b"]
        Y = xp.tensordot(cols, W, axes=([1, 3], [1, 2]))                         # (n, L_out, C_out)
        self._Xpad = Xpad
        return Y.transpose(0, 2, 1) + b[:, None]                                  # eq. (2)

    def backward(self, dy):
        """Eqs. (3)-(5): fills ``grads["W"]`` and ``grads["b"]``, returns dL/dx of shape
        (n_samples, in_channels, length)."""
        G = self._parameter_gradients(dy)
        Xpad, W = self._Xpad, self.params["W"]
        L_pad = Xpad.shape[2]
        dcols = array_module(Xpad).tensordot(W, G, axes=([0], [1])).transpose(2, 0, 3, 1)
        dXpad = _scatter(dcols, self.stride, L_pad)                               # eq. (3)
        return dXpad[:, :, self._pad[0] : L_pad - self._pad[1]]

    def backward_params(self, dy):
        """Eqs. (4) and (5) only: dL/dx is skipped (see :meth:`Layer.backward_params`)."""
        self._parameter_gradients(dy)

    def _parameter_gradients(self, dy):
        require_forward(self, self._Xpad)
        Xpad = self._Xpad
        n, L_pad = Xpad.shape[0], Xpad.shape[2]
        L_out = (L_pad - self.kernel_size) // self.stride + 1
        G = check_upstream(dy, (n, self.out_channels, L_out)).astype(self.dtype, copy=False)
        cols = _windows(Xpad, self.kernel_size, self.stride, L_out)  # (n, C_in, L_out, K)
        xp = array_module(Xpad)
        self.grads["W"] = xp.tensordot(G, cols, axes=([0, 2], [0, 2]))           # eq. (4)
        self.grads["b"] = G.sum(axis=(0, 2))                                      # eq. (5)
        return G


class ConvTranspose1D(Layer):
    r"""The transposed 1-D convolution: the adjoint of :class:`Conv1D`, used to upsample.

    ``ConvTranspose1D(in_channels, out_channels, K, s, p)`` maps a signal of
    ``in_channels`` channels the way ``Conv1D(out_channels, in_channels, K, s, p)`` maps a
    gradient back to its input: with the same weight array, its forward *is* that
    Conv1D's backward with respect to the input (eq. (3) of :class:`Conv1D`), plus a bias.

    Parameters
    ----------
    in_channels : int
    out_channels : int
    kernel_size : int
    stride : int, default=1
        The upsampling factor: consecutive inputs land ``stride`` positions apart.
    padding : int, default=0
        The Conv1D padding this layer is the adjoint of: ``padding`` positions are cropped
        from each end of the output.
    output_padding : int, default=0
        Extra positions at the right end of the output, ``0 <= output_padding < stride``.
        A strided Conv1D maps several input lengths to the same output length; this picks
        which one the transpose returns (the adjoint of Conv1D on inputs of length
        :math:`M` has ``output_padding = (M + 2p - K) mod s``).
    init : {"he", "glorot"}, default="he"
        As for :class:`Conv1D`, with the roles of the channels swapped (the fan-in of an
        output position is :math:`C_{in} K / s` on average; He uses :math:`C_{in} K`).
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        The dtype of the parameters and of the output; the input is converted to it.

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (in_channels, out_channels, kernel_size), the layout of the weight
        of the Conv1D it is the adjoint of, and ``"b"`` of shape (out_channels,).
    grads : dict
        The same names and shapes, filled by :meth:`backward`.

    Notes
    -----
    For :math:`X` of shape (n, :math:`C_{in}`, :math:`N`), the output length is

    .. math:: N_{out} = (N - 1) s - 2p + K + q,  \qquad q = \text{output\_padding}, \tag{1}

    and, with :math:`\tilde Y` the output before cropping (length :math:`N_{out} + 2p`),

    .. math:: \tilde Y_{ioj} = \sum_{c} \sum_{k, t:\ st + k = j} W_{cok}\, X_{ict},\qquad
              Y_{ioj} = b_o + \tilde Y_{i, o, j + p},                               \tag{2}

    a scatter-add (col2im) of :math:`\sum_c W_{cok} X_{ict}`. This is eq. (3) of
    :class:`Conv1D` with :math:`X` in place of :math:`G`, so for a Conv1D with the same
    :math:`W` and no bias, :math:`\langle \mathrm{conv}(u), v\rangle =
    \langle u, \mathrm{convT}(v)\rangle`. Backward, given :math:`G = \partial L / \partial Y`
    padded with :math:`p` zeros at each end into :math:`\tilde G`, is a Conv1D forward:

    .. math:: \frac{\partial L}{\partial X_{ict}} = \sum_{o} \sum_{k}
              W_{cok}\, \tilde G_{i, o, st + k},                                    \tag{3}

    .. math:: \frac{\partial L}{\partial W_{cok}} = \sum_{i} \sum_{t}
              X_{ict}\, \tilde G_{i, o, st + k},                                    \tag{4}

    .. math:: \frac{\partial L}{\partial b_o} = \sum_{i} \sum_{j} G_{ioj}.         \tag{5}

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning",
    arXiv:1603.07285, 2016, section 4.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, init="he", random_state=None, dtype=np.float32):
        super().__init__()
        c_in = check_scalar(in_channels, "in_channels", numbers.Integral, low=1)
        c_out = check_scalar(out_channels, "out_channels", numbers.Integral, low=1)
        K = check_scalar(kernel_size, "kernel_size", numbers.Integral, low=1)
        self.stride = int(check_scalar(stride, "stride", numbers.Integral, low=1))
        self.padding = int(check_scalar(padding, "padding", numbers.Integral, low=0))
        q = check_scalar(output_padding, "output_padding", numbers.Integral, low=0)
        if q >= self.stride:
            raise ValueError(f"output_padding must be smaller than stride={self.stride}, "
                             f"got {q}.")
        self.output_padding = int(q)
        _set_parameters(self, c_in, c_out, K, (c_in, c_out, K), init, random_state, dtype)
        self._X = None

    def config(self):
        """The channels, kernel size, stride and paddings (see :meth:`Layer.config`)."""
        c_in, c_out, K = (int(s) for s in self.params["W"].shape)
        return {"in_channels": c_in, "out_channels": c_out, "kernel_size": K,
                "stride": self.stride, "padding": self.padding,
                "output_padding": self.output_padding}

    def output_length(self, length):
        """Eq. (1): the output length for an input of ``length`` positions."""
        L_out = ((length - 1) * self.stride - 2 * self.padding + self.kernel_size
                 + self.output_padding)                                          # eq. (1)
        if L_out < 1:
            raise ValueError(f"padding={self.padding} crops the whole output: an input of length "
                             f"{length} gives {L_out + 2 * self.padding} positions before "
                             "cropping.")
        return L_out

    def forward(self, x, training=False):
        """Eq. (2); ``x`` of shape (n_samples, in_channels, length), output
        (n_samples, out_channels, output_length(length))."""
        X = _check_signal(x, self.in_channels, "in_channels", self)
        L_out = self.output_length(X.shape[2])
        W, b, p = self.params["W"], self.params["b"], self.padding
        xp = array_module(X)
        cols = xp.tensordot(W, X, axes=([0], [1])).transpose(2, 0, 3, 1)         # (n, C_out, L, K)
        Ypad = _scatter(cols, self.stride, L_out + 2 * p)          # (n, C_out, L_out + 2p)
        self._X = X
        return Ypad[:, :, p : p + L_out] + b[:, None]                             # eq. (2)

    def backward(self, dy):
        """Eqs. (3)-(5): fills ``grads["W"]`` and ``grads["b"]``, returns dL/dx of shape
        (n_samples, in_channels, length)."""
        require_forward(self, self._X)
        X, W, p = self._X, self.params["W"], self.padding
        L = X.shape[2]
        shape = (X.shape[0], self.out_channels, self.output_length(L))
        G = check_upstream(dy, shape).astype(self.dtype, copy=False)
        xp = array_module(G)
        Gpad = xp.pad(G, ((0, 0), (0, 0), (p, p)))                 # (n, C_out, L_out + 2p)
        cols = _windows(Gpad, self.kernel_size, self.stride, L)                   # (n, C_out, L, K)
        self.grads["W"] = xp.tensordot(X, cols, axes=([0, 2], [0, 2]))            # eq. (4)
        self.grads["b"] = G.sum(axis=(0, 2))                                      # eq. (5)
        dX = xp.tensordot(cols, W, axes=([1, 3], [1, 2]))                         # (n, L, C_in)
        return dX.transpose(0, 2, 1)                                              # eq. (3)
