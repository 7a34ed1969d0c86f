r"""k-means by Lloyd's algorithm, on the same kernels as competitive learning.

The files a reader follows, in order: ``models/kmeans.py`` (this estimator) ->
``backend/reference/distances.py`` (``bmu``, ``accumulate``, ``bmu_accumulate`` in plain NumPy)
-> ``csrc/distances.pyx`` -> ``plotting/competitive.py`` -> ``docs/algorithms/competitive.md``
-> ``tutorials/plot_01_competitive_learning.py``.

The algorithm, in the order it runs:

1. seed the centres (``init``: k-means++ by default, :func:`~neuroclust.models.init.kmeans_plusplus`);
2. assignment step: each sample goes to its nearest centre, eq. (1) (kernel ``bmu``, fused
   with step 3 in ``bmu_accumulate`` so the data is read once per iteration);
3. update step: each centre becomes the mean of its samples, eq. (2) (kernel ``accumulate``);
   a centre left with no sample is moved to the sample farthest from its centre;
4. stop when the labels no longer change or the centres move less than ``tol``, eq. (4);
5. repeat from 1 for ``n_init`` seeds and keep the run of lowest inertia, eq. (3).
"""
import numbers
import warnings

import numpy as np


from .._validation import (array_module, check_choice, check_count, check_init_array,
                           check_random_state, check_scalar, check_seed, check_verbose,
                           is_dask_array, to_host)
from .._warnings import EmptyClusterWarning
from ..backend.threads import fit_scope
from ..base import (BaseEstimator, LastPass, PrototypeClusterMixin, TrainingInterruptedWarning,
                    ignore_further_interrupts, interrupts_deferred, run_epochs)
from ..persistence import FittedState
from ..distributed import check_dask_data, map_rows, unit_sums
from .init import INIT_METHODS, dask_start, initial_prototypes
from ._resources import check_prototype_memory

__all__ = ["KMeans"]


class KMeans(PrototypeClusterMixin, BaseEstimator):
    r"""k-means clustering (Lloyd's algorithm).

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random_samples", "random"} or array of shape (n_clusters, n_features)
    n_init : int or "auto", default="auto"
        Number of seedings; "auto" is 1 for k-means++ and an array, 10 otherwise.
    max_iter : int, default=300
    tol : float, default=1e-4
        Stop when the squared centre shift is at most ``tol`` times the mean per-feature
        variance of X, eq. (4).
    random_state : int, numpy.random.Generator or None
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` shows it always and prints
        the inertia of every iteration; ``False`` never.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of int64, shape (n_samples,)
    inertia_ : float
        Eq. (3) for the returned centres and labels.
    n_iter_ : int
        Iterations of the kept run.
    history_ : dict of lists
        ``"inertia"``: eq. (3) at each iteration of the kept run.

    Notes
    -----
    .. math:: c_i = \arg\min_j \|x_i - \mu_j\|^2                                   \tag{1}
    .. math:: \mu_j = \frac{1}{n_j} \sum_{i : c_i = j} x_i                         \tag{2}
    .. math:: J = \sum_i \|x_i - \mu_{c_i}\|^2                                     \tag{3}
    .. math:: \sum_j \|\mu_j^{new} - \mu_j\|^2 \le \text{tol} \cdot
              \tfrac{1}{d} \textstyle\sum_f \operatorname{Var}(x_f)               \tag{4}

    Neither step can raise :math:`J`, so the iterations converge (to a local minimum).
    Competitive learning's online rule is stochastic gradient descent on the same :math:`J`.

    References
    ----------
    S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982.
    """

    _params_fixed_by_fit = ("n_clusters",)

    def __init__(self, n_clusters=8, init="k-means++", n_init="auto", max_iter=300, tol=1e-4,
                 random_state=None, backend="auto", verbose="auto"):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.backend = backend
        self.verbose = verbose

    def _check_params(self):
        check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        check_count(self.max_iter, "max_iter")
        check_scalar(self.tol, "tol", low=0)
        if isinstance(self.init, str):
            check_choice(self.init, "init", INIT_METHODS)
        if not (isinstance(self.n_init, str) and self.n_init == "auto"):
            if isinstance(self.n_init, str):
                raise ValueError(f"n_init must be 'auto' or an integer >= 1, got {self.n_init!r}.")
            check_count(self.n_init, "n_init")
        check_init_array(self.init, self.n_clusters)
        check_seed(self.random_state)
        check_verbose(self.verbose)

    def _n_seedings(self):
        if not isinstance(self.n_init, str):
            return self.n_init
        random_start = isinstance(self.init, str) and self.init in ("random_samples", "random")
        return 10 if random_start else 1

    def fit(self, X, y=None):
        """Cluster ``X`` of shape (n_samples, n_features); returns self.

        ``X`` may be a Dask array chunked by rows: each iteration then runs where the chunks
        live and only the centres' sums come back (:mod:`neuroclust.distributed`);
        ``labels_`` is then a lazy Dask array.
        """
        self._check_params()
        if is_dask_array(X):
            return self._fit_dask(X)
        X, kernels = self._validate_for_fit(X, min_samples=self.n_clusters)
        check_prototype_memory(self, int(self.n_clusters), X)
        rng = check_random_state(self.random_state)
        xp = array_module(X)
        tolerance = self.tol * _mean_variance(X) if self.tol > 0 else 0.0      # eq. (4)
        best, n_seedings = None, self._n_seedings()
        with fit_scope():    # BLAS limits for the kernels: once for all the runs
            for seeding in range(n_seedings):
                try:
                    centres = initial_prototypes(X, self.n_clusters, self.init, rng, kernels)
                    run = _lloyd(self, X, centres, kernels, self.max_iter, tolerance, xp,
                                 self.verbose)
                except KeyboardInterrupt:   # while seeding: the runs done so far are kept
                    if best is None:
                        raise
                    ignore_further_interrupts()
                    _warn_interrupted(seeding, n_seedings)
                    break
                if best is None or run[2] < best[2]:
                    best = run
                if run[5] == "interrupt":   # Ctrl-C: keep the best run so far, seed no more
                    _warn_interrupted(seeding, n_seedings)
                    break
        (self.cluster_centers_, self.labels_, self.inertia_, self.n_iter_, inertia,
         _, emptied) = best
        self.history_ = {"inertia": inertia}
        if emptied:
            _warn_emptied(emptied, n_seedings)
        return self

    def _fit_dask(self, X):
        """:meth:`fit` on a Dask array: each iteration is one pass of ``bmu_accumulate`` over
        the chunks where they live (:func:`neuroclust.distributed.unit_sums`); the centres
        stay here. The same iterations as in memory from the same start."""
        X, summary, _ = check_dask_data(self, X, min_samples=self.n_clusters)
        rng = check_random_state(self.random_state)
        tolerance = self.tol * summary.mean_variance if self.tol > 0 else 0.0    # eq. (4)
        best, n_seedings = None, self._n_seedings()
        for _seeding in range(n_seedings):
            centres = dask_start(X, summary, self.n_clusters, self.init, rng)
            run = _lloyd_on_dask(self, X, centres, tolerance)
            if best is None or run[1] < best[1]:
                best = run
            if run[3] == "interrupt":
                break
        self.cluster_centers_, self.inertia_, history, _, emptied = best
        self.n_iter_, self.history_ = len(history), {"inertia": list(history)}
        self.labels_ = map_rows(X, self.predict)
        if emptied:
            _warn_emptied(emptied, n_seedings)
        return self

    def _snapshot(self):
        """The run in progress after an iteration, for run_epochs: its centres and labels
        (each iteration replaces them, never changes them in place, so none is copied)."""
        return self.cluster_centers_, self.labels_

    def _restore(self, snapshot):
        self.cluster_centers_, self.labels_ = snapshot

    def score(self, X, y=None):
        """Minus the inertia, eq. (3), of ``X`` under the fitted centres (a Dask array too)."""
        if is_dask_array(X):
            return -self._unit_sums(X).squared
        return -float(self._winner_distances(X).sum())

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("cluster_centers_", "labels_", "inertia_", "n_iter_", "history_",
                          "n_features_in_", "backend_")
    _history_keys = ("inertia",)   # history_ is a dict of these lists

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads from a file with this)."""
        state = FittedState(self)
        self._check_centres_and_labels(state)
        n_features = self.n_features_in_
        state.labels(high=self.n_clusters - 1, min_samples=self.n_clusters)
        state.init_array([[("n_clusters", self.n_clusters), ("n_features_in_", n_features)]])
        # may be infinite, as on data near the float limits
        state.number("inertia_", low=0, required=True)
        # (not bounded by max_iter: that may be changed after fit, for the next fit)
        n_iter = state.integer("n_iter_", low=0, required=True)
        state.history({"inertia": "number"}, length=("n_iter_", n_iter))  # each iteration's
        state.backend()


def _mean_variance(X, chunk_rows=8192):
    r"""Mean over features of the per-feature variance of X, computed a chunk at a time.

    :math:`\tfrac1d \sum_f \operatorname{Var}(x_f) = \tfrac1d \cdot \tfrac1n \sum_i
    \|x_i - \bar x\|^2`, without a temporary the size of X.
    """
    mean = X.mean(axis=0, dtype=float)
    total = 0.0
    for start in range(0, X.shape[0], chunk_rows):
        centred = X[start:start + chunk_rows] - mean
        total += float((centred * centred).sum())
    return total / X.size


def _lloyd(model, X, centres, kernels, max_iter, tolerance, xp, verbose):
    """One run of Lloyd's iterations from ``centres``, on the epoch loop every model shares
    (:func:`neuroclust.base.run_epochs`: progress bar, NaN guard, Ctrl-C keeps the centres of
    the last complete iteration). The run in progress is ``model.cluster_centers_`` and
    ``model.labels_`` (what :meth:`KMeans._snapshot` keeps).

    Returns (centres, labels, inertia, n_iter, history, stopped_by, emptied), ``emptied``
    listing (iteration, clusters) for each iteration in which clusters lost every sample and
    were restarted at far samples. The labels and inertia
    are those of the centres returned: from the last iteration's assignment when the centres
    did not move in it (strict convergence), else from one more ``bmu`` pass.
    """
    model.cluster_centers_, model.labels_ = centres, None
    converged = [False]
    last_pass = LastPass()
    emptied = []     # (iteration, clusters that lost every sample in it)

    def iteration(number):
        old = model.cluster_centers_
        labels, distance, sums, counts = kernels.bmu_accumulate(X, old)         # eqs. (1), (2)
        last_pass.keep((labels, distance), old)
        new_centres, empty = _centres_from_sums(X, sums, counts, distance, labels, old, xp)
        if len(empty):
            emptied.append((number, [int(j) for j in to_host(empty)]))
        shift = float(((new_centres - old) ** 2).sum())
        # strict convergence (the assignment is a fixed point), or a shift below tol
        converged[0] = ((model.labels_ is not None and bool((labels == model.labels_).all()))
                        or shift <= tolerance)
        model.cluster_centers_, model.labels_ = new_centres, labels
        return float(distance.sum())                                            # eq. (3)

    history = run_epochs(model, max_iter, iteration, unit="iterations",
                         verbose=verbose if verbose == "auto" else 2 if verbose else 0,
                         stop_when=lambda _iteration: converged[0],
                         description="k-means", metric="inertia", warn_on_interrupt=False)
    presses = 0
    found = last_pass.winners_for(model.cluster_centers_)
    if found is None:
        with interrupts_deferred() as shield:   # the labels of the centres kept: one more pass
            found = kernels.bmu(X, model.cluster_centers_)
        presses = shield.count
    labels, distance = found
    stopped_by = "interrupt" if presses else history.stopped_by
    return (model.cluster_centers_, labels, float(distance.sum()), len(history), list(history),
            stopped_by, emptied)


def _lloyd_on_dask(model, X, centres, tolerance):
    """:func:`_lloyd` on a Dask array: the same steps, each iteration one pass over the
    chunks. No labels are kept between iterations (they live with the chunks), so the run
    stops when the centres stop moving (which follows, in the same iteration, from the
    labels repeating). Returns (centres, inertia, history, stopped_by, emptied)."""
    model.cluster_centers_, model.labels_ = centres, None
    converged, emptied = [False], []
    unmoved = [None]     # the inertia of the current centres, when the last pass found it

    def iteration(number):
        old = model.cluster_centers_
        found = unit_sums(X, old, model.backend_)                              # eq. (1)
        new = old.copy()
        nonempty = found.counts > 0
        new[nonempty] = found.sums[nonempty] / found.counts[nonempty, None]      # eq. (2)
        empty = np.flatnonzero(~nonempty)
        if len(empty):   # rare: one more pass, for the samples farthest from their centres
            new[empty] = unit_sums(X, old, model.backend_, n_far=len(empty)).far_rows
            emptied.append((number, empty.tolist()))
        new = new.astype(old.dtype)
        converged[0] = float(((new - old) ** 2).sum()) <= tolerance
        unmoved[0] = found.squared if np.array_equal(new, old) else None
        model.cluster_centers_ = new
        return found.squared                                                    # eq. (3)

    history = run_epochs(model, model.max_iter, iteration, unit="iterations",
                         verbose=model.verbose if model.verbose == "auto" else 2 * bool(
                             model.verbose), stop_when=lambda _epoch: converged[0],
                         description="k-means (Dask)", metric="inertia")
    kept = len(history) and history.stopped_by != "interrupt" and unmoved[0] is not None
    inertia = unmoved[0] if kept else unit_sums(X, model.cluster_centers_, model.backend_).squared
    return model.cluster_centers_, inertia, history, history.stopped_by, emptied


def _warn_interrupted(seeding, n_seedings):
    warnings.warn(f"k-means interrupted (Ctrl-C) during seeding {seeding + 1} of {n_seedings};"
                  " the model keeps the best of the runs so far (an interrupted run up to its "
                  "last complete iteration). Further Ctrl-C presses are ignored until it is "
                  "finished.", TrainingInterruptedWarning, stacklevel=4)


def _warn_emptied(emptied, n_seedings):
    clusters = sorted({j for _, found in emptied for j in found})
    iterations = ", ".join(str(number + 1) for number, _ in emptied[:5])
    more = ", ..." if len(emptied) > 5 else ""
    kept = "the run kept" if n_seedings == 1 else f"the best of the {n_seedings} runs"
    warnings.warn(f"k-means: in {kept}, cluster(s) {clusters} lost every sample (at "
                  f"iteration(s) {iterations}{more}) and were restarted at the samples farthest "
                  "from their centres. The result is valid, but those clusters owe their place "
                  "to the restart: a k-means++ start (init='k-means++') or more seedings "
                  "(n_init) make it rare.", EmptyClusterWarning, stacklevel=4)


def _centres_from_sums(X, sums, counts, distance, labels, centres, xp):
    """Eq. (2), with each empty cluster moved to a sample far from its current centre;
    returns the new centres and the indices of the clusters that were empty."""
    new_centres = xp.empty_like(centres)
    nonempty = counts > 0
    new_centres[nonempty] = sums[nonempty] / counts[nonempty, None]            # eq. (2)
    empty = xp.flatnonzero(~nonempty)
    if len(empty):
        farthest = xp.argsort(-distance)[: len(empty)]
        new_centres[empty] = X[farthest]
    return new_centres.astype(X.dtype, copy=False), empty
