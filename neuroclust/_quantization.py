r"""The quantization error, computed by one function for the metrics and every estimator.

:func:`quantization_error` is public as ``neuroclust.metrics.quantization_error``;
:func:`_quantization_error` is the same computation on checked arrays, given the winners a
kernel already found, which ``models/competitive.py``, ``models/som.py`` and ``models/gng.py``
record in ``history_`` and return from their scores. The two tools it shares with the internal
measures of ``metrics/internal.py`` live here too: :func:`_row_blocks` (bounded memory) and
:func:`_power_of_two` (exact scaling of data near the float64 limits).
"""
import math

import numpy as np

from ._validation import array_module, check_array, is_dask_array, to_host
from .distributed import check_dask_rows, host_backend, unit_sums

#: Entries in one block of distances (32 MiB in float64). Functions that need distances
#: between many pairs work through the rows in blocks of this size, so memory stays bounded.
_CHUNK_ELEMENTS = 2**22

def quantization_error(X, prototypes):
    r"""Mean Euclidean distance from each sample to its nearest prototype.

    Every estimator's quantization error (``history_["quantization_error"]``,
    ``SOM.quantization_error``, ``CompetitiveLearning.score``) is computed by the same code,
    given the winners its kernel found. ``X`` may be a Dask array: one pass over its chunks,
    where they live, from the squared distances the kernel finds (as the per-epoch record).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data (NumPy, CuPy, or a Dask array chunked by rows).
    prototypes : array-like of shape (n_units, n_features)
        The prototypes :math:`w_j` (cluster centres, or a map's weight vectors).

    Returns
    -------
    float
        Zero or more, in the units of ``X``.

    Notes
    -----
    With :math:`m` the mean of the prototypes, the winner :math:`c(x)` and the error are

    .. math:: c(x) = \arg\min_j \|x - w_j\|^2
                   = \arg\min_j \left(\|w_j - m\|^2 - 2\,(x - m) \cdot (w_j - m)\right)   \tag{1}
    .. math:: \mathrm{QE} = \frac1n \sum_i \|x_i - w_{c(x_i)}\|                     \tag{2}

    The distance is not squared: this is Kohonen's (and MiniSom's) definition, so QE reads in
    the units of the data. In (1), :math:`\|x - m\|^2` is the same for every unit and drops
    out; the products for a block of rows are one matrix multiplication, and subtracting
    :math:`m` keeps the terms small so little is lost when they cancel. In (2) the winner's
    distance is computed again from the difference :math:`x_i - w_{c(x_i)}`, so it carries
    no cancellation error (a prototype equal to a sample gives exactly 0). The work is done
    in the dtype of the inputs (float32 stays float32); the sum in float64.

    References
    ----------
    T. Kohonen, *Self-Organizing Maps*, 3rd edition, Springer, 2001.
    """
    if is_dask_array(X):
        return _quantization_error_of_dask(X, prototypes)
    X = check_array(X, name="X")
    prototypes = check_array(prototypes, name="prototypes")
    if prototypes.shape[1] != X.shape[1]:
        raise ValueError(
            f"prototypes has {prototypes.shape[1]} features, but X has {X.shape[1]}; "
            "they must have the same number of features."
        )
    return _quantization_error(X, prototypes)


def _quantization_error_of_dask(X, prototypes):
    """Eq. (2) of a Dask array: one pass over its chunks where they live
    (:func:`neuroclust.distributed.unit_sums`), from the winners' squared distances as the
    kernel finds them (as the estimators' per-epoch record does)."""
    prototypes = to_host(check_array(prototypes, name="prototypes"))
    X = check_dask_rows(X)
    if prototypes.shape[1] != X.shape[1]:
        raise ValueError(f"prototypes has {prototypes.shape[1]} features, but X has "
                         f"{X.shape[1]}; they must have the same number of features.")
    found = unit_sums(X, np.ascontiguousarray(prototypes, dtype=X.dtype), host_backend("auto"))
    return found.plain / found.n                                                  # eq. (2)


def _quantization_error(X, prototypes, winners=None, squared_distances=None,
                        largest_in_X=None):
    """:func:`quantization_error` of checked arrays (NumPy or CuPy), the estimators' too.

    ``winners``, each sample's unit when a kernel has already found it (by the model's own
    metric), skips eq. (1). ``squared_distances``, each sample's squared distance to its
    winner as that kernel computed it, skips eq. (1) and the second pass over ``X``: the
    per-epoch record of the estimators, whose winner search gives these distances anyway.
    ``largest_in_X``, the largest magnitude in ``X`` when the caller knows it (a fit's
    validation found it), spares a pass over ``X``. Nothing is checked: NaN or infinity
    anywhere in the prototypes of a diverging model gives NaN or infinity, which the epoch
    loop reports (a unit that wins nothing would otherwise hide it).
    """
    if squared_distances is not None:
        xp = array_module(squared_distances)
        return float(xp.sqrt(xp.maximum(squared_distances, 0)).mean())          # eq. (2)
    dtype = np.result_type(X.dtype, prototypes.dtype)
    X, W = X.astype(dtype, copy=False), prototypes.astype(dtype, copy=False)
    largest = [float(abs(X).max()) if largest_in_X is None else float(largest_in_X),
               float(abs(W).max())]
    if not math.isfinite(sum(largest)):
        return sum(largest)
    # so that squares neither overflow nor underflow; a power of two, so dividing a block of
    # X by it (below) gives the same numbers as dividing all of X
    scale = _power_of_two(max(largest))
    W = W / scale
    n_samples = X.shape[0]
    if winners is None:
        m = W.mean(axis=0)
        Wc = W - m
        w_sq = (Wc * Wc).sum(axis=1)
    total = 0.0
    for rows in _row_blocks(n_samples, max(W.shape[0], X.shape[1])):
        block = X[rows] / scale
        if winners is None:
            chosen = (w_sq - 2 * ((block - m) @ Wc.T)).argmin(axis=1)             # eq. (1)
        else:
            chosen = winners[rows]
        difference = block - W[chosen]
        total += float(np.sqrt((difference * difference).sum(axis=1)).sum(dtype=np.float64))
    return total / n_samples * scale                                              # eq. (2)

def _power_of_two_scale(*arrays):
    """The power of two nearest the largest magnitude in ``arrays`` (1.0 when all are zero).

    Dividing by it is exact, so scores that do not depend on the data's scale (silhouette,
    Davies-Bouldin, Calinski-Harabasz) come out bit for bit the same, and squared distances
    of data near 1e300 (which overflow) or 1e-310 (which underflow) become computable.
    """
    return _power_of_two(max(float(np.abs(array).max()) for array in arrays))


def _power_of_two(largest):
    """The power of two nearest ``largest`` (1.0 for zero, NaN or infinity)."""
    if largest == 0 or not np.isfinite(largest):
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(largest)[1])))

def _row_blocks(n_rows, row_length):
    """Slices of consecutive rows, each block holding at most about ``_CHUNK_ELEMENTS`` entries."""
    step = max(1, _CHUNK_ELEMENTS // max(row_length, 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))
