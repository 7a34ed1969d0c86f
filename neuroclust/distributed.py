r"""Batch models on Dask arrays: the data stays where it lives, the prototypes on the client.

The batch rules of this library are map-reduce by nature. In one epoch every sample finds its
winner and adds itself to that unit's sum and count; the update then needs only those
:math:`K \times d` sums and :math:`K` counts. So an epoch on a Dask array chunked by rows is

1. *map*: on every chunk, where it lives (a worker of a ``dask.distributed`` cluster, or a
   thread of the local scheduler), the compiled kernel ``bmu_accumulate`` (or ``two_nearest``
   and ``accumulate`` when the SOM records its errors) gives the chunk's per-unit sums and
   counts and its share of the error;
2. *reduce*: the small results are added pairwise, in a tree, and only the total comes back;
3. *update*: the client turns them into new prototypes (Lloyd's means, Kohonen's batch map,
   the competitive batch step), exactly as the in-memory fit does.

What moves per epoch is the prototypes out (:math:`K d` numbers, once per worker) and
:math:`K d + K` numbers back per chunk; the data never moves. The result equals the in-memory
fit from the same start up to the order in which the sums are added (float64: about 1e-12
relative; float32 data is summed in float64 per chunk, closer to exact than the in-memory
float32 sums).

The starts read the Dask array without pulling it to the client
(:func:`neuroclust.models.init.dask_start`): the PCA start and the random ones are the same
as in memory; only k-means++ is seeded from a uniform sample of the rows.

This module holds the parts every model shares: the checks (:func:`check_dask_data`, one pass
that also gives the mean, the variance and the range), the map and reduce of an epoch
(:func:`unit_sums`), the lazy queries (:func:`map_rows`). Each model's own loop sits next to
its in-memory one, as ``_fit_dask``: ``models/kmeans.py`` (:class:`~neuroclust.KMeans`),
``models/som.py`` (``SOM(mode="batch")``), ``models/competitive.py``
(``CompetitiveLearning(mode="batch")``). Their ``predict`` and ``transform`` return lazy Dask
arrays on a Dask array, their scores a number. Dask is imported only when a Dask array is
given (``pip install "neuroclust[distributed]"``); the chain: this module -> those models ->
``docs/distributed.md`` -> ``tests/test_distributed.py``.
"""
import copy

import numpy as np

from ._validation import check_is_fitted, check_n_features, is_dask_array
from .backend import available_backends, get_kernels

__all__ = ["is_dask_array", "check_dask_rows", "check_dask_data", "check_dask_query", "unit_sums", "map_rows",
           "rows_of", "column_bounds", "DataSummary", "UnitSums", "is_streamed", "iter_chunks",
           "STREAM_CHUNK_BYTES"]

#: The size of one chunk of a NumPy memory map streamed by ``partial_fit`` (64 MiB).
STREAM_CHUNK_BYTES = 64 * 2**20


def _dask():
    try:
        import dask
        import dask.array  # noqa: F401
    except ImportError:
        raise ImportError("fitting on a Dask array needs Dask: pip install "
                          "\"neuroclust[distributed]\"") from None
    return dask


# ------------------------------------------------------------------ checks and one pass
class DataSummary:
    """What one pass over the rows finds: their number, mean, mean per-feature variance,
    smallest and largest value (the checks, the ``tol`` scale and the divergence guard)."""

    def __init__(self, n, mean, m2, low, high, finite):
        self.n, self.mean, self.m2, self.low, self.high, self.finite = (
            n, mean, m2, low, high, finite)

    @property
    def mean_variance(self):
        return float(self.m2.sum()) / (self.n * len(self.mean))


def _block_summary(block):
    block = np.asarray(block)
    mean = block.mean(axis=0, dtype=np.float64)
    centred = block - mean
    finite = bool(np.isfinite(block).all())
    low, high = (float(block.min()), float(block.max())) if block.size else (np.inf, -np.inf)
    return DataSummary(block.shape[0], mean, (centred * centred).sum(axis=0, dtype=np.float64),
                       low, high, finite)


def _merge_summaries(a, b):
    """Chan, Golub and LeVeque's pairwise update of the count, mean and sum of squares."""
    if a.n == 0:
        return b
    if b.n == 0:
        return a
    n = a.n + b.n
    delta = b.mean - a.mean
    return DataSummary(n, a.mean + delta * (b.n / n), a.m2 + b.m2 + delta**2 * (a.n * b.n / n),
                       min(a.low, b.low), max(a.high, b.high), a.finite and b.finite)


def check_dask_rows(X, name="X", n_features=None, owner="the model", min_samples=1):
    """The checks of a Dask array that need no pass over it: 2-D, chunks of known size,
    numbers, enough rows (and ``n_features`` columns, when given). Returns it with float32
    kept and other numbers as float64, in one chunk across the columns."""
    _dask()
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D Dask array (samples x features), but it has "
                         f"{X.ndim} dimension(s).")
    if any(np.isnan(size) for sizes in X.chunks for size in sizes):
        raise ValueError(f"{name} has chunks of unknown size (from a filter or a dataframe); "
                         f"call {name}.compute_chunk_sizes() first.")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, but its dtype is {X.dtype}.")
    if n_features is not None:
        check_n_features(X, n_features, name=name, owner=owner)
    if X.shape[0] < min_samples or X.shape[1] < 1:
        raise ValueError(f"{name} has shape {X.shape}; at least {min_samples} sample(s) and "
                         "one feature are needed.")
    return (X if X.dtype == np.float32 else X.astype(np.float64)).rechunk({1: -1})


def check_dask_data(model, X, min_samples=1):
    """Check a Dask array as ``_validate_for_fit`` checks NumPy data, in one pass over it.

    Returns X (float32 kept, other numbers as float64, one chunk across the columns), its
    :class:`DataSummary`, and the kernels; sets ``n_features_in_``, ``backend_`` and
    ``_data_range`` on ``model``.
    """
    X = check_dask_rows(X, min_samples=min_samples)
    summary = _tree_reduce(X, _block_summary, (), _merge_summaries)
    if not summary.finite:
        raise ValueError("X contains NaN or infinity; every value must be a finite number.")
    backend = host_backend(model.backend)
    model.backend_, model.n_features_in_ = backend, X.shape[1]
    model._data_range = (summary.low, summary.high)
    return X, summary, get_kernels(backend)


def host_backend(requested):
    """The backend the chunks run on: the one asked for when it runs on the CPU ("numpy",
    "cython"), else the compiled kernels when they are built ("auto", and "cupy", whose
    chunks would each have to travel to a GPU)."""
    if requested == "cupy":
        raise ValueError("backend='cupy' does not run on a Dask array (each chunk would travel "
                         "to the GPU and back every epoch); use backend='auto' or 'cython'.")
    if requested in ("numpy", "cython"):
        return requested
    return "cython" if "cython" in available_backends() else "numpy"


# ------------------------------------------------------------------ map and reduce
def _tree_reduce(X, per_block, arguments, merge):
    """``per_block(block, *arguments)`` on every row chunk of ``X`` where it lives, merged
    pairwise (a tree, so no worker adds up more than two results at a time); computed."""
    dask = _dask()
    shared = [dask.delayed(argument, pure=True) if isinstance(argument, np.ndarray) else argument
              for argument in arguments]   # one key each: sent once to every worker
    parts = [dask.delayed(per_block, pure=True)(block, *shared)
             for block in X.to_delayed().ravel()]
    while len(parts) > 1:
        parts = [dask.delayed(merge, pure=True)(*parts[i:i + 2]) if i + 1 < len(parts)
                 else parts[i] for i in range(0, len(parts), 2)]
    return dask.compute(parts[0])[0]


class UnitSums:
    """One pass's per-unit results: sums (float64) and counts of the samples each unit won,
    the summed squared and plain distances to the winner, the samples whose runner-up is no
    grid neighbour of the winner (SOM), and the ``n_far`` samples farthest from their winner
    with those distances (k-means' restart of an empty cluster)."""

    def __init__(self, sums, counts, squared, plain, folds, n, far_rows, far_distance):
        self.sums, self.counts, self.squared, self.plain, self.folds, self.n = (
            sums, counts, squared, plain, folds, n)
        self.far_rows, self.far_distance = far_rows, far_distance


def _worker_kernels(backend):
    """The kernels on the worker that runs a chunk: those of ``backend``, or the NumPy
    reference on a worker where the compiled ones are not built (same results, slower)."""
    try:
        return get_kernels(backend)
    except ImportError:
        return get_kernels("numpy")


def _block_unit_sums(block, W, backend, adjacency, n_far):
    kernels = _worker_kernels(backend)
    block = np.ascontiguousarray(block, dtype=W.dtype)
    folds = 0
    if adjacency is None:
        winners, distance, sums, counts = kernels.bmu_accumulate(block, W)
    else:
        winners, second, distance, _ = kernels.two_nearest(block, W)
        sums, counts = kernels.accumulate(block, winners, W.shape[0])
        folds = int(np.count_nonzero(~adjacency[np.asarray(winners), np.asarray(second)]))
    distance = np.maximum(np.asarray(distance, dtype=np.float64), 0)
    far = np.argsort(-distance, kind="stable")[:n_far] if n_far else slice(0, 0)
    return UnitSums(np.asarray(sums, dtype=np.float64), np.asarray(counts, dtype=np.int64),
                    float(distance.sum()), float(np.sqrt(distance).sum()), folds,
                    block.shape[0], block[far], distance[far])


def _merge_unit_sums(a, b):
    far_distance = np.concatenate([a.far_distance, b.far_distance])
    keep = np.argsort(-far_distance, kind="stable")[:len(a.far_distance)]
    return UnitSums(a.sums + b.sums, a.counts + b.counts, a.squared + b.squared,
                    a.plain + b.plain, a.folds + b.folds, a.n + b.n,
                    np.concatenate([a.far_rows, b.far_rows])[keep], far_distance[keep])


def unit_sums(X, W, backend, adjacency=None, n_far=0):
    """One epoch's map and reduce: the :class:`UnitSums` of the prototypes ``W`` on X."""
    return _tree_reduce(X, _block_unit_sums, (np.ascontiguousarray(W), backend, adjacency,
                                              n_far), _merge_unit_sums)


def check_dask_query(model, X, fitted_attribute):
    """A fitted model asked about the Dask array X: X with one chunk across the columns,
    float32 kept and other numbers as float64, after the checks every query makes."""
    check_is_fitted(model, fitted_attribute)
    return check_dask_rows(X, n_features=model.n_features_in_, owner=type(model).__name__)


def map_rows(X, function, n_columns=None, dtype=np.int64):
    """``function`` applied to every row chunk of the Dask array ``X``, lazily: a Dask array
    of one value per row (``n_columns`` None) or of ``n_columns`` per row.

    A method of a model (``model.predict``) is bound to a shallow copy of the model without
    its lazy attributes: the graph travels to the workers, and a model whose ``labels_`` is
    this very array would otherwise carry its own graph inside it.
    """
    _dask()
    owner = getattr(function, "__self__", None)
    if owner is not None:
        function = getattr(_without_lazy_attributes(owner), function.__name__)
    X = X.rechunk({1: -1})
    if n_columns is None:
        return X.map_blocks(function, drop_axis=1, dtype=dtype)
    return X.map_blocks(function, chunks=(X.chunks[0], (n_columns,)), dtype=dtype)


def rows_of(X, rows):
    """Rows of the Dask array X, in the order asked, pulled to the client (a start)."""
    order = np.argsort(rows)
    picked = np.asarray(X[np.asarray(rows)[order]].compute())
    result = np.empty_like(picked)
    result[order] = picked
    return result


def column_bounds(X):
    """The smallest and largest value of each column of the Dask array X, in one pass."""
    low, high = _dask().compute(X.min(axis=0), X.max(axis=0))
    return np.asarray(low), np.asarray(high)


def check_batch_mode(model):
    """A Dask array trains in batch mode only: the online rule visits the samples one at a
    time, in a random order over all of them, which a chunked array cannot serve cheaply."""
    if model.mode != "batch":
        raise ValueError(f"{type(model).__name__} fits a Dask array in mode='batch' only "
                         f"(got mode={model.mode!r}): the online rule visits the samples one "
                         "at a time, in a random order over all of them.")


def _without_lazy_attributes(model):
    detached = copy.copy(model)
    for name, value in list(vars(detached).items()):
        if is_dask_array(value):
            delattr(detached, name)
    return detached


# ------------------------------------------------------------------ streaming
def is_streamed(X):
    """True for data that ``partial_fit`` streams chunk by chunk instead of holding: a Dask
    array or a NumPy memory map (``np.load(path, mmap_mode="r")``)."""
    return is_dask_array(X) or isinstance(X, np.memmap)


def iter_chunks(X, chunk_rows=None):
    """The rows of a Dask array or of a NumPy array (a memory map) as in-memory NumPy arrays,
    one chunk at a time, in row order.

    A Dask array gives its own row chunks, each computed when it is reached (so at most one is
    in memory here); an array gives ``chunk_rows`` rows at a time (default: as many as fill
    ``STREAM_CHUNK_BYTES``, 64 MiB), copied out of the memory map.
    """
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (samples x features), but it has {X.ndim} "
                         "dimension(s).")
    if is_dask_array(X):
        for block in X.rechunk({1: -1}).to_delayed().ravel():
            yield np.asarray(block.compute())
        return
    if chunk_rows is None:
        chunk_rows = max(1, STREAM_CHUNK_BYTES // max(1, X.shape[1] * X.dtype.itemsize))
    for start in range(0, X.shape[0], chunk_rows):
        yield np.array(X[start:start + chunk_rows])
