r"""
Contrastive learning: two views of every sample
===============================================

An autoencoder learns codes from which the input can be rebuilt, so its codes keep whatever
varies most, wanted or not. Contrastive learning (SimCLR, Chen et al. 2020) needs no decoder:
it changes every sample twice at random and trains a network to tell which two changed
*views* belong together. This tutorial builds its loss, NT-Xent, by hand, checks its
gradient, runs a broken version of it beside the correct one, and answers question 17 of the
learners' list with measurements:

* **17.** How does contrastive learning find clusters without labels, and why do the
  augmentations matter so much?

The equations are on the page :doc:`/algorithms/contrastive`; the estimator is
:class:`neuroclust.ContrastiveClustering` and the augmentations live in
:mod:`neuroclust.augment`. Tutorial :doc:`plot_05_autoencoder_clustering` introduced
autoencoders and clustering their codes, the baseline used here.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) trains for fewer epochs, over fewer seeds, on part of the digits: the
# script then runs in seconds and its numbers are rough. Without it, it runs in a few minutes.

# sphinx_gallery_thumbnail_number = 3
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from neuroclust import (Autoencoder, ContrastiveClustering, KMeans, LatentClustering,
                        augment, datasets, metrics, nn)

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEEDS = range(2) if FAST else range(5)        # every measurement over these seeds
N_DIGITS = 400 if FAST else None              # None: all 1797 digits
EPOCHS = {"blobs": 10 if FAST else 50, "digits": 5 if FAST else 100}

plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "legend.fontsize": 12, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})
started = time.perf_counter()

# %%
# The loss by hand
# ----------------
# Take :math:`N = 3` samples and two views of each: six embeddings :math:`h_i` in the plane,
# the first views in rows 0-2 and the second views of the same samples in rows 3-5. Each is
# put on the unit circle, :math:`u_i = h_i / \lVert h_i \rVert`; the scores are the cosine
# similarities over the temperature, :math:`s_{ik} = u_i \cdot u_k / \tau`, with the
# diagonal masked out (:math:`-\infty`: a view must not pick itself). Row :math:`i` is then a
# softmax over the five other views, and its right answer is the other view of the same
# sample, :math:`\pi(i) = i \pm 3`. The loss is the mean cross-entropy over the six rows.

rng = np.random.default_rng(0)
H = rng.normal(size=(6, 2))
H[3:] = H[:3] + 0.3 * rng.normal(size=(3, 2))        # second views near the first ones
tau = 0.5
U = H / np.linalg.norm(H, axis=1, keepdims=True)
S = U @ U.T / tau
np.fill_diagonal(S, -np.inf)
P = np.exp(S - S.max(axis=1, keepdims=True))
P /= P.sum(axis=1, keepdims=True)
partner = (np.arange(6) + 3) % 6
by_hand = float(np.mean(-np.log(P[np.arange(6), partner])))
library = nn.NTXentLoss(tau).forward(H)
print("softmax of each row (the diagonal is 0):")
print(np.round(P, 2))
print(f"loss by hand {by_hand:.6f}, nn.NTXentLoss {library:.6f}")
assert abs(by_hand - library) < 1e-12

# %%
# The gradient goes back through the softmax and through the normalisation (eqs. (5)-(7) of
# :class:`~neuroclust.nn.NTXentLoss`). Checked against central differences in float64, and
# orthogonal to each embedding (the loss sees directions only):

errors = nn.gradcheck(nn.NTXentLoss(tau), H, H)
loss = nn.NTXentLoss(tau)
loss.forward(H)
dH = loss.backward()
radial = np.abs(np.sum(dH * H, axis=1)).max()
print(f"gradcheck: largest relative error {errors['prediction']:.1e}; largest radial part of "
      f"the gradient {radial:.1e}")
assert errors["prediction"] < 1e-6 and radial < 1e-12

# %%
# Two views of a digit
# --------------------
# For the 8 x 8 digits, a view shifts the image by up to one pixel in each direction and adds
# a little noise (:class:`~neuroclust.augment.ImageShift`,
# :class:`~neuroclust.augment.GaussianNoise`). The same digit drawn twice is then two
# different rows of 64 numbers; the line below the figure compares their distance in pixel
# space with that of two different digits.

digits, labels = datasets.load_digits()
digits = (digits / 16).astype(np.float32)
if N_DIGITS:
    keep = np.random.default_rng(0).permutation(len(digits))[:N_DIGITS]
    digits, labels = digits[keep], labels[keep]
views_of = augment.Compose([augment.ImageShift(1, shape=(8, 8)), augment.GaussianNoise(0.1)])
view_rng = np.random.default_rng(1)
shown_digits = digits[:5]
first, second = views_of(shown_digits, view_rng), views_of(shown_digits, view_rng)
fig, axes = plt.subplots(3, 5, figsize=(10, 6.4))
for column in range(5):
    for row, (images, name) in enumerate([(shown_digits, "original"), (first, "view 1"),
                                          (second, "view 2")]):
        ax = axes[row, column]
        ax.imshow(images[column].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if column == 0:
            ax.set_ylabel(name)
fig.suptitle("Two random views of five digits: a shift of up to 1 pixel, noise 0.1")
fig.tight_layout()
pair_distance = np.linalg.norm(first - second, axis=1).mean()
other = np.linalg.norm(digits[:200, None] - digits[None, :200], axis=2)
different_digits = other[np.triu_indices(200, 1)].mean()
print(f"mean distance between the two views of a digit {pair_distance:.2f}, "
      f"{'more' if pair_distance > different_digits else 'less'} than between two different "
      f"digits ({different_digits:.2f}): pixel distances do not say which images show the "
      "same thing.")

# %%
# A loss that cannot align
# ------------------------
# The contrastive example this project started from trained a 10-32-16 encoder on noisy
# views with a loss of its own: the same :math:`2N \times 2N` similarity matrix, its diagonal
# set to **zero**, and the **diagonal** as each row's right answer. Its loss is
# :math:`\frac1{2N}\sum_i \big(\log \sum_k e^{s_{ik}} - s_{ii}\big)` with :math:`s_{ii} = 0`: a
# constant answer whose gradient is zero. Every other score, the twin's included, only appears
# in the log-sum-exp, so every view is pushed away from all others and no sample is ever
# pulled toward its other view. Here it is as a :class:`~neuroclust.nn.Loss`:


class SeedLoss(nn.Loss):
    """The seed's loss: targets on the zeroed diagonal of the similarity matrix."""

    def __init__(self, temperature=0.5):
        super().__init__()
        self.temperature = temperature

    def forward(self, prediction, target=None):
        n2 = len(prediction)
        norms = np.linalg.norm(prediction, axis=1, keepdims=True)
        U = prediction / norms
        S = U @ U.T / self.temperature
        S[np.arange(n2), np.arange(n2)] = 0              # the diagonal zeroed ...
        m = S.max(axis=1, keepdims=True)
        E = np.exp(S - m)
        self._cache = (U, norms, E / E.sum(axis=1, keepdims=True))
        return float(np.mean(m[:, 0] + np.log(E.sum(axis=1)) - 0.0))   # ... and the target

    def backward(self):
        U, norms, P = self._cached()
        n2 = len(U)
        G = P.copy()
        G[np.arange(n2), np.arange(n2)] = 0              # a constant score: no gradient
        dU = (G + G.T) @ U / (self.temperature * n2)
        return (dU - U * np.sum(U * dU, axis=1, keepdims=True)) / norms


print(f"gradcheck of the seed's loss: {nn.gradcheck(SeedLoss(tau), H, H)['prediction']:.1e}")

# %%
# Which way does each loss move a pair of views? The derivative with respect to the twin's
# score :math:`s_{i\pi(i)}` is :math:`(p_{i\pi(i)} - 1)/2N < 0` for NT-Xent (raising that
# score lowers the loss: the views are pulled together) and :math:`p_{i\pi(i)}/2N > 0` for
# the seed's loss (they are pushed apart like any two samples). On the six embeddings above:

twin = P[np.arange(6), partner]
print(f"d loss / d s_twin: NT-Xent {np.round((twin - 1) / 6, 3)}, seed {np.round(twin / 6, 3)}")

# %%
# Both losses train the seed's network, Dense(10, 32), ReLU, Dense(32, 16), on noisy views
# (noise of standard deviation 0.5) of 10-dimensional data with 4 Gaussian groups (unit
# variance, centres 4 apart on average, so they overlap a little), for the
# same epochs from the same seeds. Recorded: the **alignment**, the mean cosine similarity
# of the two views' embeddings (1: the network ignores the noise), the mean similarity of two
# different samples, and k-means (10 seedings) on the normalised embeddings of the clean
# samples, scored by the adjusted Rand index (ARI) against the groups; k-means on the raw
# data is the reference.


def ten_d_blobs(seed, n=600, separation=4.0):
    """4 groups of unit variance in 10-D, their centres ``separation`` apart on average."""
    draws = np.random.default_rng(100 + seed)
    centres = draws.normal(size=(4, 10))
    centres *= separation / np.sqrt(2) / np.linalg.norm(centres, axis=1, keepdims=True)
    y = np.arange(n) % 4
    return centres[y] + draws.normal(size=(n, 10)), y


def train_seed_network(X, loss, seed):
    network = nn.Sequential([nn.Dense(10, 32, random_state=seed), nn.ReLU(),
                             nn.Dense(32, 16, random_state=seed + 1000)])
    noise, draws = augment.GaussianNoise(0.5), np.random.default_rng(seed)

    def two_views(batch):
        return np.concatenate([noise(batch, draws), noise(batch, draws)])

    nn.train(network, loss, nn.Adam(1e-3), X, epochs=EPOCHS["blobs"], batch_size=128,
             random_state=seed, batch_transform=two_views)
    V = network.forward(two_views(X))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    n = len(X)
    alignment = float(np.mean(np.sum(V[:n] * V[n:], axis=1)))
    different = float(np.mean(V[:n] @ V[:n].T))
    Z = network.forward(X)
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    return alignment, different, Z


seed_study = {"seed's loss": [], "NT-Xent": [], "k-means on raw data": []}
for seed in SEEDS:
    X10, y10 = ten_d_blobs(seed)
    for name, loss in (("seed's loss", SeedLoss(0.5)), ("NT-Xent", nn.NTXentLoss(0.5))):
        alignment, different, Z = train_seed_network(X10, loss, seed)
        ari = metrics.adjusted_rand_score(y10, KMeans(4, n_init=10, random_state=seed)
                                          .fit_predict(Z))
        seed_study[name].append((alignment, different, ari))
    raw = metrics.adjusted_rand_score(y10, KMeans(4, n_init=10, random_state=seed)
                                      .fit_predict(X10))
    seed_study["k-means on raw data"].append((np.nan, np.nan, raw))
seed_study = {name: np.array(rows) for name, rows in seed_study.items()}
for name, rows in seed_study.items():
    trained = "" if np.isnan(rows[0, 0]) else (
        f"alignment {rows[:, 0].mean():.3f}, similarity of different samples "
        f"{rows[:, 1].mean():+.3f}, ")
    print(f"{name:20s} {trained}ARI {rows[:, 2].mean():.3f} +- {rows[:, 2].std():.3f} "
          f"(per seed {np.round(rows[:, 2], 2)})")

fig, axes = plt.subplots(1, 2, figsize=(13, 5))
for ax, column, title in ((axes[0], 0, "alignment of the two views"),
                          (axes[1], 2, "ARI of k-means on the embeddings")):
    names = [name for name in seed_study if not np.isnan(seed_study[name][0, column])]
    for x, name in enumerate(names):
        values = seed_study[name][:, column]
        ax.scatter(np.full(len(values), x), values, s=80, alpha=0.7)
        ax.errorbar(x + 0.15, values.mean(), yerr=values.std(), fmt="s", color="k",
                    capsize=6)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_title(title)
axes[0].set_ylabel("mean cosine similarity")
axes[1].set_ylabel("adjusted Rand index")
fig.suptitle("10-32-16 encoder, noisy views of 4 groups in 10-D (dots: seeds; squares: mean"
             " and spread)")
fig.tight_layout()

seed_align, nt_align = seed_study["seed's loss"][:, 0], seed_study["NT-Xent"][:, 0]
seed_ari, nt_ari = seed_study["seed's loss"][:, 2], seed_study["NT-Xent"][:, 2]
raw_ari = seed_study["k-means on raw data"][:, 2]
better = int(np.sum(nt_ari > seed_ari))
print(f"NT-Xent aligned the views better in {int(np.sum(nt_align > seed_align))} of "
      f"{len(SEEDS)} runs and clustered better in {better} of {len(SEEDS)}; its mean ARI "
      f"{'is' if nt_ari.mean() >= raw_ari.mean() else 'stays'} "
      f"{abs(nt_ari.mean() - raw_ari.mean()):.2f} "
      f"{'above' if nt_ari.mean() >= raw_ari.mean() else 'below'} k-means on the raw data.")
if not FAST:   # the claims of the text below, on the full runs
    assert nt_align.mean() > seed_align.mean() and nt_ari.mean() > seed_ari.mean()
    assert abs(seed_study["NT-Xent"][:, 1].mean()) < 0.05
    assert abs(seed_study["seed's loss"][:, 1].mean()) < 0.05

# %%
# Read the lines above. Both networks spread different samples apart (their mean similarity
# is near 0, the most the sphere allows for many points), but only NT-Xent also pulls each
# sample's two views together, so its embedding ignores the noise; the seed's loss treats a
# sample's other view as one more sample to push away, and its embedding of a group smears
# out along whatever the noise changed. k-means then finds the groups far better on NT-Xent's
# embedding. The last line compares both with k-means on the raw data, where the groups are
# plain Gaussian clouds that k-means is made for: an encoder trained on noise alone can only
# keep or lose what separates them, it has nothing to add.
#
# Why do the augmentations matter so much?
# ----------------------------------------
# The loss is satisfied by any embedding that tells every view's twin apart from the other
# views. With **no** augmentation the two views are equal and the task is trivial: every
# sample merely has to differ from every other one, and nothing says that two images of a 3
# should be close. Every augmentation is a statement of what should *not* matter: noise says
# "small changes of pixel values", a mask "any 20 % of the pixels", a shift "where the digit
# sits". On the digits, for each set of augmentations and each seed:
# :class:`~neuroclust.ContrastiveClustering` with its defaults (encoder 64-256-128-64, head
# 64-64-32, :math:`\tau = 0.5`, batches of 256, SimCLR's settings scaled to a small network;
# fixed before looking at any label), then k-means (10 seedings) on the representation. The
# scores are the ARI and the clustering accuracy against the digit labels, which the training
# never sees.

ABLATION = {
    "none (equal views)": augment.GaussianNoise(0.0),
    "noise 0.1": augment.GaussianNoise(0.1),
    "mask 20 %": augment.FeatureMask(0.2),
    "shift 1 px": augment.ImageShift(1, shape=(8, 8)),
    "shift + noise": augment.Compose([augment.ImageShift(1, shape=(8, 8)),
                                      augment.GaussianNoise(0.1)]),
    "shift + mask + noise": augment.Compose([augment.ImageShift(1, shape=(8, 8)),
                                             augment.FeatureMask(0.2),
                                             augment.GaussianNoise(0.1)]),
}


def scores(y, predicted):
    return (metrics.adjusted_rand_score(y, predicted),
            metrics.clustering_accuracy(y, predicted))


ablation, final_loss = {}, {}
for name, views in ABLATION.items():
    models = [ContrastiveClustering(n_clusters=10, augment=views, epochs=EPOCHS["digits"],
                                    random_state=seed).fit(digits) for seed in SEEDS]
    ablation[name] = np.array([scores(labels, model.labels_) for model in models])
    final_loss[name] = float(np.mean([model.history_["loss"][-1] for model in models]))
baselines = {
    "k-means on pixels": np.array([scores(labels, KMeans(10, n_init=10, random_state=seed)
                                          .fit_predict(digits)) for seed in SEEDS]),
    "autoencoder + k-means": np.array([scores(labels, LatentClustering(
        Autoencoder(hidden=(256, 128), latent_dim=10, epochs=EPOCHS["digits"],
                    random_state=seed), n_clusters=10, random_state=seed)
        .fit_predict(digits)) for seed in SEEDS]),
}
for name, rows in {**ablation, **baselines}.items():
    loss_text = f"   final loss {final_loss[name]:.3f}" if name in final_loss else ""
    print(f"{name:24s} ARI {rows[:, 0].mean():.3f} +- {rows[:, 0].std():.3f}   accuracy "
          f"{rows[:, 1].mean():.3f} +- {rows[:, 1].std():.3f}{loss_text}")

fig, ax = plt.subplots(figsize=(11, 6))
everything = {**ablation, **baselines}
for y_position, (name, rows) in enumerate(everything.items()):
    colour = "tab:blue" if name in ablation else "tab:gray"
    ax.barh(y_position, rows[:, 0].mean(), xerr=rows[:, 0].std(), color=colour, capsize=5)
    ax.scatter(rows[:, 0], np.full(len(rows), y_position), color="k", s=20, zorder=3)
ax.set_yticks(range(len(everything)))
ax.set_yticklabels(list(everything))
ax.invert_yaxis()
ax.set_xlabel("adjusted Rand index against the digit labels")
ax.set_title("Digits: contrastive learning with each set of augmentations (blue)\n"
             "and two baselines (grey); bars: mean and spread over seeds, dots: seeds")
fig.tight_layout()

# %%
# The sentences below are computed from the table above.

ari_of = {name: rows[:, 0].mean() for name, rows in everything.items()}
best = max(ablation, key=ari_of.get)
worst = min(ablation, key=ari_of.get)
pixels, autoencoder = ari_of["k-means on pixels"], ari_of["autoencoder + k-means"]
print(f"Best set of augmentations: {best} (ARI {ari_of[best]:.3f}); worst: {worst} "
      f"(ARI {ari_of[worst]:.3f}). The spread between them, {ari_of[best] - ari_of[worst]:.3f}"
      f", is {(ari_of[best] - ari_of[worst]) / max(ablation[best][:, 0].std(), 1e-3):.0f} "
      "times the spread over seeds of the best.")
print(f"Equal views give ARI {ari_of['none (equal views)']:.3f}, "
      f"{'below' if ari_of['none (equal views)'] < pixels else 'above'} k-means on the pixels "
      f"({pixels:.3f}); the best augmentations give {ari_of[best]:.3f}, "
      f"{'above' if ari_of[best] > pixels else 'below'} it and "
      f"{'above' if ari_of[best] > autoencoder else 'below'} the autoencoder ({autoencoder:.3f}).")
singles = ["noise 0.1", "mask 20 %", "shift 1 px"]
best_single = max(singles, key=ari_of.get)
composed = max(["shift + noise", "shift + mask + noise"], key=ari_of.get)
print(f"The best single change is {best_single} (ARI {ari_of[best_single]:.3f}); the best "
      f"composition, {composed} (ARI {ari_of[composed]:.3f}), is "
      f"{'above' if ari_of[composed] > ari_of[best_single] else 'not above'} it.")
if not FAST:   # the claims of the text below, on the full runs
    assert ari_of["none (equal views)"] < pixels
    assert ari_of["none (equal views)"] == min(ari_of[name] for name in ablation)
    assert ari_of[best] - ari_of["none (equal views)"] > 5 * ablation[best][:, 0].std()
    chain = ["none (equal views)", "shift 1 px", "shift + noise", "shift + mask + noise"]
    assert all(final_loss[a] < final_loss[b] for a, b in zip(chain, chain[1:]))

# %%
# What the measurements say, for these small images and this small network:
#
# * **Equal views learn the least.** Without augmentation the loss is solved by spreading
#   all samples apart, and the representation clusters *worse* than the pixels themselves:
#   contrastive learning gets its notion of similarity from the augmentations and from
#   nothing else.
# * **Which augmentation matters depends on what varies in the data.** The ranking above is
#   the answer for the digits; the last line says which single change helped most, and
#   whether composing changes helped further, as SimCLR found for photographs (their fig. 5:
#   crops with colour changes far above either alone). Each change adds invariance but also
#   makes the task harder (the final NT-Xent loss printed in the table rises from equal
#   views to a shift, to a shift with noise, to a shift with a mask and noise), so more is
#   not always better on 64 pixels.
# * **Clustering the representation vs the pixels and an autoencoder's codes**: the last
#   lines above compare them on the same seeds. An autoencoder must keep what rebuilds the
#   pixels, a contrastive encoder only what survives its augmentations, so the better choice
#   of the two depends on whether the augmentations describe the variation that does not
#   matter.
#
# Exercises
# ---------
# 1. Set ``normalize=False`` and cluster the raw representation. Does k-means on the
#    normalised vectors (the directions the loss compares) do better?
# 2. Cluster the head's output (``model.projection_`` applied to ``model.transform``'s
#    unnormalised input) instead of the representation. SimCLR found the layer below the head
#    better for downstream tasks; is it here?
# 3. Vary the temperature (0.1, 0.2, 0.5, 1.0) with the best augmentations, and plot the
#    final loss and the ARI against it. Could you pick :math:`\tau` from the loss alone?
# 4. For signals, use :class:`~neuroclust.augment.TimeShift` and
#    :class:`~neuroclust.augment.CropResize` on :func:`neuroclust.datasets.make_signals`
#    and compare with the shift-invariant autoencoder of tutorial 6.

print(f"tutorial ran in {time.perf_counter() - started:.0f} s ({'fast' if FAST else 'full'} "
      "mode)")

