r"""CNNI: a network trained to cluster, with an internal clustering index as its loss.

The files a reader follows, in order: ``models/cnni.py`` (this estimator) ->
``backend/reference/mmj.py`` (the min-max-jump distances, eqs. (1)-(3) there) ->
``csrc/mmj.pyx`` (their compiled kernel) -> ``nn/indices.py`` (the soft silhouette and the
soft Calinski-Harabasz index, with their gradients) -> ``nn/training.py`` (the epoch loop) ->
``docs/algorithms/cnni.md`` -> ``tutorials/plot_11_cnni.py``.

Clustering with Neural Network and Index (Liu, arXiv:2212.03853) trains a classifier without
labels: a multilayer perceptron with :math:`K` softmax outputs, whose loss is an internal
clustering index of its own soft assignments. An index scores a partition from the data
alone (compact, well separated clusters score high), so raising it by gradient descent moves
the decision boundaries to where the index is best. The trained network is a parametric,
inductive clustering: ``predict`` assigns new points without refitting.

The algorithm, in the order it runs:

1. with ``index="mmj_silhouette"``, the **min-max-jump distances** :math:`M` of the training
   samples (eq. (1) of ``backend/reference/mmj.py``: the largest edge on the path through
   their minimum spanning tree), computed once, :math:`O(n^2)` time and memory;
2. the **network**: dense layers of widths ``hidden``, each followed by :math:`\varphi`, then
   a linear layer to :math:`K` logits and their softmax,

   .. math:: S_{i\cdot} = \mathrm{softmax}\big(f_\theta(x_i)\big) \in \Delta^{K-1} ;       \tag{1}

3. the **loss** of a mini-batch :math:`B` is minus the index of its soft assignments
   (:class:`~neuroclust.nn.SoftSilhouette`, :class:`~neuroclust.nn.SoftCalinskiHarabasz`):

   .. math:: L_B = -\,\mathrm{index}\big(S_B;\; D_B \text{ or } X_B\big) ,             \tag{2}

   where the batch's distance matrix :math:`D_B` is, for "silhouette", the Euclidean
   distances between its samples, computed from their features; for "mmj_silhouette", the
   block :math:`M[B, B]` of the precomputed matrix (the MMJ distance of two samples of the
   batch through **all** training samples, not through the batch alone: a batch is too
   sparse a sample of a thin shape for its own tree to follow it). "calinski_harabasz" uses
   the features :math:`X_B`;
4. **backpropagate** eq. (2) through the softmax and the layers, and take Adam or SGD steps
   for ``epochs`` passes over shuffled mini-batches (:func:`~neuroclust.nn.train`: the target
   of a batch is its features, or its row numbers in :math:`M`);
5. a sample's **cluster** is its largest output:

   .. math:: \mathrm{label}(x) = \arg\max_k S_k(x) .                                    \tag{3}

Nothing in eq. (2) names a cluster, so the labels are a permutation of any other labelling,
and a cluster may end up empty (the index of the others is then what was maximised).
"""
import numbers

from .._validation import (array_module, check_choice, check_random_state, check_scalar,
                           to_module)
from .. import nn
from ..backend import BACKENDS, get_kernels, resolve_backend
from ..persistence import FittedState
from ._architecture import ACTIVATIONS, bind
from .._validation import check_memory
from .autoencoder import Autoencoder

__all__ = ["CNNI"]

INDICES = ("silhouette", "mmj_silhouette", "calinski_harabasz")


class _NotOffered:
    """An Autoencoder method that has no meaning here (by default: without a decoder):
    reading it raises AttributeError, so ``hasattr`` says False."""

    def __init__(self, reason="it has no decoder (its network ends with the cluster "
                              "probabilities)"):
        self.reason = reason

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        raise AttributeError(f"CNNI has no {self.name}: {self.reason}.")


class CNNI(Autoencoder):
    r"""Clustering with a neural network trained on an internal clustering index.

    Parameters
    ----------
    n_clusters : int >= 1, default=8
        :math:`K`, the number of softmax outputs (and so of clusters at most). With 1 there
        is nothing to learn: every index is 0 for one cluster.
    hidden : tuple of int, default=(64,)
        The widths of the hidden layers, input side first; ``()`` makes the logits a linear
        function of the input (straight boundaries only).
    index : {"silhouette", "mmj_silhouette", "calinski_harabasz"}, default="silhouette"
        The index of eq. (2): the soft silhouette on Euclidean distances, the soft silhouette
        on min-max-jump distances (MMJ-SC, for non-convex clusters; it holds the
        :math:`n \times n` matrix of them, so it is refused when that does not fit in
        memory), or the soft Calinski-Harabasz index.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid"}, default="relu"
        :math:`\varphi` of the hidden layers.
    optimizer : {"adam", "sgd"}, default="adam"
    learning_rate : float > 0, default=1e-2
    weight_decay : float >= 0, default=0.0
    epochs : int >= 1, default=100
    batch_size : int >= 1, default=256
        Samples per step; the index is computed on each batch (eq. (2)), :math:`O(|B|^2 K)`
        for the silhouettes. A last batch of no more samples than clusters adds nothing to
        the Calinski-Harabasz loss (its index is undefined).
    validation_split, patience
        As for :class:`~neuroclust.models.Autoencoder` (the last samples of X are held out;
        their loss uses the same distances).
    dtype : {None, "float32", "float64"}, default=None
        The precision of the network: X's (float32 or float64) with None.
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights and the order of the batches.
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callable, optional
        Called as ``callback(model, epoch)`` after each epoch; returning ``False`` stops
        training.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
        The kernel that computes the min-max-jump distances ("mmj_silhouette"); the network
        runs where X lives (NumPy or CuPy).

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_samples,)
        The cluster of each training sample, eq. (3), with the final weights.
    history_ : dict of lists
        ``"loss"``: eq. (2) per epoch (the mean over the epoch's batches): minus the index,
        so lower is better; ``"val_loss"``: on the validation samples (empty without a
        validation split).
    parameters_ : ndarray of shape (n_params,)
        Every weight and bias, layer by layer; the network's parameters are views into it.
    encoder_ : neuroclust.nn.Sequential
        The network of eq. (1), ending with the softmax.
    best_epoch_ : int or None
        As for :class:`~neuroclust.models.Autoencoder`.
    n_features_in_ : int
        The number of features seen in ``fit``.
    dtype_ : numpy.dtype
        As for :class:`~neuroclust.models.Autoencoder`.
    latent_dim_ : int
        ``n_clusters``.

    Notes
    -----
    The network is trained as a classifier, but on its own outputs: a bad start can settle
    where the index has a local optimum (two clusters splitting one shape and sharing
    another). Several seeds and the final loss (minus the index, no labels needed) tell them
    apart.

    References
    ----------
    G. Liu, "CNNI: clustering with neural network and index", arXiv:2212.03853.
    G. Liu, "Min-Max-Jump distance and its applications", arXiv:2301.05994.

    Examples
    --------
    >>> from neuroclust import CNNI
    >>> from sklearn.datasets import make_moons                       # doctest: +SKIP
    >>> X, y = make_moons(500, noise=0.05, random_state=0)            # doctest: +SKIP
    >>> model = CNNI(n_clusters=2, index="mmj_silhouette", random_state=0).fit(X)  # doctest: +SKIP
    >>> model.predict(X[:5]).shape                                    # doctest: +SKIP
    (5,)
    """

    # The Autoencoder's architecture parameters this model does not offer: class attributes,
    # so the inherited checks and builders read them.
    kind, channels, kernel_size, global_pool = "dense", (8, 16), 5, False
    encoder = decoder = None
    output_activation, loss = None, "mse"

    _params_fixed_by_fit = ("n_clusters", "hidden", "activation", "dtype")
    _fitted_attributes = Autoencoder._fitted_attributes + ("labels_",)
    _code_parameter = "n_clusters"

    # no decoder: these Autoencoder queries have no meaning here
    inverse_transform = _NotOffered()
    reconstruct = _NotOffered()
    reconstruction_error = _NotOffered()
    decoder_ = _NotOffered()
    partial_fit = _NotOffered("its loss scores a partition of each whole batch; fit it again "
                              "on the data instead")

    def __init__(self, n_clusters=8, hidden=(64,), index="silhouette", activation="relu",
                 optimizer="adam", learning_rate=1e-2, weight_decay=0.0, epochs=100,
                 batch_size=256, validation_split=0.0, patience=None, dtype=None,
                 random_state=None, verbose="auto", callbacks=None, backend="auto"):
        self.n_clusters = n_clusters
        self.hidden = hidden
        self.index = index
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.patience = patience
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.backend = backend

    @property
    def latent_dim(self):
        """The network's output width: ``n_clusters`` (what the inherited code calls it)."""
        return self.n_clusters

    # ------------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Train on ``X`` of shape (n_samples, n_features) by lowering eq. (2); returns self.
        ``y`` is ignored."""
        self._check_params()
        X, input_shape = self._check_X_for_fit(X)
        loss, target = self._loss_and_target(X)                   # step 1: MMJ distances
        rng = check_random_state(self.random_state)
        network, identity = self._build(input_shape, rng, X.dtype)                # eq. (1)
        theta = bind(network, identity, X.dtype)
        if array_module(X) is not array_module(theta):   # drawn on the host, trained on X's
            theta = bind(network, identity, X.dtype, theta=to_module(theta, array_module(X)))
        optimizer = (nn.Adam(self.learning_rate, weight_decay=self.weight_decay)
                     if self.optimizer == "adam"
                     else nn.SGD(self.learning_rate, weight_decay=self.weight_decay))
        self.n_features_in_ = X.shape[1]
        self.latent_dim_ = int(self.n_clusters)
        self.parameters_ = theta
        self._networks = (theta, network, identity)
        callbacks = [lambda _network, epoch, callback=callback: callback(self, epoch)
                     for callback in self.callbacks or ()]
        history = nn.train(network, loss, optimizer, X, target,                  # eq. (2)
                           epochs=self.epochs, batch_size=self.batch_size,
                           random_state=rng, validation_split=self.validation_split,
                           patience=self.patience, verbose=self.verbose, callbacks=callbacks)
        self.best_epoch_ = history.pop("best_epoch")
        self.history_ = history
        self.labels_ = self.predict(X)                                            # eq. (3)
        return self

    def _loss_and_target(self, X):
        """The loss of eq. (2) and the target nn.train hands it batch by batch: the features,
        or (MMJ) the row numbers into the distance matrix computed here."""
        if self.index == "calinski_harabasz":
            return nn.SoftCalinskiHarabasz(), X
        if self.index == "silhouette":
            return nn.SoftSilhouette(), X
        kernels = get_kernels(resolve_backend(self.backend, X))
        distances = kernels.mmj_distances(X)                                      # step 1
        xp = array_module(X)
        return nn.SoftSilhouette(distances), xp.arange(X.shape[0], dtype=xp.float64)[:, None]

    def fit_predict(self, X, y=None):
        """Fit, then return the cluster of each training sample (``labels_``)."""
        return self.fit(X).labels_

    # -------------------------------------------------------------------- queries
    def transform(self, X):
        """The soft assignments :math:`S` of eq. (1), shape (n_samples, n_clusters)."""
        return super().transform(X)

    def predict_proba(self, X):
        """The soft assignments :math:`S` of eq. (1), each sample's share in each cluster;
        shape (n_samples, n_clusters), rows summing to 1."""
        return self.transform(X)

    def predict(self, X):
        """The cluster of each sample, eq. (3) (ties: the lowest index); new samples too."""
        return self.transform(X).argmax(axis=1)                                   # eq. (3)

    def score(self, X, y=None):
        """Minus the loss of eq. (2) on ``X`` as one batch: the index of the soft
        assignments (higher is better). For "mmj_silhouette" the MMJ distances of ``X``
        itself are used."""
        S = self.transform(X)
        loss, target = self._loss_and_target(self._check_X(X))
        return -float(loss.forward(S, target))

    # ------------------------------------------------------------ the architecture
    def _build(self, input_shape, rng, dtype):
        """The network of eq. (1), and an identity "decoder" with no parameters (what the
        inherited binding and queries expect)."""
        init = "he" if self.activation in ("relu", "leaky_relu") else "glorot"
        Act = ACTIVATIONS[self.activation]
        widths = [int(input_shape[0])] + [int(h) for h in self.hidden]
        layers = []
        for n_in, width in zip(widths, widths[1:]):
            layers += [nn.Dense(n_in, width, init=init, random_state=rng, dtype=dtype), Act()]
        layers += [nn.Dense(widths[-1], int(self.n_clusters), init="glorot", random_state=rng,
                            dtype=dtype), nn.Softmax()]
        return nn.Sequential(layers), nn.Sequential([nn.Identity()])

    def _count_parameters(self, n_features):
        """The parameters :meth:`_build` makes, counted without building them."""
        widths = [n_features] + [int(h) for h in self.hidden] + [int(self.n_clusters)]
        return sum(a * b + b for a, b in zip(widths, widths[1:]))

    def _check_X_for_fit(self, X):
        """As the Autoencoder's, at least one sample per cluster, and for "mmj_silhouette" the
        n x n matrix of distances refused before any work when it cannot fit in memory."""
        X, input_shape = super()._check_X_for_fit(X)
        n = X.shape[0]
        if n < int(self.n_clusters):
            raise ValueError(f"X has {n} samples, fewer than n_clusters={self.n_clusters}; "
                             "it needs at least one per cluster.")
        if self.index == "mmj_silhouette":
            check_memory(n * n * X.itemsize, f"CNNI(index='mmj_silhouette') on {n:,} samples",
                         f"the {n:,} x {n:,} matrix of min-max-jump distances",
                         "use index='silhouette', or fit on a subsample")
        return X, input_shape

    def _check_params(self):
        check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        check_choice(self.index, "index", INDICES)
        check_choice(self.backend, "backend", BACKENDS)
        resolve_backend(self.backend)     # a forced NEUROCLUST_BACKEND is checked before work
        super()._check_params()

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads with this)."""
        state = FittedState(self)
        n_features = state.n_features()
        theta = state.parameter_vector(self.dtype)
        latent_dim = state.integer("latent_dim_", low=1, required=True)
        if latent_dim != self.n_clusters:
            raise ValueError(f"latent_dim_={latent_dim} differs from n_clusters="
                             f"{self.n_clusters}.")
        expected = self._count_parameters(n_features)
        if theta.size != expected:
            raise ValueError(f"parameters_ has {theta.size} values, but this architecture has "
                             f"{expected}.")
        network, identity = self._networks_on(theta)
        self._networks = (theta, network, identity)
        history = state.history(dict.fromkeys(self._history_lists, "number"),
                                may_be_empty=("val_loss",))
        self.best_epoch_ = state.integer("best_epoch_", low=0, high=len(history["loss"]) - 1)
        state.labels(high=int(self.n_clusters) - 1)

