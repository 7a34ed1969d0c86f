r"""Optimizers: turn the gradients that ``backward`` left in ``grads`` into a step on ``params``.

Every optimizer has one call, ``step(layers)``: it walks every layer's ``params`` and the
``grads`` of the same names and updates each parameter **in place** (the arrays keep their
identity, so a ``Sequential`` or a saved reference still sees the new values). ``layers`` is a
:class:`~neuroclust.nn.Sequential` (anything with ``layers_with_params()``), a single layer,
or a list of layers.

State (a velocity, Adam's moments and step count) is kept per parameter, keyed by the layer
object and the parameter's name, and created at the first step that sees the parameter, in
its array module (NumPy or CuPy; it follows a parameter that moves).
:meth:`Optimizer.reset` forgets it.

A layer that learns by a local rule (:class:`~neuroclust.nn.Competitive`,
:class:`~neuroclust.nn.SelfOrganizingMap`) writes its rule's direction into ``grads``; plain
SGD with ``momentum=0`` then applies exactly that rule.
"""
import os
from abc import ABC, abstractmethod

import numpy as np

from .._validation import array_module, check_bool, check_scalar
from .._validation import shape_of, to_module
from ..backend import get_kernels, resolve_backend
from .layer import Layer

__all__ = ["Optimizer", "SGD", "Adam"]


class Optimizer(ABC):
    """Base class: walks the layers' parameters; a subclass defines ``_update``."""

    def __init__(self, learning_rate, weight_decay=0.0):
        self.learning_rate = check_scalar(learning_rate, "learning_rate", low=0,
                                          low_inclusive=False)
        self.weight_decay = check_scalar(weight_decay, "weight_decay", low=0)
        self._state = {}   # (id(layer), name) -> (layer, dict of state arrays)
        self._buffers = {}   # (array module, dtype) -> two scratch arrays, see _scratch

    def step(self, layers):
        """Update every parameter of ``layers`` in place from its gradient; return ``self``."""
        for layer in _as_layers(layers):
            for name, param in layer.params.items():
                grad = layer.grads.get(name)
                if grad is None:
                    raise ValueError(f"{type(layer).__name__} has no gradient for its parameter "
                                     f"{name!r}; run backward before step.")
                if shape_of(grad) != shape_of(param):
                    raise ValueError(f"{type(layer).__name__}.grads[{name!r}] has shape "
                                     f"{shape_of(grad)}, but the parameter has shape "
                                     f"{shape_of(param)}.")
                self._update(param, grad.astype(param.dtype, copy=False),
                             self._state_of(layer, name, param))
        return self

    def reset(self):
        """Forget all state (velocities, moments, step counts); return ``self``."""
        self._state.clear()
        return self

    def _state_of(self, layer, name, param):
        key = (id(layer), name)
        if key not in self._state:   # the layer is kept in the entry, so its id stays unique
            self._state[key] = (layer, self._new_state(param))
        state = self._state[key][1]
        for slot, value in state.items():
            if hasattr(value, "shape"):
                if value.shape != param.shape:
                    raise ValueError(f"the parameter {name!r} of {type(layer).__name__} changed "
                                     f"shape from {value.shape} to {param.shape} between steps; "
                                     "call reset() after replacing parameters.")
                if array_module(value) is not array_module(param):   # the layer moved
                    value = state[slot] = to_module(value, array_module(param))
                if value.dtype != param.dtype:
                    state[slot] = value.astype(param.dtype)
        return state

    def _new_state(self, param):
        return {}

    def _scratch(self, param):
        """Two arrays of ``param``'s shape, dtype and array module, reused across steps and
        parameters (views into two buffers as large as the largest parameter seen)."""
        key = (array_module(param).__name__, param.dtype.str)
        buffers = self._buffers.get(key)
        if buffers is None or buffers[0].size < param.size:
            xp = array_module(param)
            buffers = self._buffers[key] = [xp.empty(param.size, dtype=param.dtype)
                                            for _ in range(2)]
        return [buffer[:param.size].reshape(param.shape) for buffer in buffers]

    @abstractmethod
    def _update(self, theta, g, state):
        """Move ``theta`` in place by the rule of this optimizer, from gradient ``g``."""

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay.

    Parameters
    ----------
    learning_rate : float > 0
        The step size :math:`\eta`.
    momentum : float in [0, 1), default=0.0
        The momentum :math:`\mu`; 0 gives plain gradient descent.
    nesterov : bool, default=False
        Use Nesterov's accelerated gradient, eq. (4), instead of classical momentum, eq. (3).
        Needs ``momentum > 0``.
    weight_decay : float >= 0, default=0.0
        The L2 coefficient :math:`\lambda`, added to the gradient, eq. (1).

    Notes
    -----
    For a parameter :math:`\theta` with gradient :math:`\nabla L(\theta)` (``grads``), the
    weight decay enters the gradient as the derivative of :math:`\frac\lambda2\|\theta\|^2`:

    .. math:: g = \nabla L(\theta) + \lambda \theta.                                \tag{1}

    The velocity :math:`v` (zero at the first step) accumulates past steps:

    .. math:: v \leftarrow \mu v - \eta g.                                          \tag{2}

    Classical momentum, Polyak's heavy ball, moves by the velocity:

    .. math:: \theta \leftarrow \theta + v.                                         \tag{3}

    Nesterov's method evaluates the gradient at the look-ahead point
    :math:`\theta + \mu v` (Sutskever et al. 2013). The gradient ``backward`` gives
    is taken at the stored parameters, so the optimizer stores the look-ahead point itself,
    :math:`\phi = \theta + \mu v`; with the new :math:`v` of eq. (2) it then moves as

    .. math:: \phi \leftarrow \phi + \mu v - \eta g,                                \tag{4}

    which is the same sequence of iterates (the form PyTorch and Keras use). With
    :math:`\mu = 0`, eqs. (3) and (4) both reduce to :math:`\theta \leftarrow \theta - \eta g`.

    Why weight decay in the gradient here: for SGD, adding :math:`\lambda\theta` to the
    gradient and shrinking :math:`\theta` by :math:`\eta\lambda\theta` are the same thing
    (Loshchilov & Hutter 2019, Prop. 1), so the classical L2 form is kept. For
    :class:`Adam` they differ; there the decay is decoupled.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", USSR
    Computational Mathematics and Mathematical Physics 4(5), 1964.
    Y. Nesterov, "A method for solving the convex programming problem with convergence rate
    O(1/k^2)", Soviet Mathematics Doklady 27, 1983.
    I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of initialization and
    momentum in deep learning", ICML 2013.
    I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
    """

    def __init__(self, learning_rate, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(learning_rate, weight_decay)
        self.momentum = check_scalar(momentum, "momentum", low=0, high=1, high_inclusive=False)
        self.nesterov = check_bool(nesterov, "nesterov")
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0.")

    def _new_state(self, param):
        return {"v": array_module(param).zeros_like(param)}

    def _update(self, theta, g, state):
        eta, mu, lam = self.learning_rate, self.momentum, self.weight_decay
        if lam:
            g = g + lam * theta                                                   # eq. (1)
        v = state["v"]
        v *= mu
        # eta * g in a scratch array reused across steps (as Adam's): the same product
        v -= np.multiply(g, eta, out=self._scratch(theta)[0])                     # eq. (2)
        if self.nesterov:
            theta += mu * v - eta * g                                             # eq. (4)
        else:
            theta += v                                                            # eq. (3)


class Adam(Optimizer):
    r"""Adam: steps scaled by running estimates of the gradient's first and second moments.

    Parameters
    ----------
    learning_rate : float > 0, default=1e-3
        The step size :math:`\eta` (:math:`\alpha` in the paper).
    beta1, beta2 : float in [0, 1), default=0.9 and 0.999
        Decay rates of the first and second moment estimates.
    eps : float > 0, default=1e-8
        Added to the denominator, eq. (5), so that it is never zero.
    weight_decay : float >= 0, default=0.0
        The coefficient :math:`\lambda` of **decoupled** weight decay (AdamW), eq. (5).

    Notes
    -----
    For each parameter :math:`\theta` with gradient :math:`g` and step count :math:`t`
    (1 at the first step), with :math:`m = v = 0` at the start (Kingma & Ba 2015, Alg. 1):

    .. math:: m \leftarrow \beta_1 m + (1 - \beta_1)\, g,                           \tag{1}

    .. math:: v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g,                   \tag{2}

    Both start at zero and so are biased towards zero for small :math:`t`; dividing by
    the total weight of the terms removes the bias:

    .. math:: \hat m = \frac{m}{1 - \beta_1^t},                                     \tag{3}

    .. math:: \hat v = \frac{v}{1 - \beta_2^t},                                     \tag{4}

    .. math:: \theta \leftarrow \theta - \eta \left( \frac{\hat m}{\sqrt{\hat v} + \epsilon}
              + \lambda \theta \right).                                             \tag{5}

    Why decoupled weight decay: if :math:`\lambda\theta` were added to :math:`g` (L2 in the
    gradient), it would be divided by :math:`\sqrt{\hat v}` like the rest, so weights with
    large gradients would be regularised less than weights with small ones. Loshchilov &
    Hutter (2019) show that this is why L2 works poorly with Adam, and that applying the decay
    directly to :math:`\theta`, outside the adaptive scaling, as in eq. (5), restores the
    behaviour of weight decay (this is PyTorch's ``AdamW``). With :math:`\lambda = 0` this is
    plain Adam.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
    I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
    """

    def __init__(self, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(learning_rate, weight_decay)
        self.beta1 = check_scalar(beta1, "beta1", low=0, high=1, high_inclusive=False)
        self.beta2 = check_scalar(beta2, "beta2", low=0, high=1, high_inclusive=False)
        self.eps = check_scalar(eps, "eps", low=0, low_inclusive=False)

    def _new_state(self, param):
        xp = array_module(param)
        return {"m": xp.zeros_like(param), "v": xp.zeros_like(param), "t": 0}

    def _update(self, theta, g, state):
        state["t"] += 1
        # backend/reference/optim.py's adam_step (the same equations, numbered alike) or its
        # compiled twin; the reference's temporaries go to two scratch arrays shared by all
        # parameters (a network's large weight matrices would otherwise be allocated and
        # freed, and their pages faulted in again, several times per step)
        adam_step = _adam_kernel(theta)
        adam_step(theta, g, state["m"], state["v"], state["t"], self.learning_rate, self.beta1,
                  self.beta2, self.eps, self.weight_decay,
                  scratch=self._scratch(theta))                   # eqs. (1), (2), (3), (4), (5)


# (array module, NEUROCLUST_BACKEND) -> the adam_step that resolve_backend chooses for it
_ADAM_KERNELS = {}


def _adam_kernel(theta):
    """``adam_step`` of the backend ``resolve_backend("auto")`` picks for ``theta``: compiled
    for NumPy arrays where the kernels are built, the reference otherwise (and under
    ``NEUROCLUST_BACKEND=numpy``), run on the GPU for CuPy arrays."""
    key = (array_module(theta).__name__, os.environ.get("NEUROCLUST_BACKEND"))
    if key not in _ADAM_KERNELS:
        _ADAM_KERNELS[key] = get_kernels(resolve_backend("auto", theta)).adam_step
    return _ADAM_KERNELS[key]


def _as_layers(layers):
    """The layers holding parameters: from a Sequential, a single layer or a list."""
    if hasattr(layers, "layers_with_params"):
        return list(layers.layers_with_params())
    if isinstance(layers, Layer):
        return [layers]
    try:
        found = list(layers)
    except TypeError:
        raise ValueError(f"layers must be a Sequential, a Layer or a list of layers, got "
                         f"{type(layers).__name__}.") from None
    for layer in found:
        if not (hasattr(layer, "params") and hasattr(layer, "grads")):
            raise ValueError(f"layers must hold layers with params and grads, but one is a "
                             f"{type(layer).__name__}.")
    return found
