r"""The synthetic data sets: Gaussian blobs, the five-centroid demo, moons and circles.

:func:`make_blobs` draws Gaussian clusters around given or random centres;
:func:`make_five_centroids` is the classic competitive-learning demo in 3-D (its centres are
:data:`FIVE_CENTROIDS`); :func:`make_moons` and :func:`make_circles` are two clusters no set of
centroids can separate. All are importable from :mod:`neuroclust.datasets`, whose docstring
states what every generator returns; the time series are in ``signals.py``.
"""
import numbers

import numpy as np

from .._validation import check_array, check_random_state, check_scalar
from ._checks import _check_bool, _check_finite, _is_int, _shuffled

__all__ = ["FIVE_CENTROIDS", "make_blobs", "make_five_centroids", "make_moons", "make_circles"]

#: The five true centres of :func:`make_five_centroids`, one row per cluster (shape (5, 3),
#: float64, read-only): [1, 2, 1], [2, 5, 2], [-3, 3, 0], [5, -1, -1], [-2, -2, -2].
#:
#: :meta hide-value:
FIVE_CENTROIDS = np.array(
    [[1.0, 2.0, 1.0],
     [2.0, 5.0, 2.0],
     [-3.0, 3.0, 0.0],
     [5.0, -1.0, -1.0],
     [-2.0, -2.0, -2.0]]
)
FIVE_CENTROIDS.flags.writeable = False

def make_blobs(n_samples=500, centers=None, n_features=2, cluster_std=1.0,
               center_box=(-10, 10), shuffle=True, random_state=None, return_centers=False):
    r"""Isotropic Gaussian clusters around given or random centres.

    Sample :math:`i` belongs to cluster :math:`y_i` and is its centre plus Gaussian noise:

    .. math::
        x_i = c_{y_i} + \sigma_{y_i} z_i, \qquad z_i \sim \mathcal{N}(0, I).
        \tag{1}

    Parameters
    ----------
    n_samples : int or sequence of int, default=500
        An int is the total number of samples, split between the clusters as evenly as
        possible (the first clusters get one more when it does not divide). A sequence gives
        the size of each cluster; every size must be at least 1.
    centers : int or array-like of shape (n_clusters, n_features), default=None
        An int is the number of clusters, whose centres are drawn uniformly from
        ``center_box`` in every coordinate. An array gives the centres themselves (then
        ``n_features`` is ignored). None means 3 random centres, or one per entry when
        ``n_samples`` is a sequence.
    n_features : int, default=2
        The number of features of random centres.
    cluster_std : float or sequence of float, default=1.0
        The standard deviation :math:`\sigma` of every coordinate, for all clusters or one per
        cluster. Zero puts every sample on its centre.
    center_box : (float, float), default=(-10, 10)
        The interval (low, high) random centres are drawn from.
    shuffle : bool, default=True
        Shuffle the samples. When False they come cluster by cluster.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.
    return_centers : bool, default=False
        Also return the centres.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        The samples.
    y : ndarray of shape (n_samples,), int64
        The cluster of each sample, 0 .. n_clusters - 1.
    centers : ndarray of shape (n_clusters, n_features), float64
        The centres; only when ``return_centers`` is True.

    Examples
    --------
    >>> X, y = make_blobs(n_samples=[50, 100], centers=[[0, 0], [5, 5]], random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((150, 2), [50, 100])
    """
    _check_bool(shuffle, "shuffle")
    _check_bool(return_centers, "return_centers")
    sizes = _cluster_sizes_or_none(n_samples)
    rng = check_random_state(random_state)

    if centers is None or _is_int(centers):
        if centers is None:
            n_clusters = 3 if sizes is None else len(sizes)
        else:
            n_clusters = check_scalar(centers, "centers", numbers.Integral, low=1)
        check_scalar(n_features, "n_features", numbers.Integral, low=1)
        low, high = _check_box(center_box)
        centres = rng.uniform(low, high, size=(n_clusters, n_features))  # (k, d)
    else:
        if isinstance(centers, (numbers.Number, str, bytes)):
            raise ValueError("centers must be an integer (the number of clusters) or an array "
                             f"of centres, got {centers!r}.")
        centres = np.array(check_array(centers, "centers"), dtype=np.float64)  # (k, d)
        n_clusters = centres.shape[0]

    if sizes is None:
        if n_samples < n_clusters:
            raise ValueError(f"n_samples must be at least the number of clusters ({n_clusters}) "
                             f"so that every cluster gets a sample, got {n_samples}.")
        sizes = np.full(n_clusters, n_samples // n_clusters, dtype=np.int64)
        sizes[: n_samples % n_clusters] += 1
    elif len(sizes) != n_clusters:
        raise ValueError(f"n_samples lists {len(sizes)} cluster sizes, but there are "
                         f"{n_clusters} centres.")
    sigma = _cluster_stds(cluster_std, n_clusters)  # (k,)

    y = np.repeat(np.arange(n_clusters, dtype=np.int64), sizes)  # (n,)
    Z = rng.standard_normal((y.shape[0], centres.shape[1]))  # (n, d)
    with np.errstate(over="ignore", invalid="ignore"):
        X = centres[y] + sigma[y, None] * Z  # eq. (1)
    _check_finite(X, "cluster_std", cluster_std, "spreads the samples")
    if shuffle:
        order = rng.permutation(y.shape[0])
        X, y = X[order], y[order]
    if return_centers:
        return X, y, centres
    return X, y


def make_five_centroids(n_samples=500, cluster_std=0.8, random_state=None,
                        return_centers=False):
    r"""The classic competitive-learning demo: five Gaussian clusters in 3-D.

    The centres are :data:`FIVE_CENTROIDS`: [1, 2, 1], [2, 5, 2], [-3, 3, 0], [5, -1, -1] and
    [-2, -2, -2]. Each sample is its centre plus Gaussian noise with standard deviation
    ``cluster_std`` in every coordinate (:func:`make_blobs`, eq. (1)). The clusters are well
    separated but close enough that a bad initialisation leaves a unit dead, which is what
    makes it a good first data set for winner-take-all learning.

    Parameters
    ----------
    n_samples : int or sequence of 5 ints, default=500
        The total number of samples (split evenly, 100 per cluster by default) or the size of
        each cluster.
    cluster_std : float or sequence of 5 floats, default=0.8
        The spread: the standard deviation of every coordinate.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.
    return_centers : bool, default=False
        Also return the true centres (a writable copy of :data:`FIVE_CENTROIDS`).

    Returns
    -------
    X : ndarray of shape (n_samples, 3), float64
        The samples, shuffled.
    y : ndarray of shape (n_samples,), int64
        The cluster of each sample, 0..4, in the order of :data:`FIVE_CENTROIDS`.
    centers : ndarray of shape (5, 3), float64
        The true centres; only when ``return_centers`` is True.

    Examples
    --------
    >>> X, y, centres = make_five_centroids(random_state=0, return_centers=True)
    >>> X.shape, centres.shape
    ((500, 3), (5, 3))
    """
    return make_blobs(n_samples=n_samples, centers=FIVE_CENTROIDS, cluster_std=cluster_std,
                      random_state=random_state, return_centers=return_centers)


def make_moons(n_samples=1000, noise=0.05, random_state=None):
    r"""Two interleaving half circles: clusters that are not blobs.

    The upper moon (label 0) and the lower moon (label 1) follow the angles
    :math:`t \in [0, \pi]`, evenly spaced:

    .. math::
        x = (\cos t, \; \sin t)
        \tag{1}

    .. math::
        x = (1 - \cos t, \; \tfrac{1}{2} - \sin t)
        \tag{2}

    and every coordinate gets Gaussian noise, with :math:`z \sim \mathcal{N}(0, I)`:

    .. math::
        x \leftarrow x + \text{noise} \cdot z
        \tag{3}

    A prototype method (k-means, competitive learning) cuts each moon in two, because the
    nearest-prototype regions are convex; a SOM or growing neural gas can follow the arcs.

    Parameters
    ----------
    n_samples : int, default=1000
        The total number of samples, at least 2; the upper moon gets one more when it is odd.
    noise : float, default=0.05
        The standard deviation of the Gaussian noise; 0 gives points exactly on the arcs.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        The samples, shuffled.
    y : ndarray of shape (n_samples,), int64
        0 for the upper moon, 1 for the lower one.
    """
    check_scalar(n_samples, "n_samples", numbers.Integral, low=2)
    check_scalar(noise, "noise", numbers.Real, low=0)
    rng = check_random_state(random_state)
    n_lower = n_samples // 2
    n_upper = n_samples - n_lower
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])  # eq. (1)
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])  # eq. (2)
    return _two_noisy_groups(upper, lower, noise, rng)


def make_circles(n_samples=1000, noise=0.05, factor=0.5, random_state=None):
    r"""Two concentric circles: one cluster inside the other.

    The outer circle (label 0) has radius 1 and the inner circle (label 1) radius ``factor``;
    the angles :math:`t` are evenly spaced around each circle:

    .. math::
        x = (\cos t, \; \sin t)
        \tag{1}

    .. math::
        x = \text{factor} \cdot (\cos t, \; \sin t)
        \tag{2}

    and every coordinate gets Gaussian noise with :math:`z \sim \mathcal{N}(0, I)`:

    .. math::
        x \leftarrow x + \text{noise} \cdot z
        \tag{3}

    Both clusters have the same mean (the origin), so no method that describes a cluster by
    its centre can separate them; this is the standard counter-example for k-means.

    Parameters
    ----------
    n_samples : int, default=1000
        The total number of samples, at least 2; the outer circle gets one more when it is odd.
    noise : float, default=0.05
        The standard deviation of the Gaussian noise; 0 gives points exactly on the circles.
    factor : float, default=0.5
        The radius of the inner circle relative to the outer one, strictly between 0 and 1.
    random_state : None, int or numpy.random.Generator, default=None
        The source of randomness; an int gives the same data every time.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        The samples, shuffled.
    y : ndarray of shape (n_samples,), int64
        0 for the outer circle, 1 for the inner one.
    """
    check_scalar(n_samples, "n_samples", numbers.Integral, low=2)
    check_scalar(noise, "noise", numbers.Real, low=0)
    check_scalar(factor, "factor", numbers.Real, low=0, high=1,
                 low_inclusive=False, high_inclusive=False)
    rng = check_random_state(random_state)
    n_inner = n_samples // 2
    n_outer = n_samples - n_inner
    t_outer = np.linspace(0.0, 2.0 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, n_inner, endpoint=False)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])  # eq. (1)
    inner = factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])  # eq. (2)
    return _two_noisy_groups(outer, inner, noise, rng)


def _two_noisy_groups(first, second, noise, rng):
    """The points of two groups (labels 0 and 1) plus Gaussian noise, eq. (3) of
    :func:`make_moons` and :func:`make_circles`, checked and shuffled."""
    X = np.vstack([first, second])  # (n, 2)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [first.shape[0], second.shape[0]])
    with np.errstate(over="ignore", invalid="ignore"):
        X = X + noise * rng.standard_normal(X.shape)  # eq. (3)
    _check_finite(X, "noise", noise, "moves the samples")
    return _shuffled(X, y, rng)

def _cluster_sizes_or_none(n_samples):
    """None when ``n_samples`` is a total (checked); else the int64 array of cluster sizes."""
    if _is_int(n_samples):
        check_scalar(n_samples, "n_samples", numbers.Integral, low=1)
        return None
    if isinstance(n_samples, (str, bytes, bool, numbers.Number)) or n_samples is None:
        raise ValueError("n_samples must be an integer or a list of cluster sizes, "
                         f"got {n_samples!r}.")
    try:
        sizes = np.asarray(n_samples)
    except (TypeError, ValueError):
        sizes = None
    if (sizes is None or sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu"
            or np.any(sizes < 1)):
        raise ValueError("n_samples must be an integer or a list of cluster sizes, each a "
                         f"whole number >= 1, got {n_samples!r}.")
    return sizes.astype(np.int64)


def _check_box(center_box):
    try:
        low, high = center_box
    except (TypeError, ValueError):
        low = high = None
    valid = all(isinstance(end, numbers.Real) and not isinstance(end, bool)
                and np.isfinite(end) for end in (low, high))
    if not valid or not low < high:
        raise ValueError("center_box must be a pair (low, high) of finite numbers with "
                         f"low < high, got {center_box!r}.")
    if not np.isfinite(float(high) - float(low)):
        raise ValueError(f"center_box={center_box!r} is wider than the float64 range (its "
                         "width high - low overflows); choose a narrower box.")
    return float(low), float(high)


def _cluster_stds(cluster_std, n_clusters):
    """The standard deviation of each cluster as a float64 array of shape (n_clusters,)."""
    if isinstance(cluster_std, (numbers.Number, str, bytes)):
        check_scalar(cluster_std, "cluster_std", numbers.Real, low=0)
        return np.full(n_clusters, float(cluster_std))
    try:
        sigma = np.asarray(cluster_std, dtype=np.float64)
    except (TypeError, ValueError):
        sigma = None
    if (sigma is None or sigma.shape != (n_clusters,) or not np.all(np.isfinite(sigma))
            or np.any(sigma < 0)):
        raise ValueError(f"cluster_std must be a number >= 0 or a list of {n_clusters} such "
                         f"numbers (one per cluster), got {cluster_std!r}.")
    return sigma
