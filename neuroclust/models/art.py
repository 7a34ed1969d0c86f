r"""Adaptive resonance theory: Fuzzy ART and ART1, categories that grow with the data.

The files a reader follows, in order: ``models/art.py`` (these estimators) ->
``backend/reference/art.py`` (the kernels in plain NumPy) -> ``csrc/art.pyx`` ->
``plotting/art.py`` -> ``docs/algorithms/art.md`` ->
``tutorials/plot_04_adaptive_resonance_theory.py``.

ART answers the stability-plasticity dilemma: a network that keeps learning from new inputs
without washing out what it learned before. It does not fix the number of clusters: a new
category is committed whenever no existing one matches the input well enough, and the
vigilance :math:`\rho` says how well is enough.

The algorithm, in the order it runs (kernels named; their math, eqs. (1)-(5), is in
``neuroclust/backend/reference/art.py``):

1. prepare the inputs (the F0 field): Fuzzy ART checks that they lie in [0, 1] (or scales them,
   ``scale=True``) and complement codes them, so every input has the same size; ART1 checks
   that they are binary;
2. present the samples one at a time, in the given order (or in a new random one every epoch,
   ``shuffle=True``). For each (kernel ``fuzzy_art_online``; ``art1_online`` for ART1): the
   input is held in the F1 *comparison field* and activates the F2 *recognition field*, where
   each committed category gets a choice value; *lateral inhibition* between the categories
   leaves the one with the largest active; its template is sent back to F1 and compared with
   the input (the *vigilance test*); a mismatch resets that category and the search goes on to
   the next best; a match is *resonance*, and the category learns; when every category has
   been reset, a new one is committed with the input as its template;
3. repeat whole epochs until no sample changes category, or ``epochs`` is reached;
4. label new samples with the category they choose, without learning (kernel
   ``fuzzy_art_predict``): the winner of the choice competition alone, or, with
   ``vigilance=True``, the category that would resonate.
"""
import numbers
import warnings

import numpy as np

from .._validation import (array_module, check_array, check_bool, check_callbacks,
                           check_count, check_is_fitted, check_random_state, check_scalar,
                           check_seed, check_verbose, to_host)
from .._trace import StepTrace
from .._warnings import OrderDependenceWarning
from ..backend import get_kernels
from ..base import BaseEstimator, clone, run_epochs
from ..metrics import adjusted_rand_score
from ..persistence import FittedState
from ..distributed import is_streamed, iter_chunks
from ._resources import check_art_memory

__all__ = ["FuzzyART", "ART1"]


class _ART(BaseEstimator):
    """What Fuzzy ART and ART1 share: the epochs, ``partial_fit``, ``predict``, the checks.

    A subclass says how inputs are prepared (``_prepare``), which kernel presents them
    (``_present``) and which :math:`\\alpha` the choice uses (``_choice_alpha``).
    """

    # ------------------------------------------------------------ parameters
    def _check_common_params(self):
        check_scalar(self.rho, "rho", low=0, high=1)
        if self.max_categories is not None:
            check_scalar(self.max_categories, "max_categories", numbers.Integral, low=1)
        check_count(self.epochs, "epochs")
        check_bool(self.shuffle, "shuffle")
        check_seed(self.random_state)
        check_verbose(self.verbose)
        check_callbacks(self.callbacks)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Learn categories from ``X`` of shape (n_samples, n_features); returns self.

        Starts from no category and presents the samples epoch after epoch until no sample
        changes category (or ``epochs`` is reached).
        """
        self._check_params()
        X, kernels = self._validate_for_fit(X)
        xp = array_module(X)
        self._learn_scaling(X)
        inputs = self._prepare(X)
        self._check_room(inputs, 0, inputs.shape[0])
        rng = check_random_state(self.random_state)
        n_samples = inputs.shape[0]
        templates = xp.zeros((0, inputs.shape[1]), dtype=inputs.dtype)
        labels = xp.full(n_samples, -1, dtype=xp.int64)
        history = {"n_categories": [], "n_changed": []}
        self._store(templates, 0, labels)

        def run_epoch(epoch):
            nonlocal templates
            order = self._order(n_samples, rng)
            templates = self._with_room(templates, self.n_categories_, n_samples)
            categories, count = self._present(kernels, inputs, templates, self.n_categories_,
                                              order)
            previous = labels.copy()
            labels[xp.asarray(order)] = categories
            n_changed = n_samples if epoch == 0 else int((labels != previous).sum())
            self._store(templates, count, labels)
            history["n_categories"].append(count)
            history["n_changed"].append(n_changed)
            return n_changed

        def stable(epoch):
            return history["n_changed"][-1] == 0     # no sample changed category: converged

        n_done = len(run_epochs(self, self.epochs, run_epoch, verbose=self.verbose,
                                callbacks=self.callbacks, stop_when=stable,
                                description=type(self).__name__, metric="changed",
                                untrained_is_usable=False))   # no category before epoch 1
        self.history_ = {name: values[:n_done] for name, values in history.items()}
        self._rng = rng  # partial_fit goes on with the same stream
        return self

    def partial_fit(self, X, y=None):
        """Present the samples of ``X`` once, keeping the categories learned so far.

        The first call starts from no category (and, with ``scale=True``, learns the scaling
        from this batch). ``labels_`` then holds the categories of this batch, and
        ``history_`` gains one entry, with every sample of the batch counted as changed.

        A Dask array or a NumPy memory map larger than memory is streamed: its row chunks are
        presented one at a time, in row order (:func:`neuroclust.distributed.iter_chunks`),
        each in the model's own order within it; ``history_`` gains an entry per chunk and
        ``labels_`` holds the last chunk's. With ``scale=True`` the first call learns the
        scaling from all the rows (one pass more), not from the first chunk.
        """
        if is_streamed(X):
            return self._partial_fit_streamed(X)
        return self._partial_fit(X)

    def _partial_fit(self, X, scaling=None):
        """:meth:`partial_fit` of in-memory ``X``; ``scaling``, the (low, high) of every row
        of a stream, is the first call's scaling instead of this batch's range."""
        first = not hasattr(self, "weights_")
        self._check_params()
        if first:
            X, kernels = self._validate_for_fit(X)
            self._learn_scaling(X)
            if scaling is not None and getattr(self, "scale", False):
                self.data_min_, self.data_max_ = scaling
            self.history_ = {"n_categories": [], "n_changed": []}
            self._rng = check_random_state(self.random_state)
        else:
            X, kernels = self._validate_for_predict(X, "weights_")
            if getattr(self, "_rng", None) is None:  # e.g. after load()
                self._rng = check_random_state(self.random_state)
        inputs = self._prepare(X)
        xp = array_module(inputs)
        n_samples = inputs.shape[0]
        count = self.n_categories_ if not first else 0
        templates = xp.zeros((0, inputs.shape[1]), dtype=inputs.dtype) if first else \
            self._like(self.weights_, inputs).copy()   # the kernel writes into it
        templates = self._with_room(templates, count, n_samples)
        order = self._order(n_samples, self._rng)
        categories, count = self._present(kernels, inputs, templates, count, order)
        labels = xp.empty(n_samples, dtype=xp.int64)
        labels[xp.asarray(order)] = categories
        self._store(templates, count, labels)
        self.history_["n_categories"].append(count)
        self.history_["n_changed"].append(n_samples)
        return self

    def _partial_fit_streamed(self, X):
        """:meth:`partial_fit` of a Dask array or memory map, chunk by chunk."""
        scaling = None
        if not hasattr(self, "weights_") and getattr(self, "scale", False):
            lows, highs = zip(*((chunk.min(axis=0), chunk.max(axis=0))   # one pass: the
                                for chunk in iter_chunks(X)))             # range of all rows
            scaling = (np.min(lows, axis=0), np.max(highs, axis=0))
        for chunk in iter_chunks(X):
            self._partial_fit(chunk, scaling)
        return self

    def _snapshot(self):
        """The categories after an epoch, for run_epochs (copies: a callback may change the
        fitted arrays in place, and that is undone too)."""
        return self.weights_.copy(), self.n_categories_, self.labels_.copy()

    def _restore(self, snapshot):
        self.weights_, self.n_categories_, self.labels_ = snapshot

    def _order(self, n_samples, rng):
        """The presentation order of one pass: as given, or shuffled (``shuffle=True``)."""
        if self.shuffle:
            return rng.permutation(n_samples).astype(np.int64)
        return np.arange(n_samples, dtype=np.int64)

    def _with_room(self, templates, n_categories, n_steps):
        """``templates`` with free rows for every category these steps could commit.

        Without ``max_categories`` each step may commit one, so the array grows to
        ``n_categories + n_steps`` rows when it is smaller; with it, to ``max_categories``.
        """
        xp = array_module(templates)
        capacity = self._check_room(templates, n_categories, n_steps)
        if templates.shape[0] >= capacity:
            return templates
        grown = xp.zeros((capacity, templates.shape[1]), dtype=templates.dtype)
        grown[:n_categories] = templates[:n_categories]
        return grown

    def _check_room(self, rows, n_categories, n_steps):
        """The template capacity :meth:`_with_room` needs (rows of the width of ``rows``, an
        array of inputs or templates), refused if it cannot fit in memory."""
        if self.max_categories is None:
            capacity = n_categories + n_steps
        else:
            capacity = max(int(self.max_categories), n_categories)
        check_art_memory(self, capacity, rows.shape[1], rows.dtype.itemsize)
        return capacity

    def _store(self, templates, n_categories, labels):
        self.weights_ = templates[:n_categories].copy()
        self.n_categories_ = int(n_categories)
        self.labels_ = labels.copy()

    # -------------------------------------------------------------- queries
    def predict(self, X, vigilance=False):
        """The category of each row of ``X``, without learning.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        vigilance : bool, default=False
            False: the category with the largest choice value (the winner of the competition
            in the recognition field), so every sample gets one. True: the search of training,
            with the vigilance test, but no learning: the category the sample would resonate
            with, or -1 where none passes the test (where training would commit a new one).

        Returns
        -------
        ndarray of int64, shape (n_samples,)
            A tie goes to the lowest index. After a fit that converged with fast learning,
            ``predict(X, vigilance=True)`` gives ``labels_`` back for the training data.
        """
        check_bool(vigilance, "vigilance")
        X, kernels = self._validate_for_predict(X, "weights_")
        inputs = self._prepare(X)
        rho = float(self.rho) if vigilance else 0.0
        return kernels.fuzzy_art_predict(inputs, self._like(self.weights_, inputs),
                                         self._choice_alpha(), rho)

    def fit_predict(self, X, y=None):
        """Fit, then return :attr:`labels_`, the categories of the last epoch."""
        return self.fit(X).labels_

    def trace(self, X, n_steps=20):
        r"""The first ``n_steps`` presentations of ``fit``, one at a time, with every search.

        A fresh copy of this model (same parameters and ``random_state``: the same sample
        order as ``fit``) learns step by step with the NumPy reference kernel; this model is
        not changed. At each step the committed categories are searched in order of their
        choice value, largest first; each one whose match fails the vigilance is reset, the
        first that passes resonates and learns, and when none passes a new category opens.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        n_steps : int, default=20
            Presentations to record (at most ``epochs`` passes over X).

        Returns
        -------
        neuroclust.StepTrace
            Per step: ``epoch``, ``sample`` (its row of X), ``resets`` (the categories tried
            and reset, in order), ``category`` (the one that resonated, or -1 when there was
            no room), ``match`` (its match value :math:`|I \wedge w| / |I|` before learning;
            1 for a new category), ``new`` (whether it opened); and the templates after every
            step.
        """
        check_count(n_steps, "n_steps")
        model = clone(self, backend="numpy", verbose=False, callbacks=None)
        model._check_params()
        X, _ = model._validate_for_fit(X)
        model._learn_scaling(X)
        inputs = np.asarray(to_host(model._prepare(X)), dtype=np.float64)
        rng = check_random_state(self.random_state)
        templates, count = np.zeros((0, inputs.shape[1])), 0
        records, prototypes = [], [templates.copy()]
        numpy_kernels = get_kernels("numpy")
        for epoch in range(int(self.epochs)):
            order = model._order(inputs.shape[0], rng)
            templates = model._with_room(templates, count, len(order))
            for sample in order.tolist():
                if len(records) == n_steps:
                    break
                x = inputs[sample]
                overlap = np.minimum(x, templates[:count]).sum(axis=1)        # |I AND w_j|
                choice = overlap / (model._choice_alpha() + templates[:count].sum(axis=1))
                searched = np.argsort(-choice, kind="stable").tolist()
                categories, new_count = model._present(numpy_kernels, inputs, templates,
                                                       count, np.array([sample]))
                category = int(categories[0])
                resets = searched[:searched.index(category)] if category < count else searched
                records.append({"epoch": epoch, "sample": sample, "resets": resets,
                                "category": category,
                                "match": float(overlap[category] / x.sum())
                                if 0 <= category < count else 1.0,
                                "new": bool(new_count > count)})
                count = int(new_count)
                prototypes.append(templates[:count].copy())
        return StepTrace(f"{type(self).__name__}, rho = {self.rho:g}, {len(records)} "
                         "presentations", ("epoch", "sample", "resets", "category", "match",
                                           "new"), records, prototypes)

    def order_dependence(self, X, n_orders=5, random_state=None, min_agreement=0.9):
        """How much the categories change with the order of the samples: ART learns from one
        sample at a time, so the same data in another order may give other categories.

        Fits ``n_orders`` copies of this model (same parameters, ``shuffle=False``), each on
        ``X`` in a random order, and compares their partitions of ``X``. This model is not
        changed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        n_orders : int, default=5
            Orders to try (at least 2).
        random_state : int, numpy.random.Generator or None
            Draws the orders.
        min_agreement : float, default=0.9
            An :class:`~neuroclust.OrderDependenceWarning` is raised when two orders agree
            less than this (adjusted Rand index) or give different numbers of categories.

        Returns
        -------
        dict
            ``"n_categories"``: the count for each order; ``"agreement"``: the adjusted Rand
            index of every pair of orders (1: the same partition); ``"min_agreement"``: the
            smallest of them.
        """
        check_count(n_orders, "n_orders", low=2)
        check_scalar(min_agreement, "min_agreement", low=0, high=1)
        rng = check_random_state(random_state)
        X = check_array(X, name="X")
        partitions, counts = [], []
        for _ in range(int(n_orders)):
            order = rng.permutation(X.shape[0])
            model = clone(self, shuffle=False, verbose=False, callbacks=None).fit(X[order])
            labels = np.empty(X.shape[0], dtype=np.int64)
            labels[order] = np.asarray(to_host(model.labels_))
            partitions.append(labels)
            counts.append(int(model.n_categories_))
        agreement = [adjusted_rand_score(a, b) for i, a in enumerate(partitions)
                     for b in partitions[i + 1:]]
        result = {"n_categories": counts, "agreement": agreement,
                  "min_agreement": float(min(agreement))}
        if result["min_agreement"] < min_agreement or len(set(counts)) > 1:
            warnings.warn(
                f"{type(self).__name__}: the categories depend on the order of the samples: "
                f"over {n_orders} random orders, {min(counts)} to {max(counts)} categories, "
                f"and two orders agree only {result['min_agreement']:.2f} (adjusted Rand "
                "index). Read one fit's categories as one of several possible, and compare "
                "settings over several orders (shuffle=True with different random_state "
                "values).", OrderDependenceWarning, stacklevel=2)
        return result

    def __sklearn_tags__(self):
        """scikit-learn's tags (see ``BaseEstimator``): ``transform`` gives float64 choice
        values; X must be non-negative (in [0, 1] for Fuzzy ART without ``scale``, binary
        for ART1), which scikit-learn's tags can only say as ``positive_only``."""
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        tags.input_tags.positive_only = not getattr(self, "scale", False)
        return tags

    def _check_params_unchanged(self):
        """Beyond the template width, the queries read rho, alpha (or L): they may change
        between fits (a vigilance sweep), but must still be valid."""
        super()._check_params_unchanged()
        self._check_params()

    def _prepare_for_query(self, X):
        """The prepared inputs, the templates in their module and dtype, the kernels."""
        X, kernels = self._validate_for_predict(X, "weights_")
        inputs = self._prepare(X)
        return inputs, self._like(self.weights_, inputs), kernels

    # -------------------------------------------------------- input checks
    @staticmethod
    def _check_active(inputs, what):
        """Every sample needs |x| > 0: it is the denominator of the vigilance test."""
        xp = array_module(inputs)
        empty = ~(inputs > 0).any(axis=1)
        if bool(empty.any()):
            row = int(xp.argmax(empty))
            raise ValueError(f"X has {int(empty.sum())} row(s) of zeros (first at row {row}); "
                             f"{what}")

    def _check_categories(self, state, width, width_name):
        """The checks of ``_check_fitted_state`` that Fuzzy ART and ART1 share: the number of
        categories, templates of ``width`` values in [0, 1], labels, history, backend."""
        # the first sample presented always makes a category, and fit presents an epoch
        n_categories = state.integer("n_categories_", low=1, high=self.max_categories,
                                     required=True)
        weights = state.array("weights_", [("n_categories_", n_categories),
                                           (width_name, width)], low=0, high=1, required=True)
        state.labels(low=-1, high=n_categories - 1)
        state.history({"n_categories": "count", "n_changed": "count"})
        state.backend()
        return weights


class FuzzyART(_ART):
    r"""Fuzzy ART: hyper-box categories grown online under a vigilance test.

    Parameters
    ----------
    rho : float, default=0.75
        The vigilance :math:`\rho \in [0, 1]`: how well a category must match an input to
        learn it. Higher vigilance, smaller boxes, more categories.
    alpha : float, default=0.001
        The choice parameter :math:`\alpha > 0`. Small values favour, among the categories
        whose box already contains the input, the smallest box.
    beta : float, default=1.0
        The learning rate :math:`\beta \in (0, 1]`: 1 is fast learning (a box grows at once to
        take the input in), below 1 slow learning (it moves part of the way). A new category
        always starts as the input itself ("fast commit").
    complement_coding : bool, default=True
        Code each input :math:`a` as :math:`(a, 1 - a)`, eq. (1). Without it, templates can
        only shrink toward the origin (categories proliferate) and no input may be all zeros.
    scale : bool, default=False
        Scale each feature to [0, 1] by the minimum and maximum seen at fit, eq. (2). Later
        data (``predict``, ``partial_fit`` after the first call) is scaled the same way and
        clipped to [0, 1]. Without it, inputs outside [0, 1] are an error.
    max_categories : int or None, default=None
        At most this many categories. When all are committed and none resonates with a sample,
        the sample is not learned and gets the label -1. None: no limit.
    epochs : int, default=100
        The most passes over the data in :meth:`fit`; it stops earlier once no sample changes
        category.
    shuffle : bool, default=False
        False presents the samples in the order given, every epoch (as in the papers, and
        deterministic without a seed); True in a new random order every epoch, drawn from
        ``random_state``.
    random_state : int, numpy.random.Generator or None
        Used only with ``shuffle=True``.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callables, optional
        Called as ``callback(model, epoch)`` after each epoch; one that returns False stops
        training.

    Attributes
    ----------
    weights_ : ndarray of shape (n_categories, 2 * n_features)
        The templates :math:`w_j`, complement coded (``(n_categories, n_features)`` without
        complement coding), in the scaled units of eq. (2) when ``scale=True``.
    n_categories_ : int
    labels_ : ndarray of int64, shape (n_samples,)
        The category each training sample resonated with in the last epoch (-1: none, with
        ``max_categories`` reached).
    history_ : dict of lists
        ``"n_categories"`` and ``"n_changed"`` (samples whose category changed; all of them in
        the first epoch) after each epoch.
    data_min_ : ndarray of shape (n_features,)
        The per-feature minimum of the scaling of eq. (2) (only with ``scale=True``).
    data_max_ : ndarray of shape (n_features,)
        The per-feature maximum of the scaling of eq. (2) (only with ``scale=True``).
    n_features_in_ : int
    backend_ : str

    Notes
    -----
    An input :math:`a \in [0, 1]^d` is complement coded, so that every input has the same
    size :math:`|I| = d`, which keeps categories from shrinking away (Carpenter et al., 1991):

    .. math:: I = (a,\; 1 - a)                                                           \tag{1}

    With ``scale=True`` each feature is first scaled by the range seen at fit (a constant
    feature becomes 0):

    .. math:: a = \frac{x - \min x}{\max x - \min x}                                      \tag{2}

    Training then runs the choice, search, vigilance test and learning of
    ``reference.fuzzy_art_online``, eqs. (1)-(5). A complement-coded template
    :math:`w_j = (u_j, v_j^c)` is a box in input space, with lower corner :math:`u_j` and
    upper corner :math:`v_j`:

    .. math:: u_j = (w_{j1}, \dots, w_{jd}), \qquad
              v_j = (1 - w_{j,d+1}, \dots, 1 - w_{j,2d})                                 \tag{3}

    A new category is a point (:math:`u = v = a`); fast learning grows a box to the smallest
    box holding it and the input. Its size :math:`|R_j| = \sum_i (v_{ji} - u_{ji}) = d - |w_j|`,
    so for an input inside the box the match is :math:`|w_j| / d` and the vigilance test
    reads :math:`|R_j \oplus a| \le d\,(1 - \rho)`: no box ever grows past :math:`d(1 - \rho)`.
    With fast learning and complement coding the categories stop changing after a few
    epochs (the paper proves that learning stabilises); slow learning takes longer.

    ``predict`` uses the same search without learning: the choice competition alone by
    default, or with the vigilance test (``vigilance=True``), -1 meaning "novel".

    As in artlib, an uncommitted category is opened only after every committed one has
    failed the vigilance test. In the 1991 paper uncommitted nodes join the choice
    competition (their choice is :math:`|I| / (\alpha + 2d)`); the two agree whenever
    :math:`\rho \ge (\alpha + d) / (\alpha + 2d)`, a little over one half, and can differ
    below it.

    References
    ----------
    G. A. Carpenter, S. Grossberg and D. B. Rosen, "Fuzzy ART: Fast stable learning and
    categorization of analog patterns by an adaptive resonance system", Neural Networks 4(6),
    1991, pp. 759-771.
    """

    _params_fixed_by_fit = ("complement_coding", "scale")  # the width of the templates

    def __init__(self, rho=0.75, alpha=0.001, beta=1.0, complement_coding=True, scale=False,
                 max_categories=None, epochs=100, shuffle=False, random_state=None,
                 backend="auto", verbose="auto", callbacks=None):
        self.rho = rho
        self.alpha = alpha
        self.beta = beta
        self.complement_coding = complement_coding
        self.scale = scale
        self.max_categories = max_categories
        self.epochs = epochs
        self.shuffle = shuffle
        self.random_state = random_state
        self.backend = backend
        self.verbose = verbose
        self.callbacks = callbacks

    def _check_params(self):
        self._check_common_params()
        check_scalar(self.alpha, "alpha", low=0, low_inclusive=False)
        check_scalar(self.beta, "beta", low=0, high=1, low_inclusive=False)
        check_bool(self.complement_coding, "complement_coding")
        check_bool(self.scale, "scale")

    def _choice_alpha(self):
        return float(self.alpha)

    def _present(self, kernels, inputs, templates, n_categories, order):
        return kernels.fuzzy_art_online(inputs, templates, n_categories, order,
                                        float(self.rho), float(self.alpha), float(self.beta))

    # ------------------------------------------------------------- inputs
    def _learn_scaling(self, X):
        if self.scale:
            self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)
        else:  # a refit without scaling must not keep an old one
            for name in ("data_min_", "data_max_"):
                self.__dict__.pop(name, None)

    def _prepare(self, X):
        """Scale (eq. 2) or check the range, then complement code (eq. 1)."""
        xp = array_module(X)
        if self.scale:
            # halved first, which is exact: data spanning -1e308 to 1e308 has a span of inf
            low, high = self._like(self.data_min_, X) / 2, self._like(self.data_max_, X) / 2
            half_span = high - low
            scaled = (X / 2 - low) / xp.where(half_span > 0, half_span, 1)            # eq. (2)
            X = xp.clip(xp.where(half_span > 0, scaled, 0), 0, 1).astype(X.dtype)
        else:
            low, high = float(X.min()), float(X.max())
            if low < 0 or high > 1:
                raise ValueError(f"X must lie in [0, 1] for FuzzyART, but its values run from "
                                 f"{low:.4g} to {high:.4g}; scale the data first or pass "
                                 "scale=True.")
        if not self.complement_coding:
            self._check_active(X, "without complement coding every input needs a non-zero "
                                  "value (|x| > 0 divides the vigilance test); use "
                                  "complement_coding=True.")
            return xp.ascontiguousarray(X)
        return xp.ascontiguousarray(xp.concatenate([X, 1 - X], axis=1))              # eq. (1)

    # ------------------------------------------------------------- queries
    def transform(self, X):
        r"""The choice value :math:`T_j(x)` of every category for each row of ``X``.

        Returns
        -------
        ndarray of float64, shape (n_samples, n_categories)
            The activity of the recognition field before lateral inhibition; its row maxima
            are :meth:`predict`'s answers.
        """
        inputs, W, kernels = self._prepare_for_query(X)
        return kernels.fuzzy_art_choice(inputs, W, float(self.alpha))[0]

    def category_boxes(self):
        """Each category's box, eq. (3), in the units of the training data.

        Returns
        -------
        lower, upper : ndarrays of shape (n_categories, n_features)
            The corners :math:`u_j` and :math:`v_j`; with ``scale=True`` mapped back through
            eq. (2). A category that learned one sample is a point (``lower == upper``).
        """
        check_is_fitted(self, "weights_")
        if not self.complement_coding:
            raise ValueError("category_boxes needs complement_coding=True: without it a "
                             "template holds only the lower corner of a box.")
        W = self.weights_
        d = W.shape[1] // 2
        lower, upper = W[:, :d], 1 - W[:, d:]                                        # eq. (3)
        if self.scale:  # back through eq. (2)
            low = self._like(self.data_min_, W)
            span = self._like(self.data_max_, W) - low
            lower, upper = low + lower * span, low + upper * span
        return lower, upper

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("weights_", "n_categories_", "labels_", "history_", "data_min_",
                          "data_max_", "n_features_in_", "backend_")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads from a file with this);
        complement coding doubles the width of the templates."""
        state = FittedState(self)
        n_features = state.n_features()
        if self.complement_coding:
            self._check_categories(state, 2 * n_features, "2 * n_features_in_")
        else:
            self._check_categories(state, n_features, "n_features_in_")
        low = state.array("data_min_", [("n_features_in_", n_features)], required=self.scale)
        high = state.array("data_max_", [("n_features_in_", n_features)], required=self.scale)
        if low is not None and high is not None and bool((low > high).any()):
            raise ValueError("data_min_ exceeds data_max_ for some feature.")


class ART1(_ART):
    r"""ART1: adaptive resonance on binary inputs, with fast learning.

    Parameters
    ----------
    rho : float, default=0.75
        The vigilance :math:`\rho \in [0, 1]`.
    L : float, default=2.0
        The bottom-up learning parameter :math:`L > 1` of Carpenter and Grossberg: larger
        values weigh the size of a template less in the choice.
    max_categories : int or None, default=None
        At most this many categories (a sample that finds none then gets the label -1).
    epochs : int, default=100
        The most passes over the data in :meth:`fit` (it stops once no category changes).
    shuffle : bool, default=False
        Present the samples in a new random order each epoch (else in the order given).
    random_state : int, numpy.random.Generator or None
        Used only with ``shuffle=True``.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callables, optional

    Attributes
    ----------
    weights_ : ndarray of shape (n_categories, n_features)
        The binary top-down templates :math:`w_j` (the features a category expects).
    bottom_up_weights_ : ndarray of shape (n_categories, n_features)
        The bottom-up weights :math:`b_j`, eq. (1).
    n_categories_ : int
        As for :class:`FuzzyART`.
    labels_ : ndarray of int64, shape (n_samples,)
        As for :class:`FuzzyART`.
    history_ : dict of lists
        As for :class:`FuzzyART`.
    n_features_in_ : int
        As for :class:`FuzzyART`.
    backend_ : str
        As for :class:`FuzzyART`.

    Notes
    -----
    Each row of ``X`` must hold only 0 and 1, and at least one 1. The input reaches category
    :math:`j` through the bottom-up weights

    .. math:: b_j = \frac{L\, w_j}{L - 1 + |w_j|}                                         \tag{1}

    so its choice value is :math:`T_j = x \cdot b_j = L\,|x \cap w_j| / (L - 1 + |w_j|)`;
    the search, the vigilance test :math:`|x \cap w_J| / |x| \ge \rho` and fast learning
    :math:`w_J \leftarrow x \cap w_J` are those of ``reference.art1_online``.

    ART1 is Fuzzy ART without complement coding on binary data, with :math:`\alpha = L - 1`
    and :math:`\beta = 1`: the fuzzy AND of binary vectors is their intersection, and
    :math:`T_j` is :math:`L` times Fuzzy ART's choice, which does not change the order of the
    search. The compiled backend therefore runs the Fuzzy ART kernel. What differs: the
    inputs must be binary (no complement coding: an ART1 category is the set of features its
    samples share, not a box), and uncommitted categories are tried only after every
    committed one, as with vanishing initial bottom-up weights.

    References
    ----------
    G. A. Carpenter and S. Grossberg, "A massively parallel architecture for a
    self-organizing neural pattern recognition machine", Computer Vision, Graphics, and Image
    Processing 37, 1987, pp. 54-115.
    """

    def __init__(self, rho=0.75, L=2.0, max_categories=None, epochs=100, shuffle=False,
                 random_state=None, backend="auto", verbose="auto", callbacks=None):
        self.rho = rho
        self.L = L
        self.max_categories = max_categories
        self.epochs = epochs
        self.shuffle = shuffle
        self.random_state = random_state
        self.backend = backend
        self.verbose = verbose
        self.callbacks = callbacks

    def _check_params(self):
        self._check_common_params()
        check_scalar(self.L, "L", low=1, low_inclusive=False)

    def _choice_alpha(self):
        return float(self.L) - 1.0

    def _present(self, kernels, inputs, templates, n_categories, order):
        return kernels.art1_online(inputs, templates, n_categories, order, float(self.rho),
                                   float(self.L))

    def _learn_scaling(self, X):
        """ART1 takes binary data as it is: nothing to learn."""

    def _prepare(self, X):
        """Check that ``X`` is binary with a 1 in every row; ART1 uses it as it is."""
        xp = array_module(X)
        binary = (X == 0) | (X == 1)
        if not bool(binary.all()):
            row, column = (int(v) for v in xp.argwhere(~binary)[0])
            raise ValueError(f"X must be binary (only 0 and 1) for ART1, but it holds "
                             f"{float(X[row, column]):.4g} at row {row}, column {column}; "
                             "threshold the data first (e.g. X > 0.5) or use FuzzyART.")
        self._check_active(X, "ART1 needs at least one 1 per sample (|x| > 0 divides the "
                              "vigilance test).")
        return xp.ascontiguousarray(X)

    # ------------------------------------------------------------- queries
    @property
    def bottom_up_weights_(self):
        """Eq. (1), from the templates (fast learning keeps the two in step)."""
        check_is_fitted(self, "weights_")
        kernels = self._kernels_for(self.weights_)
        return kernels.art1_bottom_up(self.weights_, float(self.L))                   # eq. (1)

    def transform(self, X):
        r"""The choice value :math:`T_j(x) = x \cdot b_j` of every category, per row of ``X``.

        Returns
        -------
        ndarray of float64, shape (n_samples, n_categories)
        """
        inputs, W, kernels = self._prepare_for_query(X)
        return float(self.L) * kernels.fuzzy_art_choice(inputs, W, self._choice_alpha())[0]

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("weights_", "n_categories_", "labels_", "history_", "n_features_in_",
                          "backend_")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads from a file with this); the
        templates are binary."""
        state = FittedState(self)
        weights = self._check_categories(state, state.n_features(), "n_features_in_")
        if not bool(((weights == 0) | (weights == 1)).all()):
            raise ValueError("weights_ of ART1 must hold only 0 and 1 (binary templates).")
