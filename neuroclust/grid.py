r"""The map's geometry: where the units sit, how far apart they are, how much a neighbour learns.

Everything a self-organizing map needs about its grid, as small functions:

* :func:`grid_positions`: the drawing coordinates :math:`r_j` of every unit;
* :func:`grid_periods`: how the grid wraps around when it is toroidal;
* :func:`grid_squared_distances`: :math:`\|r_j - r_c\|^2` on the grid (wrapped when toroidal);
* :func:`neighbourhood`: :math:`h(d^2, \sigma)` for the four neighbourhood functions;
* :func:`decay`: the schedules of :math:`\eta` and :math:`\sigma` over training;
* :func:`grid_neighbours`: the units adjacent to each unit (for U-matrices and topographic error).

Units are numbered row by row: unit :math:`j` is at ``row = j // cols``, ``col = j % cols``.

This module is public and needs NumPy only. It is the bottom of the self-organizing map's
chain; the other files a reader opens, estimator to kernel to figure, are

* ``neuroclust/models/som.py``: the estimator :class:`neuroclust.SOM`, which lays out its grid
  with these functions and calls the kernels;
* ``neuroclust/backend/reference/som.py``: the NumPy reference of the SOM kernels
  (``som_online``, ``som_batch_weights``), which take the grid as ``(shape, topology,
  toroidal)`` and lay it out with :func:`standard_grid`;
* ``neuroclust/backend/cython.py`` and ``csrc/som.pyx``: the compiled kernels, which build
  the same grid's distances from its rows, columns and topology, and know the neighbourhoods
  by their codes (``NEIGHBOURHOOD_CODES``);
* ``neuroclust/nn/som.py``: the same map as a layer for use inside a network;
* ``neuroclust/plotting/som.py``: the SOM's figures (U-matrix, hit map, prototypes, the map in
  input space);
* ``docs/algorithms/som.md``: the equations, each quoted beside the line that computes it;
* ``tutorials/plot_02_self_organizing_map.py``: the tutorial.
"""
import functools

import numpy as np

__all__ = [
    "TOPOLOGIES",
    "NEIGHBOURHOODS",
    "DECAYS",
    "NEIGHBOURHOOD_CODES",
    "grid_positions",
    "standard_grid",
    "grid_periods",
    "grid_squared_distances",
    "schedule_points",
    "neighbourhood",
    "decay",
    "grid_neighbours",
]

TOPOLOGIES = ("rectangular", "hexagonal")
NEIGHBOURHOODS = ("gaussian", "bubble", "mexican_hat", "triangle")
DECAYS = ("exponential", "linear", "inverse_time")

#: Codes by which the compiled kernel knows the neighbourhood functions.
NEIGHBOURHOOD_CODES = {name: code for code, name in enumerate(NEIGHBOURHOODS)}

_ROW_HEIGHT = {"rectangular": 1.0, "hexagonal": np.sqrt(3.0) / 2.0}


def grid_positions(shape, topology):
    r"""Drawing coordinates :math:`r_j = (x_j, y_j)` of every unit, shape (rows * cols, 2).

    Rectangular: :math:`x = \text{col}`, :math:`y = \text{row}`. Hexagonal: odd rows are
    shifted right by one half and rows are :math:`\sqrt3/2` apart, so each unit has six
    neighbours, all at distance 1.
    """
    rows, cols = shape
    row, col = np.divmod(np.arange(rows * cols), cols)
    x = col.astype(np.float64)
    if topology == "hexagonal":
        x = x + 0.5 * (row % 2)
    y = row * _ROW_HEIGHT[topology]
    return np.column_stack([x, y])


@functools.lru_cache(maxsize=32)
def standard_grid(shape, topology, toroidal):
    """(positions, periods) of a standard grid, computed once per layout (read-only arrays)."""
    positions = grid_positions(shape, topology)
    periods = grid_periods(shape, topology, toroidal)
    positions.flags.writeable = periods.flags.writeable = False
    return positions, periods


def grid_periods(shape, topology, toroidal):
    """Lengths (x, y) after which a toroidal grid wraps around; zeros when it does not wrap."""
    if not toroidal:
        return np.zeros(2)
    rows, cols = shape
    return np.array([float(cols), rows * _ROW_HEIGHT[topology]])


def grid_squared_distances(positions, periods, center=None):
    r"""Squared grid distances :math:`\|r_j - r_c\|^2`, wrapped on a torus.

    Parameters
    ----------
    positions : ndarray of shape (n_units, 2)
    periods : ndarray of shape (2,)
        From :func:`grid_periods`; a zero period means that axis does not wrap.
    center : int, optional
        Distances from this unit only, shape (n_units,); else all pairs, (n_units, n_units).

    Notes
    -----
    On a torus the distance along an axis of period :math:`P` is the shorter way round,

    .. math:: \Delta = \min(|a - b|,\; P - |a - b|)                                 \tag{1}
    """
    others = positions if center is None else positions[center][None, :]
    squared = None
    for axis in (0, 1):
        delta = np.abs(positions[:, None, axis] - others[None, :, axis])
        if periods[axis] > 0:
            np.minimum(delta, periods[axis] - delta, out=delta)                   # eq. (1)
        if squared is None:
            squared = np.multiply(delta, delta, out=delta)
        else:
            squared += delta * delta
    # Hexagonal rows are sqrt(3)/2 apart, which no float holds exactly; on the standard grids
    # every squared distance is a multiple of 1/4, so snap the ones within rounding of it, or
    # a bubble of radius 1 would keep some neighbours at distance 1 and drop others.
    # Coordinates on a half-step lattice (rectangular grids) give exact quarters already.
    if not np.array_equal(positions, np.round(positions * 2) / 2):
        quarters = np.round(squared * 4)
        snap = np.abs(squared * 4 - quarters) < 1e-9
        squared[snap] = quarters[snap] / 4
    return squared[:, 0] if center is not None else squared


def neighbourhood(squared_distance, sigma, kind):
    r"""How much a unit at squared grid distance :math:`d^2` from the winner learns.

    Parameters
    ----------
    squared_distance : ndarray
        :math:`d^2 = \|r_j - r_c\|^2`.
    sigma : float
        The radius :math:`\sigma > 0`.
    kind : {"gaussian", "bubble", "mexican_hat", "triangle"}

    Notes
    -----
    .. math:: h_{\text{gaussian}} = \exp\!\left(-\frac{d^2}{2\sigma^2}\right)        \tag{1}
    .. math:: h_{\text{bubble}} = [\, d < \sigma \,]                                 \tag{2}
    .. math:: h_{\text{mexican hat}} = \left(1 - \frac{d^2}{\sigma^2}\right)
              \exp\!\left(-\frac{d^2}{2\sigma^2}\right)                              \tag{3}
    .. math:: h_{\text{triangle}} = \max\!\left(0,\; 1 - \frac{d}{\sigma}\right)     \tag{4}

    All equal 1 at the winner. The Mexican hat is negative beyond :math:`d = \sigma`: far
    units are pushed away from the sample (lateral inhibition).
    """
    d2 = np.asarray(squared_distance, dtype=np.float64)
    if kind == "gaussian":
        return np.exp(-d2 / (2 * sigma * sigma))                                   # eq. (1)
    if kind == "bubble":
        return (d2 < sigma * sigma).astype(np.float64)                             # eq. (2)
    if kind == "mexican_hat":
        return (1 - d2 / (sigma * sigma)) * np.exp(-d2 / (2 * sigma * sigma))      # eq. (3)
    return np.maximum(0.0, 1 - np.sqrt(d2) / sigma)                                # eq. (4)


def decay(start, end, fraction, kind):
    r"""The value of a schedule going from ``start`` toward ``end``; ``fraction`` = t / T.

    Notes
    -----
    With :math:`f = t/T` (the end value is the limit at :math:`t = T`):

    .. math:: v_{\text{linear}}(f) = v_0 + (v_1 - v_0)\, f                          \tag{1}
    .. math:: v_{\text{exponential}}(f) = v_0\, (v_1 / v_0)^{f}                     \tag{2}
    .. math:: v_{\text{inverse time}}(f) = \frac{v_0}{1 + (v_0 / v_1 - 1)\, f}      \tag{3}

    Inverse time with :math:`v_1 = v_0 / 3` is MiniSom's default "asymptotic decay",
    :math:`v_0 / (1 + 2t/T)`.
    """
    fraction = np.asarray(fraction, dtype=np.float64)
    if kind == "linear":
        return start + (end - start) * fraction                                    # eq. (1)
    if kind == "exponential":
        return start * (end / start) ** fraction                                   # eq. (2)
    return start / (1 + (start / end - 1) * fraction)                              # eq. (3)


def schedule_points(total, n_points):
    """At most ``n_points`` whole numbers evenly spread over ``0 .. total - 1``, both ends
    kept: the steps (or epochs) at which a model's ``schedule`` reports its values."""
    count = min(int(n_points), int(total))
    return np.unique(np.linspace(0, total - 1, count).round()).astype(np.int64)


def grid_neighbours(positions, periods, squared=None):
    """For each unit, the indices of the units adjacent to it (at grid distance 1).

    Rectangular grids give 4 neighbours inside the map, hexagonal grids 6; units on the border
    have fewer unless the grid is toroidal. ``squared`` may pass in the grid's squared
    distances when they are already computed.
    """
    if squared is None:
        squared = grid_squared_distances(positions, periods)
    adjacent = np.abs(squared - 1.0) < 1e-9
    return [np.flatnonzero(row) for row in adjacent]
