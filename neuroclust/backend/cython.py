"""Thin wrappers over the compiled kernels, ``neuroclust._kernels`` (built from csrc/*.pyx).

The compiled kernel of each algorithm is in ``csrc/<algorithm>.pyx`` and its NumPy twin in
``neuroclust/backend/reference/<algorithm>.py``: distances (``bmu``, ``accumulate``,
``bmu_accumulate``, ``two_nearest``), competitive (``wta_online``), som (``som_online``), gng
(``gng_online``), art (``fuzzy_art_online``, ``fuzzy_art_predict``, ``art1_online``) and mmj
(``mmj_distances``; ``minimum_spanning_tree`` is the reference's, re-exported), density
(``radius_neighbors``, ``dbscan_labels``, ``optics_core_distances``, ``optics_ordering``;
OPTICS' cluster extractions, linear passes over the plot, are the reference's). The
kernels with no compiled version (``squared_distances``, ``undefined_bmu``,
``som_batch_weights``, ``fuzzy_art_choice``, ``art1_bottom_up``: each one matrix product or
less) are the reference's own functions, re-exported (``squared_distances`` and
``som_batch_weights`` inside a lift of the fit's BLAS limit), so this module offers every
kernel name the reference does.

They check every argument before the kernels run (the checks of ``_checks.py``, which the
NumPy reference runs too, so both refuse the same inputs with the same sentence), make the
inputs contiguous and of one dtype, choose the thread count, refuse a call whose buffers
cannot fit in memory, and keep BLAS single-threaded inside the kernels' own parallel loops
(each thread runs its own small matrix products; a multi-threaded BLAS inside them would
oversubscribe the cores). That limit is entered per call, or once for a whole fit that holds
``backend/threads.py``'s ``fit_scope``; the products of ``som_batch_weights`` and
``squared_distances`` (the reference's, wrapped here) lift a limit the fit holds, since they
run faster on BLAS's own threads.

Data are computed in float32 when they come as float16 or float32, else in float64 (integers
and booleans are converted). Arrays a kernel updates in place (prototypes, win frequencies,
errors, edge ages) must hold floating-point numbers (integers for the ages); one of another
layout or precision is served by a contiguous working copy that is written back afterwards.
"""
import contextlib
import os

import numpy as np

from .._kernels import art as _art, competitive as _competitive, distances as _distances
from .._kernels import density as _density, gng as _gng, mmj as _mmj, som as _som
from .._kernels import optim as _optim
from .._validation import available_memory as _available_memory, format_bytes
from ..grid import NEIGHBOURHOOD_CODES
from . import _checks, reference, threads
from ._chunks import COMPILED_CHUNK_ROWS
from .reference import art1_bottom_up, fuzzy_art_choice, minimum_spanning_tree, undefined_bmu
from .reference import optics_dbscan_labels, optics_xi_clusters, optics_xi_labels

__all__ = ["bmu", "undefined_bmu", "accumulate", "bmu_accumulate", "wta_online",
           "squared_distances", "two_nearest", "som_online", "som_batch_weights", "gng_online",
           "fuzzy_art_online", "fuzzy_art_choice", "fuzzy_art_predict", "art1_online",
           "art1_bottom_up", "default_n_threads",
           "minimum_spanning_tree", "mmj_distances",
           "radius_neighbors", "dbscan_labels",
           "optics_core_distances", "optics_ordering", "optics_dbscan_labels",
           "optics_xi_clusters", "optics_xi_labels", "adam_step"]

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


#: Rows per chunk of the compiled distance kernels (``backend/_chunks.py``, compiled in by
#: setup.py).
CHUNK_ROWS = COMPILED_CHUNK_ROWS


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
    """Keep BLAS on one thread while the kernel runs ``n_threads`` threads of its own: per
    call, or once for a fit that holds ``threads.fit_scope`` (see ``backend/threads.py``)."""
    return threads.blas_on_one_thread(n_threads)


def squared_distances(X, W):
    """See ``reference.squared_distances``: one product, on BLAS's own threads."""
    with threads.blas_on_all_threads():
        return reference.squared_distances(X, W)


def som_batch_weights(sums, counts, H, previous):
    """See ``reference.som_batch_weights``: two products, on BLAS's own threads."""
    with threads.blas_on_all_threads():
        return reference.som_batch_weights(sums, counts, H, previous)


def _compute_dtype(dtype):
    """float32 for float16 and float32 data, float64 for every other real dtype."""
    return np.float32 if dtype in (np.float16, np.float32) else np.float64


def _prepare(X, W=None):
    X = np.ascontiguousarray(X, dtype=_compute_dtype(X.dtype))
    if W is None:
        return X
    return X, np.ascontiguousarray(W, dtype=X.dtype)


@contextlib.contextmanager
def _in_place(A, dtype):
    """``A`` as a C-contiguous array of ``dtype`` for a kernel to update; when that takes a
    copy (another layout or dtype), the copy's values are written back into ``A`` at the end."""
    work = np.ascontiguousarray(A, dtype=dtype)
    try:
        yield work
    finally:
        if work is not A:
            A[...] = work


# ------------------------------------------------------------------ memory
#: Calls whose buffers need less than this skip the memory estimate (reading /proc would
#: cost more than they do).
MEMORY_CHECK_FROM = 64 << 20


def available_memory():
    """Bytes this process may still allocate, or None when the system does not say (see
    ``neuroclust._validation.available_memory``)."""
    found = _available_memory()
    return None if found is None else found[0]


def _threads_that_fit(kernel, n_threads, per_thread, shared, what):
    """Threads whose buffers (``per_thread`` bytes each, plus ``shared``) fit in the memory
    available: ``n_threads`` or fewer; MemoryError with a sentence if not even one fits."""
    needed = shared + n_threads * per_thread
    if needed < MEMORY_CHECK_FROM:
        return n_threads
    available = available_memory()
    if available is None or needed <= available:
        return n_threads
    fitting = (available - shared) // per_thread if per_thread else 0
    if fitting >= 1:
        return int(min(n_threads, fitting))
    raise MemoryError(f"{kernel} needs about {format_bytes(shared + per_thread)} for {what}, more "
                      f"than the {format_bytes(available)} this process can still allocate.")


def bmu_bytes_per_thread(n_units, n_features, itemsize, accumulating):
    """The scratch one thread of ``bmu`` (``bmu_accumulate``) allocates: a chunk of centred
    rows and its scores, and, when accumulating, the thread's partial sums and counts."""
    per_thread = CHUNK_ROWS * (n_units + n_features) * itemsize
    if accumulating:
        per_thread += n_units * (n_features * itemsize + 8)
    return per_thread


def _bmu_threads(kernel, X, W, n_threads, accumulating, n_outputs=1):
    """Threads of ``bmu``-like kernels whose buffers fit; ``n_outputs`` (index, distance)
    pairs per sample (two for ``two_nearest``)."""
    n_samples, n_features = X.shape
    n_units, itemsize = W.shape[0], X.itemsize
    per_thread = bmu_bytes_per_thread(n_units, n_features, itemsize, accumulating)
    shared = 3 * W.nbytes + n_outputs * n_samples * (8 + itemsize)
    return _threads_that_fit(kernel, n_threads, per_thread, shared,
                             f"{n_units} prototypes of {n_features} features")


# ------------------------------------------------------------------ the kernels
def bmu(X, W, n_threads=None):
    """See ``reference.bmu``."""
    _checks.check_bmu(X, W)
    n_threads = _checks.check_n_threads(n_threads)
    X, W = _prepare(X, W)
    if not np.isfinite(W).all():
        return undefined_bmu(X)
    n_threads = _bmu_threads("bmu", X, W, _threads_for(X, W, n_threads), False)
    with _blas_limited_to_one_thread(n_threads):
        return _distances.bmu(X, W, n_threads)


def accumulate(X, labels, n_units, n_threads=None):
    """See ``reference.accumulate``."""
    labels, n_units = _checks.check_accumulate(X, labels, n_units)
    n_threads = _checks.check_n_threads(n_threads)
    X = _prepare(X)
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    sums_bytes = n_units * (X.shape[1] * X.itemsize + 8)
    n_threads = _threads_that_fit("accumulate", _threads_for(X, None, n_threads), sums_bytes,
                                  sums_bytes, f"the sums of {n_units} units")
    return _distances.accumulate(X, labels, n_units, n_threads)


def bmu_accumulate(X, W, n_threads=None):
    """See ``reference.bmu_accumulate``."""
    _checks.check_bmu(X, W)
    n_threads = _checks.check_n_threads(n_threads)
    X, W = _prepare(X, W)
    if not np.isfinite(W).all():
        index, distance = undefined_bmu(X)
        return (index, distance) + accumulate(X, index, W.shape[0], n_threads)
    n_threads = _bmu_threads("bmu_accumulate", X, W, _threads_for(X, W, n_threads), True)
    with _blas_limited_to_one_thread(n_threads):
        return _distances.bmu_accumulate(X, W, n_threads)


def two_nearest(X, W, n_threads=None):
    """See ``reference.two_nearest``: chunked as ``bmu``, the two nearest units in one pass."""
    _checks.check_bmu(X, W)
    n_threads = _checks.check_n_threads(n_threads)
    X, W = _prepare(X, W)
    if not np.isfinite(W).all():
        index, distance = undefined_bmu(X)
        return index, index.copy(), distance, distance.copy()
    n_threads = _bmu_threads("two_nearest", X, W, _threads_for(X, W, n_threads), False, 2)
    with _blas_limited_to_one_thread(n_threads):
        return _distances.two_nearest(X, W, n_threads)


def _state_dtype(W):
    """The dtype a kernel updates ``W`` in: float32 for float16/float32, else float64."""
    return _compute_dtype(W.dtype)


def wta_online(X, W, order, learning_rate, win_frequency=None,
               conscience_rate=0.0, conscience_bias=0.0, variance=1.0):
    """See ``reference.wta_online``; updates ``W`` (and ``win_frequency``) in place.

    ``X`` is taken in ``W``'s precision (float32 for float16 and float32 prototypes).
    """
    order, learning_rate, conscience_rate, conscience_bias, variance = (
        _checks.check_wta_online(X, W, order, learning_rate, win_frequency, conscience_rate,
                                 conscience_bias, variance))
    dtype = _state_dtype(W)
    X = np.ascontiguousarray(X, dtype=dtype)
    order = np.ascontiguousarray(order, dtype=np.int64)
    work = np.ascontiguousarray(W, dtype=dtype)
    frequency = (None if win_frequency is None
                 else np.ascontiguousarray(win_frequency, dtype=np.float64))
    try:
        return _competitive.wta_online(X, work, order, learning_rate, frequency,
                                       conscience_rate, conscience_bias, variance)
    finally:  # copies (another layout or dtype) go back into the caller's arrays
        if work is not W:
            W[...] = work
        if frequency is not win_frequency:
            win_frequency[...] = frequency


def som_online(X, W, shape, topology, toroidal, order, learning_rates, sigmas,
               neighbourhood="gaussian", metric="euclidean", with_errors=False):
    """See ``reference.som_online``; updates ``W`` in place.

    For the Euclidean metric in float32 the data and prototypes are shifted by the data's mean
    first (distances and the update rule do not change under a shift, and the kernel's
    expansion ||x||^2 - 2 x.w + ||w||^2 loses far less to rounding on centred numbers); float64
    has the precision to spare, and skips the copy of X. Rows of ``MIN_FEATURES_FOR_BLOCKS``
    features or more take the blocked kernel (the same steps, the prototypes touched twice per
    block of steps; see ``csrc/som.pyx``'s ``som_online_blocked``), shorter rows the
    step-by-step one.
    """
    order, (rows, cols), toroidal = _checks.check_som_online(
        X, W, shape, topology, toroidal, order, learning_rates, sigmas, neighbourhood, metric)
    if rows > MAX_GRID_SIDE or cols > MAX_GRID_SIDE:
        raise ValueError(f"the compiled SOM kernel takes grids of at most {MAX_GRID_SIDE} rows "
                         f"and columns, got {rows} x {cols}; use backend='numpy'.")
    dtype = _state_dtype(W)
    X = np.ascontiguousarray(X, dtype=dtype)
    order = np.ascontiguousarray(order, dtype=np.int64)
    learning_rates = np.ascontiguousarray(learning_rates, dtype=np.float64)
    sigmas = np.ascontiguousarray(sigmas, dtype=np.float64)
    with _in_place(W, dtype) as work:
        return _som_online(X, work, rows, cols, topology == "hexagonal", toroidal, order,
                           learning_rates, sigmas, neighbourhood, metric, bool(with_errors))


#: The compiled SOM's neighbourhood tables count grid rows and columns in C ints.
MAX_GRID_SIDE = 1 << 28


def _som_online(X, W, rows, cols, hexagonal, toroidal, order, learning_rates, sigmas,
                neighbourhood, metric, with_errors):
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
            with (_blas_limited_to_one_thread(2) if blas_threads == 1
                  else threads.blas_on_all_threads()):
                return _som.som_online_blocked(X, W, rows, cols, hexagonal, toroidal, order,
                                               learning_rates, sigmas, code, cosine,
                                               som_block_steps(X.shape[1]), with_errors)
        return _som.som_online(X, W, rows, cols, hexagonal, toroidal, order, learning_rates,
                               sigmas, code, cosine, n_threads, with_errors)
    finally:
        if shift is not None:
            W += shift


#: From this many features the online SOM runs in blocks of som_block_steps() steps
#: (``som_online_blocked`` of csrc/som.pyx: two BLAS products per block instead of three passes over
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


# ------------------------------------------------------------------ adaptive resonance theory
def fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta):
    """See ``reference.fuzzy_art_online``; updates ``W`` in place.

    One call runs the whole ``order`` in compiled code on one thread (each step depends on the
    last). The search of eqs. (2)-(3) is done in one pass over the categories: the largest
    choice among those that pass the vigilance test, which is where the search ends.
    """
    n_categories, order, rho, alpha, beta = _checks.check_art_online(
        X, W, n_categories, order, rho, alpha, beta)
    return _fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta)


def _fuzzy_art_online(X, W, n_categories, order, rho, alpha, beta):
    dtype = _state_dtype(W)
    X = np.ascontiguousarray(X, dtype=dtype)
    order = np.ascontiguousarray(order, dtype=np.int64)
    with _in_place(W, dtype) as work:
        return _art.fuzzy_art_online(X, work, n_categories, order, rho, alpha, beta)


def fuzzy_art_predict(X, W, alpha, rho=0.0, n_threads=None):
    """See ``reference.fuzzy_art_predict``; samples split between threads."""
    alpha, rho = _checks.check_art_predict(X, W, alpha, rho)
    n_threads = _checks.check_n_threads(n_threads)
    X, W = _prepare(X, W)
    n_threads = _threads_for(X, W, n_threads)
    return _art.fuzzy_art_predict(X, W, alpha, rho, n_threads)


def art1_online(X, W, n_categories, order, rho, L):
    """See ``reference.art1_online``: run as Fuzzy ART with alpha = L - 1 and beta = 1.

    ART1's choice is L times Fuzzy ART's with alpha = L - 1, so the search order is the same;
    its vigilance test and fast learning are Fuzzy ART's on binary data. When two choices are
    exactly equal as numbers, both kernels give the lower index; for an ``L`` whose ``L - 1``
    is not a short binary fraction (2.3, say) rounding can part such a tie differently.
    """
    n_categories, order, rho, L = _checks.check_art1_online(X, W, n_categories, order, rho, L)
    return _fuzzy_art_online(X, W, n_categories, order, rho, L - 1.0, 1.0)


# ------------------------------------------------------------------ growing neural gas
def gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b, epsilon_n, max_age,
               insert_every, alpha, beta):
    """See ``reference.gng_online``; updates ``W``, ``error`` and ``age`` in place.

    One call runs the whole ``order`` (insertions and removals included) in compiled code on
    one thread: each step depends on the last. Returns ``(n_nodes, n_steps)``.
    """
    (n_nodes, n_steps, order, epsilon_b, epsilon_n, max_age, insert_every, alpha,
     beta) = _checks.check_gng_online(X, W, error, age, n_nodes, n_steps, order, epsilon_b,
                                      epsilon_n, max_age, insert_every, alpha, beta)
    dtype = _state_dtype(W)
    X = np.ascontiguousarray(X, dtype=dtype)
    order = np.ascontiguousarray(order, dtype=np.int64)
    with _in_place(W, dtype) as W_work, _in_place(error, np.float64) as error_work, \
            _in_place(age, np.int64) as age_work:
        return _gng.gng_online(X, W_work, error_work, age_work, n_nodes, n_steps, order,
                               epsilon_b, epsilon_n, max_age, insert_every, alpha, beta)


# ------------------------------------------------------------------ min-max-jump distance
def mmj_distances(X, n_threads=None):
    """See ``reference.mmj_distances``: Prim's tree on one thread, then the path maxima row by
    row, the rows shared between threads (csrc/mmj.pyx). The n x n result is refused with a
    sentence, before it is allocated, when it cannot fit in memory."""
    _checks.check_mmj(X)
    n_threads = _checks.check_n_threads(n_threads)
    X = _prepare(X)
    n = X.shape[0]
    _threads_that_fit("mmj_distances", 1, 0, n * n * X.itemsize + 6 * n * 8,
                      f"the {n} x {n} distance matrix")
    M = np.zeros((n, n), dtype=X.dtype)
    order = np.empty(n, dtype=np.int64)
    parent = np.empty(n, dtype=np.int64)
    weight = np.empty(n, dtype=X.dtype)
    n_threads = max(1, min(n_threads or default_n_threads(), n * n // MIN_WORK_PER_THREAD))
    _mmj.mmj_distances(X, M, order, parent, weight, n_threads)
    return M


# ------------------------------------------------------------------ Adam
def adam_step(theta, g, m, v, step, learning_rate, beta1, beta2, eps, weight_decay,
              scratch=None):
    """See ``reference.adam_step``: the whole update in one pass over the arrays
    (csrc/optim.pyx), on one thread (a network's largest weight matrix is updated in well under
    a millisecond). Arrays that are not C-contiguous, or not float32/float64, go to the
    reference, whose operations run on any layout."""
    _checks.check_adam_step(theta, g, m, v, step, learning_rate, beta1, beta2, eps,
                            weight_decay)
    arrays = (theta, g, m, v)
    if theta.dtype not in (np.float32, np.float64) or not all(
            isinstance(a, np.ndarray) and a.flags.c_contiguous for a in arrays):
        return reference.adam_step(theta, g, m, v, step, learning_rate, beta1, beta2, eps,
                                   weight_decay, scratch)
    flat = [a.reshape(-1) for a in arrays]   # views: C-contiguous arrays reshape in place
    _optim.adam_step(*flat, 1 - beta1 ** step, 1 - beta2 ** step, learning_rate, beta1, beta2,
                     eps, weight_decay)
    return theta


# ------------------------------------------------------------------ density (DBSCAN)
def radius_neighbors(X, eps):
    """See ``reference.radius_neighbors``: the pairs within ``eps`` from SciPy's k-d tree, put
    in rows by ``csrc/density.pyx``'s ``rows_of_pairs`` (each row: the sample, then its
    partners in the tree's order).

    A tree visits only the cells near each sample, where the reference measures every pair;
    SciPy's is compiled, tested and already a dependency, so writing another would add code
    without adding speed. It keeps the pairs whose distance, from the differences in float64,
    is at most ``eps``, as the reference does.
    """
    from scipy.spatial import cKDTree   # SciPy loads its spatial module only when asked

    eps = _checks.check_radius_neighbors(X, eps)
    X = np.ascontiguousarray(X, dtype=np.float64)
    pairs = cKDTree(X).query_pairs(eps, p=2.0, output_type="ndarray")
    return _density.rows_of_pairs(np.ascontiguousarray(pairs, dtype=np.int64), X.shape[0])


def dbscan_labels(indptr, indices, min_samples):
    """See ``reference.dbscan_labels``: its loop, compiled."""
    indptr, indices, min_samples = _checks.check_dbscan_labels(indptr, indices, min_samples)
    return _density.dbscan_labels(np.ascontiguousarray(indptr, dtype=np.int64),
                                  np.ascontiguousarray(indices, dtype=np.int64), min_samples)


# ------------------------------------------------------------------ density (OPTICS)
def optics_core_distances(X, min_samples, max_eps):
    """See ``reference.optics_core_distances``: the ``min_samples`` nearest rows from SciPy's
    k-d tree, then the distance to each measured again as the reference measures it
    (differences in float64, features summed in order), the largest kept, so both backends
    give the same bits."""
    from scipy.spatial import cKDTree   # SciPy loads its spatial module only when asked

    min_samples, max_eps = _checks.check_optics_core_distances(X, min_samples, max_eps)
    X = np.ascontiguousarray(X, dtype=np.float64)
    tree, ranks = cKDTree(X), list(range(1, min_samples + 1))
    core = np.empty(X.shape[0])
    block = max(1, reference.optics.BLOCK_ENTRIES // min_samples)   # rows x neighbours held
    for start in range(0, X.shape[0], block):
        rows = X[start:start + block]
        nearest = tree.query(rows, k=ranks)[1]
        squared = np.zeros(nearest.shape)
        for feature in range(X.shape[1]):
            difference = X[nearest, feature] - rows[:, feature, None]
            squared += difference * difference
        core[start:start + block] = np.sqrt(squared.max(axis=1))
    core[core > max_eps] = np.inf
    return np.around(core, reference.optics.DECIMALS)


def optics_ordering(X, core_distances, indptr=None, indices=None):
    """See ``reference.optics_ordering``: its loop, compiled (``csrc/density.pyx``); with the
    neighbourhoods given, a heap finds each next sample in place of a scan."""
    core, indptr, indices = _checks.check_optics_ordering(X, core_distances, indptr, indices)
    X = np.ascontiguousarray(X, dtype=np.float64)
    return _density.optics_ordering(X, np.ascontiguousarray(core), indptr, indices)
