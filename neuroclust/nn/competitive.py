r"""The competitive (winner-take-all) layer, for use inside a network.

It is the layer behind :class:`neuroclust.CompetitiveLearning`: the estimator runs the
training loop, this layer is the unit that can sit on top of an encoder.
"""
import numpy as np

from .._validation import array_module, check_array, check_random_state
from ..backend import get_kernels, resolve_backend
from .layer import Layer

__all__ = ["Competitive"]


class Competitive(Layer):
    r"""A layer of ``n_units`` prototypes whose output is the one-hot code of the winner.

    Parameters
    ----------
    n_units : int
    n_inputs : int
    learning_rate : float, default=0.01
        :math:`\eta` for :meth:`update`.
    random_state : int, numpy.random.Generator or None
        Seeds the initial prototypes (standard normal) and the order in :meth:`update`.
    backend : {"auto", "numpy", "cython", "cupy"}

    Notes
    -----
    Forward: with :math:`c(x) = \arg\min_j \|x - w_j\|^2`,

    .. math:: y_j = [\,j = c(x)\,]                                                 \tag{1}

    The output is piecewise constant in :math:`x`, so its derivative is zero almost
    everywhere: :meth:`backward` returns a zero input gradient (the winner-take-all layer
    passes no gradient down; train an encoder under it with a differentiable loss).

    The parameters learn by the local rule. :meth:`backward` writes into ``grads["W"]`` the
    gradient of the mean quantization energy with the winners held fixed,

    .. math:: \frac{\partial}{\partial w_j} \frac{1}{2n}\sum_i \|x_i - w_{c(x_i)}\|^2
              = -\frac{1}{n} \sum_{i : c(x_i) = j} (x_i - w_j)                     \tag{2}

    so an ordinary optimizer step ``W -= lr * grads["W"]`` *is* the batch competitive rule,
    and :meth:`update` applies the online rule, :math:`w_c \leftarrow w_c + \eta (x - w_c)`,
    sample by sample (kernel ``wta_online``).
    """

    def __init__(self, n_units, n_inputs, learning_rate=0.01, random_state=None,
                 backend="auto"):
        super().__init__()
        rng = check_random_state(random_state)
        self.learning_rate = learning_rate
        self.rng = rng
        self.backend = backend
        self.params["W"] = rng.standard_normal((n_units, n_inputs))
        self.grads["W"] = np.zeros_like(self.params["W"])
        self._x = None
        self._winners = None

    def _kernels(self, x):
        return get_kernels(resolve_backend(self.backend, x))

    def _check_input(self, x):
        x = check_array(x, name="x")
        if x.shape[1] != self.params["W"].shape[1]:
            raise ValueError(f"x has {x.shape[1]} features, but this layer takes "
                             f"{self.params['W'].shape[1]}.")
        W = self.params["W"]
        if W.dtype != x.dtype or array_module(W) is not array_module(x):
            self.params["W"] = array_module(x).asarray(W, dtype=x.dtype)
            self.grads["W"] = array_module(x).zeros_like(self.params["W"])
        return x

    def forward(self, x, training=False):
        """One-hot code of the winning unit, shape (n_samples, n_units), eq. (1)."""
        x = self._check_input(x)
        xp = array_module(x)
        winners = self._kernels(x).bmu(x, self.params["W"])[0]
        self._x, self._winners = x, winners
        y = xp.zeros((x.shape[0], self.params["W"].shape[0]), dtype=x.dtype)
        y[xp.arange(x.shape[0]), winners] = 1                                   # eq. (1)
        return y

    def backward(self, dy):
        """Zero input gradient; ``grads["W"]`` gets eq. (2) for the last forward's input."""
        if self._x is None:
            raise ValueError("backward was called before forward; run forward(x) first.")
        x, W = self._x, self.params["W"]
        sums, counts = self._kernels(x).accumulate(x, self._winners, W.shape[0])
        self.grads["W"] = -(sums - counts[:, None] * W) / x.shape[0]            # eq. (2)
        return array_module(x).zeros_like(x)

    def update(self, x):
        """Apply the online winner-take-all rule to every row of ``x`` in a random order."""
        x = self._check_input(x)
        xp = array_module(x)
        order = xp.asarray(self.rng.permutation(x.shape[0]))
        W = self.params["W"]
        if not W.flags.c_contiguous:
            self.params["W"] = W = xp.ascontiguousarray(W)
        self._kernels(x).wta_online(x, W, order, self.learning_rate)
        return self
