r"""The self-organizing map as a layer, for use inside a network.

It is the layer behind :class:`neuroclust.SOM`: a competitive layer whose units sit on a grid,
so the winner's neighbours learn too.
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

    Notes
    -----
    The forward pass is the competitive layer's (eq. (1) there). With the winners held fixed,
    the map's energy is the neighbourhood-weighted quantization error, and its gradient is

    .. math:: \frac{\partial}{\partial w_j} \frac{1}{2n} \sum_i \sum_k h_{k c(x_i)}
              \|x_i - w_k\|^2 = -\frac1n \sum_i h_{j c(x_i)} (x_i - w_j)
              = -\frac1n \left( (H s)_j - (H \nu)_j\, w_j \right)                       \tag{1}

    with :math:`s` and :math:`\nu` the per-unit sums and counts of the samples won. So
    ``W -= lr * grads["W"]`` is a batch-map step and :meth:`update` applies Kohonen's online
    rule (kernel ``som_online``) with constant :math:`\eta` and :math:`\sigma`.

    References
    ----------
    E. Erwin, K. Obermayer and K. Schulten, "Self-organizing maps: ordering, convergence
    properties and energy functions", Biological Cybernetics 67, 1992.
    """

    def __init__(self, shape, n_inputs, sigma=1.0, learning_rate=0.1, topology="rectangular",
                 toroidal=False, neighbourhood="gaussian", random_state=None, backend="auto"):
        rows, cols = shape
        super().__init__(rows * cols, n_inputs, learning_rate=learning_rate,
                         random_state=check_random_state(random_state), backend=backend)
        self.shape = (rows, cols)
        self.sigma = sigma
        self.neighbourhood = neighbourhood
        self.topology, self.toroidal = topology, bool(toroidal)
        self.positions = grid.grid_positions(self.shape, topology)
        self.periods = grid.grid_periods(self.shape, topology, toroidal)

    def neighbourhood_matrix(self, xp):
        """:math:`H_{jc} = h(\\|r_j - r_c\\|^2, \\sigma)`, shape (n_units, n_units)."""
        squared = grid.grid_squared_distances(self.positions, self.periods)
        return xp.asarray(grid.neighbourhood(squared, self.sigma, self.neighbourhood))

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

    def update(self, x):
        """One pass of Kohonen's online rule over the rows of ``x`` in a random order."""
        x = self._check_input(x)
        xp = array_module(x)
        order = xp.asarray(self.rng.permutation(x.shape[0]))
        W = self.params["W"]
        if not W.flags.c_contiguous:
            self.params["W"] = W = xp.ascontiguousarray(W)
        rates = np.full(len(order), float(self.learning_rate))   # schedules live on the host
        sigmas = np.full(len(order), float(self.sigma))
        self._kernels(x).som_online(x, W, self.shape, self.topology, self.toroidal, order, rates,
                                    sigmas, self.neighbourhood)
        return self
