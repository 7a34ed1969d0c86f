r"""DBSCAN: clusters as dense regions, separated by sparse ones; the sparse points are noise.

The files a reader follows, in order: ``models/dbscan.py`` (this estimator) ->
``backend/reference/density.py`` (``radius_neighbors`` and ``dbscan_labels`` in plain NumPy,
with the equations) -> ``backend/cython.py`` (their fast twins) -> ``docs/algorithms/density.md``.

The algorithm, in the order it runs:

1. find every sample's neighbours within ``eps`` (eq. (1) of ``density.py``; kernel
   ``radius_neighbors``);
2. a sample with at least ``min_samples`` neighbours, itself included, is a core sample
   (eq. (2) there);
3. core samples within ``eps`` of each other share a cluster, transitively; a non-core sample
   within ``eps`` of a core sample joins that sample's cluster (the first cluster found, if
   two reach it); every other sample is noise, label -1 (kernel ``dbscan_labels``).

Unlike k-means it needs no number of clusters, finds clusters of any shape, and leaves
outliers out; it needs a radius that suits every cluster at once, which fails when the
clusters' densities differ (OPTICS relaxes that).

References
----------
M. Ester, H.-P. Kriegel, J. Sander and X. Xu, "A density-based algorithm for discovering
clusters in large spatial databases with noise", KDD 1996.
"""
import numbers

import numpy as np

from .._validation import array_module, check_choice, check_scalar, to_host
from ..base import BaseEstimator
from ..persistence import FittedState

__all__ = ["DBSCAN"]

METRICS = ("euclidean", "cosine")


class DBSCAN(BaseEstimator):
    r"""Density-based clustering with noise (Ester et al. 1996).

    Parameters
    ----------
    eps : float > 0, default=0.5
        The radius of a neighbourhood. With ``metric="cosine"`` it is a cosine distance,
        :math:`1 - \cos(x_i, x_j)`, in [0, 2].
    min_samples : int >= 1, default=5
        The neighbours, the sample itself included, that make a core sample.
    metric : {"euclidean", "cosine"}, default="euclidean"
        "cosine" compares directions: rows are scaled to unit length, where
        :math:`\|u - v\|^2 = 2\,(1 - \cos(u, v))`, so a cosine radius :math:`\varepsilon` is
        the Euclidean radius :math:`\sqrt{2 \varepsilon}` there. A row of zeros has no
        direction and is refused.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
        "numpy" runs the plain reference (blocks of n x n distances); "cython" (the default
        on the CPU) a k-d tree and a connected-components pass from SciPy.

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n_samples,)
        The cluster of each sample, from 0, in the order of each cluster's first core
        sample; -1 for noise.
    core_sample_indices_ : ndarray of int64, shape (n_core_samples,)
        The indices of the core samples, in increasing order.
    components_ : ndarray of shape (n_core_samples, n_features)
        The core samples themselves.
    n_features_in_ : int
    backend_ : str

    Notes
    -----
    The labels are those of scikit-learn's ``DBSCAN`` with the same parameters (a test
    checks it); there is no ``predict``: DBSCAN labels the samples it was given. To place new
    samples, give them the label of their nearest core sample within ``eps``, or use
    :class:`~neuroclust.models.LatentClustering`, which does so on the codes.
    """

    _compares_distances = True

    def __init__(self, eps=0.5, min_samples=5, metric="euclidean", backend="auto"):
        self.eps = eps
        self.min_samples = min_samples
        self.metric = metric
        self.backend = backend

    def _check_params(self):
        check_scalar(self.eps, "eps", low=0, low_inclusive=False)
        check_scalar(self.min_samples, "min_samples", numbers.Integral, low=1)
        check_choice(self.metric, "metric", METRICS)
        if self.metric == "cosine" and self.eps > 2:
            raise ValueError(f"eps must be at most 2 with metric='cosine' (the largest cosine "
                             f"distance), got {self.eps}.")

    def fit(self, X, y=None):
        """Cluster ``X`` of shape (n_samples, n_features); returns self."""
        self._check_params()
        X, kernels = self._validate_for_fit(X)
        points, radius = X, float(self.eps)
        if self.metric == "cosine":
            points, radius = _unit_rows(X), float(np.sqrt(2 * self.eps))
        indptr, indices = kernels.radius_neighbors(points, radius)             # step 1
        labels, is_core = kernels.dbscan_labels(indptr, indices, int(self.min_samples))
        self.labels_ = np.asarray(to_host(labels), dtype=np.int64)            # steps 2-3
        self.core_sample_indices_ = np.flatnonzero(to_host(is_core)).astype(np.int64)
        self.components_ = to_host(X)[self.core_sample_indices_]
        return self

    def fit_predict(self, X, y=None):
        """Fit, then return the label of each sample (-1 for noise)."""
        return self.fit(X).labels_

    @property
    def fit_transform(self):
        """DBSCAN gives labels, not a new space: it has no ``transform`` (so no
        ``fit_transform`` either, whatever the base class offers)."""
        raise AttributeError("DBSCAN has no transform; use fit_predict for the labels.")

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("labels_", "core_sample_indices_", "components_", "n_features_in_",
                          "backend_")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other (:func:`neuroclust.load`
        checks every model it reads from a file with this): labels from -1, core indices of
        samples, in increasing order, each labelled, with one row of ``components_`` each."""
        state = FittedState(self)
        n_features = state.n_features()
        labels = state.array("labels_", [("n_samples", None)], kind="index", low=-1,
                             required=True)
        n_samples = labels.shape[0]
        core = state.array("core_sample_indices_", [("n_core_samples", None)], kind="index",
                           low=0, high=max(n_samples - 1, 0), required=True)
        if core.size and (not bool((np.diff(core) > 0).all()) or bool((labels[core] < 0).any())):
            raise ValueError("core_sample_indices_ must rise and name samples in a cluster.")
        state.array("components_", [("n_core_samples", core.shape[0]),
                                    ("n_features_in_", n_features)], required=True)
        state.backend()


def _unit_rows(X):
    """X's rows scaled to unit length; a row of zeros is refused (it has no direction)."""
    xp = array_module(X)
    lengths = xp.sqrt((X * X).sum(axis=1))
    if bool((lengths == 0).any()):
        row = int(xp.argmax(lengths == 0))
        raise ValueError(f"X has a row of zeros (row {row}), which has no direction for "
                         "metric='cosine'; remove it or use metric='euclidean'.")
    return X / lengths[:, None]
