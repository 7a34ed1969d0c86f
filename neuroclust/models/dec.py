r"""Deep embedded clustering (DEC) and its improved form with a reconstruction term (IDEC).

The files a reader follows, in order: ``models/dec.py`` (this estimator) ->
``models/autoencoder.py`` (the pretrained network) -> ``nn/clustering.py`` (the clustering
layer, the target, the closed-form gradient) -> ``nn/losses.py``
(:class:`~neuroclust.nn.KLDivergence`) -> ``nn/training.py`` (the loop and its
``after_batch`` hook) -> ``docs/algorithms/dec.md`` ->
``tutorials/plot_08_deep_embedded_clustering.py``.

An autoencoder followed by k-means (:class:`~neuroclust.models.LatentClustering`) learns the
codes without knowing that they will be clustered. DEC goes on from there: it keeps the
encoder :math:`f_\theta` and trains it, together with the cluster centres, to make the
clusters in code space sharper. What is trained, and against what:

1. **pretrain** an autoencoder on X (skipped when a fitted one is given), and encode,
   :math:`z_i = f_\theta(x_i)`;
2. **start the centres** :math:`\mu_j` by k-means on the codes (``n_init=20`` runs, as in
   the paper);
3. **soft-assign** each code to the centres by Student's t kernel (:class:`~neuroclust.nn.
   ClusteringLayer`, eq. (2) there): :math:`q_{ij} \propto (1 + \|z_i - \mu_j\|^2 /
   \alpha)^{-(\alpha+1)/2}`;
4. **make a target** from the assignments themselves, sharper than them
   (:func:`~neuroclust.nn.dec_target`): :math:`p_{ij} \propto q_{ij}^2 / f_j`,
   :math:`f_j = \sum_i q_{ij}`. It is a self-training target: no label enters;
5. **train** the encoder's weights :math:`\theta` and the centres :math:`\mu_j` by mini-batch
   gradient descent on

   .. math:: L_c = \frac{1}{|B|} \sum_{i \in B} \sum_j p_{ij} \log\frac{p_{ij}}{q_{ij}},
             \tag{1}

   with :math:`P` held fixed (the gradient of eq. (1) through eq. (2) of the layer is
   derived there, and equals the paper's eqs. (4)-(5)); :math:`P` is recomputed from all
   of X every ``update_interval`` steps;
6. **stop** at a target update when the share of samples whose cluster
   :math:`\arg\max_j q_{ij}` changed since the previous update is below ``tol``:

   .. math:: \delta = \frac1n \sum_{i=1}^n [c_i^{\text{new}} \ne c_i^{\text{old}}] < tol,
             \tag{2}

   or after ``max_iter`` steps.

**IDEC** (``gamma`` a number) keeps the decoder :math:`g` and trains it too, so the codes
must still rebuild the data (the "local structure" the clustering loss alone may distort):

.. math:: L = L_r + \gamma L_c, \qquad
          L_r = \frac{1}{|B|\,d} \sum_{i \in B} \ell(g(z_i), x_i),                    \tag{3}

with :math:`\ell` the autoencoder's own per-sample loss (eq. (3) of
:mod:`~neuroclust.models.autoencoder`) divided by the :math:`d` features, i.e. the error per
feature, as the authors' code computes it, so their :math:`\gamma = 0.1` keeps its meaning.

References
----------
J. Xie, R. Girshick and A. Farhadi, "Unsupervised deep embedding for clustering analysis",
ICML 2016. X. Guo, L. Gao, X. Liu and J. Yin, "Improved deep embedded clustering with local
structure preservation", IJCAI 2017.
"""
import numbers

import numpy as np

from .._validation import (array_module, check_array, check_callbacks, check_choice,
                           check_count, check_is_fitted, check_n_features, check_random_state,
                           check_scalar, check_seed, check_verbose, shown)
from ..base import BaseEstimator, clone
from .. import nn
from ..nn.clustering import ClusteringLayer, dec_target
from ..persistence import FittedState
from .autoencoder import Autoencoder
from .kmeans import KMeans

__all__ = ["DEC"]

#: Rows encoded at once when DEC refreshes its target or answers a query. It bounds the
#: memory the encoder's hidden layers take on large data, and keeps each layer's block of
#: activations (2,048 x 2,000 float32 in the papers' network: 16 MiB) under the size above
#: which the C allocator maps fresh pages for every array and frees them after, so that the
#: blocks of one chunk are reused by the next instead of being faulted in afresh (8,192 rows
#: made a DEC epoch on 70,000 x 784 about 20% slower).
CHUNK = 2048


class DEC(BaseEstimator):
    r"""Deep embedded clustering (and IDEC with ``gamma``): an encoder fine-tuned to cluster.

    Parameters
    ----------
    autoencoder : Autoencoder or None, default=None
        The network whose encoder DEC trains. Never changed: DEC works on a copy
        (``autoencoder_``). A **fitted** autoencoder is taken as the pretrained network (its
        weights copied); an **unfitted** one is first trained on X (its ``random_state``,
        when None, drawn from this model's). None is ``Autoencoder()`` with this model's
        seed; the papers use ``hidden=(500, 500, 2000), latent_dim=10``.
    n_clusters : int >= 1, default=8
    alpha : float > 0, default=1.0
        The degrees of freedom of the Student's t kernel (1 in both papers).
    gamma : float > 0 or None, default=None
        None: DEC, the loss of eq. (1), the decoder dropped. A number: IDEC, the loss of
        eq. (3), :math:`L_r + \gamma L_c`, training the decoder too; its authors use 0.1.
    update_interval : int >= 1, default=140
        :math:`T`, the optimizer steps between two target updates (the authors' code uses
        140 on MNIST, 30 on USPS).
    tol : float in [0, 1], default=0.001
        The stopping threshold of eq. (2) (0.1 %, as in the paper).
    max_iter : int >= 1, default=20000
        The most optimizer steps (mini-batches) of the clustering phase.
    batch_size : int >= 1, default=256
    optimizer : {"sgd", "adam"}, default="sgd"
        SGD with ``momentum`` (the DEC authors' code), or Adam (the IDEC authors' on MNIST).
    learning_rate : float > 0, default=0.01
    momentum : float in [0, 1), default=0.9
        SGD only.
    n_init : int >= 1, default=20
        The k-means runs that start the centres; the best (lowest inertia) is kept.
    random_state : int, numpy.random.Generator or None
        Seeds the pretraining (of an autoencoder without its own seed), k-means and the
        order of the mini-batches.
    verbose : "auto", bool or int, default="auto"
        A progress bar: ``"auto"`` shows it on a terminal or in a notebook once training has
        run a few seconds (never in a pipe or a log file); ``True`` always, ``False`` never;
        ``2`` also prints a line per epoch.
    callbacks : list of callable, optional
        Called as ``callback(dec, epoch)`` after each epoch of the clustering phase (the
        model can be queried there); returning ``False`` stops training.
    backend : {"auto", "numpy", "cython", "cupy"}, default="auto"
        The kernels of the k-means start.

    Attributes
    ----------
    autoencoder_ : Autoencoder
        The copy of the autoencoder after the clustering phase: its encoder is DEC's
        :math:`f_\theta` (and, for IDEC, its decoder was trained too).
    cluster_centers_ : ndarray of shape (n_clusters, latent_dim\_)
        The centres :math:`\mu_j` in code space.
    labels_ : ndarray of shape (n_samples,)
        :math:`\arg\max_j q_{ij}` of each training sample after training.
    history_ : dict of lists
        Per epoch of the clustering phase: ``"loss"`` (eq. (1), or eq. (3) for IDEC), ``"kl"``
        (:math:`L_c`) and, for IDEC, ``"reconstruction"`` (:math:`L_r`), each the mean over
        the epoch's batches (the last epoch may end early). Per target update:
        ``"changed"``, the share :math:`\delta` of eq. (2) (the first update, at step 0,
        compares with the k-means labels).
    n_iter_ : int
        The optimizer steps taken.
    converged_ : bool
        Whether eq. (2) stopped training (rather than ``max_iter``, a callback, divergence or
        Ctrl-C).
    n_features_in_ : int
    """

    _params_fixed_by_fit = ("n_clusters", "alpha", "gamma")

    def __init__(self, autoencoder=None, n_clusters=8, alpha=1.0, gamma=None,
                 update_interval=140, tol=0.001, max_iter=20000, batch_size=256,
                 optimizer="sgd", learning_rate=0.01, momentum=0.9, n_init=20,
                 random_state=None, verbose="auto", callbacks=None, backend="auto"):
        self.autoencoder = autoencoder
        self.n_clusters = n_clusters
        self.alpha = alpha
        self.gamma = gamma
        self.update_interval = update_interval
        self.tol = tol
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.n_init = n_init
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.backend = backend

    # ------------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Pretrain (if needed), start the centres by k-means, then train on eq. (1) or (3).

        ``y`` is ignored: no label is used anywhere."""
        self._check_params()
        rng = check_random_state(self.random_state)
        given = X
        autoencoder, X = self._autoencoder_for(X, rng)     # every check before any work
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"X has {X.shape[0]} samples but at least {self.n_clusters} are "
                             f"needed (one per cluster, n_clusters={self.n_clusters}).")
        backend = self._backend_for(X)
        if "parameters_" not in vars(autoencoder):
            autoencoder.fit(given)                                                   # step 1
        encoder, decoder = autoencoder._current_networks()
        codes = _encode(encoder, X)
        kmeans = KMeans(n_clusters=self.n_clusters, n_init=self.n_init, backend=backend,
                        random_state=int(rng.integers(2**31 - 1)))
        start = kmeans.fit_predict(codes)                                        # step 2
        clustering = ClusteringLayer(self.n_clusters, codes.shape[1], alpha=self.alpha,
                                     centers=kmeans.cluster_centers_, dtype=X.dtype)
        clustering._follow(X)
        network, loss, target = self._training_problem(autoencoder, encoder, decoder,
                                                       clustering, X)
        # the model is queryable from here on (a callback may look at it mid-training)
        self.autoencoder_, self.n_features_in_ = autoencoder, X.shape[1]
        self.cluster_centers_ = clustering.params["centers"]
        refresh = _TargetRefresh(self, encoder, clustering, X, target, start)
        refresh(0)                                                               # steps 3, 4
        optimizer = (nn.SGD(self.learning_rate, momentum=self.momentum)
                     if self.optimizer == "sgd" else nn.Adam(self.learning_rate))
        steps_per_epoch = -(-X.shape[0] // self.batch_size)
        callbacks = [lambda _network, epoch, callback=callback: callback(self, epoch)
                     for callback in self.callbacks or ()]
        history = nn.train(network, loss, optimizer, X, target,                     # step 5
                           epochs=-(-self.max_iter // steps_per_epoch),
                           batch_size=self.batch_size, random_state=rng,
                           verbose=self.verbose, callbacks=callbacks, after_batch=refresh)
        history.pop("best_epoch")
        history.pop("val_loss")
        if self.gamma is None:
            history["kl"] = list(history["loss"])
        history["changed"] = refresh.changed
        self.history_ = history
        self.n_iter_, self.converged_ = refresh.steps, refresh.converged
        self.cluster_centers_ = clustering.params["centers"].copy()
        self.labels_ = _soft_assignments(encoder, clustering, X).argmax(axis=1)
        return self

    def _autoencoder_for(self, X, rng):
        """The copy of ``autoencoder`` DEC trains, and X checked for it (flattened samples
        in the dtype they train in). A fitted autoencoder's weights are copied, in X's
        dtype and array module; an unfitted one is checked here and trained by fit."""
        given = self.autoencoder
        if given is None:
            given = Autoencoder(random_state=int(rng.integers(2**31 - 1)))
        autoencoder = clone(given)
        if "parameters_" not in vars(given):
            if autoencoder.random_state is None:
                autoencoder.random_state = int(rng.integers(2**31 - 1))
            autoencoder._check_params()
            X = autoencoder._check_X_for_fit(X)[0]
            self._check_reconstruction_data(autoencoder, X)
            return autoencoder, X
        for name in given._fitted_attributes:               # the fitted state, copied
            if name in vars(given):
                value = getattr(given, name)
                setattr(autoencoder, name, {key: list(item) for key, item in value.items()}
                        if isinstance(value, dict) else value)
        X = given._check_X(X)
        autoencoder.parameters_ = autoencoder._like(given.parameters_, X).copy()
        autoencoder._remember_fit_params()
        X = X.reshape(X.shape[0], -1)
        self._check_reconstruction_data(autoencoder, X)
        return autoencoder, X

    def _check_reconstruction_data(self, autoencoder, X):
        if self.gamma is not None and autoencoder.loss == "bce" and (X.min() < 0
                                                                     or X.max() > 1):
            raise ValueError("X must hold values in [0, 1] for IDEC with an autoencoder of "
                             "loss='bce'; scale it, e.g. divide by its maximum.")

    def _training_problem(self, autoencoder, encoder, decoder, clustering, X):
        """(network, loss, target) for nn.train: DEC's encoder + clustering layer on eq. (1)
        with the target P; IDEC's network that also decodes, on eq. (3), with [P | X]."""
        K = self.n_clusters
        target = array_module(X).zeros((X.shape[0], K), dtype=X.dtype)
        if self.gamma is None:
            return nn.Sequential(encoder.layers + [clustering]), nn.KLDivergence(), target
        layers = decoder.layers[:-1] if autoencoder.loss == "bce" else decoder.layers
        reconstruction = autoencoder._loss(autoencoder._input_shape())
        network = _EncodeClusterDecode(encoder, clustering, nn.Sequential(layers))
        loss = _IDECLoss(K, float(self.gamma), reconstruction, X.shape[1])
        target = array_module(X).concatenate([target, X], axis=1)
        return network, loss, target

    def fit_predict(self, X, y=None):
        """Fit, then return the cluster of each training sample."""
        return self.fit(X).labels_

    # -------------------------------------------------------------------- queries
    def transform(self, X):
        """The codes :math:`z = f_\\theta(x)`, shape (n_samples, latent_dim)."""
        check_is_fitted(self, "cluster_centers_")
        autoencoder = self.autoencoder_
        if autoencoder.kind != "conv1d" and not autoencoder._explicit():   # rows of features
            X = check_array(X)
            check_n_features(X, self.n_features_in_, owner=type(self).__name__)
        return self.autoencoder_.transform(X)

    def predict_proba(self, X):
        """The soft assignments :math:`q_{ij}` (eq. (2) of :class:`~neuroclust.nn.
        ClusteringLayer`), shape (n_samples, n_clusters), rows summing to 1."""
        Z = self.transform(X)
        layer = ClusteringLayer(self.n_clusters, Z.shape[1], alpha=self.alpha,
                                centers=self._like(self.cluster_centers_, Z), dtype=Z.dtype)
        return _in_chunks(layer.forward, Z)

    def predict(self, X):
        """The cluster :math:`\\arg\\max_j q_{ij}` of each sample."""
        return self.predict_proba(X).argmax(axis=1)

    def __sklearn_tags__(self):
        """scikit-learn's tags: the codes come out in the autoencoder's dtype."""
        tags = super().__sklearn_tags__()
        autoencoder = self.autoencoder if isinstance(self.autoencoder, Autoencoder) else (
            Autoencoder())
        tags.transformer_tags.preserves_dtype = list(
            autoencoder.__sklearn_tags__().transformer_tags.preserves_dtype)
        return tags

    # --------------------------------------------------------------------- checks
    def _check_params(self):
        if self.autoencoder is not None and not isinstance(self.autoencoder, Autoencoder):
            raise ValueError(f"autoencoder must be an Autoencoder or None, got "
                             f"{type(self.autoencoder).__name__}.")
        check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        check_scalar(self.alpha, "alpha", low=0, low_inclusive=False)
        if self.gamma is not None:
            check_scalar(self.gamma, "gamma", low=0, low_inclusive=False)
        check_count(self.update_interval, "update_interval")
        check_scalar(self.tol, "tol", low=0, high=1)
        check_count(self.max_iter, "max_iter")
        check_scalar(self.batch_size, "batch_size", numbers.Integral, low=1)
        check_choice(self.optimizer, "optimizer", ("sgd", "adam"))
        check_scalar(self.learning_rate, "learning_rate", low=0, low_inclusive=False)
        check_scalar(self.momentum, "momentum", low=0, high=1, high_inclusive=False)
        check_count(self.n_init, "n_init")
        check_seed(self.random_state)
        check_verbose(self.verbose)
        check_callbacks(self.callbacks)
        check_choice(self.backend, "backend", ("auto", "numpy", "cython", "cupy"))

    # The attributes a model file may set (neuroclust.load refuses any other).
    _fitted_attributes = ("autoencoder_", "cluster_centers_", "labels_", "history_",
                          "n_iter_", "converged_", "n_features_in_")

    def _check_fitted_state(self):
        """ValueError unless the fitted attributes agree with each other and the parameters
        (:func:`neuroclust.load` checks every model it reads with this, after the nested
        autoencoder with its own)."""
        state = FittedState(self)
        n_features = state.n_features()
        autoencoder = vars(self).get("autoencoder_")
        if not isinstance(autoencoder, Autoencoder) or "parameters_" not in vars(autoencoder):
            raise ValueError("autoencoder_ must be a fitted Autoencoder.")
        if autoencoder.n_features_in_ != n_features:
            raise ValueError(f"autoencoder_ takes {autoencoder.n_features_in_} features, but "
                             f"n_features_in_={n_features}.")
        centres = state.array("cluster_centers_", [("n_clusters", self.n_clusters),
                                                   ("latent_dim_", autoencoder.latent_dim_)],
                              required=True)
        if centres.dtype != autoencoder.parameters_.dtype:
            raise ValueError(f"cluster_centers_ holds {centres.dtype} numbers, but the "
                             f"autoencoder_'s weights are {autoencoder.parameters_.dtype}.")
        state.labels(high=self.n_clusters - 1)
        state.integer("n_iter_", low=0, required=True)
        if not isinstance(vars(self).get("converged_"), (bool, np.bool_)):
            raise ValueError(f"converged_ must be True or False, got "
                             f"{shown(vars(self).get('converged_'))}.")
        history = vars(self).get("history_")
        if not isinstance(history, dict) or "changed" not in history:
            raise ValueError("history_ must be a dict holding the list 'changed'.")
        changed = history["changed"]
        if (not isinstance(changed, list) or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 <= v <= 1
                for v in changed)):
            raise ValueError("history_['changed'] must be a list of shares in [0, 1].")
        lists = {"loss": "number", "kl": "number"}
        if self.gamma is not None:
            lists["reconstruction"] = "number"
        self.history_ = {key: value for key, value in history.items() if key != "changed"}
        try:
            state.history(lists)
        finally:
            self.history_ = history


class _TargetRefresh:
    """nn.train's ``after_batch`` hook: every ``update_interval`` steps, Q on all of X, the
    share changed (eq. (2)), the new target P written into the training target in place;
    False (stop) when eq. (2) holds or at ``max_iter``."""

    def __init__(self, model, encoder, clustering, X, target, start):
        self.model, self.encoder, self.clustering, self.X = model, encoder, clustering, X
        self.target, self.last = target, start
        self.changed, self.steps, self.converged = [], 0, False

    def __call__(self, step):
        model = self.model
        self.steps = step
        if step % model.update_interval == 0:
            Q = _soft_assignments(self.encoder, self.clustering, self.X)
            labels = Q.argmax(axis=1)
            xp = array_module(labels)
            share = float(xp.mean(labels != xp.asarray(self.last)))                 # eq. (2)
            self.changed.append(share)
            self.last = labels
            self.target[:, :model.n_clusters] = dec_target(Q)
            if step > 0 and share < model.tol:
                self.converged = True
                return False
        return False if step >= model.max_iter else None


def _encode(encoder, X):
    return _in_chunks(encoder.forward, X)


def _soft_assignments(encoder, clustering, X):
    """Q of every row of X, in chunks."""
    return _in_chunks(lambda rows: clustering.forward(encoder.forward(rows)), X)


def _in_chunks(function, X):
    """``function`` of the rows of X (checked by fit or the query), CHUNK rows at a time."""
    xp = array_module(X)
    with nn.data_already_checked():
        if X.shape[0] <= CHUNK:
            return function(X)
        return xp.concatenate([function(X[start:start + CHUNK])
                               for start in range(0, X.shape[0], CHUNK)])


class _EncodeClusterDecode(nn.Layer):
    """IDEC's network: the codes go both to the clustering layer and to the decoder; the
    output is [Q | X_hat] side by side, and backward adds the two gradients at the codes."""

    def __init__(self, encoder, clustering, decoder):
        super().__init__()
        self.encoder, self.clustering, self.decoder = encoder, clustering, decoder
        self._k = clustering.params["centers"].shape[0]

    def layers_with_params(self):
        return (self.encoder.layers_with_params() + [self.clustering]
                + self.decoder.layers_with_params())

    def forward(self, x, training=False):
        Z = self.encoder.forward(x, training=training)
        Q = self.clustering.forward(Z, training=training)
        X_hat = self.decoder.forward(Z, training=training)
        return array_module(Q).concatenate([Q, X_hat.reshape(X_hat.shape[0], -1)], axis=1)

    def backward(self, dy):
        return self.encoder.backward(self._code_gradient(dy))

    def backward_params(self, dy):
        self.encoder.backward_params(self._code_gradient(dy))

    def _code_gradient(self, dy):
        return (self.clustering.backward(dy[:, :self._k])
                + self.decoder.backward(dy[:, self._k:]))         # the chain rule at a fork


class _IDECLoss(nn.Loss):
    r"""Eq. (3): :math:`L_r + \gamma L_c` on [Q | X_hat] against [P | X]; reports both
    terms in ``terms_`` (nn.train records them)."""

    def __init__(self, n_clusters, gamma, reconstruction, n_features):
        super().__init__()
        self.k, self.gamma, self.n_features = n_clusters, gamma, n_features
        self.kl, self.reconstruction = nn.KLDivergence(), reconstruction
        self.terms_ = None

    def forward(self, prediction, target):
        k = self.k
        kl = self.kl.forward(prediction[:, :k], target[:, :k])                   # eq. (1)
        rec = self.reconstruction.forward(prediction[:, k:], target[:, k:]) / self.n_features
        self.terms_ = {"kl": kl, "reconstruction": rec}
        self._cache = True
        return rec + self.gamma * kl                                              # eq. (3)

    def backward(self):
        self._cached()
        xp = array_module(self.kl._cached()[0])
        return xp.concatenate([self.gamma * self.kl.backward(),
                               self.reconstruction.backward() / self.n_features], axis=1)
