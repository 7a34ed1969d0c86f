r"""Contrastive clustering: learn a representation from two views of each sample, cluster it.

The files a reader follows, in order: ``models/contrastive.py`` (this estimator) ->
``augment.py`` (the views) -> ``nn/contrastive.py`` (the NT-Xent loss and its gradient) ->
``nn/training.py`` (the epoch loop and its ``batch_transform`` hook) -> ``models/kmeans.py``
(the default clusterer) -> ``docs/algorithms/contrastive.md`` ->
``tutorials/plot_10_contrastive_learning.py``.

An autoencoder learns codes from which the input can be rebuilt, so its codes keep whatever
varies most, wanted or not (a shift by a pixel, noise). Contrastive learning needs no
decoder: it draws two randomly changed *views* of every sample and trains a network to say
which views belong together. What the changes destroy (the exact position, the noise) the
representation learns to ignore; what survives them (the shape) it must keep to tell samples
apart. SimCLR (Chen et al. 2020), in the order it runs:

1. for a mini-batch :math:`x_1 \dots x_N`, draw two views of each with the augmentation
   :math:`t` (``augment``; independent draws from ``random_state``):

   .. math:: \tilde x_i = t(x_i), \qquad \tilde x_{i+N} = t'(x_i);                     \tag{1}

2. the **encoder** :math:`f` (``encoder``, or dense layers of widths ``hidden`` each followed
   by :math:`\varphi`, then a linear layer to ``latent_dim``) gives the representation, and
   the **projection head** :math:`g` (one hidden layer of ``latent_dim`` units with a ReLU,
   then a linear layer to ``projection_dim``, as in SimCLR) the embedding the loss sees:

   .. math:: r_i = f(\tilde x_i), \qquad h_i = g(r_i) = W_2\, \mathrm{ReLU}(W_1 r_i + b_1)
             + b_2 ;                                                                  \tag{2}

3. the **loss** is NT-Xent on the :math:`2N` embeddings (:class:`~neuroclust.nn.NTXentLoss`,
   eq. (4) there): each view must pick out its twin among the other :math:`2N - 1` views by
   cosine similarity over the temperature :math:`\tau`;
4. **backpropagate** through :math:`g` and :math:`f` and take an Adam or SGD step per
   batch, for ``epochs`` passes over shuffled batches (:func:`~neuroclust.nn.train`, whose
   ``batch_transform`` draws the views of eq. (1));
5. **drop the head** and cluster the representations of the (unchanged) training samples,
   each scaled to length one with ``normalize=True`` (the loss compares directions):

   .. math:: z_i = \frac{f(x_i)}{\|f(x_i)\|}, \qquad
             \text{labels} = \text{clusterer.fit\_predict}(z) ;                         \tag{3}

   k-means by default. A new sample gets the clusterer's ``predict`` of its :math:`z`.

SimCLR trains on the head's output and keeps the layer before it: the head absorbs what the
loss needs and the augmentations make irrelevant (in SimCLR, the colour and the orientation),
so the representation under it keeps more of the input (their section 4.2).

References
----------
T. Chen, S. Kornblith, M. Norouzi and G. Hinton, "A simple framework for contrastive learning
of visual representations" (SimCLR), ICML 2020.
"""
import numbers

import numpy as np

from .._validation import (array_module, as_float_dtype, check_array, check_callbacks,
                           check_choice, check_count, check_is_fitted, check_memory,
                           check_n_features, check_random_state, check_scalar, check_seed,
                           check_verbose, shown, to_module)
from ..augment import Augmentation, Compose, FeatureMask, GaussianNoise, from_config
from ..base import BaseEstimator, clone
from .. import nn
from ..persistence import FittedState
from ._architecture import ACTIVATIONS, bind, copied, layers_of
from .kmeans import KMeans

__all__ = ["ContrastiveClustering"]

#: Rows encoded at once by ``transform`` (bounds the memory of the hidden layers).
CHUNK = 8192


class ContrastiveClustering(BaseEstimator):
    r"""SimCLR's contrastive learning, then a clusterer on the learned representation.

    Parameters
    ----------
    encoder : neuroclust.nn.Sequential or list of layers, optional
        :math:`f` of eq. (2), taking rows of X and returning one vector per sample. None
        builds dense layers of widths ``hidden`` (each followed by ``activation``) and a
        linear layer to ``latent_dim``. ``fit`` trains a copy (converted to the dtype it
        trains in); the object passed stays untouched.
    projection : neuroclust.nn.Sequential or list of layers, optional
        :math:`g` of eq. (2), taking the encoder's output. None builds SimCLR's head: Dense
        to the representation's width, ReLU, Dense to ``projection_dim``.
    augment : callable, optional
        ``augment(X_batch, rng) -> views`` of the same shape (see :mod:`neuroclust.augment`);
        it is called twice per batch. None is
        ``Compose([FeatureMask(0.2), GaussianNoise(0.1)])``, for standardised data or data
        in [0, 1]; choose augmentations that fit the data (the tutorial measures how much
        this matters).
    n_clusters : int >= 1, default=8
        Used by the default clusterer only.
    clusterer : object with fit_predict, or None, default=None
        Fitted on the representations of eq. (3) (a copy, ``clusterer_``). None is
        ``KMeans(n_clusters, n_init=n_init)`` with a seed drawn from ``random_state``.
    hidden : tuple of int, default=(256, 128)
        The widths of the default encoder's hidden layers.
    latent_dim : int >= 1, default=64
        The width of the default encoder's representation.
    projection_dim : int >= 1, default=32
        The width of the default head's output, the embedding of the loss.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid"}, default="relu"
        :math:`\varphi` of the default encoder.
    temperature : float > 0, default=0.5
        :math:`\tau` of the loss (SimCLR's value for small batches).
    normalize : bool, default=True
        Scale each representation to length one before clustering, eq. (3).
    optimizer : {"adam", "sgd"}, default="adam"
    learning_rate : float > 0, default=1e-3
    weight_decay : float >= 0, default=0.0
    epochs : int >= 1, default=100
    batch_size : int >= 1, default=256
        :math:`N`: the loss compares :math:`2N` views, so larger batches give each view more
        negatives.
    n_init : int >= 1, default=10
        The runs of the default k-means.
    dtype : {None, "float32", "float64"}, default=None
        The dtype of the weights; None follows X (float32 stays float32, anything else
        becomes float64).
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights, the batches, the views and the default clusterer.
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callable, optional
        Called as ``callback(model, epoch)`` after each epoch (``transform`` works there);
        returning ``False`` stops training.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
        The kernels of the default k-means, chosen as every estimator chooses them (from this
        and the representation's array module); a given clusterer with a ``backend``
        parameter gets it too, unless this is "auto".

    Attributes
    ----------
    parameters_ : ndarray of shape (n_params,)
        Every weight and bias, the encoder's then the head's, layer by layer.
    encoder_ : neuroclust.nn.Sequential
        :math:`f` of eq. (2), built on ``parameters_``.
    projection_ : neuroclust.nn.Sequential
        :math:`g` of eq. (2), built on ``parameters_``.
    clusterer_ : object
        The clusterer fitted on eq. (3) of the training samples.
    labels_ : ndarray of shape (n_samples,)
    history_ : dict of lists
        Per epoch: ``"loss"`` (NT-Xent, the mean over the epoch's batches) and
        ``"alignment"`` (the mean cosine similarity of the two views' embeddings, 1 at best).
    n_features_in_ : int
    latent_dim_ : int
        The width of the representation.
    dtype_ : numpy.dtype

    Notes
    -----
    ``save`` stores the weights, the fitted clusterer (a neuroclust estimator: the default
    :class:`~neuroclust.models.KMeans`, or any other), an explicit encoder and head (their
    layers' configs) and an ``augment`` made of :mod:`neuroclust.augment` objects; another
    callable is stored as None (it is not needed to answer queries). A foreign clusterer
    (scikit-learn's) makes ``save`` refuse with a sentence.

    Examples
    --------
    >>> from neuroclust import ContrastiveClustering, datasets
    >>> X, y = datasets.make_five_centroids(random_state=0)
    >>> model = ContrastiveClustering(n_clusters=5, hidden=(16,), latent_dim=8, epochs=2,
    ...                               random_state=0).fit(X)
    >>> model.transform(X).shape, model.labels_.shape
    ((500, 8), (500,))
    """

    _params_fixed_by_fit = ("encoder", "projection", "hidden", "latent_dim", "projection_dim",
                            "activation", "normalize", "dtype")

    def __init__(self, encoder=None, projection=None, augment=None, n_clusters=8,
                 clusterer=None, hidden=(256, 128), latent_dim=64, projection_dim=32,
                 activation="relu", temperature=0.5, normalize=True, optimizer="adam",
                 learning_rate=1e-3, weight_decay=0.0, epochs=100, batch_size=256, n_init=10,
                 dtype=None, random_state=None, verbose="auto", callbacks=None,
                 backend="auto"):
        self.encoder = encoder
        self.projection = projection
        self.augment = augment
        self.n_clusters = n_clusters
        self.clusterer = clusterer
        self.hidden = hidden
        self.latent_dim = latent_dim
        self.projection_dim = projection_dim
        self.activation = activation
        self.temperature = temperature
        self.normalize = normalize
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.n_init = n_init
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.backend = backend

    # ------------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Train the encoder and head on NT-Xent, then cluster eq. (3); returns self.

        ``y`` is ignored: no label is used anywhere."""
        self._check_params()
        X = self._check_X_for_fit(X)
        rng = check_random_state(self.random_state)
        encoder, projection = self._build(X.shape[1], rng, X.dtype)
        theta = bind(encoder, projection, X.dtype)          # the initial weights, one vector
        if array_module(X) is not array_module(theta):     # drawn on the host, trained on X's
            theta = bind(encoder, projection, X.dtype, theta=to_module(theta, array_module(X)))
        latent_dim = self._check_networks(encoder, projection, X)
        augment = self._augmentation()
        views_rng = np.random.default_rng(int(rng.integers(2**63 - 1)))
        _check_views(augment, X[:2], views_rng)
        clusterer = self._clusterer(rng, self._backend_for(X))

        def two_views(batch):
            # the batch twice, then one call: each row gets its own draws, so the two copies
            # of a sample become two independent views, with one copy fewer than two calls
            xp = array_module(batch)
            return augment(xp.concatenate([batch, batch]), views_rng)                # eq. (1)

        optimizer = (nn.Adam(self.learning_rate, weight_decay=self.weight_decay)
                     if self.optimizer == "adam"
                     else nn.SGD(self.learning_rate, weight_decay=self.weight_decay))
        # the model is queryable from here on (a callback may call transform)
        self.n_features_in_, self.latent_dim_ = X.shape[1], latent_dim
        self.parameters_ = theta
        self._networks = (theta, encoder, projection)
        callbacks = [lambda _network, epoch, callback=callback: callback(self, epoch)
                     for callback in self.callbacks or ()]
        network = nn.Sequential(encoder.layers + projection.layers)               # eq. (2)
        history = nn.train(network, nn.NTXentLoss(self.temperature), optimizer, X,
                           epochs=self.epochs, batch_size=self.batch_size, random_state=rng,
                           verbose=self.verbose, callbacks=callbacks,
                           batch_transform=two_views)
        self.history_ = {"loss": history["loss"],
                         "alignment": history.get("alignment", [])}
        Z = self._represent(encoder, X)
        self.labels_ = _as_array_like(clusterer.fit_predict(Z), Z)               # eq. (3)
        self.clusterer_ = clusterer
        return self

    def fit_predict(self, X, y=None):
        """Fit, then return the cluster of each training sample (``labels_``)."""
        return self.fit(X).labels_

    # -------------------------------------------------------------------- queries
    def transform(self, X):
        """The representation of eq. (3) (normalised with ``normalize=True``), shape
        (n_samples, ``latent_dim_``): what the clusterer sees."""
        check_is_fitted(self, "parameters_")
        X = check_array(X)
        check_n_features(X, self.n_features_in_, owner=type(self).__name__)
        if self.dtype is not None:
            X = as_float_dtype(X, self.dtype)
        return self._represent(self._networks_for(X)[0], X)

    def predict(self, X):
        """The cluster of each row of X: the clusterer's ``predict`` on eq. (3)."""
        check_is_fitted(self, "labels_")
        if not callable(getattr(self.clusterer_, "predict", None)):
            raise ValueError(f"the clusterer {type(self.clusterer_).__name__} cannot label new "
                             "samples (it has no predict method); use labels_ for the training "
                             "samples, or a clusterer with predict such as KMeans.")
        Z = self.transform(X)
        return _as_array_like(self.clusterer_.predict(Z), Z)

    @property
    def encoder_(self):
        """:math:`f` of eq. (2) on ``parameters_``."""
        return self._current_networks()[0]

    @property
    def projection_(self):
        """:math:`g` of eq. (2) on ``parameters_``."""
        return self._current_networks()[1]

    @property
    def dtype_(self):
        """The dtype of ``parameters_``."""
        check_is_fitted(self, "parameters_")
        return np.dtype(self.parameters_.dtype)

    def save(self, path):
        """Save the fitted model, its clusterer nested, to one ``.npz`` file.

        Raises
        ------
        ValueError
            If the clusterer is not a neuroclust estimator (a model file holds no foreign
            objects)."""
        check_is_fitted(self, "labels_")
        for clusterer in (self.clusterer_, self.clusterer):
            if clusterer is not None and not isinstance(clusterer, BaseEstimator):
                raise ValueError(f"ContrastiveClustering cannot be saved with a "
                                 f"{type(clusterer).__name__} clusterer (only neuroclust "
                                 "estimators go into a model file); keep model.labels_ and "
                                 "model.parameters_ instead.")
        return super().save(path)

    # ------------------------------------------------------------ the networks
    def _represent(self, encoder, X):
        """Eq. (3) without the clusterer: the encoder's output, in chunks, normalised."""
        xp = array_module(X)
        parts = [encoder.forward(X[start:start + CHUNK]) for start in range(0, len(X), CHUNK)]
        R = parts[0] if len(parts) == 1 else xp.concatenate(parts)
        if not self.normalize:
            return R
        norms = xp.sqrt(xp.sum(R * R, axis=1, keepdims=True))
        return R / xp.maximum(norms, R.dtype.type(1e-12))                         # eq. (3)

    def _build(self, n_features, rng, dtype):
        """The encoder and the head of eq. (2), fresh weights in ``dtype`` (copies of the
        given networks)."""
        dtype = np.dtype(dtype)
        if self.encoder is not None:
            encoder = nn.Sequential(copied(self.encoder, "encoder", dtype))
        else:
            Act = ACTIVATIONS[self.activation]
            init = "he" if self.activation in ("relu", "leaky_relu") else "glorot"
            widths = [n_features] + [int(h) for h in self.hidden]
            layers = []
            for n_in, n_out in zip(widths, widths[1:]):
                layers += [nn.Dense(n_in, n_out, init=init, random_state=rng, dtype=dtype),
                           Act()]
            layers.append(nn.Dense(widths[-1], int(self.latent_dim), init="glorot",
                                   random_state=rng, dtype=dtype))
            encoder = nn.Sequential(layers)
        if self.projection is not None:
            return encoder, nn.Sequential(copied(self.projection, "projection", dtype))
        width = self._representation_width(encoder, n_features)
        head = [nn.Dense(width, width, init="he", random_state=rng, dtype=dtype), nn.ReLU(),
                nn.Dense(width, int(self.projection_dim), init="glorot", random_state=rng,
                         dtype=dtype)]
        return encoder, nn.Sequential(head)

    def _representation_width(self, encoder, n_features):
        if self.encoder is None:
            return int(self.latent_dim)
        try:
            out = encoder.forward(np.zeros((1, n_features), dtype=encoder_dtype(encoder)))
        except ValueError as error:
            raise ValueError(f"the encoder cannot take rows of {n_features} values: "
                             f"{error}") from None
        return int(out.shape[1]) if out.ndim == 2 else int(np.prod(out.shape[1:]))

    def _count_parameters(self, n_features):
        """The parameters of the default networks, counted without building them (None when
        either is given)."""
        if self.encoder is not None or self.projection is not None:
            return None
        m = int(self.latent_dim)
        widths = [n_features] + [int(h) for h in self.hidden] + [m, m, int(self.projection_dim)]
        return sum(a * b + b for a, b in zip(widths, widths[1:]))

    def _check_networks(self, encoder, projection, X):
        """Two rows through the networks: the representation's width, or a clear error."""
        try:
            R = encoder.forward(X[:2])
        except ValueError as error:
            raise ValueError(f"the encoder cannot take rows of {X.shape[1]} values: "
                             f"{error}") from None
        if R.ndim != 2:
            raise ValueError(f"the encoder returns {tuple(R.shape[1:])} values per sample; a "
                             "representation must be a vector (end the encoder with "
                             "nn.Flatten() or a Dense layer).")
        try:
            H = projection.forward(R)
        except ValueError as error:
            raise ValueError(f"the projection cannot take the encoder's {R.shape[1]} values: "
                             f"{error}") from None
        if H.ndim != 2:
            raise ValueError("the projection must return one vector per sample.")
        return int(R.shape[1])

    def _current_networks(self):
        check_is_fitted(self, "parameters_")
        cached = getattr(self, "_networks", None)
        if cached is None or cached[0] is not self.parameters_:
            self._networks = cached = (self.parameters_,) + self._networks_on(self.parameters_)
        return cached[1], cached[2]

    def _networks_for(self, X):
        """The networks in X's array module and dtype (a copy of the weights made for the
        call when ``parameters_`` lives elsewhere)."""
        theta = self.parameters_
        if array_module(theta) is array_module(X) and theta.dtype == X.dtype:
            return self._current_networks()
        return self._networks_on(self._like(theta, X))

    def _networks_on(self, theta):
        encoder, projection = self._build(int(self.n_features_in_), np.random.default_rng(0),
                                          theta.dtype)
        expected = sum(p.size for layer in encoder.layers_with_params()
                       + projection.layers_with_params() for p in layer.params.values())
        if theta.shape != (expected,):
            raise ValueError(f"parameters_ has shape {theta.shape}, but this architecture has "
                             f"{expected} parameters.")
        bind(encoder, projection, theta.dtype, theta=theta)
        return encoder, projection

    # --------------------------------------------------------------------- checks
    def _augmentation(self):
        if self.augment is None:
            return Compose([FeatureMask(0.2), GaussianNoise(0.1)])
        return self.augment

    def _clusterer(self, rng, backend):
        if self.clusterer is None:
            return KMeans(n_clusters=self.n_clusters, n_init=self.n_init, backend=backend,
                          random_state=int(rng.integers(2**31 - 1)))
        clusterer = clone(self.clusterer)
        if self.backend != "auto" and "backend" in clusterer.get_params(deep=False):
            clusterer.set_params(backend=backend)
        return clusterer

    def _check_X_for_fit(self, X):
        """X checked, in the dtype it trains in, with at least as many samples as clusters;
        the memory training needs checked (default networks)."""
        X = check_array(X)
        if self.dtype is not None:
            X = as_float_dtype(X, self.dtype)
        wanted = self.n_clusters if self.clusterer is None else getattr(
            self.clusterer, "n_clusters", None)
        if (isinstance(wanted, numbers.Integral) and not isinstance(wanted, bool)
                and wanted > X.shape[0]):
            raise ValueError(f"X has {X.shape[0]} samples but at least {wanted} are needed "
                             f"(one per cluster, n_clusters={wanted}).")
        n_params = self._count_parameters(X.shape[1])
        if n_params is not None:
            widest = max([X.shape[1], int(self.latent_dim)] + [int(h) for h in self.hidden])
            rows = 2 * min(int(self.batch_size), X.shape[0])
            total = (8 * n_params + 4 * rows * widest + rows * rows) * X.dtype.itemsize
            check_memory(total, f"ContrastiveClustering(hidden={tuple(self.hidden)}, "
                         f"latent_dim={self.latent_dim})",
                         f"its {n_params:,} parameters (with the copies training keeps) and "
                         "the activations and similarities of a batch of two views",
                         "use narrower layers or a smaller batch_size")
        return X

    def _check_params(self):
        for name in ("encoder", "projection"):
            network = getattr(self, name)
            if network is not None:
                layers_of(network, name)
        if self.augment is not None and not callable(self.augment):
            raise ValueError(f"augment must be a function augment(X, rng) (e.g. "
                             f"neuroclust.augment.GaussianNoise(0.1)), got "
                             f"{type(self.augment).__name__}.")
        check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        if self.clusterer is not None:
            for method in ("fit_predict", "get_params"):
                if not callable(getattr(self.clusterer, method, None)):
                    raise ValueError(f"clusterer must have a {method} method (e.g. KMeans()), "
                                     f"got {type(self.clusterer).__name__}.")
            if isinstance(self.clusterer, BaseEstimator) and callable(
                    getattr(self.clusterer, "_check_params", None)):
                self.clusterer._check_params()
        if isinstance(self.hidden, (str, bytes, dict, set)):
            raise ValueError(f"hidden must be a tuple of layer widths, got {self.hidden!r}.")
        try:
            hidden = tuple(self.hidden)
        except TypeError:
            raise ValueError(f"hidden must be a tuple of layer widths, got "
                             f"{self.hidden!r}.") from None
        for width in hidden:
            check_scalar(width, "each width in hidden", numbers.Integral, low=1)
        check_scalar(self.latent_dim, "latent_dim", numbers.Integral, low=1)
        check_scalar(self.projection_dim, "projection_dim", numbers.Integral, low=1)
        check_choice(self.activation, "activation", tuple(ACTIVATIONS))
        check_scalar(self.temperature, "temperature", low=0, low_inclusive=False)
        if not isinstance(self.normalize, (bool, np.bool_)):
            raise ValueError(f"normalize must be True or False, got {shown(self.normalize)}.")
        check_choice(self.optimizer, "optimizer", ("adam", "sgd"))
        check_scalar(self.learning_rate, "learning_rate", low=0, low_inclusive=False)
        check_scalar(self.weight_decay, "weight_decay", low=0)
        check_count(self.epochs, "epochs")
        check_scalar(self.batch_size, "batch_size", numbers.Integral, low=1)
        check_count(self.n_init, "n_init")
        if self.dtype is not None and (not isinstance(self.dtype, str)
                                       or self.dtype not in ("float32", "float64")):
            raise ValueError(f"dtype must be one of None (X's dtype), 'float32', 'float64', "
                             f"got {shown(self.dtype)}.")
        check_seed(self.random_state)
        check_verbose(self.verbose)
        check_callbacks(self.callbacks)
        check_choice(self.backend, "backend", ("auto", "numpy", "cython", "cupy"))

    # ------------------------------------------------------------- save and load
    def _json_extra(self):
        """An explicit encoder and head (their layers' classes and configs) and an augment
        made of neuroclust.augment objects."""
        extra = {}
        for name in ("encoder", "projection"):
            network = getattr(self, name)
            if network is not None:
                extra[name] = [[type(layer).__name__, layer.config()]
                               for layer in layers_of(network, name)]
        if isinstance(self.augment, Augmentation):
            extra["augment"] = [type(self.augment).__name__, self.augment.config()]
        return extra or None

    def _restore_extra(self, extra):
        for name in ("encoder", "projection"):
            if name in extra:
                layers = []
                for class_name, config in extra[name]:
                    cls = getattr(nn, class_name, None)
                    if not (isinstance(cls, type) and issubclass(cls, nn.Layer)):
                        raise ValueError(f"the saved {name} holds an unknown layer "
                                         f"{class_name!r}")
                    layers.append(cls(**config))
                setattr(self, name, nn.Sequential(layers))
        if "augment" in extra:
            self.augment = from_config(*extra["augment"])

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("parameters_", "n_features_in_", "latent_dim_", "clusterer_",
                          "labels_", "history_")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` runs this on every model it reads)."""
        state = FittedState(self)
        n_features = state.n_features()
        theta = state.parameter_vector(self.dtype)
        latent_dim = state.integer("latent_dim_", low=1, required=True)
        expected = self._count_parameters(n_features)
        if expected is not None and theta.size != expected:
            raise ValueError(f"parameters_ has {theta.size} values, but this architecture has "
                             f"{expected}.")
        encoder, projection = self._networks_on(theta)
        if self._check_networks(encoder, projection,
                                np.zeros((2, n_features), dtype=theta.dtype)) != latent_dim:
            raise ValueError(f"the encoder gives representations of another width than "
                             f"latent_dim_={latent_dim}.")
        self._networks = (theta, encoder, projection)
        clusterer = vars(self).get("clusterer_")
        if not isinstance(clusterer, BaseEstimator):
            raise ValueError("clusterer_ must be a fitted neuroclust estimator.")
        if vars(clusterer).get("n_features_in_", latent_dim) != latent_dim:
            raise ValueError(f"clusterer_ was fitted on {clusterer.n_features_in_} features, "
                             f"but the representations have latent_dim_={latent_dim}.")
        labels = state.labels(low=-1)
        if not np.array_equal(labels, vars(clusterer).get("labels_", labels)):
            raise ValueError("labels_ differ from clusterer_.labels_, the clusters the "
                             "representations were given.")
        state.history({"loss": "number", "alignment": "number"}, may_be_empty=("alignment",))


def encoder_dtype(encoder):
    """The dtype of a network's parameters (float64 when it has none)."""
    for layer in encoder.layers_with_params():
        for value in layer.params.values():
            return value.dtype
    return np.float64


def _check_views(augment, rows, rng):
    """One call of ``augment`` on two rows: it must give an array of their shape."""
    try:
        views = augment(rows, np.random.default_rng(rng.integers(2**63 - 1)))
    except ValueError as error:
        raise ValueError(f"augment cannot change rows of X: {error}") from None
    if getattr(views, "shape", None) != rows.shape:
        raise ValueError(f"augment must return an array of the batch's shape {rows.shape}, "
                         f"got {shown(getattr(views, 'shape', views))}.")


def _as_array_like(values, reference):
    """A clusterer's labels (an array, or a list from a foreign one) in ``reference``'s
    array module."""
    if array_module(values) is np:
        values = np.asarray(values)
    return to_module(values, array_module(reference))
