r"""The elbow method: k-means inertia for k = 1, 2, ..., k_max, to help choose k.

The inertia (within-cluster sum of squares) of the best k-means solution,

.. math:: W(k) = \sum_{i=1}^n \min_{c = 1..k} \|x_i - \mu_c\|^2,                    \tag{1}

only falls as k grows (more centres never fit worse), so its minimum says nothing. But it
falls fast while each new centre splits a real group and slowly once it only splits a group
in two: plotted against k (:func:`neuroclust.plotting.plot_elbow`) the curve bends, an
"elbow", near the number of groups. The bend is a heuristic, often unclear; compare it with
the silhouette (:func:`neuroclust.metrics.silhouette_score`).
"""
import numbers

import numpy as np

from .._validation import check_array, check_scalar
from .kmeans import KMeans

__all__ = ["elbow"]


def elbow(X, k_max=10, *, n_init=3, random_state=None, **kmeans_params):
    """k-means inertia, eq. (1), for k = 1, ..., ``k_max``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        E.g. raw data, or an autoencoder's codes (``Autoencoder.transform``).
    k_max : int >= 1, default=10
        At most the number of samples.
    n_init : int >= 1, default=3
        k-means seedings per k; the best is kept.
    random_state : int or None
        Seeds every k-means run (the same seed for each k).
    **kmeans_params
        Any other parameter of :class:`~neuroclust.KMeans` (``max_iter``, ``backend``...).

    Returns
    -------
    ks : ndarray of shape (k_max,)
        1, 2, ..., k_max.
    inertias : ndarray of shape (k_max,)
        :math:`W(k)` for each k.
    """
    X = check_array(X)
    check_scalar(k_max, "k_max", numbers.Integral, low=1)
    if k_max > X.shape[0]:
        raise ValueError(f"k_max must be at most the number of samples ({X.shape[0]}), "
                         f"got {k_max}.")
    ks = np.arange(1, k_max + 1)
    inertias = np.array([KMeans(n_clusters=int(k), n_init=n_init, random_state=random_state,
                                **kmeans_params).fit(X).inertia_                  # eq. (1)
                         for k in ks], dtype=float)
    return ks, inertias
