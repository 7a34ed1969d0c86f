"""Thin wrappers over the compiled kernels in ``csrc/kernels.pyx``.

They make the inputs contiguous and of one dtype, choose the thread count, and keep BLAS
single-threaded inside the kernels' own parallel loops (each thread runs its own small matrix
products; a multi-threaded BLAS inside them would oversubscribe the cores).
"""
import contextlib
import os

import numpy as np
from threadpoolctl import ThreadpoolController

from .. import _kernels
from . import reference

__all__ = ["bmu", "accumulate", "bmu_accumulate", "wta_online", "som_online", "default_n_threads",
           "fuzzy_art_online", "fuzzy_art_predict", "art1_online", "gng_online"]

_controller = None


def default_n_threads():
    """Threads for the kernels: ``NEUROCLUST_NUM_THREADS``, else ``OMP_NUM_THREADS``, else the
    CPUs this process may use."""
    for variable in ("NEUROCLUST_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(variable, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


CHUNK_ROWS = 256  # as in csrc/kernels.pyx


#: Multiply-adds below which one more thread costs more (waking it) than it saves.
MIN_WORK_PER_THREAD = 1 << 20


def _threads_for(X, W, n_threads):
    """Threads worth using: none more than the chunks of rows, nor than the work pays for.

    Small calls stay on one thread; that also spares them the wake-up cost of a second OpenMP
    runtime when another library (scikit-learn) has loaded its own.
    """
    n_samples, n_features = X.shape
    n_units = 1 if W is None else W.shape[0]
    by_chunks = -(-n_samples // CHUNK_ROWS)
    by_work = max(1, (n_samples * n_features * n_units) // MIN_WORK_PER_THREAD)
    return max(1, min(n_threads or default_n_threads(), by_chunks, by_work))


def _blas_limited_to_one_thread(n_threads):
    """Keep BLAS on one thread while the kernel runs ``n_threads`` threads of its own."""
    global _controller
    if n_threads == 1:
        return contextlib.nullcontext()
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def _prepare(X, W=None):
    X = np.ascontiguousarray(X)
    if W is None:
        return X
    return X, np.ascontiguousarray(W, dtype=X.dtype)


def bmu(X, W, n_threads=None):
    """See ``reference.bmu``."""
    X, W = _prepare(X, W)
    if not np.isfinite(W).all():
        return reference.undefined_bmu(X)
    n_threads = _threads_for(X, W, n_threads)
    with _blas_limited_to_one_thread(n_threads):
        return _kernels.bmu(X, W, n_threads)


def _check_indices(indices, upper, name, what):
    """The compiled loops do not check bounds: every index must lie in [0, upper)."""
    if len(indices) and (indices.min() < 0 or indices.max() >= upper):
        raise ValueError(f"{name} must hold {what} in [0, {upper}), but it has values from "
                         f"{indices.min()} to {indices.max()}.")


def accumulate(X, labels, n_units, n_threads=None):
    """See ``reference.accumulate``."""
    X = _prepare(X)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have one entry per row of X ({X.shape[0]}), "
                         f"got shape {labels.shape}.")
    _check_indices(labels, n_units, "labels", "unit indices")
    return _kernels.accumulate(X, labels, int(n_units), _threads_for(X, None, n_threads))


def bmu_accumulate(X, W, n_threads=None):
    """See ``reference.bmu_accumulate``."""
    X, W = _prepare(X, W)
    if not np.isfinite(W).all():
        index, distance = reference.undefined_bmu(X)
        return (index, distance) + accumulate(X, index, W.shape[0], n_threads)
    n_threads = _threads_for(X, W, n_threads)
    with _blas_limited_to_one_thread(n_threads):
        return _kernels.bmu_accumulate(X, W, n_threads)


def wta_online(X, W, order, learning_rate, win_frequency=None,
               conscience_rate=0.0, conscience_bias=0.0):
    """See ``reference.wta_online``; updates ``W`` (and ``win_frequency``) in place.

    ``W`` must already be a C-contiguous array of ``X``'s dtype, since it is updated in place.
    """
    X = _prepare(X)
    if W.dtype != X.dtype or not W.flags.c_contiguous:
        raise ValueError("W must be a C-contiguous array of the same dtype as X, "
                         f"got {W.dtype} (contiguous: {W.flags.c_contiguous}) for X of {X.dtype}.")
    if W.shape[1] != X.shape[1]:
        raise ValueError(f"W has {W.shape[1]} features but X has {X.shape[1]}.")
    order = np.ascontiguousarray(order, dtype=np.int64).reshape(-1)
    _check_indices(order, X.shape[0], "order", "row indices of X")
    frequency = win_frequency
    if win_frequency is not None:
        if win_frequency.shape != (W.shape[0],):
            raise ValueError(f"win_frequency must have one entry per unit ({W.shape[0]}), "
                             f"got shape {win_frequency.shape}.")
        frequency = np.ascontiguousarray(win_frequency, dtype=np.float64)
    winners = _kernels.wta_online(X, W, order, float(learning_rate), frequency,
                                  float(conscience_rate), float(conscience_bias))
    if frequency is not None and frequency is not win_frequency:
        win_frequency[...] = frequency  # the caller's array was another dtype or layout
    return winners


def som_online(X, W, positions, periods, order, learning_rates, sigmas,
               neighbourhood="gaussian", metric="euclidean"):
    """See ``reference.som_online``; updates ``W`` in place.

    For the Euclidean metric in float32 the data and prototypes are shifted by the data's mean
    first (distances and the update rule do not change under a shift, and the kernel's
    expansion ||x||^2 - 2 x.w + ||w||^2 loses far less to rounding on centred numbers); float64
    has the precision to spare, and skips the copy of X. Rows of ``MIN_FEATURES_FOR_BLOCKS``
    features or more take the blocked kernel (the same steps, the prototypes touched twice per
    block of steps; see ``_kernels.som_online_blocked``), shorter rows the step-by-step one.
    """
    from ..models._grid import NEIGHBOURHOOD_CODES

    X = _prepare(X)
    if W.dtype != X.dtype or not W.flags.c_contiguous or W.shape[1] != X.shape[1]:
        raise ValueError("W must be a C-contiguous array of X's dtype and feature count.")
    order = np.ascontiguousarray(order, dtype=np.int64).reshape(-1)
    _check_indices(order, X.shape[0], "order", "row indices of X")
    steps = len(order)
    learning_rates = np.ascontiguousarray(learning_rates, dtype=np.float64)
    sigmas = np.ascontiguousarray(sigmas, dtype=np.float64)
    if learning_rates.shape != (steps,) or sigmas.shape != (steps,):
        raise ValueError("learning_rates and sigmas must have one value per step of order.")
    rows, cols, hexagonal, toroidal = _grid_layout(positions, periods, W.shape[0])
    cosine = metric == "cosine"
    shift = None
    if not cosine and X.dtype == np.float32:
        shift = X.mean(axis=0, dtype=np.float64).astype(X.dtype)
    if shift is not None:
        X = X - shift
        W -= shift
    code, n_threads = NEIGHBOURHOOD_CODES[neighbourhood], _som_threads(W.shape[0] * W.shape[1])
    try:
        if X.shape[1] >= MIN_FEATURES_FOR_BLOCKS:
            # Small products lose more to waking BLAS threads than the threads give back.
            blas_threads = 1 if W.size < MIN_SOM_WORK_FOR_BLAS_THREADS else n_threads
            with _blas_limited_to_one_thread(2 if blas_threads == 1 else 1):
                return _kernels.som_online_blocked(X, W, rows, cols, hexagonal, toroidal,
                                                   order, learning_rates, sigmas, code,
                                                   cosine, som_block_steps(X.shape[1]))
        return _kernels.som_online(X, W, rows, cols, hexagonal, toroidal, order,
                                   learning_rates, sigmas, code, cosine, n_threads)
    finally:
        if shift is not None:
            W += shift


#: From this many features the online SOM runs in blocks of som_block_steps() steps
#: (``_kernels.som_online_blocked``: two BLAS products per block instead of three passes over
#: the prototypes per step); below it, the step-by-step kernel is faster.
MIN_FEATURES_FOR_BLOCKS = 32


def som_block_steps(n_features):
    """Steps per block: long rows amortise their two products over more steps, but the
    scalar work of a step grows with the block (measured best: about n_features / 8)."""
    return min(64, max(16, n_features // 8))

#: Prototype entries from which the blocked kernel's products run on several BLAS threads.
MIN_SOM_WORK_FOR_BLAS_THREADS = 1 << 17

#: Prototype entries per step from which splitting the units between threads pays for the
#: barrier every step costs (a 20x20 map of 784 features has 313,600).
MIN_SOM_WORK_PER_THREAD = 1 << 15


def _som_threads(work_per_step):
    return max(1, min(default_n_threads(), work_per_step // MIN_SOM_WORK_PER_THREAD))


def _grid_layout(positions, periods, n_units):
    """(rows, cols, hexagonal, toroidal) of the grid that ``positions`` and ``periods`` describe.

    The compiled kernel knows only the standard grids of ``models._grid``; any other layout
    is an error rather than a silently different map.
    """
    from ..models._grid import standard_grid

    positions = np.asarray(positions, dtype=np.float64)
    cols = int(np.count_nonzero(positions[:, 1] == positions[0, 1]))
    rows = n_units // max(cols, 1)
    hexagonal = bool(positions.shape[0] > cols and positions[cols, 0] != positions[0, 0])
    toroidal = bool(np.any(np.asarray(periods) > 0))
    topology = "hexagonal" if hexagonal else "rectangular"
    expected_positions, expected_periods = standard_grid((rows, cols), topology, toroidal)
    if (rows * cols != n_units or not np.array_equal(positions, expected_positions)
            or not np.array_equal(periods, expected_periods)):
        raise ValueError("the compiled SOM kernel takes the rectangular and hexagonal grids of "
                         "neuroclust.models._grid only; use backend='numpy' for other layouts.")
    return rows, cols, hexagonal, toroidal


# ------------------------------------------------------------------ adaptive resonance theory
def _check_templates(X, W, n_categories):
    """W is updated in place: it must already be C-contiguous, of X's dtype and width."""
    if W.dtype != X.dtype or not W.flags.c_contiguous or W.ndim != 2 or W.shape[1] != X.shape[1]:
        raise ValueError("W must be a C-contiguous 2-D array of X's dtype and feature count, got "
                         f"{W.dtype} of shape {W.shape} for X of {X.dtype} and shape {X.shape}.")
    if not 0 <= n_categories <= W.shape[0]:
        raise ValueError(f"n_categories must lie in [0, {W.shape[0]}] (the rows of W), "
                         f"got {n_categories}.")


def fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta):
    """See ``reference.fuzzy_art_online``; updates ``W`` in place.

    One call runs the whole ``order`` in compiled code on one thread (each step depends on the
    last). The search of eqs. (2)-(3) is done in one pass over the categories: the largest
    choice among those that pass the vigilance test, which is where the search ends.
    """
    X = _prepare(X)
    n_categories = int(n_categories)
    _check_templates(X, W, n_categories)
    order = np.ascontiguousarray(order, dtype=np.int64).reshape(-1)
    _check_indices(order, X.shape[0], "order", "row indices of X")
    return _kernels.fuzzy_art_online(X, W, n_categories, order, float(rho), float(alpha),
                                     float(beta))


def fuzzy_art_predict(X, W, alpha, rho=0.0, n_threads=None):
    """See ``reference.fuzzy_art_predict``; samples split between threads."""
    X, W = _prepare(X, W)
    n_threads = _threads_for(X, W, n_threads)
    return _kernels.fuzzy_art_predict(X, W, float(alpha), float(rho), n_threads)


def art1_online(X, W, n_categories, order, rho, L):
    """See ``reference.art1_online``: run as Fuzzy ART with alpha = L - 1 and beta = 1.

    ART1's choice is L times Fuzzy ART's with alpha = L - 1, so the search order is the same;
    its vigilance test and fast learning are Fuzzy ART's on binary data. When two choices are
    exactly equal as numbers, both kernels give the lower index; for an ``L`` whose ``L - 1``
    is not a short binary fraction (2.3, say) rounding can part such a tie differently.
    """
    return fuzzy_art_online(X, W, n_categories, order, rho, L - 1.0, 1.0)


# ------------------------------------------------------------------ growing neural gas
def gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b, epsilon_n, max_age,
               lambda_, alpha, beta):
    """See ``reference.gng_online``; updates ``W``, ``error`` and ``age`` in place.

    One call runs the whole ``order`` (insertions and removals included) in compiled code on
    one thread: each step depends on the last. Returns ``(n_nodes, n_steps)``.
    """
    X = _prepare(X)
    n_nodes = int(n_nodes)
    _check_gng_state(X, W, error, age, n_nodes)
    if int(lambda_) < 1:  # the kernel takes the step count modulo lambda_
        raise ValueError(f"lambda_ must be >= 1, got {lambda_}.")
    order = np.ascontiguousarray(order, dtype=np.int64).reshape(-1)
    _check_indices(order, X.shape[0], "order", "row indices of X")
    return _kernels.gng_online(X, W, error, age, n_nodes, int(n_steps), order,
                               float(epsilon_b), float(epsilon_n), int(max_age), int(lambda_),
                               float(alpha), float(beta))


def _check_gng_state(X, W, error, age, n_nodes):
    """The state is updated in place, so it must already have the kernel's types and layout."""
    max_nodes = W.shape[0]
    if W.dtype != X.dtype or not W.flags.c_contiguous or W.ndim != 2 or W.shape[1] != X.shape[1]:
        raise ValueError("W must be a C-contiguous 2-D array of X's dtype and feature count, got "
                         f"{W.dtype} of shape {W.shape} for X of {X.dtype} and shape {X.shape}.")
    if error.dtype != np.float64 or not error.flags.c_contiguous or error.shape != (max_nodes,):
        raise ValueError(f"error must be a C-contiguous float64 array of shape ({max_nodes},), "
                         f"got {error.dtype} of shape {error.shape}.")
    if (age.dtype != np.int64 or not age.flags.c_contiguous
            or age.shape != (max_nodes, max_nodes)):
        raise ValueError(f"age must be a C-contiguous int64 array of shape ({max_nodes}, "
                         f"{max_nodes}), got {age.dtype} of shape {age.shape}.")
    if not 2 <= n_nodes <= max_nodes:
        raise ValueError(f"n_nodes must lie in [2, {max_nodes}] (the rows of W), got {n_nodes}.")
