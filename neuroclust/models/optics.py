r"""OPTICS: DBSCAN at every radius at once, as an ordering of the samples and its reachability plot.

The files a reader follows, in order: ``models/optics.py`` (this estimator) ->
``backend/reference/optics.py`` (core distances, the ordering and the two extractions in plain
NumPy, with the equations; the neighbourhoods within ``max_eps`` are DBSCAN's,
``radius_neighbors`` of ``backend/reference/density.py``) -> ``csrc/density.pyx`` (the
ordering loop, compiled; wrapped by ``backend/cython.py``) -> ``plotting/density.py`` (the
reachability plot) -> ``docs/algorithms/density.md``.

The algorithm, in the order it runs:

1. the core distance of every sample: the distance to its ``min_samples``-th nearest sample,
   itself counted (eq. (1) of ``optics.py``; kernel ``optics_core_distances``);
2. the neighbourhoods within ``max_eps`` (none needed when ``max_eps`` is inf: every sample
   is then a neighbour of every other; kernel ``radius_neighbors``, DBSCAN's);
3. the ordering: from the lowest unprocessed index, always the waiting sample of the lowest
   reachability next (eqs. (2) and (3) there; kernel ``optics_ordering``);
4. the clusters, read off the reachability plot: cut at one height ``eps`` (DBSCAN's labels
   at that radius, ``cluster_method="dbscan"``) or between its steep slopes
   (``cluster_method="xi"``).

Where DBSCAN needs one radius that suits every cluster, OPTICS's ordering holds the answer
for every radius up to ``max_eps``, and the xi method finds clusters of different densities
in it.

References
----------
M. Ankerst, M. M. Breunig, H.-P. Kriegel and J. Sander, "OPTICS: ordering points to identify
the clustering structure", SIGMOD 1999. E. Schubert and M. Gertz, "Improving the cluster
structure extracted from OPTICS plots", LWDA 2018 (the predecessor correction).
"""
import math
import numbers
import warnings

import numpy as np

from .._validation import check_choice, check_scalar, to_host
from ..base import BaseEstimator
from ..persistence import FittedState
from .dbscan import METRICS, _unit_rows

__all__ = ["OPTICS"]

CLUSTER_METHODS = ("xi", "dbscan")


def _count(value, name, n_samples, allow_none=False):
    """An int >= 2, or a fraction in (0, 1] of ``n_samples`` (at least 2); never above
    ``n_samples`` when that is known."""
    if value is None and allow_none:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        if value < 2:
            raise ValueError(f"{name} must be at least 2 (or a fraction in (0, 1] of the "
                             f"samples), got {value}.")
        if n_samples is not None and value > n_samples:
            raise ValueError(f"{name} must be at most the number of samples ({n_samples}), "
                             f"got {value}.")
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) \
            and 0 < value <= 1:
        return None if n_samples is None else max(2, int(value * n_samples))
    raise ValueError(f"{name} must be a whole number >= 2 or a fraction in (0, 1], got "
                     f"{value!r}.")


class OPTICS(BaseEstimator):
    r"""Ordering points to identify the clustering structure (Ankerst et al. 1999).

    Parameters
    ----------
    min_samples : int >= 2 or float in (0, 1], default=5
        The neighbours, the sample itself included, that make a core sample; a fraction is
        of the number of samples (at least 2). It also bounds the non-steep points a steep
        area of the xi method may hold in a row.
    max_eps : float >= 0, default=inf
        The largest radius considered: core distances beyond it are inf, and samples farther
        apart never reach each other. A finite value lets the search skip far pairs (faster,
        and a smaller neighbour graph); inf searches every pair.
    metric : {"euclidean", "cosine"}, default="euclidean"
        As :class:`~neuroclust.models.DBSCAN` takes it; with "cosine", every distance
        (``max_eps``, ``eps``, the attributes) is :math:`1 - \cos(x_i, x_j)`, measured as
        half the squared Euclidean distance of the unit rows.
    xi : float in (0, 1), default=0.05
        The xi method's steepness: a point is steep when its successor on the reachability
        plot is higher (or lower) by at least this fraction.
    min_cluster_size : int >= 2, float in (0, 1] or None, default=None
        The xi method's smallest cluster; a fraction is of the number of samples; None takes
        ``min_samples``.
    cluster_method : {"xi", "dbscan"}, default="xi"
        How the clusters are read off the reachability plot.
    eps : float >= 0 or None, default=None
        The radius of ``cluster_method="dbscan"``, at most ``max_eps``; None takes
        ``max_eps``.
    predecessor_correction : bool, default=True
        Shrink each xi cluster until its last sample's predecessor lies inside it (Schubert
        and Gertz 2018).
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
        "numpy" runs the plain reference; "cython" (the default on the CPU) SciPy's k-d tree
        for the core distances and neighbourhoods and a compiled ordering loop; "cupy" runs
        the reference, its loops on the host.

    Attributes
    ----------
    labels_ : ndarray of int64, shape (n_samples,)
        The cluster of each sample, from 0; -1 for noise.
    ordering_ : ndarray of int64, shape (n_samples,)
        The samples in the order OPTICS processed them.
    reachability_ : ndarray of float64, shape (n_samples,)
        Each sample's reachability (indexed by sample; ``reachability_[ordering_]`` is the
        plot); inf for the first sample of each run.
    core_distances_ : ndarray of float64, shape (n_samples,)
        The radius at which each sample becomes a core sample; inf beyond ``max_eps``.
    predecessor_ : ndarray of int64, shape (n_samples,)
        The sample that each sample was reached from; -1 for none.
    core_sample_indices_ : ndarray of int64, shape (n_core_samples,)
        The samples that are core samples at the radius the labels are read at (``eps`` for
        "dbscan", ``max_eps`` for "xi"): those whose core distance is at most that radius,
        in increasing order. scikit-learn's ``OPTICS`` has no such attribute; this is
        DBSCAN's definition at that radius.
    cluster_hierarchy_ : ndarray of int64, shape (n_clusters, 2)
        For "xi" only: every cluster found, ``[start, end]`` inclusive positions in
        ``ordering_``, smaller ones before the larger ones that hold them. The labels use
        the smallest that do not overlap.
    n_features_in_ : int
    backend_ : str

    Notes
    -----
    ``ordering_``, ``reachability_``, ``core_distances_``, ``predecessor_``, ``labels_`` and
    ``cluster_hierarchy_`` are those of scikit-learn's ``OPTICS`` with the same parameters,
    to the bit (tests check it on many data sets). There is no ``predict``: OPTICS labels the
    samples it was given; :class:`~neuroclust.models.LatentClustering` places new samples by
    their nearest training code.
    """

    _compares_distances = True

    def __init__(self, min_samples=5, max_eps=np.inf, metric="euclidean", xi=0.05,
                 min_cluster_size=None, cluster_method="xi", eps=None,
                 predecessor_correction=True, backend="auto"):
        self.min_samples = min_samples
        self.max_eps = max_eps
        self.metric = metric
        self.xi = xi
        self.min_cluster_size = min_cluster_size
        self.cluster_method = cluster_method
        self.eps = eps
        self.predecessor_correction = predecessor_correction
        self.backend = backend

    def _check_params(self):
        _count(self.min_samples, "min_samples", None)
        _count(self.min_cluster_size, "min_cluster_size", None, allow_none=True)
        if isinstance(self.max_eps, (bool, np.bool_)) or not isinstance(self.max_eps,
                                                                       numbers.Real) \
                or math.isnan(self.max_eps) or self.max_eps < 0:
            raise ValueError(f"max_eps must be a number >= 0 (inf for no limit), got "
                             f"{self.max_eps!r}.")
        check_scalar(self.xi, "xi", low=0, high=1, low_inclusive=False, high_inclusive=False)
        check_choice(self.metric, "metric", METRICS)
        check_choice(self.cluster_method, "cluster_method", CLUSTER_METHODS)
        if not isinstance(self.predecessor_correction, (bool, np.bool_)):
            raise ValueError(f"predecessor_correction must be True or False, got "
                             f"{self.predecessor_correction!r}.")
        if self.eps is not None:
            check_scalar(self.eps, "eps", low=0)
            if self.cluster_method == "dbscan" and self.eps > self.max_eps:
                raise ValueError(f"eps must be at most max_eps ({self.max_eps}) with "
                                 f"cluster_method='dbscan', got {self.eps}.")

    def fit(self, X, y=None):
        """Order ``X`` of shape (n_samples, n_features) and cluster it; returns self."""
        self._check_params()
        X, kernels = self._validate_for_fit(X, min_samples=2, min_samples_reason=(
            " (OPTICS needs at least two samples to compare)"))
        n_samples = X.shape[0]
        min_samples = _count(self.min_samples, "min_samples", n_samples)
        min_cluster_size = _count(self.min_cluster_size, "min_cluster_size", n_samples,
                                  allow_none=True) or min_samples
        points, max_eps = X, float(self.max_eps)
        if self.metric == "cosine":          # 1 - cos(u, v) = |u - v|^2 / 2 on unit rows
            points, max_eps = _unit_rows(X), math.sqrt(2 * max_eps)
        core = kernels.optics_core_distances(points, min_samples, max_eps)         # step 1
        graph = (None, None)
        if math.isfinite(max_eps):
            graph = kernels.radius_neighbors(points, max_eps)                       # step 2
        ordering, reachability, predecessor = kernels.optics_ordering(points, core, *graph)
        self.ordering_ = np.asarray(to_host(ordering), dtype=np.int64)             # step 3
        self.core_distances_ = np.asarray(to_host(core), dtype=np.float64)
        self.reachability_ = np.asarray(to_host(reachability), dtype=np.float64)
        self.predecessor_ = np.asarray(to_host(predecessor), dtype=np.int64)
        if self.metric == "cosine":
            self.core_distances_ = self.core_distances_ ** 2 / 2
            self.reachability_ = self.reachability_ ** 2 / 2
        if bool(np.isinf(self.reachability_).all()):
            warnings.warn("Every reachability is inf: no sample reaches another within "
                          "max_eps, so every sample is noise; set a larger max_eps.",
                          UserWarning, stacklevel=3)
        if self.cluster_method == "xi":                                             # step 4
            self.cluster_hierarchy_ = kernels.optics_xi_clusters(
                self.reachability_, self.predecessor_, self.ordering_, min_samples,
                min_cluster_size, float(self.xi), bool(self.predecessor_correction))
            self.labels_ = kernels.optics_xi_labels(self.ordering_, self.cluster_hierarchy_)
            radius = float(self.max_eps)
        else:
            self.cluster_hierarchy_ = None
            radius = float(self.max_eps if self.eps is None else self.eps)
            self.labels_ = kernels.optics_dbscan_labels(self.reachability_,
                                                        self.core_distances_,
                                                        self.ordering_, radius)
        self.core_sample_indices_ = np.flatnonzero(self.core_distances_ <= radius
                                                   ).astype(np.int64)
        return self

    def fit_predict(self, X, y=None):
        """Fit, then return the label of each sample (-1 for noise)."""
        return self.fit(X).labels_

    @property
    def fit_transform(self):
        """OPTICS gives labels and an ordering, not a new space: it has no ``transform`` (so
        no ``fit_transform`` either, whatever the base class offers)."""
        raise AttributeError("OPTICS has no transform; use fit_predict for the labels.")

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("labels_", "ordering_", "reachability_", "core_distances_",
                          "predecessor_", "core_sample_indices_", "cluster_hierarchy_",
                          "n_features_in_", "backend_")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other (:func:`neuroclust.load`
        checks every model it reads from a file with this): one label, reachability, core
        distance and predecessor per sample, an ordering that is a permutation, rising core
        indices, and clusters as spans of the ordering."""
        state = FittedState(self)
        state.n_features()
        labels = state.array("labels_", [("n_samples", None)], kind="index", low=-1,
                             required=True)
        n_samples = labels.shape[0]
        ordering = state.array("ordering_", [("n_samples", n_samples)], kind="index", low=0,
                               high=max(n_samples - 1, 0), required=True)
        if not np.array_equal(np.sort(ordering), np.arange(n_samples)):
            raise ValueError("ordering_ must name every sample once.")
        for name in ("reachability_", "core_distances_"):
            values = state.array(name, [("n_samples", n_samples)], finite=False, low=0,
                                 required=True)
            if bool(np.isnan(values).any()):
                raise ValueError(f"{name} holds NaN.")
        state.array("predecessor_", [("n_samples", n_samples)], kind="index", low=-1,
                    high=max(n_samples - 1, 0), required=True)
        core = state.array("core_sample_indices_", [("n_core_samples", None)], kind="index",
                           low=0, high=max(n_samples - 1, 0), required=True)
        if core.size and not bool((np.diff(core) > 0).all()):
            raise ValueError("core_sample_indices_ must rise.")
        radius = float(self.max_eps if self.cluster_method == "xi" or self.eps is None
                       else self.eps)
        distances = np.asarray(self.core_distances_, dtype=np.float64)
        if not np.array_equal(core, np.flatnonzero(distances <= radius)):
            raise ValueError("core_sample_indices_ must be the samples whose core distance is "
                             f"at most {radius:g} (the radius the labels were read at).")
        spans = state.array("cluster_hierarchy_", [("n_clusters", None), ("start, end", 2)],
                            kind="index", low=0, high=max(n_samples - 1, 0),
                            required=self.cluster_method == "xi")   # the xi method's clusters
        if spans is not None and spans.size and bool((spans[:, 0] > spans[:, 1]).any()):
            raise ValueError("cluster_hierarchy_ must hold [start, end] with start <= end.")
        state.backend()
