r"""Layers that only change the shape of each sample: Flatten and Reshape.

The first axis (samples) is never touched. Backward undoes the reshape, because a reshape
moves no values: :math:`\partial L / \partial x` is :math:`\partial L / \partial y` read back
in the input's shape.
"""
import numbers

import numpy as np

from ._checks import check_input, check_upstream, require_forward
from .layer import Layer

__all__ = ["Flatten", "Reshape"]


class Reshape(Layer):
    r"""Reshape each sample to ``shape``: (n, ...) becomes ``(n, *shape)``.

    Parameters
    ----------
    shape : tuple of positive ints
        The shape of one output sample; its product must equal the number of values in
        one input sample.

    Notes
    -----
    .. math:: y_{i, \text{idx}(k)} = x_{i, k}  \quad \text{(the same values, in C order)}, \tag{1}

    .. math:: \frac{\partial L}{\partial x} = \operatorname{reshape}\left(
              \frac{\partial L}{\partial y}, \text{shape of } x\right).            \tag{2}
    """

    def __init__(self, shape):
        super().__init__()
        if isinstance(shape, numbers.Integral):
            shape = (shape,)
        if (not isinstance(shape, (tuple, list)) or not shape
                or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                           and s >= 1 for s in shape)):
            raise ValueError("shape must be a non-empty tuple of positive integers, "
                             f"got {shape!r}.")
        self.shape = tuple(int(s) for s in shape)
        self._in_shape = None

    def config(self):
        """``shape`` (see :meth:`~neuroclust.nn.Layer.config`)."""
        return {"shape": list(self.shape)}

    def _target(self, x):
        return self.shape

    def forward(self, x, training=False):
        """Eq. (1); ``x`` of shape (n_samples, ...), output ``(n_samples, *shape)``."""
        x = check_input(x)
        target = self._target(x)
        if int(np.prod(x.shape[1:])) != int(np.prod(target)):
            raise ValueError(f"x has samples of shape {x.shape[1:]} ({int(np.prod(x.shape[1:]))} "
                             f"values), which cannot be reshaped to {target} "
                             f"({int(np.prod(target))} values).")
        self._in_shape = x.shape
        return x.reshape((x.shape[0],) + tuple(target))                          # eq. (1)

    def backward(self, dy):
        """Eq. (2): ``dy`` read back in the input's shape."""
        require_forward(self, self._in_shape)
        n = self._in_shape[0]
        dy = check_upstream(dy, (n,) + tuple(self._out_shape()))
        return dy.reshape(self._in_shape)                                         # eq. (2)

    def _out_shape(self):
        return self.shape


class Flatten(Reshape):
    r"""Flatten each sample: (n, d1, d2, ...) becomes (n, d1 * d2 * ...).

    Notes
    -----
    Forward and backward are :class:`Reshape`'s (eqs. (1) and (2) there) with the target
    shape :math:`(d_1 d_2 \cdots)`.
    """

    def __init__(self):
        Layer.__init__(self)
        self.shape = None
        self._in_shape = None

    def config(self):
        """No arguments (see :meth:`~neuroclust.nn.Layer.config`)."""
        return {}

    def _target(self, x):
        return (int(np.prod(x.shape[1:])),)

    def _out_shape(self):
        return (int(np.prod(self._in_shape[1:])),)
