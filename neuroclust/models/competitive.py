r"""Competitive learning: a layer of prototype units where the winner takes all.

The units are an :class:`neuroclust.nn.Competitive` layer (the one that can sit on top of an
encoder); this estimator runs its training loop. The files a reader follows, in order:
``models/competitive.py`` (this estimator) -> ``nn/competitive.py`` (the layer) ->
``backend/reference/competitive.py`` (the kernels in plain NumPy) -> ``csrc/competitive.pyx``
-> ``plotting/competitive.py`` -> ``docs/algorithms/competitive.md`` ->
``tutorials/plot_01_competitive_learning.py``.

The whole algorithm, in the order it runs (kernels named):

1. place ``n_clusters`` prototypes :math:`w_j` (``init``): the layer's ``params["W"]``, which
   is ``cluster_centers_``;
2. each epoch, present the samples in an order drawn from ``random_state``;
3. online mode: the layer's update, :meth:`neuroclust.nn.Competitive.update`: for each sample
   the nearest prototype wins and moves toward it, :math:`w_c \leftarrow w_c + \eta (x - w_c)`
   (kernel ``wta_online``, eqs. 1-5 there, optionally with DeSieno's conscience);
   batch mode: all winners are found at once (kernel ``bmu_accumulate``) and each prototype
   takes the summed step of its samples, eq. (2) below;
4. record the quantization error, eq. (3), after every epoch.
"""
import numbers
import warnings

import numpy as np

from .._validation import (array_module, check_bool, check_callbacks, check_choice,
                           check_count, check_init_array, check_random_state, check_scalar,
                           check_seed, check_verbose, is_dask_array, to_host)
from .._trace import StepTrace
from .._warnings import DeadUnitsWarning
from ..backend import get_kernels
from .. import grid
from ..backend.threads import fit_scope
from ..base import BaseEstimator, PrototypeClusterMixin, clone, run_epochs
from .._quantization import _quantization_error
from ..nn.competitive import Competitive, total_variance
from ..persistence import FittedState
from ..distributed import check_batch_mode, check_dask_data, map_rows, unit_sums
from .init import INIT_METHODS, dask_start, initial_prototypes
from ._resources import check_prototype_memory

__all__ = ["CompetitiveLearning"]


class CompetitiveLearning(PrototypeClusterMixin, BaseEstimator):
    r"""Winner-take-all competitive learning (the Kohonen competitive layer, hard version).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of prototype units :math:`K`.
    learning_rate : float, default=0.01
        Step size :math:`\eta` in (0, 1].
    epochs : int, default=20
        Passes over the data.
    learning_rate_final : float or None, default=None
        If given, :math:`\eta` decays geometrically from ``learning_rate`` at the first epoch
        to this value at the last, eq. (1); else it stays constant.
    conscience : bool, default=False
        Use DeSieno's conscience (online mode only): units that win more than their share
        :math:`1/K` are handicapped and units that win less are favoured, so a unit left
        dead or a unit stuck between two clusters gets pushed out (kernel ``wta_online``,
        eqs. (2)-(4) there).
    conscience_rate : float, default=1e-3
        :math:`B`, how fast the win frequencies follow the wins: over about :math:`1/B`
        samples. DeSieno's :math:`10^{-4}` is slower than a default run on a few thousand
        samples, so the handicap had not built up by its end.
    conscience_bias : float, default=10.0
        :math:`C`, the weight of the handicap (DeSieno's value), in units of the data's
        total variance :math:`V` (the mean squared distance of a sample to the mean,
        measured once per fit): the handicap scales with the squared distances it competes
        with, so the same :math:`C` works on data at any scale, standardised or not.
    mode : {"online", "batch"}, default="online"
        "online" updates after every sample; "batch" after every epoch, eq. (2).
    init : {"random_samples", "random", "k-means++"} or array of shape (n_clusters, n_features)
        Starting prototypes; see :func:`neuroclust.models.init.initial_prototypes`.
    random_state : int, numpy.random.Generator or None
        Seeds the initialisation and the sample order.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callables, optional
        Each is called as ``callback(model, epoch)`` after every epoch (for snapshots); one
        that returns False stops training.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The learned prototypes :math:`w_j`: the ``params["W"]`` of the
        :class:`neuroclust.nn.Competitive` layer that training updates.
    labels_ : ndarray of int64, shape (n_samples,)
        The winning unit of each training sample.
    history_ : dict of lists
        ``"quantization_error"``: eq. (3) after each epoch.
    win_frequency_ : ndarray of shape (n_clusters,)
        DeSieno's running win frequencies :math:`p_j` (only with ``conscience=True``).
    n_features_in_ : int
    backend_ : str

    Notes
    -----
    Learning rate at epoch :math:`t` of :math:`T`, when ``learning_rate_final`` is set:

    .. math:: \eta_t = \eta_0 \, (\eta_{T-1} / \eta_0)^{t / (T-1)}                \tag{1}

    Batch mode applies, with the winners of the whole epoch held fixed, the sum of the online
    steps of unit :math:`j`'s :math:`n_j` samples (mean :math:`\bar x_j`), capped so a prototype
    never passes its samples' mean; at :math:`\eta n_j \ge 1` it is the k-means update:

    .. math:: w_j \leftarrow w_j + \min(1, \eta\, n_j)\, (\bar x_j - w_j)          \tag{2}

    The quantization error recorded in ``history_["quantization_error"]`` (Kohonen's
    definition; note: not squared):

    .. math:: E_Q = \frac{1}{n} \sum_i \|x_i - w_{c(x_i)}\|                        \tag{3}

    The online rule is stochastic gradient descent on
    :math:`\tfrac12 \sum_i \|x_i - w_{c(x_i)}\|^2`, the energy k-means minimises.

    References
    ----------
    T. Kohonen, *Self-Organizing Maps*, 3rd ed., Springer, 2001, ch. 1 (vector quantization).
    D. E. Rumelhart and D. Zipser, "Feature discovery by competitive learning",
    Cognitive Science 9, 1985.
    D. DeSieno, "Adding a conscience to competitive learning", ICNN 1988.
    """

    _params_fixed_by_fit = ("n_clusters",)

    def __init__(self, n_clusters=8, learning_rate=0.01, epochs=20, learning_rate_final=None,
                 conscience=False, conscience_rate=1e-3, conscience_bias=10.0, mode="online",
                 init="random_samples", random_state=None, backend="auto", verbose="auto",
                 callbacks=None):
        self.n_clusters = n_clusters
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.learning_rate_final = learning_rate_final
        self.conscience = conscience
        self.conscience_rate = conscience_rate
        self.conscience_bias = conscience_bias
        self.mode = mode
        self.init = init
        self.random_state = random_state
        self.backend = backend
        self.verbose = verbose
        self.callbacks = callbacks

    def _check_params(self):
        check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        check_scalar(self.learning_rate, "learning_rate", low=0, high=1, low_inclusive=False)
        if self.learning_rate_final is not None:
            check_scalar(self.learning_rate_final, "learning_rate_final", low=0, high=1,
                         low_inclusive=False)
        check_count(self.epochs, "epochs")
        check_scalar(self.conscience_rate, "conscience_rate", low=0, high=1)
        check_scalar(self.conscience_bias, "conscience_bias", low=0)
        check_choice(self.mode, "mode", ("online", "batch"))
        check_bool(self.conscience, "conscience")
        if self.conscience and self.mode == "batch":
            raise ValueError("conscience=True works with mode='online' only; the conscience "
                             "adjusts the competition sample by sample.")
        if isinstance(self.init, str):
            check_choice(self.init, "init", INIT_METHODS)
        check_init_array(self.init, self.n_clusters)
        check_seed(self.random_state)
        check_verbose(self.verbose)
        check_callbacks(self.callbacks)

    def fit(self, X, y=None):
        """Learn the prototypes from ``X`` of shape (n_samples, n_features); returns self.

        In ``mode="batch"``, ``X`` may be a Dask array chunked by rows: each epoch then runs
        where the chunks live (:mod:`neuroclust.distributed`); ``labels_`` is then lazy.
        """
        self._check_params()
        if is_dask_array(X):
            check_batch_mode(self)
            return self._fit_dask(X)
        X, kernels = self._validate_for_fit(X, min_samples=self.n_clusters)
        check_prototype_memory(self, int(self.n_clusters), X)
        rng = check_random_state(self.random_state)
        xp = array_module(X)
        weights = self._prepare_layer(
            xp.ascontiguousarray(initial_prototypes(X, self.n_clusters, self.init, rng, kernels)),
            rng, total_variance(X) if self.conscience else None)

        def run_epoch(epoch):
            rate = self._learning_rate_at(epoch)
            if self.mode == "online":
                order = rng.permutation(X.shape[0])
                self._layer.update(X, order, rate, check_input=False)
            else:
                _, _, sums, counts = kernels.bmu_accumulate(X, weights)
                _batch_step(weights, sums, counts, rate, xp)
            self.labels_, distance = kernels.bmu(X, weights)
            return _quantization_error(X, weights, squared_distances=distance)  # eq. (3)

        # Each epoch's pass on its final prototypes gives the labels; only when none
        # completes (Ctrl-C in the first) do they take a pass of their own.
        self.labels_ = None
        with fit_scope():    # BLAS limits for the kernels: once for the whole training
            history = run_epochs(self, self.epochs, run_epoch, verbose=self.verbose,
                                 callbacks=self.callbacks, description="competitive learning",
                                 metric="quantization error")
            if self.labels_ is None:
                self.labels_ = kernels.bmu(X, weights)[0]
        self.history_ = {"quantization_error": list(history)}
        self._warn_dead_units(X.shape[0])
        return self

    def _fit_dask(self, X):
        """:meth:`fit` in batch mode on a Dask array: one pass over the chunks per epoch
        (:func:`neuroclust.distributed.unit_sums`); the pass that gives an epoch's sums also
        measures the previous epoch's result, and one more pass measures the last."""
        X, summary, _ = check_dask_data(self, X, min_samples=self.n_clusters)
        rng = check_random_state(self.random_state)
        weights = self._prepare_layer(
            dask_start(X, summary, self.n_clusters, self.init, rng), rng)
        self.labels_ = None       # (set, lazily, after training)
        errors = []

        def epoch(number):
            found = unit_sums(X, weights, self.backend_)
            if number > 0:
                errors.append(found.plain / found.n)                            # eq. (3)
            _batch_step(weights, found.sums, found.counts, self._learning_rate_at(number), np)
            return 0.0 if np.isfinite(weights).all() else float("nan")

        n_done = len(run_epochs(self, self.epochs, epoch, verbose=self.verbose,
                                callbacks=self.callbacks, metric="quantization error",
                                description="competitive learning (Dask)"))
        final = unit_sums(X, weights, self.backend_)
        if n_done:
            errors[n_done - 1:] = [final.plain / final.n]
        self.history_ = {"quantization_error": errors[:n_done]}
        self.labels_ = map_rows(X, self.predict)
        self._warn_dead_units(X.shape[0], final.counts)
        return self

    def _prepare_layer(self, start, rng, data_variance=None):
        """The units of a new fit, from the ``start`` prototypes: an nn.Competitive layer whose
        prototypes are ``cluster_centers_`` (one array, trained in place) and whose
        conscience's frequencies are ``win_frequency_``; returns the prototypes."""
        self._layer = Competitive(
            self.n_clusters, start.shape[1], learning_rate=self.learning_rate, random_state=rng,
            backend=self.backend_, conscience=self.conscience,
            conscience_rate=self.conscience_rate, conscience_bias=self.conscience_bias,
            data_variance=data_variance, W=start)
        if self.conscience:
            self.win_frequency_ = self._layer.win_frequency
        else:   # not one left from an earlier fit with a conscience
            vars(self).pop("win_frequency_", None)
        self.cluster_centers_ = self._layer.params["W"]
        return self.cluster_centers_

    def _warn_dead_units(self, n_samples, wins=None):
        """DeadUnitsWarning when units win no training sample (with as many samples as
        units, every unit could have one); ``wins``: each unit's count, when known."""
        if wins is None:
            wins = np.bincount(np.asarray(to_host(self.labels_)), minlength=self.n_clusters)
        dead = np.flatnonzero(wins == 0)
        if not len(dead) or n_samples < self.n_clusters:
            return
        shown_units = ", ".join(map(str, dead[:10])) + (", ..." if len(dead) > 10 else "")
        fixes = ([] if self.conscience or self.mode == "batch"
                 else ["turn on the conscience (conscience=True), which handicaps the units "
                       "that win too often"])
        if not (isinstance(self.init, str) and self.init == "k-means++"):
            fixes.append("start from init='k-means++', which spreads the prototypes over the data")
        advice = "; ".join(fixes) or "use fewer units (n_clusters)"
        warnings.warn(f"{len(dead)} of the {self.n_clusters} units won no training sample "
                      f"(dead units: {shown_units}); their prototypes stand for no data and "
                      f"the clustering has only {self.n_clusters - len(dead)} clusters. To fix "
                      f"it: {advice}.", DeadUnitsWarning, stacklevel=4)

    def _snapshot(self):
        """The training state after an epoch, for run_epochs: copies of the prototypes, the
        win frequencies and the labels."""
        frequency = self._layer.win_frequency
        return (self.cluster_centers_.copy(), None if frequency is None else frequency.copy(),
                None if self.labels_ is None else self.labels_.copy())

    def _restore(self, snapshot):
        centers, frequency, self.labels_ = snapshot
        self.cluster_centers_[...] = centers
        if frequency is not None:
            self._layer.win_frequency[...] = frequency

    def trace(self, X, n_steps=20):
        """The first ``n_steps`` steps of an online ``fit``, one at a time, to read or replay.

        A fresh copy of this layer (same parameters and ``random_state``: the same start and
        sample order as ``fit``) is trained step by step with the NumPy reference kernel;
        this model is not changed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        n_steps : int, default=20
            Steps to record (at most ``epochs`` passes over X).

        Returns
        -------
        neuroclust.StepTrace
            Per step: ``epoch``, ``sample`` (its row of X), ``nearest`` (the unit nearest to
            the sample), ``winner`` (the unit that learned: the nearest, unless the
            conscience handicapped it), ``distance`` (sample to winner, before the update) and
            ``learning_rate``; and the prototypes after every step.
        """
        if self.mode != "online":
            raise ValueError("trace follows the online rule one sample at a time; "
                             "mode='batch' takes no such steps.")
        self._check_params()
        check_count(n_steps, "n_steps")
        model = clone(self, backend="numpy", verbose=False, callbacks=None)
        X, kernels = model._validate_for_fit(X, min_samples=self.n_clusters)
        X = np.asarray(X, dtype=np.float64)
        rng = check_random_state(self.random_state)
        W = np.array(initial_prototypes(X, self.n_clusters, self.init, rng, kernels),
                     dtype=np.float64)
        frequency = np.full(self.n_clusters, 1.0 / self.n_clusters) if self.conscience else None
        variance = total_variance(X) if self.conscience else 1.0
        records, prototypes = [], [W.copy()]
        numpy_kernels = get_kernels("numpy")
        for epoch in range(int(self.epochs)):
            rate = self._learning_rate_at(epoch)
            for sample in rng.permutation(X.shape[0]).tolist():
                if len(records) == n_steps:
                    break
                distances = np.sqrt(((W - X[sample]) ** 2).sum(axis=1))
                winner = int(numpy_kernels.wta_online(
                    X, W, np.array([sample]), rate, frequency, self.conscience_rate,
                    self.conscience_bias, variance)[0])
                records.append({"epoch": epoch, "sample": sample,
                                "nearest": int(distances.argmin()), "winner": winner,
                                "distance": float(distances[winner]),
                                "learning_rate": float(rate)})
                prototypes.append(W.copy())
        return StepTrace(f"competitive layer of {self.n_clusters} units, online rule"
                         + (" with the conscience" if self.conscience else "")
                         + f", {len(records)} steps",
                         ("epoch", "sample", "nearest", "winner", "distance", "learning_rate"),
                         records, prototypes)

    def schedule(self, n_samples=None, n_points=200):
        """The learning rate of each epoch that ``fit`` would use, from the parameters alone.

        Parameters
        ----------
        n_samples : int, optional
            Not needed (the rate changes once per epoch); accepted so that every model's
            ``schedule`` is called alike.
        n_points : int, default=200
            How many epochs, evenly spread from the first to the last, to return.

        Returns
        -------
        dict
            ``"epoch"`` and ``"step"``: the epoch numbers; ``"learning_rate"``: eq. (1) at
            each; ``"sigma"``: None (the competitive layer has no neighbourhood).
        """
        self._check_params()
        if n_samples is not None:
            check_count(n_samples, "n_samples")
        numbers = grid.schedule_points(int(self.epochs),
                                       check_count(n_points, "n_points", low=2))
        rates = np.array([self._learning_rate_at(epoch) for epoch in numbers], dtype=float)
        return {"epoch": numbers.astype(np.float64), "step": numbers, "learning_rate": rates,
                "sigma": None}

    def _learning_rate_at(self, epoch):
        if self.learning_rate_final is None or self.epochs == 1:
            return self.learning_rate
        ratio = self.learning_rate_final / self.learning_rate
        return self.learning_rate * ratio ** (epoch / (self.epochs - 1))      # eq. (1)

    def score(self, X, y=None):
        """Minus the quantization error, eq. (3), on ``X`` (higher is better; a Dask array
        too)."""
        if is_dask_array(X):
            found = self._unit_sums(X)
            return -found.plain / found.n
        X, kernels = self._validate_for_predict(X, "cluster_centers_")
        W = self._like(self.cluster_centers_, X)
        return -_quantization_error(X, W, kernels.bmu(X, W)[0])

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("cluster_centers_", "labels_", "history_", "win_frequency_",
                          "n_features_in_", "backend_")
    _history_keys = ("quantization_error",)   # history_ is a dict of these lists

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads from a file with this)."""
        state = FittedState(self)
        self._check_centres_and_labels(state)
        state.labels(high=self.n_clusters - 1, min_samples=self.n_clusters)
        state.init_array([[("n_clusters", self.n_clusters),
                           ("n_features_in_", self.n_features_in_)]])
        # the conscience's running estimates of each unit's share of the wins, eq. (4)
        frequency = state.array("win_frequency_", [("n_clusters", self.n_clusters)], low=0,
                                high=1, required=bool(self.conscience))
        if frequency is not None and abs(float(frequency.sum()) - 1) > 1e-6:
            raise ValueError(f"win_frequency_ sums to {float(frequency.sum())}, but the shares "
                             "of the wins sum to 1.")
        state.history({"quantization_error": "number"})
        state.backend()


def _batch_step(weights, sums, counts, rate, xp):
    """Eq. (2): move each prototype toward its samples' mean; units with no sample stay."""
    won = counts > 0
    means = sums[won] / counts[won, None]
    step = xp.minimum(1.0, rate * counts[won]).astype(weights.dtype)[:, None]
    weights[won] += step * (means - weights[won])                            # eq. (2)
