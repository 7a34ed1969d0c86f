r"""The competitive (winner-take-all) layer, for use inside a network.

:class:`neuroclust.CompetitiveLearning` holds one of these layers and trains it: its online
epoch is this layer's :meth:`Competitive.update`, so the estimator and the layer that sits on
top of an encoder are one code path. The chain of files for the algorithm:
``models/competitive.py`` (the estimator) -> ``nn/competitive.py`` (this layer) ->
``backend/reference/competitive.py`` (``wta_online`` in plain NumPy) ->
``csrc/competitive.pyx`` -> ``plotting/competitive.py`` -> ``docs/algorithms/competitive.md``
-> ``tutorials/plot_01_competitive_learning.py``.
"""
import os

from .._validation import (array_module, check_array, check_prototypes_shape,
                           check_random_state)
from ..backend import get_kernels, resolve_backend
from .layer import Layer

__all__ = ["Competitive", "total_variance"]

# (backend, array module, NEUROCLUST_BACKEND) -> the kernel module resolve_backend chooses
_KERNEL_MODULES = {}


class Competitive(Layer):
    r"""A layer of ``n_units`` prototypes whose output is the one-hot code of the winner.

    Parameters
    ----------
    n_units : int
    n_inputs : int
    learning_rate : float, default=0.01
        :math:`\eta` for :meth:`update`.
    random_state : int, numpy.random.Generator or None
        Seeds the initial prototypes (standard normal, unless ``W`` is given) and the order
        in :meth:`update` (unless one is given there).
    backend : {"auto", "numpy", "cython", "cupy"}
    conscience : bool, default=False
        DeSieno's conscience in :meth:`update`: units that win more than their share
        :math:`1/K` are handicapped (kernel ``wta_online``, eqs. (2)-(4) there). The
        running win frequencies :math:`p_j` are the attribute ``win_frequency``.
    conscience_rate : float, default=1e-3
        :math:`B`, how fast the win frequencies follow the wins (over about :math:`1/B`
        samples).
    conscience_bias : float, default=10.0
        :math:`C`, the weight of the handicap, in units of ``data_variance``.
    data_variance : float or None, default=None
        :math:`V`, the unit of the handicap (eq. (3) of ``wta_online``). None measures
        it on every ``x`` that :meth:`update` receives, by
        :func:`~neuroclust.nn.competitive.total_variance`; a number
        is used as given (:class:`neuroclust.CompetitiveLearning` measures its training data
        once per fit).
    W : ndarray of shape (n_units, n_inputs), optional
        The starting prototypes. The layer trains this array itself, in place (no copy), when
        it is C-contiguous; nothing is drawn from ``random_state`` for it.

    Attributes
    ----------
    params : dict
        ``"W"``, the prototypes :math:`w_j`, shape (n_units, n_inputs).
    grads : dict
        ``"W"``, filled by :meth:`backward`.
    win_frequency : ndarray of shape (n_units,) or None
        The conscience's win frequencies :math:`p_j` (starting at :math:`1/K`); None without
        a conscience.

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

    so an ordinary optimizer step ``W -= lr * grads["W"]`` moves each unit by
    :math:`\eta\, n_j / n` of the way to the mean of its samples. That is a plain gradient
    step, not quite the batch rule of :class:`neuroclust.CompetitiveLearning`, which moves it
    :math:`\min(1, \eta\, n_j)` of the way (eq. (2) there: the cap keeps a unit that wins many
    samples from overshooting the mean). :meth:`update` applies the online rule, :math:`w_c \leftarrow w_c + \eta (x - w_c)`,
    sample by sample (kernel ``wta_online``).
    """

    def __init__(self, n_units, n_inputs, learning_rate=0.01, random_state=None,
                 backend="auto", conscience=False, conscience_rate=1e-3, conscience_bias=10.0,
                 data_variance=None, W=None):
        super().__init__()
        rng = check_random_state(random_state)
        self.learning_rate = learning_rate
        self.rng = rng
        self.backend = backend
        self.conscience = conscience
        self.conscience_rate = conscience_rate
        self.conscience_bias = conscience_bias
        self.data_variance = data_variance
        if W is None:
            W = rng.standard_normal((n_units, n_inputs))
        else:
            check_prototypes_shape(W, n_units, n_inputs, name="W")
        xp = array_module(W)
        self.params["W"] = W
        self.grads["W"] = xp.zeros_like(W)
        self.win_frequency = xp.full(n_units, 1.0 / n_units) if conscience else None
        self._x = None
        self._winners = None

    def _kernels(self, x):
        """The kernel module for ``x``, by the rule every estimator uses (resolve_backend);
        remembered per setting, since an estimator's online epoch calls it every epoch (kept
        outside the layer, which must stay picklable)."""
        key = (self.backend, array_module(x).__name__, os.environ.get("NEUROCLUST_BACKEND"))
        if key not in _KERNEL_MODULES:
            _KERNEL_MODULES[key] = get_kernels(resolve_backend(self.backend, x))
        return _KERNEL_MODULES[key]

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

    def _find_winners(self, x, kernels):
        """Eq. (1)'s :math:`c(x)`: the nearest prototype of each row of ``x``."""
        return kernels.bmu(x, self.params["W"])[0]

    def forward(self, x, training=False):
        """One-hot code of the winning unit, shape (n_samples, n_units), eq. (1)."""
        x = self._check_input(x)
        xp = array_module(x)
        winners = self._find_winners(x, self._kernels(x))
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

    def _online_pass(self, x, order, check_input):
        """What an online pass of :meth:`update` needs, for this layer and its subclasses.

        Returns ``x`` (checked unless ``check_input`` is False), the order of its rows
        (``order``, or a permutation drawn from the layer's ``random_state``) in ``x``'s array
        module, and ``params["W"]`` ready for a kernel that updates it in place
        (C-contiguous).
        """
        if check_input:
            x = self._check_input(x)
        xp = array_module(x)
        if order is None:
            order = self.rng.permutation(x.shape[0])
        W = self.params["W"]
        if not W.flags.c_contiguous:
            self.params["W"] = W = xp.ascontiguousarray(W)
        return x, xp.asarray(order), W

    def update(self, x, order=None, learning_rate=None, check_input=True):
        """Apply the online winner-take-all rule to the rows of ``x``, one after another.

        Parameters
        ----------
        x : array-like of shape (n_samples, n_inputs)
        order : array of int, optional
            The row indices of ``x`` to present, in this order (a row may come several times
            or not at all); by default every row once, in a random order drawn from the
            layer's ``random_state``.
        learning_rate : float, optional
            :math:`\\eta` for this pass; by default the layer's ``learning_rate``.
        check_input : bool, default=True
            Validate ``x`` (numbers, two dimensions, finite, the layer's width) and bring the
            prototypes to its dtype and array module. ``False`` skips that pass over ``x``
            for a caller that has already checked it (:class:`neuroclust.CompetitiveLearning`
            does, once per fit); the kernel still checks shapes and indices.

        Returns
        -------
        self
        """
        x, order, W = self._online_pass(x, order, check_input)
        rate = self.learning_rate if learning_rate is None else learning_rate
        variance = 1.0
        if self.win_frequency is not None:
            variance = (total_variance(x) if self.data_variance is None
                        else self.data_variance)
        self._kernels(x).wta_online(x, W, order, rate, self.win_frequency,
                                    self.conscience_rate, self.conscience_bias, variance)
        return self


def total_variance(x):
    r"""The total variance of the rows of ``x``: the unit of the conscience's handicap.

    .. math:: V = \frac1n \sum_i \|x_i - \bar x\|^2 = \sum_f \operatorname{Var}(x_f)  \tag{1}

    the mean squared distance of a sample to the mean of the data (the quantization energy
    of a single prototype at the mean), in float64 whatever the dtype of ``x``. Measured in
    this unit, the bias :math:`C\,(1/K - p_j)` of ``wta_online`` scales with the squared
    distances it is compared with, so one :math:`C` suits data at any scale.

    Parameters
    ----------
    x : ndarray of shape (n_samples, n_features)
        Checked data (NumPy or CuPy), at least one row.

    Returns
    -------
    float
    """
    return float(x.var(axis=0, dtype="float64").sum())                        # eq. (1)
