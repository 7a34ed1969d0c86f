r"""The self-organizing map (Kohonen): competitive learning on a grid of units.

The map is an :class:`neuroclust.nn.SelfOrganizingMap` layer (the one that can sit inside a
network); this estimator runs its training loop with decaying schedules. The files a reader
follows, in order: ``models/som.py`` (this estimator) -> ``nn/som.py`` (the layer) ->
``grid.py`` (the map's geometry) -> ``backend/reference/som.py`` (the kernels in plain NumPy)
-> ``csrc/som.pyx`` -> ``plotting/som.py`` -> ``docs/algorithms/som.md`` ->
``tutorials/plot_02_self_organizing_map.py``.

The algorithm, in the order it runs (kernels named):

1. lay the units on a grid (``shape``, ``topology``, ``toroidal``): positions :math:`r_j`;
2. initialise the prototypes :math:`w_j` (random samples, uniform, or along the first two
   principal components, :func:`~neuroclust.models.init.pca_prototypes`);
3. online mode: the layer's update, :meth:`neuroclust.nn.SelfOrganizingMap.update`, presents
   the samples one at a time in an order drawn from ``random_state``; the
   winner :math:`c` and its grid neighbours move toward the sample,
   :math:`w_j \leftarrow w_j + \eta(t)\, h_{jc}(t)\, (x - w_j)` (kernel ``som_online``), with
   :math:`\eta` and the radius :math:`\sigma` shrinking over time (``decay``);
   batch mode: each epoch find every sample's winner and the per-unit sums (kernel
   ``bmu_accumulate``), then set each prototype to the neighbourhood-weighted mean of the
   samples (``som_batch_weights``, two small matrix products);
4. after each epoch record the quantization error, eq. (1), and topographic error, eq. (2).
   Batch mode: from one pass of the kernel ``two_nearest`` (each sample's two nearest units
   and their distances), which is the next epoch's search for winners too (whose sums are
   then taken by ``accumulate``). Online mode: as the epoch's samples met the map, each just
   before its own update (``som_online``'s ``with_errors``: the winner search of every step
   also keeps the runner-up and the distance), so the record costs no pass of its own. In
   both modes the last epoch's errors come from a ``two_nearest`` pass over the final map,
   which also gives the labels after ``fit`` (without the history, one ``bmu`` pass does);
5. optionally cluster the prototypes with k-means (``n_clusters``): the two-level SOM.

``fit`` checks X once; the epochs take it as it is. The kernels' BLAS thread limit is held
for the whole training (``backend/threads.py``).
"""
import numbers
import warnings
from collections import Counter

import numpy as np

from .._validation import (array_module, check_array, check_bool, check_callbacks,
                           check_choice, check_count, check_init_array, check_is_fitted,
                           check_n_features, check_prototypes_shape, check_random_state,
                           check_scalar, check_seed, check_verbose, is_dask_array, ndim_of, shown,
                           to_host)
from .. import grid
from ..backend.threads import fit_scope
from ..base import BaseEstimator, DivergenceWarning, LastPass, clone, run_epochs
from .._quantization import _quantization_error
from .._trace import StepTrace
from ..backend import get_kernels
from ..nn.som import SelfOrganizingMap, unit_rows
from ..persistence import FittedState
from ..distributed import (check_batch_mode, check_dask_data, check_dask_query, is_streamed,
                           iter_chunks, map_rows, unit_sums)
from .init import dask_start, initial_prototypes, pca_prototypes
from .kmeans import KMeans
from ._resources import check_som_memory

__all__ = ["SOM", "pca_prototypes"]

INIT_METHODS = ("random_samples", "random", "pca")

#: A prototype farther outside the data's range (its smallest to its largest value) than this
#: many times the range's width has run away (a Mexican hat pushing a unit that never wins, a
#: learning rate above 1): training stops there and keeps the last epoch within the bound.
RUNAWAY_FACTOR = 1e3


class SOM(BaseEstimator):
    r"""Self-organizing map.

    Parameters
    ----------
    shape : tuple of two ints, default=(10, 10)
        Rows and columns of the grid.
    topology : {"rectangular", "hexagonal"}, default="rectangular"
    toroidal : bool, default=False
        Wrap the grid around (edges meet), so no unit sits on a border. A hexagonal torus
        needs an even number of rows.
    neighbourhood : {"gaussian", "bubble", "mexican_hat", "triangle"}, default="gaussian"
        :math:`h` of :func:`neuroclust.grid.neighbourhood`. The Mexican hat is
        negative beyond :math:`\sigma`: units there are pushed *away* from every sample, and
        a unit that never wins is pushed away on every step, so its prototype grows
        geometrically. Use it with a small ``learning_rate`` and a short run, and expect the
        divergence guard to stop training otherwise, keeping the last epoch whose prototypes
        stayed within ``RUNAWAY_FACTOR`` (1000) times the data's range outside that range (it
        is in the library to show lateral inhibition, not as a default).
    sigma : float or None, default=None
        Starting radius :math:`\sigma_0`, in grid units; None means half the longer side.
    sigma_final : float, default=0.5
        The radius :math:`\sigma` decays toward at the end of training.
    learning_rate : float, default=0.5
        Starting :math:`\eta_0` (online mode).
    learning_rate_final : float, default=0.01
    decay : {"exponential", "linear", "inverse_time"}, default="exponential"
        The schedule of :math:`\eta` (and of :math:`\sigma` unless ``sigma_decay`` is given);
        see :func:`neuroclust.grid.decay`.
    sigma_decay : {"exponential", "linear", "inverse_time"} or None, default=None
    mode : {"online", "batch"}, default="online"
    epochs : int, default=10
    n_iterations : int or None, default=None
        Online mode only: the number of samples presented in all (overrides ``epochs``);
        the samples are presented in fresh random orders, one after another.
    init : {"random_samples", "random", "pca"} or array, default="pca"
        An array may have shape (rows * cols, n_features) or (rows, cols, n_features).
    metric : {"euclidean", "cosine"}, default="euclidean"
        How the winner is chosen: nearest prototype, or largest cosine similarity.
    n_clusters : int or None, default=None
        If given, the prototypes are clustered by k-means into this many groups after
        training (a :class:`~neuroclust.KMeans` on this map's backend), and
        ``predict``/``labels_`` give those cluster labels.
    record_history : bool, default=True
        Record quantization and topographic error after every epoch. Batch mode: from one
        ``two_nearest`` pass over the data, the one the next epoch finds its winners with
        (the errors of the map an epoch starts from are those of the previous epoch's
        result; the progress bar shows them), so the history costs one pass over the whole
        fit. Online mode: as the epoch's samples met the map, each measured against the
        prototypes just before its own update (R's ``kohonen`` records its training
        progress the same way); on a map still moving this runs above the error of the map
        at the epoch's end (most in the first epochs), and it costs no pass over the data. The last
        entry, in both modes, is the final map's exact error (``quantization_error(X)`` and
        ``topographic_error(X)``), from a pass that also gives ``labels_``. Switch off to
        time the training alone: ``labels_`` then take one ``bmu`` pass after training.
    random_state : int, numpy.random.Generator or None
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callables, optional
        Called as ``callback(som, epoch)`` after each epoch (``som.weights_`` is current):
        use :func:`neuroclust.plotting.som_snapshot_callback` to animate the map unfolding.

    Attributes
    ----------
    weights_ : ndarray of shape (rows, cols, n_features)
        The prototypes laid out on the grid: a view of ``cluster_centers_`` (one array).
    cluster_centers_ : ndarray of shape (rows * cols, n_features)
        The prototypes, one row per unit, units numbered row by row: the ``params["W"]`` of
        the :class:`neuroclust.nn.SelfOrganizingMap` layer that training updates.
    grid_positions_ : ndarray of shape (rows * cols, 2)
        Each unit's (x, y) position on the grid.
    labels_ : ndarray of int64, shape (n_samples,)
        Winning unit of each training sample, or its cluster when ``n_clusters`` is set:
        ``predict`` of the training data, found by the last epoch's pass of the history (or,
        when that pass did not run on the final prototypes, by a pass of its own).
    unit_labels_ : ndarray of int64, shape (rows * cols,)
        The k-means cluster of each unit (only with ``n_clusters``).
    history_ : dict of lists
        ``"quantization_error"`` and ``"topographic_error"`` after each epoch (online: as
        the epoch met them; see ``record_history``).

    Notes
    -----
    Quantization error (how well the prototypes represent the data) and topographic error
    (how often the two best units of a sample are not grid neighbours: a fold in the map):

    .. math:: E_Q = \frac1n \sum_i \|x_i - w_{c(x_i)}\|                             \tag{1}
    .. math:: E_T = \frac1n \sum_i [\, c_2(x_i) \notin N(c(x_i)) \,]               \tag{2}

    The U-matrix (:meth:`distance_map`) gives each unit the mean distance from its prototype to
    those of its grid neighbours :math:`N(j)`: valleys are clusters, ridges their borders,

    .. math:: U_j = \frac{1}{|N(j)|} \sum_{k \in N(j)} \|w_j - w_k\|                \tag{3}

    References
    ----------
    T. Kohonen, *Self-Organizing Maps*, 3rd ed., Springer, 2001.
    J. Vesanto and E. Alhoniemi, "Clustering of the self-organizing map", IEEE Trans. Neural
    Networks 11(3), 2000 (the two-level approach).
    """

    _compares_distances = True
    _params_fixed_by_fit = ("shape", "topology", "toroidal", "metric", "n_clusters")

    def __init__(self, shape=(10, 10), topology="rectangular", toroidal=False,
                 neighbourhood="gaussian", sigma=None, sigma_final=0.5, learning_rate=0.5,
                 learning_rate_final=0.01, decay="exponential", sigma_decay=None,
                 mode="online", epochs=10, n_iterations=None, init="pca", metric="euclidean",
                 n_clusters=None, record_history=True, random_state=None, backend="auto",
                 verbose="auto", callbacks=None):
        self.shape = shape
        self.topology = topology
        self.toroidal = toroidal
        self.neighbourhood = neighbourhood
        self.sigma = sigma
        self.sigma_final = sigma_final
        self.learning_rate = learning_rate
        self.learning_rate_final = learning_rate_final
        self.decay = decay
        self.sigma_decay = sigma_decay
        self.mode = mode
        self.epochs = epochs
        self.n_iterations = n_iterations
        self.init = init
        self.metric = metric
        self.n_clusters = n_clusters
        self.record_history = record_history
        self.random_state = random_state
        self.backend = backend
        self.verbose = verbose
        self.callbacks = callbacks

    # ------------------------------------------------------------ parameters
    def _check_params(self):
        shape = self.shape
        pair = (shape.shape == (2,) if isinstance(shape, np.ndarray)
                else isinstance(shape, (tuple, list)) and len(shape) == 2)
        if not pair or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1
                           for v in shape):
            raise ValueError(f"shape must be two positive integers (rows, cols), got "
                             f"{shown(shape)}.")
        rows, cols = (int(v) for v in shape)
        if rows * cols < 2:
            raise ValueError(f"shape {tuple(shape)} gives a map of one unit; at least 2 are needed.")
        check_choice(self.topology, "topology", grid.TOPOLOGIES)
        check_bool(self.toroidal, "toroidal")
        if self.toroidal and self.topology == "hexagonal" and rows % 2:
            raise ValueError(f"a toroidal hexagonal map needs an even number of rows, got {rows}.")
        check_choice(self.neighbourhood, "neighbourhood", grid.NEIGHBOURHOODS)
        if self.sigma is not None:
            check_scalar(self.sigma, "sigma", low=0, low_inclusive=False)
        check_scalar(self.sigma_final, "sigma_final", low=0, low_inclusive=False)
        check_scalar(self.learning_rate, "learning_rate", low=0, low_inclusive=False)
        check_scalar(self.learning_rate_final, "learning_rate_final", low=0, low_inclusive=False)
        check_choice(self.decay, "decay", grid.DECAYS)
        if self.sigma_decay is not None:
            check_choice(self.sigma_decay, "sigma_decay", grid.DECAYS)
        check_choice(self.mode, "mode", ("online", "batch"))
        check_count(self.epochs, "epochs")
        if self.n_iterations is not None:
            check_count(self.n_iterations, "n_iterations")
            if self.mode == "batch":
                raise ValueError("n_iterations counts samples of online training; with "
                                 "mode='batch' give epochs instead.")
        check_choice(self.metric, "metric", ("euclidean", "cosine"))
        if isinstance(self.init, str) and self.init not in INIT_METHODS:
            raise ValueError(f"init must be one of {', '.join(map(repr, INIT_METHODS))} or an "
                             f"array of shape ({rows * cols}, n_features) or ({rows}, {cols}, "
                             f"n_features), got {self.init!r}.")
        if self.n_clusters is not None:
            check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1,
                         high=rows * cols)
        check_bool(self.record_history, "record_history")
        self._check_init_array(rows, cols)
        check_seed(self.random_state)
        check_verbose(self.verbose)
        check_callbacks(self.callbacks)
        return rows, cols

    def _check_init_array(self, rows, cols):
        """An ``init`` array: numbers, finite, (rows * cols, n_features) or (rows, cols,
        n_features); its width is checked against X in ``fit``."""
        if isinstance(self.init, str):
            return
        if ndim_of(self.init) != 3:
            check_init_array(self.init, rows * cols)
            return
        init = check_array(self.init, name="init", ndim=3)
        check_prototypes_shape(init, rows * cols, grid_shape=(rows, cols))

    def _sigma_start(self, rows, cols):
        return float(self.sigma) if self.sigma is not None else max(rows, cols) / 2.0

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Train the map on ``X`` of shape (n_samples, n_features); returns self.

        In ``mode="batch"``, ``X`` may be a Dask array chunked by rows: each epoch then runs
        where the chunks live (:mod:`neuroclust.distributed`); ``labels_`` is then lazy.
        """
        if is_dask_array(X):
            return self._fit_dask(X)
        rows, cols = self._check_params()
        X, kernels = self._validate_for_fit(X)
        check_som_memory(self, rows, cols, X)
        xp = array_module(X)
        rng = check_random_state(self.random_state)
        grid_d2 = self._prepare_grid(rows, cols)
        weights = self._prepare_layer(
            xp.ascontiguousarray(self._initial_weights(X, rows * cols, rng, kernels)), rows,
            cols, rng)
        steps = self._steps_per_epoch(X.shape[0])
        total_steps = steps.total
        history = {"quantization_error": [], "topographic_error": []}
        # X on unit rows, once per fit: the cosine metric's winners are found there
        X_unit = unit_rows(X) if self.metric == "cosine" else None
        last_pass = LastPass()

        def record(quantization, topographic):
            history["quantization_error"].append(quantization)
            history["topographic_error"].append(topographic)

        def run_epoch(epoch):
            if self.mode == "online":
                first = steps.first_step(epoch)
                order = rng.permutation(X.shape[0])[:steps[epoch]]
                rates, sigmas = self._schedules(np.arange(first, first + len(order)),
                                                total_steps, rows, cols)
                met = self._layer.update(X, order, rates, sigmas, check_input=False,
                                         with_errors=self.record_history)
                if self.record_history:
                    record(*self._errors_met(*met))
                    return (history["quantization_error"][-1]
                            if bool(xp.isfinite(weights).all()) else float("nan"))
            elif self.record_history:
                # One pass: the errors of the map entering this epoch (the previous epoch's
                # result, recorded now) and the winners this epoch's update uses.
                quantization, topographic, winners = self._errors_of_valid(X, kernels, X_unit)
                if epoch > 0:
                    record(quantization, topographic)
                self._batch_epoch(X, X_unit, weights, kernels, grid_d2, epoch, rows, cols,
                                  winners)
                return quantization if bool(xp.isfinite(weights).all()) else float("nan")
            else:
                self._batch_epoch(X, X_unit, weights, kernels, grid_d2, epoch, rows, cols)
            if not self.record_history:  # still guard against divergence, at the cost of one check
                return 0.0 if bool(xp.isfinite(weights).all()) else float("nan")
            quantization, topographic, winners = self._errors_of_valid(X, kernels, X_unit)
            last_pass.keep(winners, weights)
            record(quantization, topographic)
            return quantization

        with fit_scope():    # BLAS limits for the kernels: once for the whole training
            n_done = len(run_epochs(self, len(steps), run_epoch, verbose=self.verbose,
                                    callbacks=self.callbacks, description="self-organizing map",
                                    metric="quantization error",
                                    check_state=_runaway_check(self._data_range, weights)))
            if self.record_history and n_done:
                # The last completed epoch's errors come from a pass over the final map,
                # which also gives the labels.
                quantization, topographic, winners = self._errors_of_valid(X, kernels, X_unit)
                last_pass.keep(winners, weights)
                for values in history.values():
                    del values[n_done - 1:]
                record(quantization, topographic)
            # Only the completed epochs: not one that diverged (its weights were rolled back)
            # or was interrupted half-way.
            self.history_ = {name: values[:n_done] for name, values in history.items()}
            self._note_schedule(steps, n_done)
            self._cluster_prototypes(rng)
            # The labels: the winners of the last epoch's pass when its weights are the final
            # ones (they are unless training stopped early or a callback changed them).
            winners = last_pass.winners_for(weights)
            if winners is None:
                winners = self._winners_of_valid(X, kernels, X_unit)
        self.labels_ = self._labels_of_winners(winners)
        return self

    def _fit_dask(self, X):
        """:meth:`fit` in batch mode on a Dask array: Kohonen's batch map, one pass over the
        chunks per epoch (:func:`neuroclust.distributed.unit_sums`), recording the errors of
        the map entering each epoch as the in-memory fit does, and of the final map last."""
        rows, cols = self._check_params()
        check_batch_mode(self)
        self._euclidean_only()
        X, summary, kernels = check_dask_data(self, X)
        rng = check_random_state(self.random_state)
        grid_d2 = self._prepare_grid(rows, cols)
        weights = self._prepare_layer(
            dask_start(X, summary, rows * cols, self._flat_init(rows, cols), rng,
                       self.grid_positions_), rows, cols, rng)
        adjacency = self._adjacency() if self.record_history else None
        history = {"quantization_error": [], "topographic_error": []}

        def record(found):
            history["quantization_error"].append(found.plain / found.n)            # eq. (1)
            history["topographic_error"].append(found.folds / found.n)             # eq. (2)

        def epoch(number):
            found = unit_sums(X, weights, self.backend_, adjacency)
            if number > 0 and adjacency is not None:
                record(found)
            H = self._batch_neighbourhood(grid_d2, number, rows, cols).astype(weights.dtype)
            weights[...] = kernels.som_batch_weights(found.sums.astype(weights.dtype),
                                                     found.counts, H, weights)
            return 0.0 if np.isfinite(weights).all() else float("nan")

        n_done = len(run_epochs(self, self.epochs, epoch, verbose=self.verbose,
                                callbacks=self.callbacks, metric="quantization error",
                                description="self-organizing map (Dask)"))
        if adjacency is not None and n_done:
            for values in history.values():
                del values[n_done - 1:]
            record(unit_sums(X, weights, self.backend_, adjacency))
        self.history_ = {name: values[:n_done] for name, values in history.items()}
        self._cluster_prototypes(rng)
        self.labels_ = map_rows(X, self.predict)
        return self

    def partial_fit(self, X, y=None):
        """Present every sample of ``X`` once more (online mode), going on along the schedule;
        returns self.

        The first call starts the map from ``X`` (``init``). The learning rate and radius
        follow a schedule of ``n_iterations`` steps when that is set, else of ``epochs`` times
        the rows of the first ``X``: ``epochs`` calls on the same data walk the schedule of
        one ``fit`` (steps past its end keep the final rate and radius). ``n_steps_`` counts
        the steps taken, ``schedule_steps_`` is the schedule's length; after ``fit`` the
        schedule is complete, so ``partial_fit`` goes on at its final values.

        A Dask array or a NumPy memory map larger than memory is streamed: its row chunks
        are read one at a time, in row order (:func:`neuroclust.distributed.iter_chunks`), and
        each chunk's samples are presented in a random order within it. ``history_`` gains an
        entry per chunk (the errors as its samples met the map, as an online ``fit`` records
        them); ``labels_`` are the winners of ``X`` on the final map (lazy for a Dask array).
        """
        rows, cols = self._check_params()
        if self.mode != "online":
            raise ValueError("partial_fit presents samples one at a time (mode='online'); "
                             "a batch map is trained by fit, on a Dask array too.")
        self._euclidean_only()
        if not is_streamed(X):
            X = check_array(X)
        if hasattr(self, "weights_"):
            check_n_features(X, self.n_features_in_, owner=type(self).__name__)
        else:
            self._start_stream(X, rows, cols)
        rng = self._stream_rng()
        # a copy: a call that fails puts the fitted state back, which must not be trained on
        weights = self._prepare_layer(np.array(to_host(self.cluster_centers_)), rows, cols, rng)
        with fit_scope():
            for number, chunk in enumerate(iter_chunks(X) if is_streamed(X) else [X]):
                if not self._present_chunk(chunk, weights, rng, rows, cols):
                    warnings.warn(f"SOM.partial_fit: the map diverged on chunk {number + 1} (a "
                                  "prototype became NaN or infinite); the map is kept as it was "
                                  "before that chunk and the rest of X was not presented. Lower "
                                  "learning_rate.", DivergenceWarning, stacklevel=3)
                    break
        self._cluster_prototypes(rng)
        self.labels_ = (map_rows(check_dask_query(self, X, "weights_"), self.predict)
                        if is_dask_array(X) else np.concatenate(
                            [self.predict(chunk) for chunk in iter_chunks(X)])
                        if is_streamed(X) else self.predict(X))
        return self

    def _start_stream(self, X, rows, cols):
        """The first ``partial_fit``: the grid, the start from ``X`` (a pass over a Dask
        array, or the memory map read as ``fit`` reads an array) and an empty record."""
        rng = check_random_state(self.random_state)
        self._rng = rng
        if is_dask_array(X):
            X, summary, _ = check_dask_data(self, X)
            start_of = lambda n_units: dask_start(X, summary, n_units, self._flat_init(rows, cols),
                                                  rng, self.grid_positions_)
        else:
            X, kernels = self._validate_for_fit(X)
            start_of = lambda n_units: self._initial_weights(X, n_units, rng, kernels)
        self._prepare_grid(rows, cols)
        self._prepare_layer(np.ascontiguousarray(start_of(rows * cols)), rows, cols, rng)
        self.n_steps_ = 0
        self.schedule_steps_ = (int(self.n_iterations) if self.n_iterations is not None
                                else int(self.epochs) * X.shape[0])
        self.history_ = {"quantization_error": [], "topographic_error": []}

    def _stream_rng(self):
        """The random stream partial_fit goes on with (afresh from ``random_state`` after
        ``load``)."""
        if getattr(self, "_rng", None) is None:
            self._rng = check_random_state(self.random_state)
        if getattr(self, "n_steps_", None) is None:       # fitted before partial_fit existed
            self.n_steps_ = self.schedule_steps_ = 1
        return self._rng

    def _present_chunk(self, chunk, weights, rng, rows, cols):
        """One pass of the online rule over an in-memory chunk, in a random order; False
        (and the map as it was) when the map diverged on it."""
        chunk = check_array(chunk, allow_nan=False)
        check_n_features(chunk, self.n_features_in_, owner=type(self).__name__)
        chunk = np.asarray(chunk, dtype=weights.dtype)
        order = rng.permutation(chunk.shape[0])
        steps = np.minimum(np.arange(self.n_steps_, self.n_steps_ + len(order)),
                           self.schedule_steps_)
        rates, sigmas = self._schedules(steps, self.schedule_steps_, rows, cols)
        before = weights.copy()
        met = self._layer.update(chunk, order, rates, sigmas, with_errors=self.record_history)
        if not np.isfinite(weights).all():
            weights[...] = before
            return False
        self.n_steps_ += len(order)
        if self.record_history:
            for name, value in zip(("quantization_error", "topographic_error"),
                                   self._errors_met(*met)):
                self.history_[name].append(value)
        return True

    def _note_schedule(self, steps, n_done):
        """After fit: where ``partial_fit`` goes on (online mode: the steps taken, out of
        the schedule's length; a batch map has no online schedule)."""
        if self.mode == "online":
            self.schedule_steps_ = int(steps.total)
            self.n_steps_ = min(int(steps.total), steps.first_step(n_done))
        else:
            for name in ("n_steps_", "schedule_steps_"):
                vars(self).pop(name, None)

    def _flat_init(self, rows, cols):
        """``init`` with a grid-shaped array laid out flat, one row per unit."""
        init = self.init
        if not isinstance(init, str) and np.ndim(init) == 3:
            check_prototypes_shape(init, rows * cols, grid_shape=(rows, cols))
            init = np.reshape(init, (rows * cols, -1))
        return init

    def _prepare_grid(self, rows, cols):
        """The grid of a new fit: ``grid_positions_`` and the neighbours; returns the squared
        grid distances between units."""
        self.grid_positions_ = grid.grid_positions((rows, cols), self.topology)
        periods = grid.grid_periods((rows, cols), self.topology, self.toroidal)
        grid_d2 = grid.grid_squared_distances(self.grid_positions_, periods)
        self._neighbours = grid.grid_neighbours(self.grid_positions_, periods, grid_d2)
        self._adjacent = None
        return grid_d2

    def _prepare_layer(self, start, rows, cols, rng):
        """The map of a new fit, from the ``start`` prototypes: an nn.SelfOrganizingMap whose
        prototypes are ``cluster_centers_`` (one array, trained in place), ``weights_`` the
        grid-shaped view of them; returns that array."""
        self._layer = SelfOrganizingMap(
            (rows, cols), start.shape[1], sigma=self._sigma_start(rows, cols),
            learning_rate=self.learning_rate, topology=self.topology, toroidal=self.toroidal,
            neighbourhood=self.neighbourhood, random_state=rng, backend=self.backend_,
            metric=self.metric, W=start)
        weights = self.cluster_centers_ = self._layer.params["W"]
        self.weights_ = weights.reshape(rows, cols, -1)
        return weights

    def _snapshot(self):
        """The prototypes after an epoch (trained in place, so copied), for run_epochs."""
        return self.cluster_centers_.copy()

    def _restore(self, snapshot):
        self.cluster_centers_[...] = snapshot    # weights_ is a view: it follows

    def _steps_per_epoch(self, n_samples):
        """Samples presented in each epoch (online) or one per epoch (batch), as an
        :class:`_EpochSteps`: computed when asked, so 10**9 epochs cost no list."""
        if self.mode == "batch" or self.n_iterations is None:
            return _EpochSteps(n_samples, int(self.epochs) * n_samples)
        return _EpochSteps(n_samples, int(self.n_iterations))

    def trace(self, X, n_steps=20):
        r"""The first ``n_steps`` steps of an online ``fit``, one at a time, to read or replay.

        A fresh copy of this map (same parameters and ``random_state``, so the same start,
        sample order and schedule as ``fit``) is trained step by step with the NumPy
        reference kernel; this map is not changed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        n_steps : int, default=20
            Steps to record (at most the whole run's).

        Returns
        -------
        neuroclust.StepTrace
            Per step: ``step``, ``sample`` (its row of X), ``winner`` and ``runner_up`` (eq. 1
            of ``som_online``), ``distance`` (of the sample to the winner, before the update),
            ``learning_rate`` and ``sigma`` (the schedule there), ``moved`` (units whose
            :math:`h \ge 0.01`, i.e. that take at least 1% of the winner's step); and the
            prototypes after every step.
        """
        if self.mode != "online":
            raise ValueError("trace follows the online rule one sample at a time; a SOM with "
                             "mode='batch' takes no such steps (its epochs are traced by "
                             "callbacks).")
        rows, cols = self._check_params()
        check_count(n_steps, "n_steps")
        model = clone(self, backend="numpy", verbose=False, callbacks=None)
        X, kernels = model._validate_for_fit(X)
        X = np.asarray(X, dtype=np.float64)
        rng = check_random_state(self.random_state)
        model.grid_positions_ = grid.grid_positions((rows, cols), self.topology)
        periods = grid.grid_periods((rows, cols), self.topology, self.toroidal)
        grid_d2 = grid.grid_squared_distances(model.grid_positions_, periods)
        W = np.array(model._initial_weights(X, rows * cols, rng, kernels), dtype=np.float64)
        steps = model._steps_per_epoch(X.shape[0])
        records, prototypes = [], [W.copy()]
        for step, sample in _online_steps(steps, X.shape[0], rng, int(n_steps)):
            rate, sigma = (values[0] for values in
                           model._schedules([step], steps.total, rows, cols))
            winner, runner_up, met = get_kernels("numpy").som_online(
                X, W, (rows, cols), self.topology, self.toroidal, np.array([sample]),
                np.array([rate]), np.array([sigma]), self.neighbourhood, self.metric,
                with_errors=True)
            h = grid.neighbourhood(grid_d2[int(winner[0])], sigma, self.neighbourhood)
            records.append({"step": step, "sample": sample, "winner": int(winner[0]),
                            "runner_up": int(runner_up[0]),
                            "distance": float(np.sqrt(met[0])), "learning_rate": float(rate),
                            "sigma": float(sigma), "moved": int(np.sum(np.abs(h) >= 0.01))})
            prototypes.append(W.copy())
        return StepTrace(f"SOM {rows} x {cols}, online rule, {len(records)} steps",
                         ("step", "sample", "winner", "runner_up", "distance",
                          "learning_rate", "sigma", "moved"), records, prototypes)

    def schedule(self, n_samples, n_points=200):
        r"""The learning rate and radius that ``fit`` on ``n_samples`` samples would use.

        Computed from the parameters alone, before any training: a student can look at the
        schedule (:func:`neuroclust.plotting.plot_schedule` draws it) before paying for the
        fit. The values are those the training applies (online mode: at each step; batch
        mode: at each epoch).

        Parameters
        ----------
        n_samples : int
            Rows of the data ``fit`` would see (it sets the steps per epoch).
        n_points : int, default=200
            How many steps (online) or epochs (batch), evenly spread from the first to the
            last, to return (a long run has millions).

        Returns
        -------
        dict
            ``"epoch"``: where each value applies, in epochs (step / n_samples online, so
            fractional); ``"step"``: the step numbers (online) or epoch numbers (batch);
            ``"sigma"``: the radius :math:`\sigma` there; ``"learning_rate"``: :math:`\eta`
            there (online), or None (the batch map has no learning rate).
        """
        rows, cols = self._check_params()
        check_count(n_samples, "n_samples")
        check_count(n_points, "n_points", low=2)
        steps = self._steps_per_epoch(int(n_samples))
        if self.mode == "batch":
            numbers = grid.schedule_points(len(steps), int(n_points))
            _, sigmas = self._schedules(numbers, len(steps), rows, cols)
            return {"epoch": numbers.astype(np.float64), "step": numbers, "sigma": sigmas,
                    "learning_rate": None}
        total = steps.total
        numbers = grid.schedule_points(total, int(n_points))
        rates, sigmas = self._schedules(numbers, total, rows, cols)
        return {"epoch": numbers / int(n_samples), "step": numbers, "sigma": sigmas,
                "learning_rate": rates}

    def _schedules(self, step_numbers, total_steps, rows, cols):
        fraction = np.asarray(step_numbers, dtype=np.float64) / total_steps
        rates = grid.decay(self.learning_rate, self.learning_rate_final, fraction, self.decay)
        sigmas = grid.decay(self._sigma_start(rows, cols), self.sigma_final, fraction,
                             self.sigma_decay or self.decay)
        return np.atleast_1d(rates), np.atleast_1d(sigmas)

    def _initial_weights(self, X, n_units, rng, kernels=None):
        xp = array_module(X)
        init = self.init
        if isinstance(init, str) and init == "pca":
            return xp.asarray(pca_prototypes(to_host(X), self.grid_positions_), dtype=X.dtype)
        if not isinstance(init, str):
            init = np.asarray(init)
            if init.ndim == 3:
                check_prototypes_shape(init, n_units, X.shape[1], grid_shape=tuple(self.shape))
                init = init.reshape(-1, init.shape[-1])
        elif init == "random_samples" and X.shape[0] < n_units:
            raise ValueError(f"init='random_samples' needs a sample for each of the {n_units} "
                             f"units, but X has {X.shape[0]} samples; use init='pca' or "
                             "'random', or a smaller map.")
        return xp.ascontiguousarray(initial_prototypes(X, n_units, init, rng, kernels))

    def _batch_epoch(self, X, X_unit, weights, kernels, grid_d2, epoch, rows, cols,
                     winners=None):
        """One epoch of Kohonen's batch map (kernels ``bmu_accumulate``, ``som_batch_weights``);
        ``X_unit`` is X on unit rows (cosine metric), else None; ``winners``, when a pass
        already found them on these weights, are summed by ``accumulate`` instead."""
        xp = array_module(X)
        H = xp.asarray(self._batch_neighbourhood(grid_d2, epoch, rows, cols), dtype=X.dtype)
        if winners is not None:
            sums, counts = kernels.accumulate(X, winners, weights.shape[0])
        elif self.metric == "cosine":
            winners = kernels.bmu(X_unit, unit_rows(weights))[0]
            sums, counts = kernels.accumulate(X, winners, weights.shape[0])
        else:
            _, _, sums, counts = kernels.bmu_accumulate(X, weights)
        weights[...] = kernels.som_batch_weights(sums, counts, H, weights)

    def _euclidean_only(self):
        """A Dask array is searched with the Euclidean metric only (cosine would need the
        rows scaled to unit length on every worker, every epoch: scale them once instead)."""
        if self.metric != "euclidean":
            raise ValueError(f"a SOM on a Dask array uses the Euclidean metric, got metric="
                             f"{self.metric!r}; scale the rows to unit length first, "
                             "X / norm(X, axis=1), and use metric='euclidean'.")

    def _batch_neighbourhood(self, grid_d2, epoch, rows, cols):
        """The batch map's neighbourhood matrix H of an epoch (the radius of its schedule)."""
        _, sigma = self._schedules([epoch], int(self.epochs), rows, cols)
        return grid.neighbourhood(grid_d2, sigma[0], self.neighbourhood)

    def _cluster_prototypes(self, rng):
        """The two-level SOM: k-means on the prototypes (Vesanto and Alhoniemi, 2000), on the
        SOM's own backend (``backend_``); ``unit_labels_`` are kept on the host."""
        if self.n_clusters is None:
            return
        kmeans = KMeans(self.n_clusters, n_init=10, random_state=rng, backend=self.backend_)
        self.unit_labels_ = to_host(kmeans.fit(self.cluster_centers_).labels_)

    # -------------------------------------------------------------- queries
    def _winners(self, X):
        """Winning unit of each row of X (after the checks every query makes)."""
        X, kernels = self._validate_for_predict(X, "weights_")
        return X, self._winners_of_valid(X, kernels)

    def _winners_of_valid(self, X, kernels, X_unit=None):
        """Winners of checked ``X`` (``X_unit``: X on unit rows, if already computed)."""
        W = self._like(self.cluster_centers_, X)
        if self.metric == "cosine":
            return kernels.bmu(unit_rows(X) if X_unit is None else X_unit, unit_rows(W))[0]
        return kernels.bmu(X, W)[0]

    def predict(self, X):
        """Winning unit of each row of ``X`` (flat index), or its cluster with ``n_clusters``
        (on a Dask array, a lazy Dask array)."""
        if is_dask_array(X):
            return self._lazy_rows(X, self.predict)
        _, winners = self._winners(X)
        return self._labels_of_winners(winners)

    def _labels_of_winners(self, winners):
        if self.n_clusters is not None:
            return self._like(self.unit_labels_, winners)[winners]
        return winners

    def fit_predict(self, X, y=None):
        """Fit, then return :attr:`labels_`."""
        return self.fit(X).labels_

    def __sklearn_tags__(self):
        """scikit-learn's tags (see ``BaseEstimator``): ``transform`` gives integer grid
        coordinates, whatever X's dtype."""
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags

    def transform(self, X):
        """Grid coordinates (row, col) of each sample's winning unit, shape (n_samples, 2)
        (on a Dask array, a lazy Dask array)."""
        if is_dask_array(X):
            return map_rows(check_dask_query(self, X, "weights_"), self.transform, 2)
        _, winners = self._winners(X)
        xp = array_module(winners)
        return xp.stack(xp.divmod(winners, self.shape[1]), axis=1)

    def quantization_error(self, X):
        """Eq. (1): mean Euclidean distance from each sample to its winner's prototype."""
        if is_dask_array(X):
            self._euclidean_only()
            found = self._unit_sums(X)
            return found.plain / found.n                                          # eq. (1)
        X, winners = self._winners(X)
        W = self._like(self.cluster_centers_, X)
        return _quantization_error(X, W, winners)                                  # eq. (1)

    def topographic_error(self, X):
        """Eq. (2): fraction of samples whose two best units are not grid neighbours."""
        if is_dask_array(X):
            self._euclidean_only()
            found = self._unit_sums(X, self._adjacency())
            return found.folds / found.n                                          # eq. (2)
        X, kernels = self._validate_for_predict(X, "weights_")
        W = self._like(self.cluster_centers_, X)
        if self.metric == "cosine":
            X, W = unit_rows(X), unit_rows(W)
        first, second = (np.asarray(to_host(a)) for a in kernels.two_nearest(X, W)[:2])
        adjacent = self._adjacency()
        return float(np.mean(~adjacent[first, second]))                           # eq. (2)

    def _errors_of_valid(self, X, kernels, X_unit=None):
        """Eqs. (1) and (2) of checked ``X`` from one ``two_nearest`` pass: the per-epoch record.

        The nearest unit's squared distance gives the quantization error (with the cosine
        metric the units are chosen on unit rows, ``X_unit``, and the distance is taken in X's
        space, as in :meth:`quantization_error`). Returns the two errors and the winners,
        which are the labels when these are the final prototypes (as :meth:`predict` finds
        them: the same kernel scores on the same arrays).
        """
        W = self._like(self.cluster_centers_, X)
        if self.metric == "cosine":
            X_unit = unit_rows(X) if X_unit is None else X_unit
            winners, second, _, _ = kernels.two_nearest(X_unit, unit_rows(W))
            largest = None if self._data_range is None else max(map(abs, self._data_range))
            quantization = _quantization_error(X, W, winners, largest_in_X=largest)  # eq. (1)
        else:
            winners, second, distance, _ = kernels.two_nearest(X, W)
            quantization = _quantization_error(X, W, squared_distances=distance)   # eq. (1)
        first, second = (np.asarray(to_host(a)) for a in (winners, second))
        topographic = float(np.mean(~self._adjacency()[first, second]))           # eq. (2)
        return quantization, topographic, winners

    def _errors_met(self, winners, runners_up, squared_distances):
        """Eqs. (1) and (2) as an online epoch's samples met the map, each just before its own
        update (the kernel's ``with_errors``): the online record, without a pass of its own."""
        squared, first, second = (np.asarray(to_host(a))
                                  for a in (squared_distances, winners, runners_up))
        n_steps = len(first)
        quantization = float(np.sqrt(squared).sum()) / n_steps                   # eq. (1)
        adjacent = np.count_nonzero(self._adjacency()[first, second])
        topographic = (n_steps - adjacent) / n_steps                              # eq. (2)
        return quantization, topographic

    def _adjacency(self):
        """Boolean (n_units, n_units) matrix: which units are grid neighbours (kept per fit)."""
        if getattr(self, "_adjacent", None) is None or getattr(self, "_neighbours", None) is None:
            neighbours = self._grid_neighbours()
            adjacent = np.zeros((len(neighbours),) * 2, dtype=bool)
            for unit, near in enumerate(neighbours):
                adjacent[unit, near] = True
            self._adjacent = adjacent
        return self._adjacent

    def grid_neighbours(self):
        """For each unit (flat index), the array of its adjacent units' indices."""
        check_is_fitted(self, "weights_")
        return self._grid_neighbours()

    def _grid_neighbours(self):
        if getattr(self, "_neighbours", None) is None:  # e.g. after load()
            periods = grid.grid_periods(tuple(self.shape), self.topology, self.toroidal)
            self._neighbours = grid.grid_neighbours(self.grid_positions_, periods)
        return self._neighbours

    def distance_map(self):
        r"""The U-matrix: each unit's mean distance to its neighbours' prototypes.

        Returns
        -------
        ndarray of shape (rows, cols)
            :math:`U_j = \frac{1}{|N(j)|} \sum_{k \in N(j)} \|w_j - w_k\|`. High values mark
            borders between clusters; low valleys are clusters. Hexagonal maps use their six
            neighbours; toroidal maps wrap.
        """
        check_is_fitted(self, "weights_")
        W = np.asarray(to_host(self.cluster_centers_), dtype=np.float64)
        def mean_distance(unit, near):
            return np.linalg.norm(W[near] - W[unit], axis=1).mean() if len(near) else 0.0  # eq. (3)

        means = [mean_distance(unit, near) for unit, near in enumerate(self._grid_neighbours())]
        return np.asarray(means).reshape(tuple(self.shape))

    def activation_response(self, X):
        """Hit map: how many samples of ``X`` each unit wins, shape (rows, cols)."""
        _, winners = self._winners(X)
        winners = np.asarray(to_host(winners))
        rows, cols = self.shape
        return np.bincount(winners, minlength=rows * cols).reshape(rows, cols)

    def win_map(self, X):
        """Dict mapping (row, col) to the list of row indices of ``X`` that unit wins."""
        _, winners = self._winners(X)
        cols = self.shape[1]
        result = {}
        for index, unit in enumerate(np.asarray(winners).tolist()):
            result.setdefault(divmod(unit, cols), []).append(index)
        return result

    def labels_map(self, X, y):
        """Dict mapping (row, col) to a Counter of the labels ``y`` of the samples it wins."""
        y = np.asarray(y)
        if y.shape != (np.shape(X)[0],):
            raise ValueError(f"y must have one label per row of X ({np.shape(X)[0]}), "
                             f"got shape {y.shape}.")
        return {unit: Counter(y[rows_].tolist()) for unit, rows_ in self.win_map(X).items()}

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("weights_", "cluster_centers_", "grid_positions_", "labels_",
                          "unit_labels_", "history_", "n_features_in_", "backend_",
                          "n_steps_", "schedule_steps_")
    # weights_ is cluster_centers_ on the grid: a model file stores the array once
    _view_attributes = {"weights_": "cluster_centers_"}
    # parameters a model file in format 2 or older holds under a former name
    _renamed_params = {"history": "record_history"}

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads from a file with this); makes
        ``weights_`` a view of ``cluster_centers_`` again, as after ``fit`` (a file in format
        2 or older also holds ``weights_``, which must hold the same prototypes)."""
        state = FittedState(self)
        rows, cols = (int(size) for size in self.shape)
        n_units, n_features = rows * cols, state.n_features()
        # cluster_centers_ first: it bounds the map before anything is sized by `shape`
        centres = state.array("cluster_centers_", [("rows * cols", n_units),
                                                   ("n_features_in_", n_features)],
                              required=True)
        weights = state.array("weights_", [("rows", rows), ("cols", cols),
                                           ("n_features_in_", n_features)])
        if weights is not None and not np.array_equal(weights.reshape(n_units, n_features),
                                                      centres):
            raise ValueError("weights_ and cluster_centers_ hold different prototypes (weights_ "
                             "is cluster_centers_ laid out on the grid).")
        self.weights_ = centres.reshape(rows, cols, n_features)
        positions = state.array("grid_positions_", [("rows * cols", n_units), ("x, y", 2)],
                                required=True)
        if not np.allclose(positions, grid.grid_positions((rows, cols), self.topology)):
            raise ValueError(f"grid_positions_ are not those of a {self.topology} map of shape "
                             f"({rows}, {cols}).")
        n_labels = n_units if self.n_clusters is None else int(self.n_clusters)
        state.labels(high=n_labels - 1)
        state.array("unit_labels_", [("rows * cols", n_units)], kind="index", low=0,
                    high=n_labels - 1, required=self.n_clusters is not None)
        state.init_array([[("rows * cols", n_units), ("n_features_in_", n_features)],
                          [("rows", rows), ("cols", cols), ("n_features_in_", n_features)]])
        state.history({"quantization_error": "number", "topographic_error": "number"})
        state.backend()
        length = state.integer("schedule_steps_", low=1)
        state.integer("n_steps_", low=0)
        if (length is None) != (getattr(self, "n_steps_", None) is None):
            raise ValueError("n_steps_ and schedule_steps_ come together (where partial_fit "
                             "goes on along the schedule): one of them is missing.")


def _online_steps(steps, n_samples, rng, n_steps):
    """(step number, sample) of the first ``n_steps`` steps of an online fit: each epoch a
    fresh permutation from ``rng``, cut to that epoch's steps, as ``fit`` draws them."""
    done = 0
    for epoch in range(len(steps)):
        order = rng.permutation(n_samples)[:steps[epoch]]
        first = steps.first_step(epoch)
        for k, sample in enumerate(order.tolist()):
            if done == n_steps:
                return
            yield first + k, sample
            done += 1
        if done == n_steps:
            return


def _runaway_check(data_range, weights):
    """A function that names the problem when a prototype has left the data far behind.

    Finite weights of 1e300 pass the NaN guard but make a useless map (and overflow the next
    epoch's distances): past ``RUNAWAY_FACTOR`` times the data's range (``data_range``, its
    smallest and largest value over all features, as the fit's validation found them)
    outside that range, training counts as diverged.
    """
    low, high = data_range
    largest = max(abs(low), abs(high))
    reach = RUNAWAY_FACTOR * max(high - low, largest * 1e-6, float(np.finfo(weights.dtype).tiny))

    def check():
        outside = max(low - float(weights.min()), float(weights.max()) - high)
        if not outside <= reach:   # also catches NaN
            return (f"a prototype ran {outside:.3g} outside the data's range, more than "
                    f"{RUNAWAY_FACTOR:g} times its width")
        return None

    return check


class _EpochSteps:
    """The samples presented in each epoch: ``total`` steps in epochs of ``n_samples``, the
    last one shorter when they do not divide evenly. ``len`` is the number of epochs,
    ``steps[epoch]`` the steps of one, ``first_step(epoch)`` the steps before it."""

    def __init__(self, n_samples, total):
        self.n_samples, self.total = int(n_samples), int(total)

    def __len__(self):
        return -(-self.total // self.n_samples)

    def __getitem__(self, epoch):
        if not 0 <= epoch < len(self):
            raise IndexError(f"epoch {epoch} is out of range")
        return min(self.n_samples, self.total - epoch * self.n_samples)

    def first_step(self, epoch):
        return epoch * self.n_samples
