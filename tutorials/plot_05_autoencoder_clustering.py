r"""
Autoencoders: compress, then cluster the codes
==============================================

A clustering network has no labels to predict, so it needs another number to lower. An
autoencoder takes the simplest one there is: it is asked to give back its own input. The
catch is a narrow layer in the middle, the *code* or *bottleneck*: the network must squeeze
each sample into a few numbers and rebuild it from them, so those few numbers must keep what
the samples differ in. A clustering method then runs on the codes instead of the raw data.

This tutorial derives backpropagation for a dense layer, a ReLU and the squared error by hand,
writes the three backward passes in NumPy, checks them numerically and against
:mod:`neuroclust.nn`, trains a tiny autoencoder with a hand-written loop, then trains
:class:`neuroclust.Autoencoder` on handwritten digits, clusters its codes, and compares with
k-means on the raw pixels. It then asks what extra layers buy. Time series come next, in
:doc:`plot_06_time_series_clustering` (questions 10 and 12).

It answers these questions from the learners' list:

* **1.** Without labels, what does the network improve? (The reconstruction error, eq. :eq:`ae-mse`
  of :doc:`the algorithm page </algorithms/autoencoder>`, by gradient descent.)
* **3.** What extra capabilities come from adding more layers? (An experiment: a linear
  autoencoder, one hidden ReLU layer, two, the same code size; their reconstruction errors
  and clustering scores are printed in a table.)
* **9.** An autoencoder only compresses: how does that help clustering? Why is clustering
  hard in high dimensions?

The equations are on the page :doc:`/algorithms/autoencoder`, each with the line of code that
computes it. Tutorial :doc:`plot_01_competitive_learning` introduced k-means, which this one
runs on the codes.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) trains smaller networks for a few epochs on part of the data, so that
# the script runs in seconds; the numbers printed are then rough. Without it the networks are
# trained properly and the script still runs in under a minute.

# sphinx_gallery_thumbnail_number = 3
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from neuroclust import Autoencoder, KMeans, LatentClustering, datasets, elbow, metrics, nn
from neuroclust import plotting

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0                                     # every random choice below derives from it
N_DIGITS = 600 if FAST else None             # None: all 1797 digits
EPOCHS = 3 if FAST else 40                   # epochs of every digits autoencoder
HIDDEN = (32,) if FAST else (64,)            # the hidden layer of the main autoencoder
LATENT = 10                                  # the size m of the code z
HAND_STEPS = 20 if FAST else 200             # steps of the hand-written training loop
K_MAX = 6 if FAST else 12                    # the elbow runs k = 1 .. K_MAX
DEPTHS = [(), (32,), (32, 16)] if FAST else [(), (64,), (128, 32)]   # question 3

plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "legend.fontsize": 13, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})
started = time.perf_counter()

# %%
# Backpropagation by hand
# -----------------------
# A dense layer maps a batch :math:`X` of shape (n, d) to :math:`U = X W + \mathbf 1 b^\top`;
# a ReLU gives :math:`H = \max(U, 0)`; the squared error of a prediction :math:`P` against a
# target :math:`T` is :math:`L = \frac1n \sum_{i,j} (p_{ij} - t_{ij})^2`. The chain rule,
# written for one layer at a time, needs only the gradient with respect to the layer's
# *output* (the "upstream" gradient) and what the layer cached in its forward pass:
#
# .. math::
#
#    \frac{\partial L}{\partial P} = \frac2n (P - T), \qquad
#    \frac{\partial L}{\partial U} = \frac{\partial L}{\partial H} \odot [U > 0],
#
# .. math::
#
#    \frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial U}, \qquad
#    \frac{\partial L}{\partial b} = \mathbf 1^\top \frac{\partial L}{\partial U}, \qquad
#    \frac{\partial L}{\partial X} = \frac{\partial L}{\partial U} W^\top .
#
# Why these: :math:`u_{il} = \sum_k x_{ik} w_{kl} + b_l`, so :math:`w_{kl}` touches every
# :math:`u_{il}` of column :math:`l` with slope :math:`x_{ik}`; summing over samples gives
# :math:`\sum_i x_{ik}\, \partial L / \partial u_{il}`, the :math:`(k, l)` entry of
# :math:`X^\top \partial L / \partial U`. The bias is the same with :math:`x_{ik} = 1`, and
# :math:`x_{ik}` touches every :math:`u_{il}` of row :math:`i` with slope :math:`w_{kl}`.
# The three backward passes, in NumPy:


def dense_forward(X, W, b):
    return X @ W + b                                  # (n, d_in) @ (d_in, d_out) -> (n, d_out)


def dense_backward(dU, X, W):
    """dL/dW, dL/db, dL/dX from the upstream dL/dU and the cached input X."""
    return X.T @ dU, dU.sum(axis=0), dU @ W.T


def relu_forward(U):
    return np.maximum(U, 0)


def relu_backward(dH, U):
    return dH * (U > 0)                               # the slope is 1 where U > 0, else 0


def mse_forward(P, T):
    return np.sum((P - T) ** 2) / P.shape[0]


def mse_backward(P, T):
    return 2 * (P - T) / P.shape[0]


# %%
# Checking the hand-written gradients
# -----------------------------------
# A gradient that is wrong still lets a network train, only worse, so it must be checked.
# :func:`neuroclust.nn.gradcheck` moves every entry of the input and of every parameter by
# :math:`\pm\epsilon` and compares the change of the output with what ``backward`` predicted
# (central differences, in float64). It checks anything that follows the layer protocol, so
# the hand-written functions are wrapped in three tiny classes:


class HandDense(nn.Layer):
    def __init__(self, W, b):
        super().__init__()
        self.params = {"W": W, "b": b}

    def forward(self, x, training=False):
        self.X = x
        return dense_forward(x, self.params["W"], self.params["b"])

    def backward(self, dy):
        dW, db, dX = dense_backward(dy, self.X, self.params["W"])
        self.grads = {"W": dW, "b": db}
        return dX


class HandReLU(nn.Layer):
    def forward(self, x, training=False):
        self.U = x
        return relu_forward(x)

    def backward(self, dy):
        return relu_backward(dy, self.U)


class HandMSE(nn.Loss):
    def forward(self, prediction, target):
        self.P, self.T = prediction, target
        return mse_forward(prediction, target)

    def backward(self):
        return mse_backward(self.P, self.T)


rng = np.random.default_rng(SEED)
x_tiny = rng.standard_normal((5, 4))                 # 5 samples, 4 features
W1, b1 = rng.standard_normal((4, 3)), rng.standard_normal(3)
W2, b2 = rng.standard_normal((3, 4)), rng.standard_normal(4)
tiny_net = nn.Sequential([HandDense(W1.copy(), b1.copy()), HandReLU(),
                          HandDense(W2.copy(), b2.copy())])     # 4 -> 3 -> 4
print("gradcheck, hand Dense:", nn.gradcheck(HandDense(W1.copy(), b1.copy()), x_tiny))
print("gradcheck, hand ReLU: ", nn.gradcheck(HandReLU(), x_tiny))
print("gradcheck, hand MSE:  ", nn.gradcheck(HandMSE(), tiny_net.forward(x_tiny), x_tiny))
errors = nn.check_gradients(tiny_net, x_tiny)        # raises if any error is above 1e-6
print("gradcheck, the whole 4-3-4 network: largest error", f"{max(errors.values()):.1e}")

# %%
# The errors are far below :math:`10^{-6}`, the tolerance of
# :func:`neuroclust.nn.check_gradients`; a wrong gradient (a missing transpose, a forgotten
# :math:`1/n`) gives errors of order one. The library's layers compute
# the same numbers: give :class:`neuroclust.nn.Dense` the same weights, run both on the same
# input and the same upstream gradient, and compare.

dense = nn.Dense(4, 3, dtype=np.float64)
dense.params["W"][...], dense.params["b"][...] = W1, b1
relu, mse = nn.ReLU(), nn.MeanSquaredError()
dU = rng.standard_normal((5, 3))                     # some upstream gradient
U_hand, U_lib = dense_forward(x_tiny, W1, b1), dense.forward(x_tiny)
dW, db, dX = dense_backward(dU, x_tiny, W1)
dX_lib = dense.backward(dU)
relu.forward(U_lib)
target = rng.standard_normal((5, 3))
mse.forward(U_lib, target)
same = {"Dense forward": np.allclose(U_hand, U_lib),
        "Dense backward (W, b, x)": np.allclose(dW, dense.grads["W"])
        and np.allclose(db, dense.grads["b"]) and np.allclose(dX, dX_lib),
        "ReLU backward": np.allclose(relu_backward(dU, U_hand), relu.backward(dU)),
        "MSE loss and backward": np.isclose(mse_forward(U_hand, target), mse.forward(U_lib, target))
        and np.allclose(mse_backward(U_hand, target), mse.backward())}
for name, ok in same.items():
    print(f"hand == neuroclust.nn, {name}: {ok}")
assert all(same.values())

# %%
# Training by hand
# ----------------
# Now a whole (small) autoencoder on the digits, with nothing but those functions and a loop:
# 64 pixels, a hidden ReLU layer of 32, a code of :math:`m = 8`, a hidden ReLU layer of 32,
# 64 pixels back. Each step draws a mini-batch, runs forward through the four dense layers
# caching their inputs, runs backward from :math:`\partial L / \partial \hat X`, and moves
# every weight a step :math:`\eta` down its gradient.

X_all, y_all = datasets.load_digits()
X_all = X_all / 16.0                                 # pixels in [0, 1]
if N_DIGITS is not None:
    pick = np.random.default_rng(SEED).permutation(len(X_all))[:N_DIGITS]
    X_all, y_all = X_all[pick], y_all[pick]
X, y = X_all, y_all

sizes = [64, 32, 8, 32, 64]
init = np.random.default_rng(SEED)
weights = [(init.normal(0, np.sqrt(2 / a), (a, b)), np.zeros(b))          # He-normal
           for a, b in zip(sizes, sizes[1:])]
eta, batch = 0.01, 32


def forward(X, weights):
    """The four layers; returns the output and each layer's input and pre-activation."""
    cache, h = [], X
    for k, (W, b) in enumerate(weights):
        u = dense_forward(h, W, b)
        cache.append((h, u))
        h = relu_forward(u) if k in (0, 2) else u        # ReLU after layers 1 and 3 only
    return h, cache


def hand_step(X_batch, weights, eta):
    X_hat, cache = forward(X_batch, weights)
    loss = mse_forward(X_hat, X_batch)
    d = mse_backward(X_hat, X_batch)                     # dL/dX_hat
    for k in reversed(range(len(weights))):
        h, u = cache[k]
        if k in (0, 2):
            d = relu_backward(d, u)                      # through the ReLU
        dW, db, d = dense_backward(d, h, weights[k][0])  # d is now dL/dh
        weights[k][0][...] -= eta * dW
        weights[k][1][...] -= eta * db
    return loss


batches = np.random.default_rng(SEED + 1).integers(0, len(X), size=(HAND_STEPS, batch))
library_net = nn.Sequential([nn.Dense(64, 32, dtype=np.float64), nn.ReLU(),
                             nn.Dense(32, 8, dtype=np.float64),
                             nn.Dense(8, 32, dtype=np.float64), nn.ReLU(),
                             nn.Dense(32, 64, dtype=np.float64)])   # the same 64-32-8-32-64
for layer, (W, b) in zip(library_net.layers_with_params(), weights):
    layer.params["W"][...], layer.params["b"][...] = W, b      # the same start
sgd, loss_fn = nn.SGD(eta), nn.MeanSquaredError()
hand_losses, library_losses = [], []
for rows in batches:
    hand_losses.append(hand_step(X[rows], weights, eta))
    library_losses.append(loss_fn.forward(library_net.forward(X[rows]), X[rows]))
    library_net.backward(loss_fn.backward())
    sgd.step(library_net)
print(f"hand loop, {HAND_STEPS} steps: batch loss {hand_losses[0]:.3f} -> {hand_losses[-1]:.3f}")
print("largest |hand loss - neuroclust.nn loss| over the steps:",
      f"{np.max(np.abs(np.subtract(hand_losses, library_losses))):.1e}")

# %%
# The loss falls, and the library's ``Sequential`` with ``SGD`` walks through exactly the same
# losses: :func:`neuroclust.nn.train` is this loop, with shuffled epochs, a NaN guard and a
# progress bar, and :class:`neuroclust.Autoencoder` builds the network and calls it.
#
# An autoencoder on the digits
# ----------------------------
# The estimator trains with Adam (:class:`neuroclust.nn.Adam`), which scales each weight's
# step by a running estimate of its gradient's size, and records the mean loss of every
# epoch in ``history_``. Rather than train it and then cluster separately,
# :class:`neuroclust.LatentClustering` does both: train the autoencoder, encode every sample
# (``codes_``), run k-means on the codes (``labels_``). The pixels are float64, so the
# network trains in float64: a model keeps the dtype of its data (pass float32 data, or
# ``dtype="float32"``, for half the memory); on networks this small neither is faster.

autoencoder = Autoencoder(hidden=HIDDEN, latent_dim=LATENT, epochs=EPOCHS, batch_size=64,
                          learning_rate=3e-3, validation_split=0.1, random_state=SEED)
t0 = time.perf_counter()
latent = LatentClustering(autoencoder=autoencoder, n_clusters=10, random_state=SEED).fit(X)
print(f"trained and clustered in {time.perf_counter() - t0:.1f} s; codes of shape "
      f"{latent.codes_.shape}")
ae = latent.autoencoder_
plotting.plot_training_curves(ae, title="Reconstruction error per epoch")

# %%
# ``validation_split=0.1`` held out the last tenth of the digits: the validation curve says
# whether the network rebuilds digits it never trained on as well as those it did.
#
# Codes against raw pixels
# ------------------------
# The same k-means, with the same seed and the same number of clusters, on the 64 raw pixels
# and on the 10 numbers of the codes. The adjusted Rand index (ARI) and the normalised mutual
# information (NMI) compare each clustering with the true digits, which neither method saw;
# both are 0 for a random assignment and 1 for a perfect one.

labels_raw = KMeans(n_clusters=10, random_state=SEED).fit_predict(X)
labels_codes = latent.labels_
scores = {name: (metrics.adjusted_rand_score(y, labels), metrics.normalized_mutual_info_score(
    y, labels)) for name, labels in [("raw pixels (64)", labels_raw),
                                     (f"autoencoder codes ({LATENT})", labels_codes)]}
print(f"{'k-means on':<26}{'ARI':>7}{'NMI':>7}")
for name, (ari, nmi) in scores.items():
    print(f"{name:<26}{ari:7.3f}{nmi:7.3f}")
better = max(scores, key=lambda name: scores[name][0])
print(f"higher ARI here: {better}")

# %%
# Which of the two wins, and by how much, depends on how well the network is trained (the
# fast mode of the documentation build trains for a few epochs on a third of the digits, so
# its codes are far from converged; run the script without it to compare) and on the seed:
# the line above is one seed, and proves little either way. The digits are small, clean
# images on which k-means on the pixels already does well, so even well-trained codes have
# little room to win. ``benchmarks/bench_autoencoder.py`` repeats this comparison over five
# seeds (its table is in ``benchmarks/results.md``), and :doc:`plot_13_depth_labels_and_clusterers`
# runs depth and width against k-means on the pixels over five seeds, with the spread. What
# the codes always give is a clustering from 10 numbers instead of 64, which matters more the
# bigger the samples are.
#
# Why a bottleneck helps in high dimensions
# -----------------------------------------
# k-means, and any method built on distances, assumes that a sample's nearest neighbours are
# alike. In many dimensions distances *concentrate*: the distance to the nearest and to the
# farthest point become nearly equal, so "nearest" means little. For random points in the unit
# cube, the relative spread of the distances from one point to all others shrinks like
# :math:`1/\sqrt d`:

for d in (2, 10, 64, 1000):
    P = np.random.default_rng(SEED).random((500, d))
    dist = np.linalg.norm(P[1:] - P[0], axis=1)
    print(f"d = {d:4d}: (farthest - nearest) / nearest = "
          f"{(dist.max() - dist.min()) / dist.min():6.2f}")

# %%
# Real data are not random: digits vary along few directions (stroke thickness, slant, which
# digit), and the rest is noise that adds to every distance alike. The bottleneck forces the
# network to keep the few directions along which it can rebuild the samples and to drop the
# rest. One way to see whether the codes keep similar samples together (question 14) is the
# share of each sample's 10 nearest neighbours that show the same digit:


def neighbour_agreement(Z, y, k=10):
    D = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(D, np.inf)
    nearest = np.argsort(D, axis=1)[:, :k]
    return float(np.mean(y[nearest] == y[:, None]))


agreement = {"raw pixels": neighbour_agreement(X, y),
             "codes": neighbour_agreement(latent.codes_, y)}
print(f"same digit among the 10 nearest neighbours: raw pixels {agreement['raw pixels']:.3f}, "
      f"codes {agreement['codes']:.3f}")
kept = max(agreement, key=agreement.get)
print(f"the {kept} keep more same-digit neighbours here"
      + ("" if kept == "codes" else ": the bottleneck's argument is about data whose "
         "distances have concentrated; on these 64 clean pixels the pixels' neighbourhoods are "
         "already good, and the codes lose some of what tells digits apart"))

# %%
# The codes, and how many clusters
# --------------------------------
# The codes have 10 dimensions; :func:`neuroclust.plotting.plot_latent_space` projects them on
# their first two principal components, coloured by the k-means cluster (left) and by the true
# digit (right). Two dimensions of ten hide much of the structure, so clusters that overlap
# here may still be apart in the code space.

plotting.plot_latent_space(latent.codes_, labels_codes, true_labels=y,
                           title="The codes, by cluster and by digit")

# %%
# Without labels, k must be chosen from the codes alone. :func:`neuroclust.elbow` runs
# k-means for k = 1 .. K and returns the inertia (the within-cluster sum of squares); it only
# falls with k, but falls more slowly once each new centre just splits a group in two.

ks, inertias = elbow(latent.codes_, k_max=K_MAX, random_state=SEED)
plotting.plot_elbow(ks, inertias)
drops = -np.diff(inertias) / inertias[:-1]
print("fraction of the inertia removed by each extra cluster:",
      ", ".join(f"k={k}: {drop:.2f}" for k, drop in zip(ks[1:], drops)))

# %%
# On the digits the bend is soft (digits like 4 and 9, or 3, 5 and 8, blur into each other),
# which is typical: the elbow is a hint to read with other evidence, not a rule.
#
# The same reading helps choose the size of the code. With ``autoencoder=...``,
# :func:`neuroclust.elbow` trains a copy of the network for each code size k = 1 .. K and
# returns its mean reconstruction error: the curve falls while each extra number in the code
# stores something the digits vary in, and flattens when it only stores detail.

ks, errors = elbow(X, k_max=K_MAX, autoencoder=Autoencoder(
    hidden=HIDDEN, epochs=EPOCHS, batch_size=64, learning_rate=3e-3, random_state=SEED))
plotting.plot_elbow(ks, errors, xlabel="code size k (latent_dim)",
                    ylabel="mean reconstruction error")
print("reconstruction error by code size:",
      ", ".join(f"k={k}: {error:.2f}" for k, error in zip(ks, errors)))

# %%
#
# And what the network rebuilds from the codes: the top row holds digits, the row below what
# the decoder makes of their codes.

plotting.plot_reconstructions(ae, X, n=10, image_shape=(8, 8))

# %%
# What do more layers add?
# ------------------------
# Question 3 asks whether a deeper network clusters better or is only slower. An experiment,
# with the same code size :math:`m` = 10 and the same training for each:
#
# * ``hidden=()``: a *linear* autoencoder, one dense layer each way and no activation. It can
#   only learn a linear map to 10 numbers and back; the best such map projects on the first 10
#   principal components, so its error can at best equal PCA's (computed below from the SVD),
#   and its code space approaches PCA's subspace as it trains (Baldi & Hornik 1989);
# * one hidden ReLU layer, then two: each adds a bent, piecewise-linear map before the code,
#   so the codes can follow curved families of images that no projection can.


def pca_error(X, m):
    """Mean squared reconstruction error (summed over pixels) of the best rank-m projection."""
    centred = X - X.mean(axis=0)
    s = np.linalg.svd(centred, compute_uv=False)
    return float(np.sum(s[m:] ** 2) / len(X))


def subspace_cosine(A, B):
    """Smallest cosine of the principal angles between the row spaces of A and B (1: equal)."""
    qa, qb = np.linalg.qr(A.T)[0], np.linalg.qr(B.T)[0]
    return float(np.linalg.svd(qa.T @ qb, compute_uv=False).min())


rows = []
for hidden in DEPTHS:
    t0 = time.perf_counter()
    model = Autoencoder(hidden=hidden, latent_dim=LATENT, epochs=EPOCHS, batch_size=64,
                        learning_rate=3e-3, random_state=SEED).fit(X)
    seconds = time.perf_counter() - t0
    codes = model.transform(X)
    labels = KMeans(n_clusters=10, random_state=SEED).fit_predict(codes)
    rows.append((str(hidden) if hidden else "() linear", model.reconstruction_error(X).mean(),
                 metrics.adjusted_rand_score(y, labels), seconds))
    if not hidden:
        linear = model
print(f"{'hidden':<12}{'error':>8}{'ARI':>8}{'seconds':>9}")
for name, error, ari, seconds in rows:
    print(f"{name:<12}{error:8.3f}{ari:8.3f}{seconds:9.2f}")
print(f"{'PCA, 10':<12}{pca_error(X, LATENT):8.3f}")
_, _, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
print("linear autoencoder vs PCA: smallest cosine between the decoder's subspace and the "
      f"first 10 principal directions = "
      f"{subspace_cosine(linear.decoder_.layers_with_params()[-1].params['W'], Vt[:LATENT]):.3f}")

# %%
# Read the table with the error first, against PCA's row: a linear autoencoder can at best
# reach it, while a network with ReLU layers can go below it, because it bends the code space
# along the data; whether a given run does depends on its training (fast mode is too short
# for any of them), and the cosine is near 1 only once the linear one has converged. Whether a
# lower error carries over to the clustering score is a separate matter, and the ARI column
# shows what it is for this run: reconstruction and clustering are different goals, and a
# network can spend its extra capacity on details (the exact stroke) that do not separate the
# digits. Deeper networks also take longer per epoch and need more epochs and data to pay off;
# the 1797 digits are small for that. Methods that train the encoder *for* clustering (DEC,
# which sharpens the clusters of the codes) are the next step.
# :doc:`plot_13_depth_labels_and_clusterers` repeats this experiment over five seeds, with
# two widths, early stopping and three data sets, and puts a classifier on the trained
# encoder.
#
# Time series, where the raw distance itself is the problem (a phase shift moves every value),
# have their own tutorial: :doc:`plot_06_time_series_clustering`.

print(f"tutorial ran in {time.perf_counter() - started:.1f} s ({'fast' if FAST else 'full'} mode)")

# %%
# Exercises
# ---------
# 1. Add a bug to ``dense_backward`` (drop the transpose of ``W``, or use ``X`` instead of
#    ``X.T``) and run the gradient check. How large is the error now?
# 2. Replace SGD by Adam in the hand-written loop: write eqs. (1) to (5) of
#    :class:`neuroclust.nn.Adam` yourself, and compare the losses with ``nn.Adam``.
# 3. Vary ``latent_dim`` from 2 to 32 and plot the reconstruction error and the ARI of the
#    codes against it. Is the best code for rebuilding also the best for clustering?
# 4. Run the depth experiment with five seeds and report mean and spread. Which differences
#    in the table survive?
# 5. Cluster the codes with DBSCAN (``LatentClustering(clusterer=...)`` takes any object with
#    ``fit_predict``, e.g. ``sklearn.cluster.DBSCAN``). What does it assume that k-means does
#    not, and how many points does it call noise?
# 6. Keep the encoder and drop the decoder (question 11): freeze ``ae.encoder_``, put a
#    ``Dense(10, 10)`` layer on top, and train only that layer on 50 labelled digits with
#    :class:`neuroclust.nn.SoftmaxCrossEntropy`. Compare with the same layer on raw pixels.
