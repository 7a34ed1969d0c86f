r"""The elbow method: a score for k = 1, 2, ..., k_max, to help choose k.

The inertia (within-cluster sum of squares) of the best k-means solution,

.. math:: W(k) = \sum_{i=1}^n \min_{c = 1..k} \|x_i - \mu_c\|^2,                    \tag{1}

only falls as k grows (more centres never fit worse), so its minimum says nothing. But it
falls fast while each new centre splits a real group and slowly once it only splits a group
in two: plotted against k (:func:`neuroclust.plotting.plot_elbow`) the curve bends, an
"elbow", near the number of groups. The bend is a heuristic, often unclear; compare it with
the silhouette (:func:`neuroclust.metrics.silhouette_score`).

The same reading applies to the size :math:`k` of an autoencoder's code: the mean
reconstruction error of a network trained with ``latent_dim=k``,

.. math:: E(k) = \frac1n \sum_{i=1}^n \|\hat x^{(k)}_i - x_i\|^2,                     \tag{2}

falls as the code grows and bends once the extra numbers only store noise. For a
:class:`~neuroclust.models.SoftmaxAutoencoder` the code size is its number of clusters, and
:math:`E(k)` is compared with :math:`W(k) / n` (``tutorials/plot_09_softmax_bottleneck.py``).
"""
import numbers

import numpy as np

from .._validation import check_array, check_scalar
from ..base import clone
from .autoencoder import Autoencoder
from ._resources import check_prototype_memory
from .kmeans import KMeans

__all__ = ["elbow"]


def elbow(X, k_max=10, *, n_init=3, random_state=None, autoencoder=None, **kmeans_params):
    """k-means inertia, eq. (1), or an autoencoder's reconstruction error, eq. (2), for
    k = 1, ..., ``k_max``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        E.g. raw data, or an autoencoder's codes (``Autoencoder.transform``).
    k_max : int >= 1, default=10
        At most the number of samples.
    n_init : int >= 1 or "auto", default=3
        k-means seedings per k; the best is kept.
    random_state : int or None
        Seeds every k-means run (the same seed for each k).
    autoencoder : Autoencoder, optional
        Score code sizes instead of cluster counts: for each k, a copy of this (unfitted)
        autoencoder with ``latent_dim=k`` (``n_clusters=k`` for a
        :class:`~neuroclust.models.SoftmaxAutoencoder`) is trained on X and scored by its
        mean reconstruction error on X, eq. (2). X may then have the shapes that the autoencoder
        takes (signals for ``kind="conv1d"``).
    **kmeans_params
        Any other parameter of :class:`~neuroclust.KMeans` (``max_iter``, ``backend``...).

    Returns
    -------
    ks : ndarray of shape (k_max,)
        1, 2, ..., k_max.
    scores : ndarray of shape (k_max,)
        :math:`W(k)` for each k, or :math:`E(k)` with ``autoencoder``.

    Raises
    ------
    ValueError
        Before any model is trained, for any argument that the runs would reject: an unknown
        keyword, a bad parameter, bad data, ``k_max`` above the number of samples.
    """
    check_scalar(k_max, "k_max", numbers.Integral, low=1)
    if autoencoder is not None:
        return _code_size_elbow(X, int(k_max), autoencoder, kmeans_params)
    _check_kmeans_params(kmeans_params)
    # the largest run, checked whole (parameters, data, memory) before the first one starts
    largest = KMeans(n_clusters=int(k_max), n_init=n_init, random_state=random_state,
                     **kmeans_params)
    largest._check_params()
    X = check_array(X)
    if k_max > X.shape[0]:
        raise ValueError(f"k_max must be at most the number of samples ({X.shape[0]}), "
                         f"got {k_max}.")
    largest._validate_for_fit(X, min_samples=int(k_max))     # the backend
    check_prototype_memory(largest, int(k_max), X)
    ks = np.arange(1, k_max + 1)
    inertias = np.array([KMeans(n_clusters=int(k), n_init=n_init, random_state=random_state,
                                **kmeans_params).fit(X).inertia_                  # eq. (1)
                         for k in ks], dtype=float)
    return ks, inertias


def _check_kmeans_params(kmeans_params):
    """Every keyword is a KMeans parameter that elbow does not set itself."""
    valid = [name for name in KMeans._param_names()
             if name not in ("n_clusters", "n_init", "random_state")]
    for name in kmeans_params:
        if name == "n_clusters":
            raise ValueError("n_clusters cannot be passed to elbow, which sets it to 1, ..., "
                             "k_max; use k_max.")
        if name not in valid:
            raise ValueError(f"{name!r} is not an argument of elbow; besides X, k_max, n_init, "
                             f"random_state and autoencoder it takes the KMeans parameters "
                             f"{', '.join(valid)}.")


def _code_size_elbow(X, k_max, autoencoder, kmeans_params):
    """Eq. (2) for latent_dim = 1, ..., k_max."""
    if not isinstance(autoencoder, Autoencoder):
        raise ValueError(f"autoencoder must be an Autoencoder, got "
                         f"{type(autoencoder).__name__}.")
    if autoencoder.encoder is not None:
        raise ValueError("autoencoder has an explicit encoder and decoder, whose code size "
                         "latent_dim cannot change; use one built from hidden/kind.")
    if kmeans_params:
        raise ValueError(f"{', '.join(sorted(kmeans_params))} are k-means parameters; they do "
                         "not apply with an autoencoder.")

    # a SoftmaxAutoencoder's code size is its number of clusters
    size = "n_clusters" if "n_clusters" in autoencoder.get_params(deep=False) else "latent_dim"

    def with_code_size(k):
        return clone(autoencoder, **{size: int(k)})

    largest = with_code_size(k_max)    # checked whole before the first one trains
    largest._check_params()
    largest._check_X_for_fit(X)
    ks = np.arange(1, k_max + 1)
    errors = [float(np.mean(with_code_size(k).fit(X).reconstruction_error(X)))   # eq. (2)
              for k in ks]
    return ks, np.array(errors)
