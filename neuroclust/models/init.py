r"""Where the prototypes start: the initialisations the competitive models share.

The ``init`` parameter of :class:`~neuroclust.CompetitiveLearning`, :class:`~neuroclust.KMeans`
and :class:`~neuroclust.SOM` names one of these (the SOM adds ``"pca"``,
:func:`pca_prototypes`); they are public so that a start can be drawn,
looked at or passed as an array. The chain of competitive learning and k-means:
``models/competitive.py`` and ``models/kmeans.py`` (with this module) ->
``backend/reference/competitive.py`` and ``backend/reference/distances.py`` ->
``csrc/competitive.pyx`` -> ``plotting/competitive.py`` -> ``docs/algorithms/competitive.md``
-> ``tutorials/plot_01_competitive_learning.py``. The SOM's PCA start (:func:`pca_prototypes`)
belongs to ``models/som.py``'s chain.

All randomness comes from the ``numpy.random.Generator`` passed in, on the host, so the same
seed gives the same start on every backend.
"""
import math

import numpy as np

from .._validation import (array_module, as_float_dtype, check_array, check_prototypes_shape,
                           to_host)
from ..backend import get_kernels
from ..distributed import column_bounds, rows_of

__all__ = ["INIT_METHODS", "initial_prototypes", "kmeans_plusplus", "pca_prototypes",
           "pca_from_sample", "dask_start", "KMEANS_PLUSPLUS_SAMPLE_ROWS"]

INIT_METHODS = ("random_samples", "random", "k-means++")


def initial_prototypes(X, n_units, init, rng, kernels=None):
    """Return the starting prototypes, an array of shape (n_units, n_features) of X's dtype.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_units : int
    init : {"random_samples", "random", "k-means++"} or array of shape (n_units, n_features)
        "random_samples": distinct samples drawn at random; "random": uniform in the data's
        bounding box; "k-means++": Arthur and Vassilvitskii's seeding (see
        :func:`kmeans_plusplus`); an array is used as given (copied).
    rng : numpy.random.Generator
    kernels : module, optional
        The kernel module of the model's backend (``neuroclust.backend.get_kernels(backend)``),
        whose ``squared_distances`` the k-means++ seeding calls on the host data; default the
        NumPy reference's.
    """
    xp = array_module(X)
    if not isinstance(init, str):
        return _given_prototypes(X, n_units, init, xp)
    if init not in INIT_METHODS:
        raise ValueError(f"init must be one of {', '.join(map(repr, INIT_METHODS))} or an array "
                         f"of shape ({n_units}, {X.shape[1]}), got {init!r}.")
    host_X = to_host(X)
    if init == "random_samples":
        chosen = host_X[rng.choice(X.shape[0], size=n_units, replace=False)]
    elif init == "random":
        low, high = host_X.min(axis=0), host_X.max(axis=0)
        chosen = low + (high - low) * rng.random((n_units, X.shape[1]))
    else:
        chosen = kmeans_plusplus(host_X, n_units, rng, kernels=kernels)
    return xp.asarray(chosen, dtype=X.dtype)


def _given_prototypes(X, n_units, init, xp):
    init = check_array(init, name="init")
    check_prototypes_shape(init, n_units, X.shape[1])
    init = as_float_dtype(init, X.dtype, name="init", owner=f"X ({X.dtype.name})",
                          advice="scale it, or pass X as float64")
    return xp.array(init, dtype=X.dtype, copy=True)


def kmeans_plusplus(X, n_clusters, rng, n_local_trials=None, *, kernels=None):
    r"""Greedy k-means++ seeding.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    rng : numpy.random.Generator
    n_local_trials : int, optional
        Candidates tried for each new centre; default :math:`2 + \lfloor \ln k \rfloor`.
    kernels : module, optional
        A kernel module (``neuroclust.backend.get_kernels(backend)``) whose
        ``squared_distances`` scores the candidates; default the NumPy reference's.

    Returns
    -------
    ndarray of shape (n_clusters, n_features)

    Notes
    -----
    The first centre is a uniformly drawn sample. Each next one is drawn with probability
    proportional to the squared distance to the nearest centre chosen so far,

    .. math:: P(x_i) = D(x_i)^2 / \textstyle\sum_l D(x_l)^2                   \tag{1}

    and, in the greedy variant, of ``n_local_trials`` such candidates the one that lowers the
    potential :math:`\sum_i D(x_i)^2` most is kept.

    References
    ----------
    D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
    """
    kernels = get_kernels("numpy") if kernels is None else kernels
    n_samples = X.shape[0]
    if n_local_trials is None:
        n_local_trials = 2 + int(math.log(n_clusters))
    centres = np.empty((n_clusters, X.shape[1]), dtype=X.dtype)
    centres[0] = X[rng.integers(n_samples)]
    closest = kernels.squared_distances(X, centres[:1])[:, 0].astype(np.float64)
    for c in range(1, n_clusters):
        potential = closest.sum()
        if potential > 0:
            cumulative = np.cumsum(closest)
            draws = rng.random(n_local_trials) * potential                  # eq. (1)
            candidates = np.minimum(np.searchsorted(cumulative, draws), n_samples - 1)
        else:  # every sample already sits on a centre: any choice is as good
            candidates = rng.integers(n_samples, size=n_local_trials)
        trial = np.minimum(closest[None, :], kernels.squared_distances(X, X[candidates]).T)
        best = int(trial.sum(axis=1).argmin())
        centres[c] = X[candidates[best]]
        closest = trial[best]
    return centres


#: The most samples :func:`pca_prototypes` computes the principal axes from.
PCA_SAMPLE_ROWS = 4096


def pca_prototypes(X, positions):
    r"""Prototypes spread over the plane of the data's first two principal components.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    positions : ndarray of shape (n_units, 2)
        Grid coordinates; x runs along the first component, y along the second.

    Returns
    -------
    ndarray of shape (n_units, n_features)

    Notes
    -----
    With mean :math:`\mu`, principal directions :math:`e_1, e_2` with variances
    :math:`\lambda_1, \lambda_2` along them (the two largest eigenpairs of the covariance), and
    unit :math:`j`'s grid coordinates rescaled to :math:`g_{j1}, g_{j2} \in [-1, 1]`:

    .. math:: w_j = \mu + g_{j1} \sqrt{\lambda_1}\, e_1 + g_{j2} \sqrt{\lambda_2}\, e_2  \tag{2}

    The map starts flat and already ordered, so training mostly refines it (Kohonen's
    "linear initialisation"). Component signs are fixed so the result is deterministic.

    :math:`\mu` is the mean of all samples (accumulated in float64); the axes and spreads
    come from at most ``PCA_SAMPLE_ROWS`` (4,096) of them, every k-th sample, so the start
    costs about the same whatever the number of samples and stays deterministic. For float32
    data their cross-product matrix is a float32 matrix product (relative rounding about
    1e-6, far below the subsample's own error); only the two leading eigenpairs are computed,
    in float64 (:func:`_leading_eigenpairs`). A start only needs the plane roughly right:
    training moves the map from there.
    """
    X = np.asarray(X)
    step = -(-X.shape[0] // PCA_SAMPLE_ROWS)          # ceil: every step-th row
    return pca_from_sample(X.mean(axis=0, dtype=np.float64), X[::step], positions)


def pca_from_sample(mean, sample, positions):
    """:func:`pca_prototypes` from the mean of all samples (float64) and the rows the axes
    are computed from (``X[::step]``, which a Dask array gives without a pass over it)."""
    # float32 data is centred and multiplied in float32: half the memory, single-precision BLAS
    work = np.float32 if sample.dtype == np.float32 else np.float64
    sample = np.subtract(sample, mean.astype(work), dtype=work)
    spread, directions = _principal_axes(sample, 2)
    signs = np.sign(directions[np.arange(2), np.abs(directions).argmax(axis=1)])
    directions *= np.where(signs == 0, 1, signs)[:, None]
    span = positions.max(axis=0) - positions.min(axis=0)
    unit = 2 * (positions - positions.min(axis=0)) / np.where(span > 0, span, 1) - 1
    along_first = unit[:, :1] * spread[0] * directions[0]
    along_second = unit[:, 1:] * spread[1] * directions[1]
    return mean + along_first + along_second                                      # eq. (2)


def _principal_axes(centred, n_axes):
    """Standard deviations along, and unit directions of, the first principal axes.

    From the eigenvectors of the smaller of the two cross-product matrices (features x
    features, or samples x samples when there are fewer samples): the same axes as an SVD of
    the data, at the cost of one matrix product and a symmetric eigenproblem, which
    :func:`_leading_eigenpairs` solves for the leading pairs only.
    """
    n_samples, n_features = centred.shape
    spread, directions = np.zeros(n_axes), np.zeros((n_axes, n_features))
    if n_features <= n_samples:
        values, vectors = _leading_eigenpairs(np.asarray(centred.T @ centred, np.float64), n_axes)
        axes = vectors.T
    else:
        values, vectors = _leading_eigenpairs(np.asarray(centred @ centred.T, np.float64), n_axes)
        axes = (centred.T @ vectors).T
        lengths = np.linalg.norm(axes, axis=1, keepdims=True)
        axes = axes / np.where(lengths > 0, lengths, 1)
    values = np.clip(values, 0, None)
    kept = min(n_axes, len(values))
    spread[:kept] = np.sqrt(values[:kept] / max(n_samples - 1, 1))
    directions[:kept] = axes[:kept]
    return spread, directions


#: Matrices up to this size get a full eigendecomposition; above it, subspace iteration.
FULL_EIGH_SIZE = 128
#: Extra vectors carried by the subspace iteration, and its most iterations.
SUBSPACE_OVERSAMPLING, SUBSPACE_MAX_ITERATIONS = 8, 30


def _leading_eigenpairs(gram, n_pairs):
    r"""The ``n_pairs`` largest eigenvalues (descending) of the symmetric positive
    semi-definite ``gram``, with their unit eigenvectors as columns.

    A full ``eigh`` up to ``FULL_EIGH_SIZE`` rows; above, block subspace iteration with
    Rayleigh-Ritz (Halko, Martinsson and Tropp 2011, Algorithm 4.4; Golub and Van Loan,
    section 8.2.4): from a fixed Gaussian block :math:`Q_0` of
    :math:`k = n_{\text{pairs}} + 8` columns,

    .. math:: Q_{t+1} = \operatorname{orth}(G\, Q_t),

    then the eigenpairs of the small :math:`Q^\top G Q`. It stops when the leading Ritz values
    change by less than :math:`10^{-8}` relative (or after ``SUBSPACE_MAX_ITERATIONS``). On a
    784 x 784 matrix that is a few milliseconds against about 60 for the full ``eigh``. The
    block is fixed (seed 0), so the start stays deterministic and independent of
    ``random_state``.
    """
    size = gram.shape[0]
    if size <= FULL_EIGH_SIZE:
        values, vectors = np.linalg.eigh(gram)
        return values[::-1][:n_pairs], vectors[:, ::-1][:, :n_pairs]
    width = min(size, n_pairs + SUBSPACE_OVERSAMPLING)
    basis = np.random.default_rng(0).standard_normal((size, width))
    previous = np.zeros(n_pairs)
    for _ in range(SUBSPACE_MAX_ITERATIONS):
        basis, _ = np.linalg.qr(gram @ basis)
        ritz_values, ritz_vectors = np.linalg.eigh(basis.T @ gram @ basis)
        leading = ritz_values[::-1][:n_pairs]
        if np.all(np.abs(leading - previous) <= 1e-8 * max(abs(leading[0]), 1e-300)):
            break
        previous = leading
    return leading, basis @ ritz_vectors[:, ::-1][:, :n_pairs]


#: Rows of the uniform sample that the k-means++ start of a Dask array is seeded from.
KMEANS_PLUSPLUS_SAMPLE_ROWS = 20_000


def dask_start(X, summary, n_units, init, rng, positions=None):
    """The start of a fit on the Dask array ``X``, read where its chunks live.

    ``summary`` is the :class:`neuroclust.distributed.DataSummary` of X's checking pass.
    ``"pca"`` takes the mean of all rows and the same every-k-th rows :func:`pca_prototypes`
    takes (the same start as in memory); ``"random_samples"`` and ``"random"`` draw from
    ``rng`` as :func:`initial_prototypes` does (the same rows, the same box); ``"k-means++"``
    runs :func:`kmeans_plusplus` on a uniform sample of ``KMEANS_PLUSPLUS_SAMPLE_ROWS`` rows
    (or 20 per unit, if more; all rows when there are fewer), the one start that differs
    from the in-memory one, which seeds from all rows. An array is used as given.

    A sample's k-means++ potential is within a few percent of the whole data's for a few
    thousand rows per cluster, and Lloyd's iterations correct the rest; Dask-ML seeds with
    k-means|| instead (B. Bahmani, B. Moseley, A. Vattani, R. Kumar and S. Vassilvitskii,
    "Scalable k-means++", VLDB 2012), several passes over the data.
    """
    if not isinstance(init, str):
        return _given_prototypes(X, n_units, init, np)
    if init == "pca":
        step = -(-X.shape[0] // PCA_SAMPLE_ROWS)
        start = pca_from_sample(summary.mean, np.asarray(X[::step].compute()), positions)
    elif init == "random_samples":
        if X.shape[0] < n_units:
            raise ValueError(f"init='random_samples' needs a sample for each of the {n_units} "
                             f"units, but X has {X.shape[0]} samples; use another init or "
                             "fewer units.")
        start = rows_of(X, rng.choice(X.shape[0], size=n_units, replace=False))
    elif init == "random":
        low, high = column_bounds(X)
        start = low + (high - low) * rng.random((n_units, X.shape[1]))
    else:
        n_sample = min(X.shape[0], max(KMEANS_PLUSPLUS_SAMPLE_ROWS, 20 * n_units))
        sample = rows_of(X, rng.choice(X.shape[0], size=n_sample, replace=False))
        start = kmeans_plusplus(sample, n_units, rng)
    return np.asarray(start, dtype=X.dtype)
