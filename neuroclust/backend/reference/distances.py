r"""Distances and best-matching units in plain NumPy: the math, and the oracle for the fast kernels.

``squared_distances``, ``bmu`` (the nearest prototype of every sample), ``undefined_bmu``,
``accumulate`` (per-unit sums and counts), ``bmu_accumulate`` and ``two_nearest``: the shared
floor of every prototype model. The chain: ``neuroclust/models/kmeans.py`` and
``neuroclust/models/competitive.py`` (the estimators that call them) -> this file ->
``csrc/distances.pyx`` (the compiled twins, wrapped by ``neuroclust/backend/cython.py``) ->
``docs/algorithms/competitive.md`` -> ``tutorials/plot_01_competitive_learning.py``.

Every function here is written against an array module ``xp`` taken from its inputs, so the
same lines run on NumPy arrays and on CuPy arrays.

Notation (see the docs' notation page): ``X`` holds the samples :math:`x_i` as rows, ``W`` the
prototypes :math:`w_j` as rows, :math:`c(x)` is the index of the winning (nearest) prototype.
"""
import numpy as np

from ..._validation import array_module
from .._checks import check_accumulate, check_bmu
from .._chunks import NUMPY_CHUNK_ROWS

__all__ = ["squared_distances", "bmu", "undefined_bmu", "accumulate", "bmu_accumulate",
           "two_nearest"]

#: Rows of ``X`` handled at once, so the (rows, units) distance block stays small
#: (``NUMPY_CHUNK_ROWS`` of ``backend/_chunks.py``).
CHUNK_ROWS = NUMPY_CHUNK_ROWS

def squared_distances(X, W):
    r"""Squared Euclidean distances between every row of ``X`` and every row of ``W``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)

    Returns
    -------
    ndarray of shape (n_samples, n_units)

    Notes
    -----
    Uses the expansion

    .. math:: \|x - w\|^2 = \|x\|^2 - 2\,x \cdot w + \|w\|^2             \tag{1}

    after subtracting the prototypes' mean :math:`m` from both sides (distances do not change
    under a shift, and the shift keeps the three terms small so that little is lost when they
    cancel). The result is clipped at zero, since rounding can make it slightly negative.
    """
    xp = array_module(X)
    centre = W.mean(axis=0)
    Xc, Wc = X - centre, W - centre
    x_sq = (Xc * Xc).sum(axis=1)[:, None]
    w_sq = (Wc * Wc).sum(axis=1)[None, :]
    return xp.maximum(x_sq - 2 * (Xc @ Wc.T) + w_sq, 0)                   # eq. (1)


def bmu(X, W):
    r"""Best-matching unit: the nearest prototype of every sample and its squared distance.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)

    Returns
    -------
    index : ndarray of int64, shape (n_samples,)
        :math:`c(x_i)`, the index of the nearest prototype; a tie goes to the lowest index.
    distance : ndarray of shape (n_samples,), dtype of ``X``
        :math:`\|x_i - w_{c(x_i)}\|^2`, computed directly from the difference.

    Notes
    -----
    .. math:: c(x) = \arg\min_j \|x - w_j\|^2
                   = \arg\min_j \left(\|w_j - m\|^2 - 2\,(x - m) \cdot (w_j - m)\right)   \tag{1}

    The term :math:`\|x - m\|^2` is the same for every unit and is dropped from the argmin; the
    products for a chunk of rows are one matrix multiplication. The winner's distance is then
    recomputed exactly from :math:`x - w_{c(x)}`, so the returned distance carries no
    cancellation error.

    If any prototype holds NaN or infinity (a diverged training run), no nearest unit is
    defined: every index is 0 and every distance NaN, so the caller's NaN guard sees it.
    """
    check_bmu(X, W)
    xp = array_module(X)
    n_samples = X.shape[0]
    if not bool(xp.isfinite(W).all()):
        return undefined_bmu(X)
    centre = W.mean(axis=0)
    Wc = W - centre
    w_sq = (Wc * Wc).sum(axis=1)
    index = xp.empty(n_samples, dtype=xp.int64)
    distance = xp.empty(n_samples, dtype=X.dtype)
    for start in range(0, n_samples, CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        scores = w_sq - 2 * ((X[rows] - centre) @ Wc.T)                   # eq. (1)
        winners = scores.argmin(axis=1)  # argmin returns the first minimum: lowest index wins
        difference = X[rows] - W[winners]
        index[rows] = winners
        distance[rows] = (difference * difference).sum(axis=1)
    return index, distance


def undefined_bmu(X):
    """The answer of :func:`bmu` when a prototype is not finite: index 0, distance NaN."""
    xp = array_module(X)
    return (xp.zeros(X.shape[0], dtype=xp.int64),
            xp.full(X.shape[0], xp.nan, dtype=X.dtype))


def accumulate(X, labels, n_units):
    r"""Per-unit sums and counts of the samples assigned to each unit.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    labels : ndarray of int64, shape (n_samples,)
        The unit of each sample, in ``[0, n_units)``.
    n_units : int

    Returns
    -------
    sums : ndarray of shape (n_units, n_features), dtype of ``X``
        :math:`s_j = \sum_{i : c_i = j} x_i`.
    counts : ndarray of int64, shape (n_units,)
        :math:`n_j = |\{i : c_i = j\}|`.

    Notes
    -----
    These are the sufficient statistics of the batch update: the mean of unit :math:`j`'s
    samples is :math:`s_j / n_j` (the M-step of k-means).

    .. math:: s_j = \sum_{i : c_i = j} x_i, \qquad n_j = \sum_{i : c_i = j} 1     \tag{1}
    """
    labels, n_units = check_accumulate(X, labels, n_units)
    xp = array_module(X)
    sums = xp.zeros((n_units, X.shape[1]), dtype=X.dtype)
    _scatter_add(xp, sums, labels, X)                                       # eq. (1)
    counts = xp.bincount(labels, minlength=n_units).astype(xp.int64)        # eq. (1)
    return sums, counts


def _scatter_add(xp, target, index, values):
    """``target[index] += values``, unbuffered (a repeated index adds every value), on NumPy or
    CuPy arrays of the array module ``xp``."""
    if xp is np:
        np.add.at(target, index, values)
    elif hasattr(xp.add, "at"):  # CuPy >= 13 has ufunc.at for add
        xp.add.at(target, index, values)
    else:  # older CuPy spells the unbuffered scatter-add differently
        import cupyx

        cupyx.scatter_add(target, index, values)


def bmu_accumulate(X, W):
    """:func:`bmu` followed by :func:`accumulate` on its winners, in one call.

    The fast kernels fuse the two so each chunk of ``X`` is read from memory once.

    Returns
    -------
    index, distance, sums, counts
        As returned by :func:`bmu` and :func:`accumulate`.
    """
    index, distance = bmu(X, W)
    sums, counts = accumulate(X, index, W.shape[0])
    return index, distance, sums, counts


def two_nearest(X, W):
    r"""The nearest and second-nearest prototype of every sample, and their squared distances.

    One pass gives what the SOM records per epoch: the quantization error (from the nearest
    unit's distance) and the topographic error (whether the two units are grid neighbours).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    W : ndarray of shape (n_units, n_features)

    Returns
    -------
    first, second : ndarrays of int64, shape (n_samples,)
        :math:`c(x_i)`, as :func:`bmu` gives it, and :math:`c_2(x_i)`, the nearest unit other
        than :math:`c(x_i)`; ties go to the lowest index. With a single prototype there is no
        second one: ``second`` is 0 (that prototype) and its distance infinity.
    first_distance, second_distance : ndarrays of shape (n_samples,)
        In the dtype of ``X`` (float64 for integer data):
        :math:`\|x_i - w_{c(x_i)}\|^2` and :math:`\|x_i - w_{c_2(x_i)}\|^2`, each computed
        directly from the difference.

    Notes
    -----
    The scores of :func:`bmu`, eq. (1) there, keeping the two smallest:

    .. math:: c_2(x) = \arg\min_{j \ne c(x)}
                       \left(\|w_j - m\|^2 - 2\,(x - m) \cdot (w_j - m)\right)        \tag{1}

    If any prototype holds NaN or infinity, both indices are 0 and both distances NaN, as
    :func:`bmu` answers then.
    """
    check_bmu(X, W)
    xp = array_module(X)
    n_samples = X.shape[0]
    if not bool(xp.isfinite(W).all()):
        index, distance = undefined_bmu(X)
        return index, index.copy(), distance, distance.copy()
    centre = W.mean(axis=0)
    Wc = W - centre
    w_sq = (Wc * Wc).sum(axis=1)
    first = xp.empty(n_samples, dtype=xp.int64)
    second = xp.empty(n_samples, dtype=xp.int64)
    dtype = X.dtype if X.dtype.kind == "f" else xp.float64   # infinity needs a float
    first_distance = xp.empty(n_samples, dtype=dtype)
    second_distance = xp.empty(n_samples, dtype=dtype)
    for start in range(0, n_samples, CHUNK_ROWS):
        rows = slice(start, start + CHUNK_ROWS)
        scores = w_sq - 2 * ((X[rows] - centre) @ Wc.T)
        nearest = scores.argmin(axis=1)    # argmin returns the first minimum: lowest index wins
        scores[xp.arange(len(nearest)), nearest] = xp.inf
        runner_up = scores.argmin(axis=1)                                     # eq. (1)
        for index, distance, units in ((first, first_distance, nearest),
                                       (second, second_distance, runner_up)):
            difference = X[rows] - W[units]
            index[rows] = units
            distance[rows] = (difference * difference).sum(axis=1)
    if W.shape[0] == 1:
        second_distance[...] = xp.inf
    return first, second, first_distance, second_distance
