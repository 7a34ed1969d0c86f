r"""Growing neural gas (Fritzke): a graph of nodes that grows into the shape of the data.

The files a reader follows, in order: ``models/gng.py`` (this estimator) ->
``backend/reference/gng.py`` (the kernel in plain NumPy) -> ``csrc/gng.pyx`` ->
``plotting/gng.py`` -> ``docs/algorithms/gng.md`` ->
``tutorials/plot_03_growing_neural_gas.py``.

The algorithm, in the order it runs (kernels named; the math of one step is in ``gng_online``
of ``neuroclust/backend/reference/gng.py``, eqs. (1)-(11) there, and the same step is compiled
in ``csrc/gng.pyx``):

1. start with two nodes at two distinct random samples and no edge (``random_state``);
2. each epoch, present the samples one at a time in a fresh random order; the whole epoch is
   one call of the kernel ``gng_online``, which for each sample

   a. finds the nearest and the second-nearest node, :math:`s_1` and :math:`s_2`;
   b. ages every edge of :math:`s_1` and adds :math:`\|x - w_{s_1}\|^2` to its error;
   c. moves :math:`s_1` by ``epsilon_b`` and its neighbours by ``epsilon_n`` toward the sample;
   d. joins :math:`s_1` and :math:`s_2` by an edge of age 0 (competitive Hebbian learning);
   e. removes the edges older than ``max_age``, then the nodes left without an edge;
   f. after every ``insert_every``-th sample, while there are fewer than ``max_nodes`` nodes,
      inserts a node half-way between the node of largest error and its neighbour of
      largest error, and scales their errors by ``alpha``;
   g. lets every error decay by the fraction ``beta``;

3. after each epoch, record the number of nodes and the quantization error, eq. (1) (kernel
   ``bmu``);
4. the clusters are the connected components of the graph, eq. (2): a sample belongs to the
   component of its nearest node. The number of clusters is found, not given. The labels
   after training take their nearest nodes from the last epoch's ``bmu`` pass (step 3).
"""
import numbers

import numpy as np

from .._validation import (array_module, check_callbacks, check_count,
                           check_n_features, check_random_state, check_scalar, check_seed,
                           check_verbose, to_host)
from .._trace import StepTrace
from ..backend import get_kernels
from ..backend.threads import fit_scope
from ..base import BaseEstimator, LastPass, PrototypeClusterMixin, clone, run_epochs
from .._quantization import _quantization_error
from ..persistence import FittedState
from ..distributed import is_streamed, iter_chunks
from ._resources import check_gng_memory

__all__ = ["GrowingNeuralGas", "connected_components"]


class GrowingNeuralGas(PrototypeClusterMixin, BaseEstimator):
    r"""Growing neural gas: nodes and edges that learn the data's shape; clusters are components.

    The defaults are the values of Fritzke's simulations (1995): :math:`\lambda = 100`,
    :math:`\epsilon_b = 0.2`, :math:`\epsilon_n = 0.006`, :math:`a_{max} = 50`,
    :math:`\alpha = 0.5` and :math:`d = 0.995`, i.e. :math:`\beta = 1 - d = 0.005`.

    Parameters
    ----------
    max_nodes : int, default=100
        The most nodes the graph may have (at least 2); growth stops there. Fritzke grows until
        a size or a performance is reached; this is that size.
    insert_every : int, default=100
        :math:`\lambda`: a node is inserted after every ``insert_every`` samples (at least 1).
    epsilon_b : float, default=0.2
        :math:`\epsilon_b` in [0, 1]: the fraction of the way to the sample the winner moves.
    epsilon_n : float, default=0.006
        :math:`\epsilon_n` in [0, 1]: the same for the winner's neighbours in the graph.
    max_age : int, default=50
        :math:`a_{max}` (at least 1): an edge that has not been refreshed for this many wins of
        one of its ends is removed.
    alpha : float, default=0.5
        :math:`\alpha` in [0, 1]: the factor on the errors of the two nodes a new node is put
        between.
    beta : float, default=0.005
        :math:`\beta` in [0, 1): the fraction of its error every node loses at every step
        (Fritzke's :math:`d = 1 - \beta`). His later report (1997) uses 0.0005 together with
        smaller steps and a larger :math:`\lambda`.
    epochs : int, default=20
        Passes over the data. With the defaults, 10,000 samples presented in all grow the
        graph to 100 nodes.
    random_state : int, numpy.random.Generator or None
        Seeds the two starting nodes and the order of the samples.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callables, optional
        Each is called as ``callback(model, epoch)`` after every epoch (the fitted attributes
        are current): use :func:`neuroclust.plotting.gng_snapshot_callback` to animate the
        graph growing. One that returns False stops training.

    Attributes
    ----------
    nodes_ : ndarray of shape (n_nodes, n_features)
        The node positions :math:`w_j`.
    cluster_centers_ : ndarray of shape (n_nodes, n_features)
        The same array as ``nodes_`` (a prototype per node, as a SOM's ``cluster_centers_``
        holds one per unit); :meth:`transform` gives the distances to them.
    edges_ : ndarray of int64, shape (n_edges, 2)
        The edges as pairs of node indices ``(i, j)`` with ``i < j``, in sorted order.
    edge_ages_ : ndarray of int64, shape (n_edges,)
        The age of each edge.
    errors_ : ndarray of float64, shape (n_nodes,)
        The accumulated local error :math:`E_j` of each node.
    n_steps_ : int
        Samples presented so far (the clock of the insertions).
    unit_labels_ : ndarray of int64, shape (n_nodes,)
        The connected component of each node, eq. (2).
    n_clusters_ : int
        The number of connected components.
    labels_ : ndarray of int64, shape (n_samples,)
        The component of each training sample's nearest node.
    history_ : dict of lists
        ``"n_nodes"`` and ``"quantization_error"``, eq. (1), after each epoch.
    n_features_in_ : int
    backend_ : str

    Notes
    -----
    The quantization error recorded after each epoch (Kohonen's definition, not squared):

    .. math:: E_Q = \frac1n \sum_i \|x_i - w_{c(x_i)}\|                              \tag{1}

    Nodes :math:`i` and :math:`j` are in the same cluster when a path of edges joins them;
    components are numbered in the order of their lowest node:

    .. math:: \mathrm{cluster}(i) = \mathrm{cluster}(j) \iff
              \exists\, i = k_0, k_1, \dots, k_m = j:\ (k_{l-1}, k_l) \in \text{edges}     \tag{2}

    Edges appear only between two nodes that are the two nearest to some sample, and age away
    when no sample renews them, so a gap in the data becomes a gap in the graph.

    References
    ----------
    B. Fritzke, "A Growing Neural Gas Network Learns Topologies", Advances in Neural
    Information Processing Systems 7, 1995, pp. 625-632.
    B. Fritzke, "Some Competitive Learning Methods", report, Ruhr-Universitaet Bochum, 1997.
    """

    def __init__(self, max_nodes=100, insert_every=100, epsilon_b=0.2, epsilon_n=0.006, max_age=50,
                 alpha=0.5, beta=0.005, epochs=20, random_state=None, backend="auto",
                 verbose="auto", callbacks=None):
        self.max_nodes = max_nodes
        self.insert_every = insert_every
        self.epsilon_b = epsilon_b
        self.epsilon_n = epsilon_n
        self.max_age = max_age
        self.alpha = alpha
        self.beta = beta
        self.epochs = epochs
        self.random_state = random_state
        self.backend = backend
        self.verbose = verbose
        self.callbacks = callbacks

    def __sklearn_is_fitted__(self):
        """Fitted once it has a graph."""
        return hasattr(self, "nodes_")

    # ------------------------------------------------------------ parameters
    def _check_params(self):
        check_scalar(self.max_nodes, "max_nodes", numbers.Integral, low=2)
        check_count(self.insert_every, "insert_every")
        check_scalar(self.epsilon_b, "epsilon_b", low=0, high=1)
        check_scalar(self.epsilon_n, "epsilon_n", low=0, high=1)
        check_count(self.max_age, "max_age")
        check_scalar(self.alpha, "alpha", low=0, high=1)
        check_scalar(self.beta, "beta", low=0, high=1, high_inclusive=False)
        check_count(self.epochs, "epochs")
        check_seed(self.random_state)
        check_verbose(self.verbose)
        check_callbacks(self.callbacks)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Grow the graph on ``X`` of shape (n_samples, n_features); returns self."""
        self._check_params()
        X, kernels = self._validate_for_fit(X, **_AT_LEAST_TWO_SAMPLES)
        self._rng = check_random_state(self.random_state)
        state = self._start(X, self._rng)
        self.history_ = {"n_nodes": [], "quantization_error": []}
        self._train(X, kernels, state, self.epochs)
        return self

    def partial_fit(self, X, y=None):
        """One more epoch on ``X`` (the first call starts the graph); returns self.

        Training continues from the fitted attributes, so it also continues a loaded model
        (whose sample order then starts afresh from ``random_state``). A Dask array or a NumPy
        memory map larger than memory is streamed: its row chunks are read one at a time, in
        row order (:func:`neuroclust.distributed.iter_chunks`), and each is one epoch, its
        samples shuffled within it; ``history_`` gains an entry per chunk.
        """
        if is_streamed(X):
            for chunk in iter_chunks(X):
                self.partial_fit(chunk)
            return self
        self._check_params()
        if not hasattr(self, "nodes_"):
            X, kernels = self._validate_for_fit(X, **_AT_LEAST_TWO_SAMPLES)
            self._rng = check_random_state(self.random_state)
            state = self._start(X, self._rng)
            self.history_ = {"n_nodes": [], "quantization_error": []}
        else:
            n_features = self.n_features_in_   # X is checked once, then against the graph
            X, kernels = self._validate_for_fit(X)
            check_n_features(X, n_features, owner=type(self).__name__)
            if getattr(self, "_rng", None) is None:
                self._rng = check_random_state(self.random_state)
            state = self._state_from_attributes(X)
        self._train(X, kernels, state, 1)
        return self

    def trace(self, X, n_steps=20):
        r"""The first ``n_steps`` steps of ``fit``, one at a time, with the graph's changes.

        A fresh copy of this model (same parameters and ``random_state``: the same two
        starting nodes and sample order as ``fit``) grows step by step with the NumPy reference
        kernel; this model is not changed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        n_steps : int, default=20
            Steps to record (at most ``epochs`` passes over X).

        Returns
        -------
        neuroclust.StepTrace
            Per step: ``epoch``, ``sample`` (its row of X), ``s1`` and ``s2`` (the nearest and
            second-nearest node, eq. 1 of ``gng_online``), ``distance`` (sample to
            :math:`s_1`, before the step), ``inserted`` (whether a node was inserted, every
            ``insert_every`` steps), ``removed`` (nodes removed: they lost their last edge),
            ``n_nodes`` and ``n_edges`` after the step; and the nodes after every step.
        """
        self._check_params()
        check_count(n_steps, "n_steps")
        model = clone(self, backend="numpy", verbose=False, callbacks=None)
        X, _ = model._validate_for_fit(X, **_AT_LEAST_TWO_SAMPLES)
        X = np.asarray(to_host(X), dtype=np.float64)
        rng = check_random_state(self.random_state)
        state = model._start(X, rng)
        kernels = get_kernels("numpy")
        records, prototypes = [], [state["W"][:2].copy()]
        for epoch in range(int(self.epochs)):
            for sample in rng.permutation(X.shape[0]).tolist():
                if len(records) == n_steps:
                    break
                before = state["n_nodes"]
                squared = ((state["W"][:before] - X[sample]) ** 2).sum(axis=1)
                s1, s2 = np.argsort(squared, kind="stable")[:2].tolist()
                state["n_nodes"], state["n_steps"] = kernels.gng_online(
                    X, state["W"], state["error"], state["age"], before, state["n_steps"],
                    np.array([sample]), self.epsilon_b, self.epsilon_n, self.max_age,
                    self.insert_every, self.alpha, self.beta)
                after = int(state["n_nodes"])
                inserted = (state["n_steps"] % self.insert_every == 0
                            and before < self.max_nodes)
                ages = state["age"][:after, :after]
                records.append({"epoch": epoch, "sample": sample, "s1": s1, "s2": s2,
                                "distance": float(np.sqrt(squared[s1])),
                                "inserted": bool(inserted),
                                "removed": before + int(inserted) - after, "n_nodes": after,
                                "n_edges": int(np.count_nonzero(ages >= 0) // 2)})
                prototypes.append(state["W"][:after].copy())
        return StepTrace(f"growing neural gas, insert_every = {self.insert_every}, "
                         f"max_age = {self.max_age}, {len(records)} steps",
                         ("epoch", "sample", "s1", "s2", "distance", "inserted", "removed",
                          "n_nodes", "n_edges"), records, prototypes)

    def _start(self, X, rng):
        """Two nodes at two distinct random samples, no edge, no error (step 1)."""
        check_gng_memory(self, X)
        xp = array_module(X)
        first, second = (int(i) for i in rng.choice(X.shape[0], size=2, replace=False))
        W = xp.zeros((self.max_nodes, X.shape[1]), dtype=X.dtype)
        W[0], W[1] = X[first], X[second]
        return {"W": W, "error": xp.zeros(self.max_nodes),
                "age": xp.full((self.max_nodes, self.max_nodes), -1, dtype=xp.int64),
                "n_nodes": 2, "n_steps": 0}

    def _train(self, X, kernels, state, n_epochs):
        """Run ``n_epochs`` epochs of the kernel ``gng_online`` (step 2), recording eq. (1)."""
        xp = array_module(X)
        history = {"n_nodes": [], "quantization_error": []}
        last_pass = LastPass()

        def run_epoch(epoch):
            order = xp.asarray(self._rng.permutation(X.shape[0]))
            state["n_nodes"], state["n_steps"] = kernels.gng_online(
                X, state["W"], state["error"], state["age"], state["n_nodes"], state["n_steps"],
                order, self.epsilon_b, self.epsilon_n, self.max_age, self.insert_every, self.alpha,
                self.beta)
            self._store(state)
            winners, distance = kernels.bmu(X, self.nodes_)
            last_pass.keep(winners, self.nodes_)
            history["n_nodes"].append(int(state["n_nodes"]))
            history["quantization_error"].append(
                _quantization_error(X, self.nodes_, squared_distances=distance))     # eq. (1)
            return history["quantization_error"][-1]

        self._store(state)
        with fit_scope():    # BLAS limits for the kernels: once for the whole training
            n_done = len(run_epochs(self, n_epochs, run_epoch, verbose=self.verbose,
                                    callbacks=self.callbacks,
                                    description="growing neural gas",
                                    metric="quantization error"))
            # Only the completed epochs: not one interrupted half-way (its state was rolled
            # back).
            for name, values in history.items():
                self.history_[name].extend(values[:n_done])
            # the nearest nodes from the last epoch's pass, unless the nodes changed since
            winners = last_pass.winners_for(self.nodes_)
            if winners is None:
                winners = kernels.bmu(X, self.nodes_)[0]
        self.labels_ = self._components_of(winners)

    #: The fitted attributes :meth:`_store` makes anew from the kernel's state each epoch
    #: (and ``cluster_centers_``, which is ``nodes_``).
    _stored = ("nodes_", "edges_", "edge_ages_", "errors_", "n_steps_",
               "unit_labels_", "n_clusters_")

    def _snapshot(self):
        """The graph after an epoch, for run_epochs: its fitted attributes (copies: a
        callback may change them in place, and that is undone too)."""
        return {name: _copy(getattr(self, name)) for name in self._stored}

    def _restore(self, snapshot):
        """The graph of the snapshot; training stops there, and ``partial_fit`` rebuilds the
        kernel's arrays from these attributes (:meth:`_state_from_attributes`)."""
        for name, value in snapshot.items():
            setattr(self, name, value)
        self.cluster_centers_ = self.nodes_

    def _store(self, state):
        """The fitted attributes from the kernel's state: nodes, edges, errors, components."""
        n_nodes = int(state["n_nodes"])
        ages = to_host(state["age"][:n_nodes, :n_nodes])
        first, second = np.nonzero(np.triu(ages >= 0, k=1))
        self.nodes_ = state["W"][:n_nodes].copy()
        self.cluster_centers_ = self.nodes_
        self.edges_ = np.column_stack([first, second]).astype(np.int64)
        self.edge_ages_ = ages[first, second].astype(np.int64)
        self.errors_ = np.asarray(to_host(state["error"][:n_nodes]), dtype=np.float64).copy()
        self.n_steps_ = int(state["n_steps"])
        self.unit_labels_ = connected_components(n_nodes, self.edges_)
        self.n_clusters_ = int(self.unit_labels_.max()) + 1

    def _state_from_attributes(self, X):
        """The kernel's fixed-capacity arrays rebuilt from the fitted attributes."""
        check_gng_memory(self, X)
        xp = array_module(X)
        n_nodes = len(self.nodes_)
        if n_nodes > self.max_nodes:
            raise ValueError(f"max_nodes={self.max_nodes} is smaller than the {n_nodes} nodes "
                             "the graph already has; raise max_nodes or fit again.")
        W = xp.zeros((self.max_nodes, X.shape[1]), dtype=X.dtype)
        W[:n_nodes] = self._like(self.nodes_, X)
        error = np.zeros(self.max_nodes)
        error[:n_nodes] = to_host(self.errors_)
        age = np.full((self.max_nodes, self.max_nodes), -1, dtype=np.int64)
        edges = np.asarray(self.edges_, dtype=np.int64).reshape(-1, 2)
        age[edges[:, 0], edges[:, 1]] = self.edge_ages_
        age[edges[:, 1], edges[:, 0]] = self.edge_ages_
        return {"W": W, "error": xp.asarray(error), "age": xp.asarray(age),
                "n_nodes": n_nodes, "n_steps": int(self.n_steps_)}

    # -------------------------------------------------------------- queries
    def predict(self, X):
        """The cluster (connected component) of each row's nearest node, eq. (2)."""
        X, kernels = self._validate_for_predict(X, "nodes_")
        return self._components_of(kernels.bmu(X, self._like(self.nodes_, X))[0])

    def transform(self, X):
        """Euclidean distance from each row of ``X`` to each node, shape (n_samples, n_nodes)."""
        return super().transform(X)

    def _components_of(self, winners):
        xp = array_module(winners)
        return xp.asarray(self.unit_labels_, dtype=xp.int64)[winners]

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("nodes_", "cluster_centers_", "edges_", "edge_ages_", "errors_",
                          "n_steps_", "unit_labels_", "n_clusters_", "labels_", "history_",
                          "n_features_in_", "backend_")
    # nodes_ is cluster_centers_: a model file stores the array once
    _view_attributes = {"nodes_": "cluster_centers_"}
    # parameters a model file in format 2 or older holds under a former name
    _renamed_params = {"lambda_": "insert_every"}

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads from a file with this): edges
        join existing nodes, components are those of the graph. ``nodes_`` becomes the same
        array as ``cluster_centers_`` again, as after ``fit`` (a file in format 2 or older
        also holds ``nodes_``, which must hold the same nodes)."""
        state = FittedState(self)
        n_features = state.n_features()
        centres = state.array("cluster_centers_", [("n_nodes", None),
                                                   ("n_features_in_", n_features)], required=True)
        n_nodes = len(centres)
        if not 2 <= n_nodes <= self.max_nodes:  # the winner's fresh edge keeps two alive
            raise ValueError(f"cluster_centers_ holds {n_nodes} nodes, but a graph has from 2 "
                             f"to max_nodes={self.max_nodes}.")
        nodes = state.array("nodes_", [("n_nodes", n_nodes), ("n_features_in_", n_features)])
        if nodes is not None and not np.array_equal(centres, nodes):
            raise ValueError("cluster_centers_ and nodes_ differ (they are one array).")
        self.nodes_ = self.cluster_centers_
        edges = state.array("edges_", [("n_edges", None), ("2", 2)], kind="index", low=0,
                            high=n_nodes - 1, required=True)
        if not bool((edges[:, 0] < edges[:, 1]).all()) or \
                len(np.unique(edges, axis=0)) != len(edges):
            raise ValueError("edges_ must list every edge once, as (i, j) with i < j.")
        # (an edge older than max_age is removed in the step that ages it, eq. (7), but
        # max_age may be lowered after fit for the next partial_fit, which then removes it)
        state.array("edge_ages_", [("n_edges", len(edges))], kind="index", low=0,
                    required=True)
        state.array("errors_", [("n_nodes", n_nodes)], low=0, required=True)  # finite too
        state.integer("n_steps_", low=0, required=True)  # at most MAX_COUNT: int64 to go on
        components = state.array("unit_labels_", [("n_nodes", n_nodes)], kind="index",
                                 required=True)
        if not np.array_equal(components, connected_components(n_nodes, edges)):
            raise ValueError("unit_labels_ are not the connected components of the graph of "
                             "nodes_ and edges_.")
        n_clusters = int(components.max()) + 1
        state.integer("n_clusters_", low=n_clusters, high=n_clusters, required=True)
        state.labels(high=n_clusters - 1)
        state.history({"n_nodes": "count", "quantization_error": "number"})
        state.backend()


def connected_components(n_nodes, edges):
    r"""The connected component of every node of a graph, eq. (2) of :class:`GrowingNeuralGas`.

    Parameters
    ----------
    n_nodes : int
    edges : ndarray of int, shape (n_edges, 2)
        Pairs of node indices.

    Returns
    -------
    ndarray of int64, shape (n_nodes,)
        Components numbered 0, 1, ... in the order of their lowest node; a node without an
        edge is a component of its own.

    Notes
    -----
    A depth-first search from each node not yet labelled gives its label to every node it
    reaches.
    """
    neighbours = [[] for _ in range(n_nodes)]
    for i, j in np.asarray(edges).reshape(-1, 2).tolist():
        neighbours[i].append(j)
        neighbours[j].append(i)
    labels = np.full(n_nodes, -1, dtype=np.int64)
    n_components = 0
    for start in range(n_nodes):
        if labels[start] >= 0:
            continue
        labels[start] = n_components
        todo = [start]
        while todo:
            for other in neighbours[todo.pop()]:
                if labels[other] < 0:
                    labels[other] = n_components                                 # eq. (2)
                    todo.append(other)
        n_components += 1
    return labels


#: The graph starts with two nodes at two samples: what ``fit`` asks of X.
_AT_LEAST_TWO_SAMPLES = {"min_samples": 2, "min_samples_reason": " (the graph starts with two "
                         "nodes at two samples)"}


def _copy(value):
    """A copy of an array; a number as it is."""
    return value.copy() if hasattr(value, "copy") else value
