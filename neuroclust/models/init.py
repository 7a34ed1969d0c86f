r"""Where the prototypes start: the initialisations the competitive models share.

The ``init`` parameter of :class:`~neuroclust.CompetitiveLearning`, :class:`~neuroclust.KMeans`
and :class:`~neuroclust.SOM` names one of these (the SOM adds ``"pca"``,
:func:`neuroclust.models.som.pca_prototypes`); they are public so that a start can be drawn,
looked at or passed as an array. The chain of competitive learning and k-means:
``models/competitive.py`` and ``models/kmeans.py`` (with this module) ->
``backend/reference/competitive.py`` and ``backend/reference/distances.py`` ->
``csrc/competitive.pyx`` -> ``plotting/competitive.py`` -> ``docs/algorithms/competitive.md``
-> ``tutorials/plot_01_competitive_learning.py``.

All randomness comes from the ``numpy.random.Generator`` passed in, on the host, so the same
seed gives the same start on every backend.
"""
import math

import numpy as np

from .._validation import (array_module, as_float_dtype, check_array, check_prototypes_shape,
                           to_host)
from ..backend import get_kernels

__all__ = ["INIT_METHODS", "initial_prototypes", "kmeans_plusplus"]

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
