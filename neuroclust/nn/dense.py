r"""The fully connected (dense) layer."""
import numbers

import numpy as np

from .._validation import check_choice, check_random_state, check_scalar
from ._checks import check_input, check_upstream, require_forward
from .layer import Layer

__all__ = ["Dense", "initial_weights", "check_dtype"]


class Dense(Layer):
    r"""An affine map :math:`Y = X W + b` from ``n_inputs`` to ``n_outputs`` features.

    Parameters
    ----------
    n_inputs : int
    n_outputs : int
    init : {"he", "glorot"}, default="he"
        How the weights are drawn (the bias starts at zero):
        ``"he"``: normal with variance :math:`2 / n_{in}`, eq. (3), for ReLU networks;
        ``"glorot"``: uniform on :math:`[-a, a]`, :math:`a = \sqrt{6 / (n_{in} + n_{out})}`,
        so with variance :math:`2 / (n_{in} + n_{out})`, eq. (4), for tanh or sigmoid.
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        The dtype of the parameters and of the output; the input is converted to it.

    Attributes
    ----------
    params : dict
        ``"W"`` of shape (n_inputs, n_outputs) and ``"b"`` of shape (n_outputs,).
    grads : dict
        The same names and shapes, filled by :meth:`backward`.

    Notes
    -----
    Forward, for :math:`X` of shape (n, n_in):

    .. math:: Y = X W + \mathbf{1} b^\top.                                         \tag{1}

    Backward, given :math:`\partial L / \partial Y` of shape (n, n_out):

    .. math:: \frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial Y},\quad
              \frac{\partial L}{\partial b} = \mathbf{1}^\top \frac{\partial L}{\partial Y},\quad
              \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} W^\top.   \tag{2}

    Initialisation:

    .. math:: W_{kl} \sim \mathcal N\!\left(0, \tfrac{2}{n_{in}}\right)   \ \text{(He)}, \tag{3}

    .. math:: W_{kl} \sim \mathcal U\!\left(-\sqrt{\tfrac{6}{n_{in} + n_{out}}},
              \sqrt{\tfrac{6}{n_{in} + n_{out}}}\right)   \ \text{(Glorot)}.            \tag{4}

    References
    ----------
    K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers: surpassing human-level
    performance on ImageNet classification", ICCV 2015.
    X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
    neural networks", AISTATS 2010.
    """

    #: ``forward`` and ``backward`` return new arrays that nothing else holds: inside a
    #: Sequential the next layer may overwrite them (see :meth:`Sequential.forward`).
    _new_output = _new_input_gradient = True

    def __init__(self, n_inputs, n_outputs, init="he", random_state=None, dtype=np.float32):
        super().__init__()
        n_in = check_scalar(n_inputs, "n_inputs", numbers.Integral, low=1)
        n_out = check_scalar(n_outputs, "n_outputs", numbers.Integral, low=1)
        check_choice(init, "init", ("he", "glorot"))
        self.dtype = check_dtype(dtype)
        self.params["W"] = initial_weights((n_in, n_out), n_in, n_out, init, random_state,
                                           self.dtype)
        self.params["b"] = np.zeros(n_out, dtype=self.dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._X = None

    def config(self):
        """``n_inputs`` and ``n_outputs`` (see :meth:`Layer.config`)."""
        n_in, n_out = (int(s) for s in self.params["W"].shape)
        return {"n_inputs": n_in, "n_outputs": n_out}

    def forward(self, x, training=False):
        """Eq. (1); ``x`` of shape (n_samples, n_inputs), output (n_samples, n_outputs)."""
        X = check_input(x, "x", ndim=2).astype(self.dtype, copy=False)
        self._follow(X)
        W, b = self.params["W"], self.params["b"]
        if X.shape[1] != W.shape[0]:
            raise ValueError(f"x has {X.shape[1]} features, but this Dense layer takes "
                             f"n_inputs={W.shape[0]}.")
        self._X = X
        # the bias added in place: one block of activations fewer to allocate
        Y = X @ W                                                                 # eq. (1)
        Y += b                                                                    # eq. (1)
        return Y

    def backward(self, dy):
        """Eq. (2): fills ``grads["W"]`` and ``grads["b"]``, returns dL/dx (n_samples, n_inputs)."""
        return self._parameter_gradients(dy) @ self.params["W"].T                 # eq. (2)

    def backward_params(self, dy):
        """Eq. (2) for ``grads["W"]`` and ``grads["b"]`` only: the product for dL/dx is
        skipped (see :meth:`Layer.backward_params`)."""
        self._parameter_gradients(dy)

    def _parameter_gradients(self, dy):
        require_forward(self, self._X)
        X, W = self._X, self.params["W"]
        dY = check_upstream(dy, (X.shape[0], W.shape[1])).astype(self.dtype, copy=False)
        self.grads["W"] = X.T @ dY                                                # eq. (2)
        self.grads["b"] = dY.sum(axis=0)                                          # eq. (2)
        return dY


def check_dtype(dtype):
    """The parameters' dtype: float32 or float64, else one sentence naming ``dtype``."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}.")
    return np.dtype(dtype)


def initial_weights(shape, fan_in, fan_out, init, random_state, dtype):
    """He, eq. (3) of :class:`Dense`, or Glorot, eq. (4), weights of ``shape``.

    ``fan_in`` and ``fan_out`` are the inputs and outputs each weight is shared between
    (for a convolution, the channels times the kernel size).
    """
    rng = check_random_state(random_state)
    if init == "he":
        W = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)                    # eq. (3)
    else:
        a = np.sqrt(6.0 / (fan_in + fan_out))
        W = rng.uniform(-a, a, size=shape)                                        # eq. (4)
    return W.astype(dtype)
