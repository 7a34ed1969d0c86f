r"""The Gaussian bottleneck of a variational autoencoder: sample a code, charge its KL.

The files a reader follows, in order: ``models/vae.py`` (the estimator) ->
``models/_architecture.py`` (its networks) -> ``nn/variational.py`` (this layer) ->
``nn/training.py`` (the loop that adds the layer's KL to the loss) ->
``docs/algorithms/vae.md`` -> ``tutorials/plot_07_variational_autoencoder.py``.
"""
import numbers

import numpy as np

from .._validation import array_module, check_random_state, check_scalar
from ._checks import check_input, check_upstream, require_forward
from .layer import Layer

__all__ = ["VariationalBottleneck"]


class VariationalBottleneck(Layer):
    r"""Means and log-variances in, a sampled code out; the KL to :math:`N(0, I)` charged.

    The layer turns an encoder's output into a code the way a variational autoencoder does
    (Kingma and Welling 2014): its input holds, for each sample, the mean :math:`\mu` and the
    log-variance :math:`\lambda = \log \sigma^2` of a Gaussian over the code, and its output
    is a code drawn from that Gaussian by the reparameterisation trick. Its ``backward`` adds
    the gradient of :math:`\beta` times the Kullback-Leibler divergence from that Gaussian
    to the prior :math:`N(0, I)`, and :meth:`extra_losses` hands the value of that term to
    :func:`~neuroclust.nn.train`, which adds it to the loss it reports and stops on.

    Parameters
    ----------
    beta : float >= 0, default=1.0
        The weight :math:`\beta` of the KL term (Higgins et al. 2017); 1 is the plain
        evidence lower bound, 0 leaves a noisy autoencoder without a prior.
    random_state : int, numpy.random.Generator or None
        Seeds the noise :math:`\varepsilon`: the same seed gives the same sequence of draws.
        The noise is drawn on the host (a seed gives the same codes on every device).

    Attributes
    ----------
    kl_ : float or None
        The mean KL divergence per sample, eq. (3) without :math:`\beta`, of the last
        ``forward``.
    noise_ : ndarray of shape (n_samples, m) or None
        The :math:`\varepsilon` of the last ``forward`` in training (zeros at inference).
    hold_noise : bool, default False
        When True, a training ``forward`` reuses ``noise_`` (of the same shape) instead of
        drawing a new one: the layer is then a deterministic function of its input, which is
        what :func:`~neuroclust.nn.gradcheck` needs.

    Notes
    -----
    The input :math:`x` of a batch of :math:`n` samples has :math:`2m` columns: the first
    :math:`m` are the means, the last :math:`m` the log-variances, so that the standard
    deviation is :math:`\sigma = \exp(\lambda / 2)`:

    .. math:: \mu = x_{:, 1..m}, \quad \lambda = x_{:, m+1..2m}, \quad
              \sigma = e^{\lambda / 2}.                                               \tag{1}

    In training the code is a draw from :math:`N(\mu, \operatorname{diag}\sigma^2)`, written
    as a deterministic function of the input and of noise :math:`\varepsilon \sim N(0, I)`
    that does not depend on it (the reparameterisation), so gradients flow through it; at
    inference (``training=False``) the code is the mean, :math:`z = \mu`:

    .. math:: z = \mu + \sigma \odot \varepsilon .                                    \tag{2}

    The KL divergence of :math:`q = N(\mu, \sigma^2)` from :math:`p = N(0, 1)`, per code
    dimension, is :math:`\mathbb E_q[\log q - \log p] = -\tfrac12 \log(2\pi\sigma^2)
    - \tfrac12 + \tfrac12 \log 2\pi + \tfrac12(\mu^2 + \sigma^2)`. Summed over the
    :math:`m` independent dimensions of a sample, averaged over the batch as the
    reconstruction loss is (:mod:`neuroclust.nn.losses`), and weighted by :math:`\beta`:

    .. math:: \mathrm{KL}_i = \frac12 \sum_{j=1}^m \big(\mu_{ij}^2 + e^{\lambda_{ij}} - 1
              - \lambda_{ij}\big), \qquad
              L_{\mathrm{KL}} = \frac{\beta}{n} \sum_{i=1}^n \mathrm{KL}_i .          \tag{3}

    Its derivatives, entry by entry, and those of the code, eq. (2)
    (:math:`\partial \sigma / \partial \lambda = \sigma / 2`):

    .. math:: \frac{\partial \mathrm{KL}_i}{\partial \mu_{ij}} = \mu_{ij}, \quad
              \frac{\partial \mathrm{KL}_i}{\partial \lambda_{ij}}
              = \tfrac12 \big(e^{\lambda_{ij}} - 1\big), \quad
              \frac{\partial z_{ij}}{\partial \mu_{ij}} = 1, \quad
              \frac{\partial z_{ij}}{\partial \lambda_{ij}}
              = \tfrac12 \varepsilon_{ij} \sigma_{ij} .                               \tag{4}

    The loss the network is trained on is the reconstruction loss :math:`L_{\mathrm{rec}}`,
    which reaches this layer through the code as :math:`\partial L_{\mathrm{rec}} /
    \partial z`, plus eq. (3), which reaches it directly. The chain rule gives

    .. math:: \frac{\partial L}{\partial \mu} = \frac{\partial L_{\mathrm{rec}}}{\partial z}
              + \frac{\beta}{n} \mu, \qquad
              \frac{\partial L}{\partial \lambda} = \frac{\partial L_{\mathrm{rec}}}
              {\partial z} \odot \tfrac12 \varepsilon \odot \sigma
              + \frac{\beta}{2n} \big(e^{\lambda} - 1\big),                           \tag{5}

    with :math:`\varepsilon = 0` at inference. :func:`~neuroclust.nn.gradcheck` checks
    eq. (5) against central differences of :math:`\sum R \odot z + L_{\mathrm{KL}}`.

    References
    ----------
    D. P. Kingma and M. Welling, "Auto-encoding variational Bayes", ICLR 2014
    (arXiv:1312.6114), appendix B for eq. (3).
    I. Higgins et al., "beta-VAE: learning basic visual concepts with a constrained
    variational framework", ICLR 2017.
    """

    def __init__(self, beta=1.0, random_state=None):
        super().__init__()
        self.beta = float(check_scalar(beta, "beta", numbers.Real, low=0))
        self.rng = check_random_state(random_state)
        self.hold_noise = False
        self.kl_ = None
        self.noise_ = None
        self._cache = None

    def config(self):
        """``beta`` (see :meth:`Layer.config`); a rebuilt layer draws fresh noise."""
        return {"beta": self.beta}

    def forward(self, x, training=False):
        """Eq. (2): codes of shape (n_samples, m) from ``x`` of shape (n_samples, 2m); the
        mean at inference. Records ``kl_``, eq. (3) without :math:`\\beta`."""
        x = check_input(x, "x", ndim=2)
        if x.shape[1] % 2:
            raise ValueError(f"x has {x.shape[1]} columns, but a VariationalBottleneck takes "
                             "an even number: the m means, then the m log-variances.")
        xp = array_module(x)
        m = x.shape[1] // 2
        mu, log_var = x[:, :m], x[:, m:]                                          # eq. (1)
        with np.errstate(over="ignore"):            # an overflow is a NaN loss for train
            variance = xp.exp(log_var)
        sigma = xp.sqrt(variance)                                                 # eq. (1)
        if training:
            if not (self.hold_noise and self.noise_ is not None
                    and self.noise_.shape == mu.shape):
                # drawn on the host, so a seed gives the same codes on every device
                self.noise_ = xp.asarray(self.rng.standard_normal(mu.shape).astype(x.dtype))
            eps = self.noise_.astype(x.dtype, copy=False)
        else:
            eps = xp.zeros_like(mu)
            self.noise_ = eps
        self._cache = (mu, log_var, variance, sigma, eps)
        per_sample = 0.5 * xp.sum(mu * mu + variance - 1 - log_var, axis=1)       # eq. (3)
        with np.errstate(over="ignore", invalid="ignore"):
            self.kl_ = float(xp.mean(per_sample))
        return mu + sigma * eps                                                   # eq. (2)

    def backward(self, dy):
        """Eq. (5): the gradient with respect to the input, shape (n_samples, 2m)."""
        require_forward(self, self._cache)
        mu, log_var, variance, sigma, eps = self._cache
        dz = check_upstream(dy, mu.shape).astype(mu.dtype, copy=False)
        xp = array_module(mu)
        scale = self.beta / mu.shape[0]
        d_mu = dz + scale * mu                                               # eqs. (4), (5)
        d_log_var = dz * (0.5 * eps * sigma) + (0.5 * scale) * (variance - 1)  # eqs. (4), (5)
        return xp.concatenate([d_mu, d_log_var], axis=1)

    def extra_losses(self):
        """``{"kl": (beta, kl_)}``: the last forward added :math:`\\beta` times ``kl_`` to
        the loss, eq. (3) (see :meth:`Layer.extra_losses`)."""
        if self.kl_ is None:
            return {}
        return {"kl": (self.beta, self.kl_)}

