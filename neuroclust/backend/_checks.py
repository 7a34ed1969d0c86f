"""The arguments every kernel checks before it runs, shared by all three backends.

The compiled kernels read memory through raw pointers, so a prototype array narrower than the
data, an index past the end or a count beyond the arrays' capacity would read or write outside
them. Each backend therefore runs the same checks first: one ``check_*`` per kernel, raising
``ValueError`` with one sentence that names the argument. The NumPy reference calls them too,
so all backends accept and refuse the same inputs with the same words.

The checks cost O(1), except for index arrays and per-step arrays (one pass over them); they
never pass over the data ``X``. They are written against the array module of their inputs, so
they run on CuPy arrays as well.
"""
import math
import numbers

import numpy as np


from .._validation import array_module
from ..grid import NEIGHBOURHOOD_CODES, TOPOLOGIES

#: BLAS and the compiled loops count rows and features in C ints.
INT_MAX = 2**31 - 1


def _describe(value):
    """A value and its type, for a message."""
    return f"{value!r} of type {type(value).__name__}"


def check_array(A, name, ndim, what):
    """``A`` must be an array of ``ndim`` dimensions holding real numbers (booleans are not:
    NumPy cannot subtract them)."""
    if not hasattr(A, "ndim") or not hasattr(A, "dtype"):
        raise ValueError(f"{name} must be an array ({what}), got {_describe(A)}.")
    if A.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array ({what}), got {A.ndim} "
                         f"dimension(s) of shape {A.shape}.")
    if A.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers (integers or floating-point), got an "
                         f"array of dtype {A.dtype}.")


def check_data(X):
    """``X``: 2-D, real, at least one feature, and no more features than a C int counts."""
    check_array(X, "X", 2, "samples as rows, features as columns")
    if X.shape[1] == 0:
        raise ValueError("X must have at least one feature (column), got 0.")
    if X.shape[1] > INT_MAX:
        raise ValueError(f"X has {X.shape[1]} features, more than the compiled kernels can "
                         f"count (at most {INT_MAX}).")


def check_prototypes(X, W, name="W", minimum=1, what="prototypes"):
    """``W``: 2-D, real, as many features as ``X`` and at least ``minimum`` rows."""
    check_array(W, name, 2, f"{what} as rows")
    if W.shape[1] != X.shape[1]:
        raise ValueError(f"{name} must have as many features (columns) as X ({X.shape[1]}), "
                         f"got shape {W.shape}.")
    if W.shape[0] < minimum:
        raise ValueError(f"{name} must hold at least {minimum} row(s) ({what}), got shape "
                         f"{W.shape}.")
    if W.shape[0] > INT_MAX:
        raise ValueError(f"{name} has {W.shape[0]} rows, more than the compiled kernels can "
                         f"count (at most {INT_MAX}).")


def check_updated(A, name, kind, what):
    """An array updated in place must already hold the kind of number it receives."""
    if A.dtype.kind not in kind:
        wanted = "floating-point" if kind == "f" else "signed integer"
        raise ValueError(f"{name} must be a {wanted} array ({what}), since it is updated in "
                         f"place, got dtype {A.dtype}.")
    if not getattr(getattr(A, "flags", None), "writeable", True):
        raise ValueError(f"{name} must be writeable ({what}), since it is updated in place, "
                         f"but it is a read-only array.")


def _scalar(value, name, what):
    """``value`` as a Python int or float, or a ValueError naming ``name``."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):  # NumPy/CuPy scalars
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {what}, got {_describe(value)}.")
    return value


def check_whole(value, name, low, high=None):
    """A count or index: a whole number in [low, high]; returns it as an int."""
    value = _scalar(value, name, "a whole number")
    if not isinstance(value, numbers.Integral):
        if not (math.isfinite(value) and float(value).is_integer()):
            raise ValueError(f"{name} must be a whole number, got {value!r}.")
        value = int(value)
    if value < low or (high is not None and value > high):
        bounds = f"be >= {low}" if high is None else f"lie in [{low}, {high}]"
        raise ValueError(f"{name} must {bounds}, got {value}.")
    return int(value)


def check_real(value, name, low=None, high=None, low_open=False, high_open=False):
    """A finite real parameter in its range; returns it as a float."""
    value = float(_scalar(value, name, "a real number"))
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if high is None:
            bounds = f"be {'>' if low_open else '>='} {low}"
        elif low is None:
            bounds = f"be {'<' if high_open else '<='} {high}"
        else:
            bounds = f"lie in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must {bounds}, got {value}.")
    return value


def check_indices(indices, upper, name, what):
    """A 1-D array of whole numbers in [0, upper); returns it as int64, on its own device.

    Floating-point arrays are taken when every value is a whole number (``[0., 2.]``);
    fractions, NaN and anything outside the range are refused, never truncated.
    """
    check_array(indices, name, 1, what)
    xp = array_module(indices)
    if indices.size == 0:
        return indices.astype(xp.int64)
    if indices.dtype.kind == "f":
        fractional = indices != xp.floor(indices)   # NaN is never equal: refused too
        if bool(fractional.any()):
            raise ValueError(f"{name} must hold whole numbers ({what}), got "
                             f"{float(indices[fractional][0])} among its values.")
    low, high = indices.min(), indices.max()
    if low < 0 or high >= upper:
        raise ValueError(f"{name} must hold {what} in [0, {upper}), but it has values from "
                         f"{low.item() if hasattr(low, 'item') else low} to "
                         f"{high.item() if hasattr(high, 'item') else high}.")
    return indices.astype(xp.int64, copy=False)


def check_per_step(values, n_steps, name, low=None, low_open=False):
    """A 1-D array of one finite value per step (learning rates, radii)."""
    check_array(values, name, 1, "one value per step of order")
    if values.shape[0] != n_steps:
        raise ValueError(f"{name} must have one value per step of order ({n_steps}), got "
                         f"shape {values.shape}.")
    xp = array_module(values)
    if n_steps and not bool(xp.isfinite(values).all()):
        raise ValueError(f"{name} must be finite at every step, but it holds NaN or infinity.")
    if n_steps and low is not None:
        smallest = values.min()
        if smallest < low or (low_open and smallest == low):
            raise ValueError(f"{name} must be {'>' if low_open else '>='} {low} at every step, "
                             f"got a value of {float(smallest)}.")


def check_n_threads(n_threads):
    """``None`` (choose) or a whole number of threads >= 1."""
    if n_threads is None:
        return None
    return check_whole(n_threads, "n_threads", 1)


# ------------------------------------------------------------------ one check per kernel
def check_bmu(X, W):
    check_data(X)
    check_prototypes(X, W)


def check_accumulate(X, labels, n_units):
    """Returns ``(labels as int64, n_units as int)``."""
    check_data(X)
    n_units = check_whole(n_units, "n_units", 1)
    if n_units > INT_MAX:
        raise ValueError(f"n_units must be at most {INT_MAX}, the most units the compiled "
                         f"kernels can count, got {n_units}.")
    labels = check_indices(labels, n_units, "labels", "unit indices")
    if labels.shape[0] != X.shape[0]:
        raise ValueError(f"labels must have one entry per row of X ({X.shape[0]}), got shape "
                         f"{labels.shape}.")
    return labels, n_units


def check_wta_online(X, W, order, learning_rate, win_frequency, conscience_rate,
                     conscience_bias, variance=1.0):
    """Returns ``(order as int64, learning_rate, conscience_rate, conscience_bias,
    variance)``."""
    check_data(X)
    check_prototypes(X, W)
    check_updated(W, "W", "f", "the prototypes")
    order = check_indices(order, X.shape[0], "order", "row indices of X")
    learning_rate = check_real(learning_rate, "learning_rate", low=0)
    if win_frequency is not None:
        check_array(win_frequency, "win_frequency", 1, "one win frequency per unit")
        check_updated(win_frequency, "win_frequency", "f", "one win frequency per unit")
        if win_frequency.shape != (W.shape[0],):
            raise ValueError(f"win_frequency must have one entry per unit ({W.shape[0]}), got "
                             f"shape {win_frequency.shape}.")
    conscience_rate = check_real(conscience_rate, "conscience_rate", low=0, high=1)
    conscience_bias = check_real(conscience_bias, "conscience_bias", low=0)
    variance = check_real(variance, "variance", low=0)
    if not math.isfinite(conscience_bias * variance):
        raise ValueError(f"conscience_bias * variance must be finite, got {conscience_bias} * "
                         f"{variance}; the bias would overflow.")
    return order, learning_rate, conscience_rate, conscience_bias, variance


def check_grid(W, shape, topology, toroidal):
    """The map's grid: ``shape`` a pair of whole numbers whose product is the number of rows
    of ``W``, a known ``topology``, ``toroidal`` a bool. Returns ``(shape as a tuple of ints,
    toroidal as a bool)``."""
    if (isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__")
            or getattr(shape, "ndim", 1) != 1 or len(shape) != 2):
        raise ValueError(f"shape must be a pair (rows, cols) of the map's grid, got "
                         f"{_describe(shape)}.")
    rows = check_whole(shape[0], "shape[0] (the grid's rows)", 1)
    cols = check_whole(shape[1], "shape[1] (the grid's columns)", 1)
    if rows * cols != W.shape[0]:
        raise ValueError(f"shape ({rows}, {cols}) has {rows * cols} units, but W has "
                         f"{W.shape[0]} rows, one per unit.")
    if not isinstance(topology, str) or topology not in TOPOLOGIES:
        raise ValueError(f"topology must be one of {list(TOPOLOGIES)}, got {topology!r}.")
    if getattr(toroidal, "ndim", None) == 0 and hasattr(toroidal, "item"):  # NumPy bools
        toroidal = toroidal.item()
    if not isinstance(toroidal, bool):
        raise ValueError(f"toroidal must be True or False, got {_describe(toroidal)}.")
    return (rows, cols), toroidal


def check_som_online(X, W, shape, topology, toroidal, order, learning_rates, sigmas,
                     neighbourhood, metric):
    """Returns ``(order as int64, shape as a tuple of ints, toroidal as a bool)``."""
    check_data(X)
    check_prototypes(X, W, what="the prototypes of the map's units")
    check_updated(W, "W", "f", "the prototypes")
    shape, toroidal = check_grid(W, shape, topology, toroidal)
    order = check_indices(order, X.shape[0], "order", "row indices of X")
    check_per_step(learning_rates, order.shape[0], "learning_rates", low=0)
    check_per_step(sigmas, order.shape[0], "sigmas", low=0, low_open=True)
    if neighbourhood not in NEIGHBOURHOOD_CODES:
        raise ValueError(f"neighbourhood must be one of {sorted(NEIGHBOURHOOD_CODES)}, got "
                         f"{neighbourhood!r}.")
    if metric not in ("euclidean", "cosine"):
        raise ValueError(f"metric must be 'euclidean' or 'cosine', got {metric!r}.")
    return order, shape, toroidal


def check_art_online(X, W, n_categories, order, rho, alpha, beta):
    """Returns ``(n_categories, order as int64, rho, alpha, beta)``."""
    check_data(X)
    check_prototypes(X, W, minimum=0, what="category templates")
    check_updated(W, "W", "f", "the category templates")
    n_categories = check_whole(n_categories, "n_categories", 0, W.shape[0])
    order = check_indices(order, X.shape[0], "order", "row indices of X")
    rho = check_real(rho, "rho", low=0, high=1)
    alpha = check_real(alpha, "alpha", low=0, low_open=True)
    beta = check_real(beta, "beta", low=0, high=1, low_open=True)
    return n_categories, order, rho, alpha, beta


def check_art1_online(X, W, n_categories, order, rho, L):
    """As :func:`check_art_online` with ART1's ``L > 1``; returns ``(n_categories, order,
    rho, L)``."""
    L = check_real(L, "L", low=1, low_open=True)
    n_categories, order, rho, _, _ = check_art_online(X, W, n_categories, order, rho, L - 1, 1)
    return n_categories, order, rho, L


def check_art_predict(X, W, alpha, rho):
    """Returns ``(alpha, rho)``."""
    check_data(X)
    check_prototypes(X, W, minimum=0, what="category templates")
    return (check_real(alpha, "alpha", low=0, low_open=True),
            check_real(rho, "rho", low=0, high=1))


def check_gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b, epsilon_n, max_age,
                     insert_every, alpha, beta):
    """Returns the numbers as Python ints and floats, and ``order`` as int64."""
    check_data(X)
    check_prototypes(X, W, minimum=2, what="node positions")
    check_updated(W, "W", "f", "the node positions")
    max_nodes = W.shape[0]
    check_array(error, "error", 1, "one accumulated error per node")
    check_updated(error, "error", "f", "one accumulated error per node")
    if error.shape != (max_nodes,):
        raise ValueError(f"error must have shape ({max_nodes},), one entry per row of W, got "
                         f"{error.shape}.")
    check_array(age, "age", 2, "the edge ages")
    check_updated(age, "age", "i", "the edge ages, -1 for no edge")
    if age.shape != (max_nodes, max_nodes):
        raise ValueError(f"age must have shape ({max_nodes}, {max_nodes}), one row and column "
                         f"per row of W, got {age.shape}.")
    n_nodes = check_whole(n_nodes, "n_nodes", 2, max_nodes)
    n_steps = check_whole(n_steps, "n_steps", 0)
    order = check_indices(order, X.shape[0], "order", "row indices of X")
    numbers_ = (check_real(epsilon_b, "epsilon_b", low=0, high=1),
                check_real(epsilon_n, "epsilon_n", low=0, high=1),
                # max_age >= 0 keeps the winner's fresh edge, so two nodes always stay alive
                check_whole(max_age, "max_age", 0),
                check_whole(insert_every, "insert_every", 1),
                check_real(alpha, "alpha", low=0, high=1),
                check_real(beta, "beta", low=0, high=1))
    return (n_nodes, n_steps, order) + numbers_


def check_mmj(X):
    """``X`` for the min-max-jump distances: 2-D, real, at least one sample and one feature."""
    check_data(X)
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one sample (row) for the min-max-jump "
                         "distances, got 0.")


def check_radius_neighbors(X, eps):
    """Returns ``eps`` as a float: a finite radius >= 0."""
    check_data(X)
    return check_real(eps, "eps", low=0)


def check_dbscan_labels(indptr, indices, min_samples):
    """Neighbourhoods in compressed rows (``indptr`` non-decreasing from 0 to the length of
    ``indices``, every index a row) and ``min_samples`` >= 1. Returns them as int64 arrays
    and an int."""
    check_array(indptr, "indptr", 1, "the start of each row's neighbours")
    check_array(indices, "indices", 1, "the neighbours, row after row")
    indptr = np.asarray(indptr)
    if indptr.shape[0] < 1 or indptr[0] != 0 or bool((np.diff(indptr) < 0).any()) \
            or indptr[-1] != indices.shape[0]:
        raise ValueError(f"indptr must rise from 0 to the length of indices "
                         f"({indices.shape[0]}), one entry per row and one more.")
    indices = check_indices(indices, indptr.shape[0] - 1, "indices", "row indices")
    min_samples = check_whole(min_samples, "min_samples", 1)
    return indptr.astype(np.int64), np.asarray(indices), min_samples


def check_optics_core_distances(X, min_samples, max_eps):
    """``X`` with at least ``min_samples`` rows, ``min_samples`` >= 1 and ``max_eps`` >= 0
    (``inf`` allowed: no limit). Returns ``min_samples`` as an int and ``max_eps`` as a float."""
    check_data(X)
    min_samples = check_whole(min_samples, "min_samples", 1, max(int(X.shape[0]), 1))
    max_eps = float(_scalar(max_eps, "max_eps", "a real number"))
    if math.isnan(max_eps) or max_eps < 0:
        raise ValueError(f"max_eps must be >= 0 (inf for no limit), got {max_eps}.")
    return min_samples, max_eps


def check_optics_ordering(X, core_distances, indptr, indices):
    """``core_distances``: one per row of ``X``, each >= 0 or inf; ``indptr`` and ``indices``
    both None (every sample a neighbour of every other) or neighbourhoods in compressed rows,
    as ``check_dbscan_labels`` takes them. Returns the core distances in float64 and the
    rows as int64 arrays (or None)."""
    check_data(X)
    check_array(core_distances, "core_distances", 1, "one core distance per sample")
    core = np.asarray(core_distances, dtype=np.float64)
    if core.shape[0] != X.shape[0]:
        raise ValueError(f"core_distances must hold one entry per row of X ({X.shape[0]}), "
                         f"got {core.shape[0]}.")
    if bool(np.isnan(core).any()) or bool((core < 0).any()):
        raise ValueError("core_distances must be >= 0 or inf, without NaN.")
    if (indptr is None) != (indices is None):
        raise ValueError("indptr and indices must be given together, or both left None.")
    if indptr is not None:
        indptr, indices, _ = check_dbscan_labels(indptr, indices, 1)
        if indptr.shape[0] != X.shape[0] + 1:
            raise ValueError(f"indptr must hold one entry per row of X and one more "
                             f"({X.shape[0] + 1}), got {indptr.shape[0]}.")
        indices = np.asarray(indices, dtype=np.int64)
    return core, indptr, indices


def check_adam_step(theta, g, m, v, step, learning_rate, beta1, beta2, eps, weight_decay):
    """``theta``: a floating-point array; ``g``, ``m``, ``v``: arrays of its shape and dtype;
    ``step`` a whole number >= 1; the rates in their ranges (all finite)."""
    for name, array in (("theta", theta), ("g", g), ("m", m), ("v", v)):
        if not hasattr(array, "shape") or not hasattr(array, "dtype"):
            raise ValueError(f"{name} must be an array, got {_describe(array)}.")
        if array.dtype.kind != "f":
            raise ValueError(f"{name} must hold floating-point numbers, got dtype "
                             f"{array.dtype}.")
        if array.shape != theta.shape or array.dtype != theta.dtype:
            raise ValueError(f"{name} must have theta's shape {theta.shape} and dtype "
                             f"{theta.dtype}, got {array.shape} and {array.dtype}.")
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 1:
        raise ValueError(f"step must be a whole number >= 1, got {_describe(step)}.")
    for name, value, interval in (("learning_rate", learning_rate, "(0, inf)"),
                                  ("beta1", beta1, "[0, 1)"), ("beta2", beta2, "[0, 1)"),
                                  ("eps", eps, "(0, inf)"),
                                  ("weight_decay", weight_decay, "[0, inf)")):
        value = float(_scalar(value, name, "a real number"))
        low_ok = value >= 0 if interval[0] == "[" else value > 0
        high_ok = value < 1 if interval.endswith("1)") else math.isfinite(value)
        if not (low_ok and high_ok):
            raise ValueError(f"{name} must lie in {interval}, got {value}.")
