r"""A variational autoencoder: an autoencoder whose codes are Gaussians pulled towards N(0, I).

The files a reader follows, in order: ``models/vae.py`` (this estimator) ->
``models/autoencoder.py`` (what it inherits: fitting, queries, saving) ->
``models/_architecture.py`` (its networks) -> ``nn/variational.py`` (the Gaussian
bottleneck: the sample and the KL term with their gradients) -> ``nn/training.py`` (the
epoch loop, which adds the KL to the loss) -> ``models/latent.py`` (clustering the means) ->
``docs/algorithms/vae.md`` -> ``tutorials/plot_07_variational_autoencoder.py``.

A plain autoencoder maps each sample to one point and may scatter the codes anywhere that
rebuilds well; nothing says what lies *between* two codes. A variational autoencoder
(Kingma and Welling 2014) maps each sample to a Gaussian :math:`q(z \mid x) =
N(\mu(x), \operatorname{diag}\sigma^2(x))`, trains the decoder on codes drawn from it, and
charges the divergence of that Gaussian from the prior :math:`p(z) = N(0, I)`. Codes near one
another must then decode to similar samples (each sample is decoded from a cloud of codes
around its mean), and the codes of all samples fill the region around the origin that the
prior covers, from which new samples can be decoded.

The algorithm, in the order it runs:

1. the **encoder** is that of :class:`~neuroclust.models.Autoencoder` (dense layers of
   widths ``hidden``, or strided convolutions with ``kind="conv1d"``), except that its last
   dense layer gives :math:`2m` values per sample: the means :math:`\mu` and the
   log-variances :math:`\lambda = \log\sigma^2` (so :math:`\sigma = e^{\lambda/2}`),

   .. math:: (\mu, \lambda) = f_{\text{enc}}(x);                                     \tag{1}

2. the **code** is drawn by the reparameterisation, with noise :math:`\varepsilon \sim
   N(0, I)` from ``random_state``, by :class:`~neuroclust.nn.VariationalBottleneck` (the
   encoder's last layer); when not training (``transform``, ``reconstruct``, the
   validation loss) it is the mean:

   .. math:: z = \mu + \sigma \odot \varepsilon ;                                    \tag{2}

3. the **decoder** is the Autoencoder's, from :math:`m` codes back to the :math:`d`
   features, :math:`\hat x = f_{\text{dec}}(z)` (ending in a sigmoid for ``loss="bce"``);

4. the **loss** is the negative evidence lower bound, per sample, averaged over the batch:
   the reconstruction loss :math:`\ell_i` of :class:`~neuroclust.models.Autoencoder`'s
   eq. (3) (the squared error summed over features, or the binary cross-entropy) plus
   :math:`\beta` times the KL divergence from the prior, in closed form,

   .. math:: L = \frac{1}{|B|} \sum_{i \in B} \Big(\ell_i + \beta\,
             \tfrac12 \sum_{j=1}^m \big(\mu_{ij}^2 + \sigma_{ij}^2 - 1
             - \log \sigma_{ij}^2\big)\Big) ;                                        \tag{3}

   with ``loss="bce"``, :math:`\ell_i = -\log p(x_i \mid z_i)` for a Bernoulli decoder, so
   :math:`L` at :math:`\beta = 1` is the negative ELBO estimated with one draw of
   :math:`z`; with ``loss="mse"``, :math:`\ell_i` is :math:`-\log p(x_i \mid z_i)` of a
   Gaussian decoder of variance :math:`\tfrac12` per feature, up to a constant;
5. **backpropagate** eq. (3) (the bottleneck adds the KL's gradient, eq. (5) of
   :class:`~neuroclust.nn.VariationalBottleneck`) and take Adam or SGD steps, for
   ``epochs`` passes over shuffled mini-batches (:func:`~neuroclust.nn.train`);
6. afterwards :meth:`~VariationalAutoencoder.transform` gives the means :math:`\mu`,
   :meth:`~VariationalAutoencoder.encode` the means and log-variances,
   :meth:`~VariationalAutoencoder.sample` decodes draws from the prior,

   .. math:: z \sim N(0, I), \qquad \hat x = f_{\text{dec}}(z).                     \tag{4}

References
----------
D. P. Kingma and M. Welling, "Auto-encoding variational Bayes", ICLR 2014 (arXiv:1312.6114).
I. Higgins et al., "beta-VAE: learning basic visual concepts with a constrained variational
framework", ICLR 2017.
"""
import numbers

from .._validation import (check_choice, check_count, check_is_fitted, check_random_state,
                           check_scalar)
from .. import nn
from ._architecture import build_networks, copied, count_parameters
from .autoencoder import Autoencoder

__all__ = ["VariationalAutoencoder"]


class VariationalAutoencoder(Autoencoder):
    r"""A variational autoencoder: ``transform`` gives the means of the codes, ``sample``
    decodes draws from the prior.

    Every parameter and attribute of :class:`~neuroclust.models.Autoencoder` is here and
    means the same, except those below.

    Parameters
    ----------
    hidden : tuple of int, default=(256, 64)
        The widths of the encoder's hidden layers; the decoder mirrors them.
    latent_dim : int >= 1, default=10
        The size :math:`m` of a code; the encoder's last layer has :math:`2m` outputs, eq. (1).
    beta : float >= 0, default=1.0
        The weight :math:`\beta` of the KL term of eq. (3). 1 is the evidence lower bound;
        larger values pull the codes harder towards the prior (the beta-VAE); 0 leaves an
        autoencoder trained on noisy codes.
    loss : {"mse", "bce"}, default="mse"
        The reconstruction term :math:`\ell_i` of eq. (3): the squared error summed over the
        features, or the binary cross-entropy (needs ``output_activation="sigmoid"`` and X in
        [0, 1]).
    random_state : int, numpy.random.Generator or None
        Seeds the initial weights, the order of the mini-batches and the noise of eq. (2).
    encoder, decoder : neuroclust.nn.Sequential or list of layers, optional
        As for :class:`~neuroclust.models.Autoencoder`, but the encoder must return
        :math:`2m` values per sample, the means then the log-variances; ``fit`` appends the
        :class:`~neuroclust.nn.VariationalBottleneck` to (a copy of) it.

    Attributes
    ----------
    encoder_ : neuroclust.nn.Sequential
        Eqs. (1) and (2): the encoder's layers, then the
        :class:`~neuroclust.nn.VariationalBottleneck`.
    history_ : dict of lists
        ``"loss"``: eq. (3) per epoch (the mean over the epoch's batches);
        ``"reconstruction"`` and ``"kl"``: its two terms, the mean :math:`\ell_i` and the mean
        KL divergence (without :math:`\beta`), so ``loss = reconstruction + beta * kl``;
        ``"val_loss"``: eq. (3) on the validation samples with :math:`z = \mu` (empty
        without a validation split).

    Examples
    --------
    >>> from neuroclust import VariationalAutoencoder, datasets
    >>> X, y = datasets.load_digits()
    >>> vae = VariationalAutoencoder(hidden=(32,), latent_dim=2, epochs=2,
    ...                              random_state=0).fit(X / 16)
    >>> vae.transform(X / 16).shape, vae.sample(5, random_state=0).shape
    ((1797, 2), (5, 64))
    """

    _history_lists = ("loss", "val_loss", "reconstruction", "kl")

    def __init__(self, hidden=(256, 64), latent_dim=10, beta=1.0, activation="relu",
                 output_activation=None, loss="mse", optimizer="adam", learning_rate=1e-3,
                 weight_decay=0.0, epochs=20, batch_size=256, validation_split=0.0,
                 patience=None, dtype=None, random_state=None, verbose="auto",
                 callbacks=None, kind="dense", channels=(8, 16), kernel_size=5,
                 global_pool=False, encoder=None, decoder=None):
        super().__init__(hidden=hidden, latent_dim=latent_dim, activation=activation,
                         output_activation=output_activation, loss=loss, optimizer=optimizer,
                         learning_rate=learning_rate, weight_decay=weight_decay,
                         epochs=epochs, batch_size=batch_size,
                         validation_split=validation_split, patience=patience, dtype=dtype,
                         random_state=random_state, verbose=verbose, callbacks=callbacks,
                         kind=kind, channels=channels, kernel_size=kernel_size,
                         global_pool=global_pool, encoder=encoder, decoder=decoder)
        self.beta = beta

    def fit(self, X, y=None):
        """Train on ``X`` by lowering eq. (3); returns self. X as for
        :meth:`Autoencoder.fit <neuroclust.models.Autoencoder.fit>`."""
        super().fit(X)                                                  # eqs. (1), (2), (3)
        self.history_ = self._named_history(self.history_)
        return self

    def _named_history(self, history):
        # nn.train names the reconstruction loss "data_loss"; an epoch that never completed
        # leaves no entry at all
        return {"loss": history["loss"], "val_loss": history["val_loss"],
                "reconstruction": history.get("data_loss", []), "kl": history.get("kl", [])}

    # -------------------------------------------------------------------- queries
    def transform(self, X):
        r"""The means :math:`\mu` of the codes, eq. (1), shape (n_samples, latent_dim)."""
        return super().transform(X)

    def encode(self, X):
        r"""The means and log-variances of eq. (1): a tuple of two arrays of shape
        (n_samples, latent_dim). The standard deviation is ``np.exp(log_var / 2)``."""
        X = self._check_X(X)
        encoder = self._networks_for(X)[0]
        h = X.reshape(X.shape[0], -1)
        for layer in encoder.layers[:-1]:              # all but the bottleneck
            h = layer.forward(h)                                                  # eq. (1)
        m = h.shape[1] // 2
        return h[:, :m], h[:, m:]

    def sample(self, n_samples=1, random_state=None):
        r"""Decode ``n_samples`` codes drawn from the prior :math:`N(0, I)`, eq. (4).

        Returns
        -------
        ndarray of shape (n_samples, n_features), or (n_samples, \*input_shape_)
            In the model's dtype, on the host.
        """
        check_is_fitted(self, "parameters_")
        check_count(n_samples, "n_samples")
        rng = check_random_state(random_state)
        Z = rng.standard_normal((int(n_samples), int(self.latent_dim_)))          # eq. (4)
        return self.inverse_transform(Z.astype(self.dtype_))                      # eq. (4)

    # ------------------------------------------------------------ the architecture
    def _build(self, input_shape, rng, dtype):
        """The encoder of eq. (1) ending in the bottleneck of eq. (2), and the decoder."""
        encoder, decoder = build_networks(self, input_shape, rng, dtype,
                                          code_width=2 * int(self.latent_dim))
        bottleneck = nn.VariationalBottleneck(beta=self.beta, random_state=rng)
        return nn.Sequential(encoder.layers + [bottleneck]), decoder

    def _count_parameters(self, n_features):
        return count_parameters(self, n_features, code_width=2 * int(self.latent_dim))

    def _check_X_for_fit(self, X):
        """As the Autoencoder's, and an explicit encoder must give an even number of values
        per sample (the means, then the log-variances)."""
        X, input_shape = super()._check_X_for_fit(X)
        if self._explicit():
            try:
                codes = nn.Sequential(copied(self.encoder, "encoder", X.dtype)).forward(X[:2])
            except ValueError:
                return X, input_shape     # the Autoencoder's checks say why, in fit
            if codes.ndim == 2 and codes.shape[1] % 2:
                raise ValueError(f"the encoder returns {codes.shape[1]} values per sample, "
                                 "but a VariationalAutoencoder's encoder must return an even "
                                 "number: the means, then the log-variances of the code.")
        return X, input_shape

    def _check_params(self):
        check_choice(self.loss, "loss", ("mse", "bce"))
        check_scalar(self.beta, "beta", numbers.Real, low=0)
        super()._check_params()

