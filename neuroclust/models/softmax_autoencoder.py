r"""An autoencoder whose code is K softmax units and whose decoder is linear: a clustering?

The files a reader follows, in order: ``models/softmax_autoencoder.py`` (this estimator) ->
``models/autoencoder.py`` (what it inherits: fitting, queries, saving) ->
``models/_architecture.py`` (the encoder it reuses) -> ``nn/activations.py`` (the softmax with
a temperature) -> ``nn/entropy.py`` (the entropy term) -> ``nn/training.py`` (the epoch loop)
-> ``docs/algorithms/softmax_autoencoder.md`` ->
``tutorials/plot_09_softmax_bottleneck.py``.

Squeeze each sample through :math:`K` units whose values are positive and sum to one, and
rebuild it with one linear layer. The reconstruction is then a weighted average of :math:`K`
fixed vectors, the decoded one-hot codes: if each code is (nearly) one-hot, every sample is
rebuilt as one of :math:`K` prototypes and the squared error is k-means' objective. The
network is a clustering exactly as far as its codes are hard, which this module lets one
measure and push (question 16 of the learners' questions).

The algorithm, in the order it runs:

1. the **encoder** is that of :class:`~neuroclust.models.Autoencoder` with ``latent_dim=K``
   (dense layers of widths ``hidden``, each followed by :math:`\varphi`, then a linear
   layer): it gives :math:`K` logits per sample,

   .. math:: a = f_{\text{enc}}(x) \in \mathbb R^K ;                                  \tag{1}

2. the **code** is their softmax at temperature :math:`\tau` (:class:`~neuroclust.nn.Softmax`),
   a point of the simplex,

   .. math:: q_k = \frac{e^{a_k / \tau}}{\sum_{l=1}^K e^{a_l / \tau}} ;                \tag{2}

3. the **decoder** is one linear layer (:class:`~neuroclust.nn.Dense`, Glorot start), then
   :math:`\psi` (the identity, or the sigmoid for ``loss="bce"``):

   .. math:: \hat x = \psi\Big(\sum_{k=1}^K q_k\, w_k + b\Big), \qquad
             w_k = \text{row } k \text{ of } W \in \mathbb R^{K \times d} ;              \tag{3}

4. the **loss** is the Autoencoder's reconstruction loss :math:`\ell_i` (eq. (3) of
   :class:`~neuroclust.models.Autoencoder`) plus ``entropy_weight`` :math:`\lambda` times the mean
   entropy of the codes (:class:`~neuroclust.nn.EntropyPenalty`), which favours one-hot codes:

   .. math:: L = \frac{1}{|B|} \sum_{i \in B} \Big(\ell_i
             - \lambda \sum_{k=1}^K q_{ik} \log q_{ik}\Big) ;                           \tag{4}

5. **backpropagate** eq. (4) (the softmax's Jacobian-vector product, eq. (2) of
   :class:`~neuroclust.nn.Softmax`; the entropy's gradient, eq. (3) of
   :class:`~neuroclust.nn.EntropyPenalty`) and take Adam or SGD steps for ``epochs`` passes
   over shuffled mini-batches (:func:`~neuroclust.nn.train`);
6. afterwards a sample's **cluster** is its largest code unit, and a cluster's
   **prototype** is the decoding of its one-hot code :math:`e_k`, in input space:

   .. math:: \text{label}(x) = \arg\max_k q_k(x), \qquad
             c_k = \psi(e_k W + b) = \psi(w_k + b).                                       \tag{5}

With :math:`\psi` the identity and one-hot codes, eq. (4) is :math:`\frac1n\sum_i
\|x_i - c_{\text{label}(i)}\|^2`, the k-means inertia per sample (with :math:`\lambda = 0`): the
best prototypes are the cluster means. Soft codes can do better than any one prototype by
mixing several (a sample between two prototypes is rebuilt on the segment joining them), so
nothing forces hard codes, and then the prototypes need not be the means: the tutorial
measures both.

References
----------
Y. Grandvalet and Y. Bengio, "Semi-supervised learning by entropy minimization", NIPS 2004.
G. E. Hinton and R. S. Zemel, "Autoencoders, minimum description length and Helmholtz free
energy", NIPS 1993 (an autoencoder whose code is a competitive, vector-quantising layer).
"""
import numbers

import numpy as np

from .._validation import check_choice, check_is_fitted, check_scalar
from .. import nn
from ..persistence import FittedState
from ._architecture import build_networks
from .autoencoder import Autoencoder

__all__ = ["SoftmaxAutoencoder"]


class SoftmaxAutoencoder(Autoencoder):
    r"""An autoencoder with a code of ``n_clusters`` softmax units and a linear decoder.

    ``predict`` gives each sample's largest code unit, ``predict_proba`` (and ``transform``)
    the code itself, and ``cluster_centers_`` the decoded one-hot codes, eq. (5).

    Parameters
    ----------
    n_clusters : int >= 1, default=8
        :math:`K`, the number of code units (and so of clusters at most).
    hidden : tuple of int, default=(256, 64)
        The widths of the encoder's hidden layers, input side first; ``()`` makes the logits
        a linear function of the input. The decoder has no hidden layer.
    temperature : float > 0, default=1.0
        :math:`\tau` of eq. (2). The encoder's last layer can scale its logits by itself, so
        :math:`\tau` changes no model that can be learned; it changes where training starts
        and how far one step moves the codes: a small :math:`\tau` starts from nearly one-hot
        codes, which on well-separated groups stay hard (a clustering), 1 from soft ones
        (measured in ``tutorials/plot_09_softmax_bottleneck.py``).
    entropy_weight : float >= 0, default=0.0
        :math:`\lambda` of eq. (4): 0 leaves the codes free to mix units; larger values push each
        code towards one-hot.
    activation : {"relu", "leaky_relu", "tanh", "sigmoid"}, default="relu"
        :math:`\varphi` of the encoder's hidden layers.
    output_activation : {None, "sigmoid"}, default=None
        :math:`\psi` of eq. (3).
    loss : {"mse", "bce"}, default="mse"
        The reconstruction loss :math:`\ell_i` of eq. (4); "bce" needs
        ``output_activation="sigmoid"`` and X in [0, 1].
    optimizer, learning_rate, weight_decay, epochs, batch_size
        As for :class:`~neuroclust.models.Autoencoder`.
    validation_split, patience, dtype, random_state, verbose, callbacks
        As for :class:`~neuroclust.models.Autoencoder`; ``callbacks`` are called as
        ``callback(model, epoch)``.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_samples,)
        The cluster of each training sample, eq. (5), with the final weights.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The decoded one-hot codes :math:`c_k` of eq. (5), computed from ``parameters_``.
    history_ : dict of lists
        ``"loss"``: eq. (4) per epoch (the mean over the epoch's batches);
        ``"reconstruction"``: its first term, the mean :math:`\ell_i`; ``"entropy"``: the
        mean entropy of the codes (without :math:`\lambda`), between 0 (one-hot) and
        :math:`\log K` (uniform); ``"val_loss"``: eq. (4) on the validation samples (empty
        without a validation split).
    encoder_ : neuroclust.nn.Sequential
        As for :class:`~neuroclust.models.Autoencoder`, ending with the softmax and the
        entropy layer.
    decoder_ : neuroclust.nn.Sequential
        The linear decoder of eq. (3).
    latent_dim_ : int
        The width of the code: ``n_clusters``.
    parameters_ : ndarray of shape (n_params,)
        As for :class:`~neuroclust.models.Autoencoder`.
    best_epoch_ : int or None
        As for :class:`~neuroclust.models.Autoencoder`.
    n_features_in_ : int
        The number of features seen in ``fit``.
    dtype_ : numpy.dtype
        As for :class:`~neuroclust.models.Autoencoder`.

    Examples
    --------
    >>> from neuroclust import SoftmaxAutoencoder, datasets
    >>> X, y = datasets.make_five_centroids(random_state=0)
    >>> model = SoftmaxAutoencoder(n_clusters=5, hidden=(16,), epochs=2, random_state=0).fit(X)
    >>> model.predict_proba(X).shape, model.cluster_centers_.shape
    ((500, 5), (5, 3))
    """

    # The Autoencoder's architecture parameters this model does not offer (its own code and
    # decoder are fixed): class attributes, so the inherited checks and builders read them.
    kind, channels, kernel_size, global_pool = "dense", (8, 16), 5, False
    encoder = decoder = None

    _params_fixed_by_fit = ("n_clusters", "hidden", "temperature", "activation",
                            "output_activation", "loss", "dtype")
    _history_lists = ("loss", "val_loss", "reconstruction", "entropy")
    _fitted_attributes = Autoencoder._fitted_attributes + ("labels_",)

    def __init__(self, n_clusters=8, hidden=(256, 64), temperature=1.0, entropy_weight=0.0,
                 activation="relu", output_activation=None, loss="mse", optimizer="adam",
                 learning_rate=1e-3, weight_decay=0.0, epochs=20, batch_size=256,
                 validation_split=0.0, patience=None, dtype=None, random_state=None,
                 verbose="auto", callbacks=None):
        self.n_clusters = n_clusters
        self.hidden = hidden
        self.temperature = temperature
        self.entropy_weight = entropy_weight
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
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

    #: the parameter that sets the code's width, as error messages name it
    _code_parameter = "n_clusters"

    @property
    def latent_dim(self):
        """The width of the code: ``n_clusters`` (what the inherited code calls it)."""
        return self.n_clusters

    # ------------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Train on ``X`` of shape (n_samples, n_features) by lowering eq. (4); returns self."""
        super().fit(X)                                          # eqs. (1), (2), (3), (4)
        self.history_ = self._named_history(self.history_)
        self._after_fit(X)
        return self

    def _named_history(self, history):
        # nn.train names the reconstruction loss "data_loss"; an epoch that never completed
        # leaves no entry at all
        return {"loss": history["loss"], "val_loss": history["val_loss"],
                "reconstruction": history.get("data_loss", []),
                "entropy": history.get("entropy", [])}

    def _after_fit(self, X):
        """The labels of the samples trained on (of the last chunk, when streamed)."""
        self.labels_ = self.predict(X)

    def fit_predict(self, X, y=None):
        """Fit, then return the cluster of each training sample (``labels_``)."""
        return self.fit(X).labels_

    # -------------------------------------------------------------------- queries
    def transform(self, X):
        """The codes :math:`q` of eq. (2), shape (n_samples, n_clusters): rows on the
        simplex."""
        return super().transform(X)

    def predict_proba(self, X):
        """The codes :math:`q` of eq. (2), read as each sample's share in each cluster; shape
        (n_samples, n_clusters), rows summing to 1."""
        return self.transform(X)

    def predict(self, X):
        """The cluster of each sample, its largest code unit, eq. (5) (ties: the lowest
        index)."""
        return self.transform(X).argmax(axis=1)                                   # eq. (5)

    @property
    def cluster_centers_(self):
        """The decoded one-hot codes :math:`c_k = \\psi(w_k + b)` of eq. (5), shape
        (n_clusters, ``n_features_in_``), in the model's dtype."""
        check_is_fitted(self, "parameters_")
        one_hot = np.eye(int(self.latent_dim_), dtype=self.dtype_)
        return np.asarray(self.inverse_transform(one_hot))                        # eq. (5)

    # ------------------------------------------------------------ the architecture
    def _build(self, input_shape, rng, dtype):
        """The encoder of eqs. (1), (2) with the entropy term, and the decoder of eq. (3).

        The encoder is the Autoencoder's, to ``n_clusters`` logits (its mirrored decoder is
        left unused); the random draws of the linear decoder follow."""
        encoder = build_networks(self, input_shape, rng, dtype)[0]               # eq. (1)
        code = [nn.Softmax(self.temperature),                                      # eq. (2)
                nn.EntropyPenalty(self.entropy_weight)]
        decoder = [nn.Dense(int(self.n_clusters), input_shape[0], init="glorot",
                            random_state=rng, dtype=dtype)]                        # eq. (3)
        if self.output_activation == "sigmoid":
            decoder.append(nn.Sigmoid())
        return nn.Sequential(encoder.layers + code), nn.Sequential(decoder)

    def _count_parameters(self, n_features):
        """The parameters :meth:`_build` makes, counted without building them."""
        widths = [n_features] + [int(h) for h in self.hidden] + [int(self.n_clusters)]
        encoder = sum(a * b + b for a, b in zip(widths, widths[1:]))
        return encoder + int(self.n_clusters) * n_features + n_features

    def _check_X_for_fit(self, X):
        """As the Autoencoder's, and at least one sample per cluster."""
        X, input_shape = super()._check_X_for_fit(X)
        if X.shape[0] < int(self.n_clusters):
            raise ValueError(f"X has {X.shape[0]} samples, fewer than n_clusters="
                             f"{self.n_clusters}; it needs at least one per cluster.")
        return X, input_shape

    def _check_params(self):
        check_scalar(self.n_clusters, "n_clusters", numbers.Integral, low=1)
        check_scalar(self.temperature, "temperature", low=0, low_inclusive=False)
        check_scalar(self.entropy_weight, "entropy_weight", low=0)
        check_choice(self.loss, "loss", ("mse", "bce"))
        super()._check_params()

    def _check_fitted_state(self):
        """The Autoencoder's checks, and ``labels_`` must be cluster indices."""
        super()._check_fitted_state()
        FittedState(self).labels(high=int(self.n_clusters) - 1)
