r"""
Variational autoencoders: is their code space more continuous, and does it cluster better?
==========================================================================================

A plain autoencoder (:doc:`plot_05_autoencoder_clustering`) sends each sample to one point
and may put the codes anywhere that rebuilds well. A *variational* autoencoder sends each
sample to a Gaussian over codes, decodes codes *drawn* from it, and pays for the distance of
that Gaussian from the prior :math:`N(0, I)`. It is often said to give a "continuous and
complete" code space: nearby codes decode to similar samples, and every code near the origin
decodes to something plausible.

This tutorial derives the VAE's loss, the negative evidence lower bound (ELBO), and its
gradients step by step, writes them in NumPy and checks them, trains
:class:`neuroclust.VariationalAutoencoder` and :class:`neuroclust.Autoencoder` of the same
shape on the handwritten digits, draws their code spaces side by side, and then answers
question 14 of the learners' list **by measurement over several seeds**, not by repeating
the claim:

* **14.** Does a plain autoencoder keep similar points together in the code space? Why are
  variational autoencoders said to give a continuous and complete latent space, and does
  that help clustering?

It ends with the "VAE then k-means" example: cluster the sampled codes or the means?

The equations, each with the line of code that computes it, are on the page
:doc:`/algorithms/vae`.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) trains for a few epochs on part of the digits with two seeds, so that
# the script runs in seconds; its numbers are then rough. Without it, five seeds are trained for
# 100 epochs (a few minutes).
#
# Every setting was fixed before any label was looked at: the architecture and the learning
# rate are those of :doc:`plot_05_autoencoder_clustering`'s digits autoencoder, with one
# hidden layer of 128 units, and the learning rate 3e-3 gave a lower validation *loss* than
# 1e-3 for both models (no label used); ``beta=1`` is the plain ELBO.

# sphinx_gallery_thumbnail_number = 3
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from neuroclust import Autoencoder, KMeans, VariationalAutoencoder, datasets, metrics, nn

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0
SEEDS = [0, 1] if FAST else [0, 1, 2, 3, 4]       # the measurements run once per seed
N_DIGITS = 600 if FAST else None                  # None: all 1797 digits
EPOCHS = 5 if FAST else 100
SETTINGS = dict(hidden=(128,), epochs=EPOCHS, batch_size=64, learning_rate=3e-3,
                loss="bce", output_activation="sigmoid")

plt.rcParams.update({"font.size": 14, "axes.titlesize": 15, "axes.labelsize": 14,
                     "legend.fontsize": 12, "figure.dpi": 100})
started = time.perf_counter()
X, y = datasets.load_digits()
X = X[:N_DIGITS] / 16.0                            # pixels in [0, 1], for the cross-entropy
y = y[:N_DIGITS]
print(f"{len(X)} digits of {X.shape[1]} pixels")

# %%
# The bound
# ---------
# A VAE is a generative model: draw a code :math:`z \sim p(z) = N(0, I)`, decode it into a
# distribution :math:`p_\theta(x \mid z)` over images. Its likelihood
# :math:`\log p_\theta(x) = \log \int p_\theta(x \mid z) p(z)\, dz` has no closed form. The
# encoder proposes a Gaussian :math:`q_\phi(z \mid x) = N(\mu, \operatorname{diag}\sigma^2)`
# over the codes likely to have made :math:`x`; multiplying and dividing by it inside the
# integral and applying Jensen's inequality (:math:`\log \mathbb E \ge \mathbb E \log`):
#
# .. math::
#
#    \log p_\theta(x) = \log \mathbb E_{q}\Big[\frac{p_\theta(x \mid z)\, p(z)}{q(z \mid x)}
#    \Big] \ \ge\ \underbrace{\mathbb E_q[\log p_\theta(x \mid z)]}_{-\text{reconstruction}}
#    - \underbrace{\mathrm{KL}(q(z \mid x) \,\Vert\, p(z))}_{\text{pull to the prior}} .
#
# Step 1, the KL in closed form. One dimension: :math:`\log q(z) = -\tfrac12\log(2\pi\sigma^2)
# - (z-\mu)^2/2\sigma^2`, :math:`\log p(z) = -\tfrac12 \log 2\pi - z^2/2`; under :math:`q`,
# :math:`\mathbb E(z-\mu)^2 = \sigma^2` and :math:`\mathbb E z^2 = \mu^2 + \sigma^2`, so
#
# .. math::
#
#    \mathrm{KL} = \tfrac12\big(\mu^2 + \sigma^2 - 1 - \log\sigma^2\big)
#               = \tfrac12\big(\mu^2 + e^{\lambda} - 1 - \lambda\big),
#    \qquad \lambda = \log \sigma^2 ,
#
# summed over the :math:`m` dimensions. The encoder outputs :math:`\lambda`, any real number,
# and :math:`\sigma = e^{\lambda/2}`. A check against a Monte Carlo estimate of
# :math:`\mathbb E_q[\log q - \log p]`:

rng = np.random.default_rng(SEED)
mu, lam = np.array([0.8, -0.4]), np.array([-1.0, 0.5])
sigma = np.exp(lam / 2)
kl_closed = 0.5 * np.sum(mu ** 2 + np.exp(lam) - 1 - lam)
z = mu + sigma * rng.standard_normal((200_000, 2))
log_q = -0.5 * np.sum(np.log(2 * np.pi * sigma ** 2) + (z - mu) ** 2 / sigma ** 2, axis=1)
log_p = -0.5 * np.sum(np.log(2 * np.pi) + z ** 2, axis=1)
kl_monte_carlo = np.mean(log_q - log_p)
print(f"KL closed form {kl_closed:.4f}, Monte Carlo {kl_monte_carlo:.4f}")
assert abs(kl_closed - kl_monte_carlo) < 0.02

# %%
# Step 2, the reparameterisation. The first term is an expectation over codes, estimated
# with one draw. A draw from a random generator has no gradient; written as
# :math:`z = \mu + \sigma \odot \varepsilon` with :math:`\varepsilon \sim N(0, I)` drawn
# independently of the network, it is a differentiable function of :math:`\mu` and
# :math:`\lambda`.
#
# Step 3, the loss of a batch of :math:`n` samples is the negative bound averaged per sample,
# the KL weighted by :math:`\beta` (1 here):
#
# .. math::
#
#    L = \frac1n \sum_i \Big(\ell_i + \beta\, \tfrac12 \sum_j \big(\mu_{ij}^2 +
#    e^{\lambda_{ij}} - 1 - \lambda_{ij}\big)\Big),
#
# with :math:`\ell_i` the cross-entropy of the pixels (a Bernoulli decoder).
#
# Step 4, the gradients. Entry by entry, :math:`\partial \mathrm{KL}/\partial\mu = \mu`,
# :math:`\partial \mathrm{KL}/\partial\lambda = \tfrac12(e^\lambda - 1)`,
# :math:`\partial z/\partial\mu = 1`, :math:`\partial z / \partial \lambda =
# \varepsilon\, \partial\sigma/\partial\lambda = \tfrac12 \varepsilon\sigma`. The
# reconstruction reaches the bottleneck as :math:`g = \partial L_{\text{rec}}/\partial z`
# from the decoder, the KL directly, so
#
# .. math::
#
#    \frac{\partial L}{\partial \mu} = g + \frac\beta n \mu, \qquad
#    \frac{\partial L}{\partial \lambda} = \tfrac12\, g \odot \varepsilon \odot \sigma +
#    \frac{\beta}{2n}\big(e^{\lambda} - 1\big) .
#
# In NumPy, the bottleneck's forward and backward:


def bottleneck_forward(H, eps, beta):
    """H = [mu, lambda] of shape (n, 2m) -> the code z and the batch's beta * mean KL."""
    m = H.shape[1] // 2
    mu, lam = H[:, :m], H[:, m:]
    z = mu + np.exp(lam / 2) * eps
    kl = 0.5 * np.sum(mu ** 2 + np.exp(lam) - 1 - lam) / len(H)
    return z, beta * kl


def bottleneck_backward(g, H, eps, beta):
    """dL/dH from g = dL_rec/dz: the two paths of the chain rule added."""
    m, n = H.shape[1] // 2, len(H)
    mu, lam = H[:, :m], H[:, m:]
    d_mu = g + beta / n * mu
    d_lam = 0.5 * g * eps * np.exp(lam / 2) + beta / (2 * n) * (np.exp(lam) - 1)
    return np.hstack([d_mu, d_lam])


# %%
# Checking the gradients
# ----------------------
# With the noise held fixed, the loss :math:`f(H) = \sum R \odot z + \beta\,\overline{\mathrm
# {KL}}` (a random projection :math:`R` of the code stands for the decoder's upstream
# gradient) is an ordinary function of :math:`H`, so central differences check the backward
# pass. The same for :class:`neuroclust.nn.VariationalBottleneck` with
# :func:`neuroclust.nn.check_gradients` (``hold_noise`` keeps its noise fixed), and the
# layer's output against the hand-written one:

n, m = 6, 3
H = rng.normal(size=(n, 2 * m))
R = rng.normal(size=(n, m))
layer = nn.VariationalBottleneck(beta=1.0, random_state=SEED)
for beta in (0.0, 0.5, 1.0, 4.0):
    layer.beta = beta
    z_layer = layer.forward(H, training=True)
    eps = layer.noise_
    z_hand, _ = bottleneck_forward(H, eps, beta)
    analytic = bottleneck_backward(R, H, eps, beta)
    numeric = np.zeros_like(H)
    for index in np.ndindex(H.shape):
        step = np.zeros_like(H)
        step[index] = 1e-6
        up, kl_up = bottleneck_forward(H + step, eps, beta)
        down, kl_down = bottleneck_forward(H - step, eps, beta)
        numeric[index] = (np.sum(R * (up - down)) + kl_up - kl_down) / 2e-6
    layer.hold_noise = True
    library = nn.check_gradients(layer, H, training=True)["x"]
    layer.hold_noise = False
    print(f"beta={beta}: hand backward vs differences {np.max(np.abs(analytic - numeric)):.1e}; "
          f"layer output vs hand {np.max(np.abs(z_layer - z_hand)):.1e}; "
          f"nn.check_gradients error {library:.1e}")
    assert np.allclose(analytic, numeric, atol=1e-7) and np.allclose(z_layer, z_hand)

# %%
# Two autoencoders on the digits
# ------------------------------
# The same architecture, 64-128-2-128-64, the same optimiser and epochs; the VAE's encoder
# has 4 outputs (two means, two log-variances). A code of two numbers can be drawn as it is.
# ``history_`` of the VAE holds both terms of its loss.


def train_pair(latent_dim, seed, validation_split=0.0):
    ae = Autoencoder(latent_dim=latent_dim, random_state=seed,
                     validation_split=validation_split, **SETTINGS).fit(X)
    vae = VariationalAutoencoder(latent_dim=latent_dim, random_state=seed,
                                 validation_split=validation_split, **SETTINGS).fit(X)
    return ae, vae


ae, vae = train_pair(2, SEED, validation_split=0.1)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
ae_epochs = np.arange(1, len(ae.history_["loss"]) + 1)
epochs = np.arange(1, len(vae.history_["loss"]) + 1)
axes[0].plot(ae_epochs, ae.history_["loss"], label="autoencoder: reconstruction")
axes[0].plot(epochs, vae.history_["reconstruction"], label="VAE: reconstruction")
axes[0].plot(epochs, vae.history_["loss"], "--", label="VAE: reconstruction + KL")
axes[0].set(xlabel="epoch", ylabel="loss per digit (nats)", title="Training loss")
axes[0].legend()
axes[1].plot(epochs, vae.history_["kl"], color="C3")
axes[1].set(xlabel="epoch", ylabel="mean KL per digit (nats)", title="The VAE's KL term")
for ax in axes:
    ax.set_ylim(bottom=0)                                # both are 0 at best
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
fig.tight_layout()
print(f"last epoch: autoencoder {ae.history_['loss'][-1]:.2f}; VAE reconstruction "
      f"{vae.history_['reconstruction'][-1]:.2f} + KL {vae.history_['kl'][-1]:.2f} = "
      f"{vae.history_['loss'][-1]:.2f}")
gap = vae.history_["reconstruction"][-1] - ae.history_["loss"][-1]
print(f"the VAE's reconstruction term is {abs(gap):.2f} nats per digit "
      f"{'above' if gap > 0 else 'below'} the autoencoder's"
      + (": the price of decoding noisy codes under the prior" if gap > 0 else ""))

# %%
# The code spaces
# ---------------
# Each digit's code (the VAE's mean), coloured by the true digit, which neither network saw.

Z_ae, Z_vae = ae.transform(X), vae.transform(X)
fig, axes = plt.subplots(1, 2, figsize=(13, 6))
for ax, Z, name in zip(axes, (Z_ae, Z_vae), ("autoencoder", "variational autoencoder")):
    points = ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=8, vmin=-0.5, vmax=9.5)
    ax.set(title=name, xlabel="$z_1$", ylabel="$z_2$")
fig.colorbar(points, ax=axes, ticks=range(10), label="digit")
spread = {name: Z.std(axis=0) for name, Z in (("autoencoder", Z_ae), ("VAE", Z_vae))}
print("standard deviation of the codes per dimension:",
      "; ".join(f"{name} {np.round(s, 2)}" for name, s in spread.items()))

# %%
# The KL pulls the VAE's means towards the prior's scale, a standard deviation of 1 per
# dimension (compare the numbers printed above), while nothing fixes the plain autoencoder's
# scale: its codes take whatever scale the weights give them. That is why the measurements
# below divide every distance in a code space by that space's own scale.
#
# Decoding a grid of codes
# ------------------------
# A *latent traversal*: decode every code of a 2-D grid and lay the images out where their
# codes are. The VAE's grid spans the prior's central region, :math:`\pm 2` in each
# dimension; the autoencoder's spans the same share of its own codes, from their 2.5th to
# their 97.5th percentile.


def traversal(model, lows, highs, steps=12):
    u = np.linspace(lows[0], highs[0], steps)
    v = np.linspace(lows[1], highs[1], steps)[::-1]
    grid = np.array([[a, b] for b in v for a in u])
    images = model.inverse_transform(grid).reshape(steps, steps, 8, 8)
    canvas = np.zeros((steps * 9 + 1, steps * 9 + 1))        # a blank line between images
    for row in range(steps):
        for col in range(steps):
            canvas[1 + 9 * row:9 * (row + 1), 1 + 9 * col:9 * (col + 1)] = images[row, col]
    return canvas


fig, axes = plt.subplots(1, 2, figsize=(13, 6.8))
ranges = {"autoencoder": (ae, np.percentile(Z_ae, 2.5, axis=0), np.percentile(Z_ae, 97.5,
                                                                              axis=0)),
          "variational autoencoder": (vae, np.full(2, -2.0), np.full(2, 2.0))}
for ax, (name, (model, lows, highs)) in zip(axes, ranges.items()):
    ax.imshow(traversal(model, lows, highs), cmap="gray_r", vmin=0, vmax=1,
              extent=(lows[0], highs[0], lows[1], highs[1]), aspect="auto")
    ax.set(title=f"{name}: a 12 x 12 grid of codes", xlabel="$z_1$", ylabel="$z_2$")
fig.tight_layout()

# %%
# Interpolating between two digits
# --------------------------------
# Decode ten codes on the straight line between the codes of two digits (the first 0 and the
# first 6 of the set), for each model. Where a path crosses a region no training code lies
# in, a decoder has never been asked to produce anything there.

first = [int(np.flatnonzero(y == digit)[0]) for digit in (0, 6)]
fig, axes = plt.subplots(2, 10, figsize=(13, 3.2))
for row, (model, Z, name) in enumerate(((ae, Z_ae, "AE"), (vae, Z_vae, "VAE"))):
    path = np.linspace(Z[first[0]], Z[first[1]], 10)
    for ax, image in zip(axes[row], model.inverse_transform(path).reshape(-1, 8, 8)):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[])
    axes[row, 0].set_ylabel(name, rotation=0, labelpad=25)
fig.suptitle("From a 0 to a 6 along a straight line in the code space")
fig.tight_layout()

# %%
# Question 14, measured
# ---------------------
# Pictures of one run prove little. For each seed, train both models with codes of 2 and of
# 10 numbers, and measure, on the training digits:
#
# (a) **continuity**: step from a code by 5 % of the code space's scale :math:`s` (the root
#     of the mean variance of the codes per dimension, so a step is the same share of each
#     space), in a random direction, and measure how much the decoded image changes (root
#     mean square over pixels), as a share of the spread of the model's reconstructions (the
#     root of their mean variance per pixel, so that a decoder whose images all look alike
#     does not pass for smooth). The *roughness* is that relative change divided by the
#     relative step, 0.05: 1 means the image moves through its range as fast as the code
#     moves through its own. Measured at the codes of the digits, and at the midpoints
#     between the codes of random pairs of digits (where a "gap" would be);
# (b) **neighbour agreement**: the share of each digit's 10 nearest codes that show the same
#     digit;
# (c) **k-means on the codes** (10 clusters, the VAE's means): accuracy, NMI and ARI
#     against the true digits;
# (d) **completeness**: decode 500 codes drawn from a Gaussian over the code space (the
#     prior for the VAE; for the autoencoder, the Gaussian with its codes' mean and
#     covariance) and measure each image's distance to the nearest of the model's
#     reconstructions of the digits, divided by the mean distance from one reconstruction to
#     its nearest other one: about 1 when random codes decode into the region the digits'
#     codes decode to, larger when many decode to images no digit's code gives (the
#     reconstructions, not the digits, are the reference, since a VAE's images are blurrier).


def roughness(model, Z, starts, rng, step=0.05):
    s = np.sqrt(np.mean(Z.var(axis=0)))                       # the code space's scale
    image_spread = np.sqrt(np.mean(model.inverse_transform(Z).var(axis=0)))
    direction = rng.normal(size=starts.shape)
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    before = model.inverse_transform(starts)
    after = model.inverse_transform(starts + step * s * direction)
    change = np.sqrt(np.mean((after - before) ** 2, axis=1))
    return float(np.mean(change) / image_spread / step)


def nearest_distances(A, B, same=False):
    D = np.sum(A ** 2, 1)[:, None] + np.sum(B ** 2, 1)[None, :] - 2 * A @ B.T
    if same:
        np.fill_diagonal(D, np.inf)
    return np.sqrt(np.maximum(D.min(axis=1), 0))


def neighbour_agreement(Z, y, k=10):
    D = np.sum(Z ** 2, 1)[:, None] + np.sum(Z ** 2, 1)[None, :] - 2 * Z @ Z.T
    np.fill_diagonal(D, np.inf)
    nearest = np.argsort(D, axis=1)[:, :k]
    return float(np.mean(y[nearest] == y[:, None]))


def measure(model, Z, seed, prior=False):
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, len(Z), size=(len(Z), 2))
    midpoints = (Z[pairs[:, 0]] + Z[pairs[:, 1]]) / 2
    labels = KMeans(n_clusters=10, random_state=seed).fit_predict(Z)
    if prior:
        draws = rng.standard_normal((500, Z.shape[1]))
    else:
        draws = rng.multivariate_normal(Z.mean(axis=0), np.cov(Z.T), size=500)
    generated, rebuilt = model.inverse_transform(draws), model.inverse_transform(Z)
    completeness = (np.mean(nearest_distances(generated, rebuilt))
                    / np.mean(nearest_distances(rebuilt, rebuilt, same=True)))
    return {"roughness at codes": roughness(model, Z, Z, rng),
            "roughness between codes": roughness(model, Z, midpoints, rng),
            "neighbour agreement": neighbour_agreement(Z, y),
            "ACC": metrics.clustering_accuracy(y, labels),
            "NMI": metrics.normalized_mutual_info_score(y, labels),
            "ARI": metrics.adjusted_rand_score(y, labels),
            "completeness": completeness}


results = {}                      # (latent_dim, model name) -> {measure: [value per seed]}
for latent_dim in (2, 10):
    for seed in SEEDS:
        pair = (ae, vae) if (latent_dim, seed) == (2, SEED) else train_pair(latent_dim, seed)
        for name, model in zip(("AE", "VAE"), pair):
            values = measure(model, model.transform(X), seed, prior=name == "VAE")
            for key, value in values.items():
                results.setdefault((latent_dim, name), {}).setdefault(key, []).append(value)

MEASURES = list(results[(2, "AE")])
LOWER_IS_BETTER = {"roughness at codes", "roughness between codes", "completeness"}
print(f"mean ± standard deviation over {len(SEEDS)} seeds")
for latent_dim in (2, 10):
    print(f"\ncodes of {latent_dim} numbers  {'AE':>17}  {'VAE':>17}")
    for key in MEASURES:
        cells = [f"{np.mean(results[(latent_dim, name)][key]):8.3f} ± "
                 f"{np.std(results[(latent_dim, name)][key]):6.3f}" for name in ("AE", "VAE")]
        print(f"{key:<26}{cells[0]:>19}{cells[1]:>19}")

# %%
# What the table says, computed from it: a difference is called *clear* when the two means
# are further apart than the sum of the two standard deviations across seeds, and how often
# the VAE beat the autoencoder counts the seeds one by one.


def verdict(latent_dim, key):
    a = np.array(results[(latent_dim, "AE")][key])
    v = np.array(results[(latent_dim, "VAE")][key])
    vae_better = v < a if key in LOWER_IS_BETTER else v > a
    gap = abs(v.mean() - a.mean())
    clear = gap > a.std() + v.std()
    who = "the VAE" if (v.mean() < a.mean()) == (key in LOWER_IS_BETTER) else "the autoencoder"
    return (f"m={latent_dim}, {key}: {who} does better on average "
            f"({'clear' if clear else 'within the spread across seeds'}); the VAE is better "
            f"on {int(vae_better.sum())} of {len(a)} seeds")


for latent_dim in (2, 10):
    for key in MEASURES:
        print(verdict(latent_dim, key))

# %%
# How to read these lines. *Roughness* is the image change for a step of a fixed share of the
# code space: a smooth decoder changes its output gradually everywhere, a decoder with gaps
# in its code space jumps where it crosses one, which shows most *between* codes. *Neighbour
# agreement* and the clustering scores ask whether the code space groups digits of a kind;
# the VAE's prior pulls all codes towards one round blob, which can merge groups as well as
# fill the gaps between them. *Completeness* says how far random codes decode from what any
# digit's code would give (1: as close as the reconstructions are to each other). The table
# and the lines above, for this run, say which of these the variational autoencoder buys;
# the fast mode of the documentation build trains for 5 epochs on a third of the digits, so
# run the script in full to read them for trained networks.
#
# The seed example: VAE, then k-means
# -----------------------------------
# A frequently shown example: 500 samples from three blobs in 10 dimensions, a VAE with a
# 64-unit encoder and a 2-D code, then k-means with 3 clusters on the codes. Which codes: the
# means (``transform``), or codes *sampled* from each sample's Gaussian, as in training?
# ``encode`` gives both the means and the log-variances, so a sampled code is one line. The
# adjusted Rand index of each, over the seeds:

sampled_minus_means = []
for seed in SEEDS:
    Xb, yb = datasets.make_blobs(n_samples=500, centers=3, n_features=10, random_state=seed)
    Xb = (Xb - Xb.mean(axis=0)) / Xb.std(axis=0)
    blob_vae = VariationalAutoencoder(hidden=(64,), latent_dim=2, epochs=20 if FAST else 100,
                                      batch_size=32, random_state=seed).fit(Xb)
    mean, log_var = blob_vae.encode(Xb)
    sampled = mean + np.exp(log_var / 2) * np.random.default_rng(seed).standard_normal(
        mean.shape)
    scores = [metrics.adjusted_rand_score(yb, KMeans(3, random_state=seed).fit_predict(Z))
              for Z in (mean, sampled)]
    sampled_minus_means.append(scores[1] - scores[0])
    print(f"seed {seed}: ARI of k-means on the means {scores[0]:.3f}, on sampled codes "
          f"{scores[1]:.3f}; mean posterior std {np.exp(log_var / 2).mean():.3f} against a "
          f"spread of the means of {mean.std(axis=0).mean():.3f}")
difference = np.array(sampled_minus_means)
print(f"sampled minus means, ARI: {difference.mean():+.3f} ± {difference.std():.3f} over "
      f"{len(SEEDS)} seeds; sampled codes scored lower on {int(np.sum(difference < 0))}, "
      f"higher on {int(np.sum(difference > 0))}, equal on {int(np.sum(difference == 0))}")

# %%
# A sampled code is the mean plus noise of the posterior's size, so how much it moves a code
# depends on the posterior's standard deviation against the spread of the means (both
# printed per seed above); the last line says what that did to k-means here. The means are
# what ``transform`` returns and what :class:`neuroclust.LatentClustering` clusters.

print(f"tutorial ran in {time.perf_counter() - started:.1f} s ({'fast' if FAST else 'full'} mode)")

# %%
# Exercises
# ---------
# 1. Drop the :math:`\tfrac12` in :math:`\partial z / \partial \lambda` in
#    ``bottleneck_backward`` and run the check. Which entries of the gradient go wrong?
# 2. Train with ``beta=4`` and ``beta=0.25``. How do the KL, the reconstruction and the
#    measurements of the table move?
# 3. Measure the roughness with steps of 1 %, 5 % and 20 % of the code scale. Does the
#    ordering of the two models depend on the step?
# 4. The autoencoder's "prior" in the completeness measure is a Gaussian fitted to its codes.
#    Try a uniform box over their range instead: how much of the box decodes to digits?
# 5. Cluster the VAE's codes with a Gaussian mixture instead of k-means: the posterior
#    variances say how sure each code is.
#
# .. dropdown:: Solution to exercise 1
#
#    Only the entries of the log-variance half go wrong, and each by exactly the
#    reconstruction's term: without the 1/2, the backward pass counts g ε σ / 2 twice, so
#    the error of entry (i, j) is that term itself, large where the upstream gradient and
#    the noise are large and small where either is near zero. The mean's entries stay right
#    to rounding, and so does the KL's part of the log-variance gradient (its own 1/2 is
#    untouched). A check that reports one number for the whole input H would say only that
#    something is wrong; comparing entry by entry, as here, tells which half and which
#    term.
#
#    .. code-block:: python
#
#       import numpy as np
#
#
#       def bottleneck_forward(H, eps, beta):
#           """H = [mu, lambda] of shape (n, 2m) -> the code z and the batch's beta * mean KL."""
#           m = H.shape[1] // 2
#           mu, lam = H[:, :m], H[:, m:]
#           z = mu + np.exp(lam / 2) * eps
#           return z, beta * 0.5 * np.sum(mu ** 2 + np.exp(lam) - 1 - lam) / len(H)
#
#
#       def bottleneck_backward(g, H, eps, beta, half=0.5):
#           """dL/dH; half=1.0 is the bug: the 1/2 of dz/dlambda dropped."""
#           m, n = H.shape[1] // 2, len(H)
#           mu, lam = H[:, :m], H[:, m:]
#           d_mu = g + beta / n * mu
#           d_lam = half * g * eps * np.exp(lam / 2) + beta / (2 * n) * (np.exp(lam) - 1)
#           return np.hstack([d_mu, d_lam])
#
#
#       rng = np.random.default_rng(0)
#       n, m, beta = 6, 3, 1.0
#       H, R, eps = rng.normal(size=(n, 2 * m)), rng.normal(size=(n, m)), rng.normal(size=(n, m))
#       numeric = np.zeros_like(H)
#       for index in np.ndindex(H.shape):
#           step = np.zeros_like(H)
#           step[index] = 1e-6
#           (up, kl_up), (down, kl_down) = (bottleneck_forward(H + step, eps, beta),
#                                           bottleneck_forward(H - step, eps, beta))
#           numeric[index] = (np.sum(R * (up - down)) + kl_up - kl_down) / 2e-6
#       buggy = bottleneck_backward(R, H, eps, beta, half=1.0)
#       error = np.abs(buggy - numeric)
#       print("largest error, mu half:", error[:, :m].max(), " lambda half:", error[:, m:].max())
#       assert error[:, :m].max() < 1e-7                     # the mu entries are still right
#       reconstruction_path = 0.5 * R * eps * np.exp(H[:, m:] / 2)     # the term counted twice
#       np.testing.assert_allclose(buggy[:, m:] - numeric[:, m:], reconstruction_path, atol=1e-7)
#       assert error[:, m:].max() > 0.1                      # far beyond any rounding
#
# .. dropdown:: Solution to exercise 2
#
#    β trades the two terms. On every seed a larger β lowers the KL and raises the
#    reconstruction error: at β = 4 the KL falls below 0.5 nats, so each digit's posterior
#    is almost the prior and its code says little about it; at β = 0.25 the codes carry
#    more (on average over twice the plain VAE's KL) and the digits are rebuilt better. The
#    clustering follows the information: on average k-means on the code means scores more
#    than 0.1 ARI lower at β = 4 than at β = 1, and higher at β = 0.25. A large β pulls the
#    codes toward the prior, which is what the table's smoothness and completeness measure;
#    rerun them with these models to see what it buys there.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import KMeans, VariationalAutoencoder, datasets, metrics
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       betas = (0.25, 1.0, 4.0)
#       kl = {beta: [] for beta in betas}
#       reconstruction = {beta: [] for beta in betas}
#       ari = {beta: [] for beta in betas}
#       for seed in range(3):
#           for beta in betas:
#               vae = VariationalAutoencoder(hidden=(128,), latent_dim=10, beta=beta, epochs=30,
#                                            batch_size=64, learning_rate=3e-3, loss="bce",
#                                            output_activation="sigmoid", random_state=seed,
#                                            verbose=False).fit(X)
#               kl[beta].append(vae.history_["kl"][-1])
#               reconstruction[beta].append(vae.history_["reconstruction"][-1])
#               labels = KMeans(n_clusters=10, random_state=seed).fit_predict(vae.transform(X))
#               ari[beta].append(metrics.adjusted_rand_score(y, labels))
#       for beta in betas:
#           print(f"beta {beta:<5}: KL {np.mean(kl[beta]):6.2f}, reconstruction "
#                 f"{np.mean(reconstruction[beta]):6.2f} nats per digit, k-means ARI "
#                 f"{np.mean(ari[beta]):.3f} (last epoch, 3 seeds)")
#       for seed in range(3):                      # on every seed, both move monotonically
#           assert kl[0.25][seed] > kl[1.0][seed] > kl[4.0][seed]
#           rebuilt = [reconstruction[beta][seed] for beta in betas]
#           assert rebuilt[0] < rebuilt[1] < rebuilt[2]
#           assert kl[4.0][seed] < 0.5             # beta = 4: each posterior ~ the prior
#       assert np.mean(ari[4.0]) < np.mean(ari[1.0]) - 0.1          # on average: worse codes
#       assert np.mean(ari[0.25]) > np.mean(ari[1.0])                # and better ones
#       assert np.mean(kl[0.25]) > 2 * np.mean(kl[1.0])
#
# .. dropdown:: Solution to exercise 3
#
#    No. With 10-number codes, on three seeds, the autoencoder's decoder changes its image
#    more than 1.5 times as much as the VAE's per relative step, and the ratio moves by
#    less than 10 % between steps of 1 %, 5 % and 20 % of the code scale: over these sizes
#    each decoder's change grows in proportion to the step, so the step cancels out of the
#    measure and the ordering of the two models stays.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import Autoencoder, VariationalAutoencoder, datasets
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       settings = dict(hidden=(128,), latent_dim=10, epochs=30, batch_size=64, learning_rate=3e-3,
#                       loss="bce", output_activation="sigmoid", verbose=False)
#
#
#       def roughness(model, Z, rng, step):
#           """Relative change of the decoded image per relative step in the code space."""
#           scale = np.sqrt(np.mean(Z.var(axis=0)))
#           image_spread = np.sqrt(np.mean(model.inverse_transform(Z).var(axis=0)))
#           direction = rng.normal(size=Z.shape)
#           direction /= np.linalg.norm(direction, axis=1, keepdims=True)
#           change = (model.inverse_transform(Z + step * scale * direction)
#                     - model.inverse_transform(Z))
#           return float(np.mean(np.sqrt(np.mean(change ** 2, axis=1))) / image_spread / step)
#
#
#       steps = (0.01, 0.05, 0.20)
#       ratio = {step: [] for step in steps}            # the autoencoder's roughness / the VAE's
#       for seed in range(3):
#           models = {"autoencoder": Autoencoder(random_state=seed, **settings).fit(X),
#                     "VAE": VariationalAutoencoder(random_state=seed, **settings).fit(X)}
#           for step in steps:
#               values = {name: roughness(model, model.transform(X), np.random.default_rng(seed),
#                                         step) for name, model in models.items()}
#               ratio[step].append(values["autoencoder"] / values["VAE"])
#       for step in steps:
#           print(f"step {step:.0%} of the code scale: autoencoder / VAE roughness "
#                 f"{np.round(ratio[step], 2).tolist()}")
#       for seed in range(3):
#           by_step = [ratio[step][seed] for step in steps]
#           assert min(by_step) > 1.5                               # the autoencoder: rougher
#           assert max(by_step) < 1.1 * min(by_step)                # whatever the step
#
# .. dropdown:: Solution to exercise 4
#
#    Worse, on every seed and both code sizes: codes drawn uniformly from the box that
#    spans the autoencoder's codes decode farther from the digits' reconstructions than
#    codes drawn from the Gaussian fitted to them, and fewer of them land near one (within
#    the distance at which 95 % of the reconstructions have a neighbour). With 2-D codes
#    more than 30 % of the box still decodes to digit-like images; with 10-D codes under 10
#    % does: the codes fill a small part of the box around them, and in ten dimensions most
#    of a box lies in corners far from any code. The Gaussian of the table is the kinder
#    reference for the autoencoder.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import Autoencoder, datasets
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#
#
#       def nearest_distances(A, B, same=False):
#           D = np.sum(A ** 2, 1)[:, None] + np.sum(B ** 2, 1)[None, :] - 2 * A @ B.T
#           if same:
#               np.fill_diagonal(D, np.inf)
#           return np.sqrt(np.maximum(D.min(axis=1), 0))
#
#
#       results = []
#       for latent_dim in (2, 10):
#           for seed in range(3):
#               ae = Autoencoder(hidden=(128,), latent_dim=latent_dim, epochs=30, batch_size=64,
#                                learning_rate=3e-3, loss="bce", output_activation="sigmoid",
#                                random_state=seed, verbose=False).fit(X)
#               Z = ae.transform(X)
#               rng = np.random.default_rng(seed)
#               rebuilt = ae.inverse_transform(Z)
#               own = nearest_distances(rebuilt, rebuilt, same=True)   # nearest other one
#               draws = {"Gaussian": rng.multivariate_normal(Z.mean(axis=0), np.cov(Z.T),
#                                                            size=500),
#                        "box": rng.uniform(Z.min(axis=0), Z.max(axis=0),
#                                           size=(500, latent_dim))}
#               row = {"latent_dim": latent_dim, "seed": seed}
#               for name, codes in draws.items():
#                   distance = nearest_distances(ae.inverse_transform(codes), rebuilt)
#                   row[name] = float(np.mean(distance) / np.mean(own))            # completeness
#                   row[name + " near"] = float(np.mean(distance <= np.quantile(own, 0.95)))
#               results.append(row)
#               print(row)
#       for row in results:
#           assert row["box"] > row["Gaussian"] and row["box near"] < row["Gaussian near"]
#       two = [row["box near"] for row in results if row["latent_dim"] == 2]
#       ten = [row["box near"] for row in results if row["latent_dim"] == 10]
#       assert min(two) > 0.3 and max(ten) < 0.1      # 2-D: about half the box; 10-D: almost none
#
# .. dropdown:: Solution to exercise 5
#
#    A Gaussian mixture (scikit-learn's GaussianMixture, full covariances) on the VAE's
#    code means scores a higher ARI than k-means on average over three seeds: its clusters
#    may be elongated and of different sizes, as the codes' clouds are. The encoder's
#    variances add what neither clusterer sees: the quarter of the digits whose codes the
#    encoder is surest of (smallest posterior variance) land in their own digit's cluster
#    more than 5 points more often, on average, than the quarter it is least sure of, and
#    on every seed the mixture's own confidence falls as the variance rises. A code's
#    variance is a warning that its place in the code space, and so its cluster, is
#    uncertain.
#
#    .. code-block:: python
#
#       import numpy as np
#       from scipy.optimize import linear_sum_assignment
#       from sklearn.mixture import GaussianMixture
#       from neuroclust import KMeans, VariationalAutoencoder, datasets, metrics
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       rows = []
#       for seed in range(3):
#           vae = VariationalAutoencoder(hidden=(128,), latent_dim=10, epochs=30,
#                                        batch_size=64, learning_rate=3e-3, loss="bce",
#                                        output_activation="sigmoid", random_state=seed,
#                                        verbose=False).fit(X)
#           means, log_var = vae.encode(X)
#           gmm = GaussianMixture(n_components=10, covariance_type="full", n_init=3,
#                                 random_state=seed).fit(means)
#           labels = gmm.predict(means)
#           kmeans_labels = KMeans(n_clusters=10, random_state=seed).fit_predict(means)
#           table = np.zeros((10, 10), dtype=int)                   # clusters x digits
#           np.add.at(table, (labels, y), 1)
#           clusters, digits = linear_sum_assignment(-table)        # the Hungarian matching
#           digit_of = dict(zip(clusters.tolist(), digits.tolist()))
#           matched = np.array([digit_of[c] == d for c, d in zip(labels.tolist(), y.tolist())])
#           variance = np.exp(log_var).mean(axis=1)                 # how unsure the encoder is
#           sure = variance <= np.quantile(variance, 0.25)
#           unsure = variance >= np.quantile(variance, 0.75)
#           certainty = gmm.predict_proba(means).max(axis=1)        # the mixture's own confidence
#           rows.append((metrics.adjusted_rand_score(y, labels),
#                        metrics.adjusted_rand_score(y, kmeans_labels),
#                        matched[sure].mean(), matched[unsure].mean(),
#                        np.corrcoef(variance, certainty)[0, 1]))
#           print(f"seed {seed}: ARI mixture {rows[-1][0]:.3f}, k-means {rows[-1][1]:.3f}; "
#                 f"in their digit's cluster: {rows[-1][2]:.0%} of the surest quarter, "
#                 f"{rows[-1][3]:.0%} of the least sure; corr(variance, certainty) "
#                 f"{rows[-1][4]:+.2f}")
#       mixture, kmeans, in_sure, in_unsure, correlation = np.array(rows).T
#       assert mixture.mean() > kmeans.mean()            # on average: the mixture fits better
#       assert in_sure.mean() > in_unsure.mean() + 0.05  # unsure codes: more often misplaced
#       assert np.all(correlation < 0)                  # and the mixture is less sure of them
