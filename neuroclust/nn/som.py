r"""The self-organizing map as a layer, for use inside a network.

:class:`neuroclust.SOM` holds one of these layers and trains it: its online epoch is this
layer's :meth:`SelfOrganizingMap.update` with the estimator's decaying schedules, so the
estimator and the layer inside a network are one code path. The chain of files for the
algorithm: ``models/som.py`` (the estimator) -> ``nn/som.py`` (this layer) ->
``grid.py`` (the map's geometry) -> ``backend/reference/som.py`` (``som_online``,
``som_batch_weights`` in plain NumPy) -> ``csrc/som.pyx`` -> ``plotting/som.py`` ->
``docs/algorithms/som.md`` -> ``tutorials/plot_02_self_organizing_map.py``.
"""
import numpy as np

from .._validation import array_module, check_random_state
from .. import grid
from .competitive import Competitive

__all__ = ["SelfOrganizingMap"]


class SelfOrganizingMap(Competitive):
    r"""A grid of prototype units; the output is the one-hot code of the winning unit.

    Parameters
    ----------
    shape : tuple of two ints
        Rows and columns of the grid; units are numbered row by row.
    n_inputs : int
    sigma : float, default=1.0
        Neighbourhood radius :math:`\sigma` for :meth:`backward` and :meth:`update`.
    learning_rate : float, default=0.1
    topology : {"rectangular", "hexagonal"}, default="rectangular"
    toroidal : bool, default=False
    neighbourhood : {"gaussian", "bubble", "mexican_hat", "triangle"}, default="gaussian"
    random_state, backend
        As for :class:`~neuroclust.nn.Competitive`.
    metric : {"euclidean", "cosine"}, default="euclidean"
        How the winner is chosen: the nearest prototype, or the largest cosine similarity.
    W : ndarray of shape (rows * cols, n_inputs), optional
        The starting prototypes, trained in place (see :class:`~neuroclust.nn.Competitive`).

    Notes
    -----
    The forward pass is the competitive layer's (eq. (1) there). With the winners held fixed,
    the map's energy is the neighbourhood-weighted quantization error, and its gradient is

    .. math:: \frac{\partial}{\partial w_j} \frac{1}{2n} \sum_i \sum_k h_{k c(x_i)}
              \|x_i - w_k\|^2 = -\frac1n \sum_i h_{j c(x_i)} (x_i - w_j)
              = -\frac1n \left( (H s)_j - (H \nu)_j\, w_j \right)                       \tag{1}

    with :math:`s` and :math:`\nu` the per-unit sums and counts of the samples won. So
    ``W -= lr * grads["W"]`` is a plain gradient step on that energy (the batch map of
    :class:`neuroclust.SOM` is not a gradient step: it jumps to the neighbourhood-weighted
    means, the minimum for fixed winners) and :meth:`update` applies Kohonen's online
    rule (kernel ``som_online``), with constant :math:`\eta` and :math:`\sigma` unless it is
    given a schedule of them.

    References
    ----------
    E. Erwin, K. Obermayer and K. Schulten, "Self-organizing maps: ordering, convergence
    properties and energy functions", Biological Cybernetics 67, 1992.
    """

    def __init__(self, shape, n_inputs, sigma=1.0, learning_rate=0.1, topology="rectangular",
                 toroidal=False, neighbourhood="gaussian", random_state=None, backend="auto",
                 metric="euclidean", W=None):
        rows, cols = shape
        super().__init__(rows * cols, n_inputs, learning_rate=learning_rate,
                         random_state=check_random_state(random_state), backend=backend, W=W)
        self.shape = (rows, cols)
        self.sigma = sigma
        self.neighbourhood = neighbourhood
        self.topology = topology
        self.toroidal = bool(toroidal)
        self.metric = metric
        self.positions = grid.grid_positions(self.shape, topology)
        self.periods = grid.grid_periods(self.shape, topology, toroidal)

    def neighbourhood_matrix(self, xp):
        """:math:`H_{jc} = h(\\|r_j - r_c\\|^2, \\sigma)`, shape (n_units, n_units)."""
        squared = grid.grid_squared_distances(self.positions, self.periods)
        return xp.asarray(grid.neighbourhood(squared, self.sigma, self.neighbourhood))

    def _find_winners(self, x, kernels):
        if self.metric == "cosine":
            return kernels.bmu(unit_rows(x), unit_rows(self.params["W"]))[0]
        return kernels.bmu(x, self.params["W"])[0]

    def backward(self, dy):
        """Zero input gradient; ``grads["W"]`` gets eq. (1) for the last forward's input."""
        if self._x is None:
            raise ValueError("backward was called before forward; run forward(x) first.")
        x, W = self._x, self.params["W"]
        xp = array_module(x)
        sums, counts = self._kernels(x).accumulate(x, self._winners, W.shape[0])
        H = self.neighbourhood_matrix(xp).astype(W.dtype)
        pull = H @ sums - (H @ counts.astype(W.dtype))[:, None] * W
        self.grads["W"] = -pull / x.shape[0]                                       # eq. (1)
        return xp.zeros_like(x)

    def update(self, x, order=None, learning_rates=None, sigmas=None, check_input=True,
               with_errors=False):
        """Kohonen's online rule over the rows of ``x``, one after another.

        Parameters
        ----------
        x : array-like of shape (n_samples, n_inputs)
        order : array of int, optional
            The row indices of ``x`` to present, in this order; by default every row once,
            in a random order drawn from the layer's ``random_state``.
        learning_rates, sigmas : arrays of float of shape (len(order),), optional
            :math:`\\eta(t)` and :math:`\\sigma(t)` for each step (a decaying schedule, as
            :class:`neuroclust.SOM` gives); by default the layer's constant
            ``learning_rate`` and ``sigma``.
        check_input : bool, default=True
            As for :meth:`Competitive.update <neuroclust.nn.Competitive.update>`.
        with_errors : bool, default=False
            Return, instead of ``self``, what each step met before its update: the winners,
            the runners-up and the squared distances of the samples to their winners (the
            kernel ``som_online``'s ``with_errors``).

        Returns
        -------
        self, or (winners, runners_up, squared_distances) with ``with_errors``
        """
        x, order, W = self._online_pass(x, order, check_input)
        rates = (np.full(len(order), float(self.learning_rate)) if learning_rates is None
                 else learning_rates)   # schedules live on the host
        sigmas = np.full(len(order), float(self.sigma)) if sigmas is None else sigmas
        met = self._kernels(x).som_online(x, W, self.shape, self.topology, self.toroidal, order,
                                          rates, sigmas, self.neighbourhood, self.metric,
                                          with_errors=with_errors)
        return met if with_errors else self


def unit_rows(A):
    """Rows scaled to unit length (rows of zeros stay zero): cosine winners as nearest ones."""
    xp = array_module(A)
    norms = xp.sqrt((A * A).sum(axis=1, keepdims=True))
    return A / xp.where(norms > 0, norms, 1)
