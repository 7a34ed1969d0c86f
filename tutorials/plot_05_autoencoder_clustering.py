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
        "MSE loss and backward": np.isclose(mse_forward(U_hand, target),
                                            mse.forward(U_lib, target))
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
#
# .. dropdown:: Solution to exercise 1
#
#    The bug is caught twice. On the tutorial's layer (5 samples, 4 -> 3) neither bug even
#    runs: ``dU @ W`` and ``X @ dU`` multiply matrices whose shapes do not fit, and NumPy
#    raises a ``ValueError``. On a square layer (4 samples, 4 -> 4) every product fits, so
#    the bug runs silently and returns a gradient of the right shape with the wrong values;
#    the gradient check finds it. The tensor whose gradient is wrong (``x`` for the missing
#    ``W.T``, ``W`` for ``X`` in place of ``X.T``) has a relative error of order one (above
#    0.5 on five seeds), while the correct backward, and the tensors the bug does not
#    touch, stay below :math:`10^{-6}`: the check also says where the bug is. Test backward
#    passes on shapes where every dimension differs, and with the gradient check.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import nn
#
#
#       def dense_backward(dU, X, W):                      # the tutorial's, correct
#           return X.T @ dU, dU.sum(axis=0), dU @ W.T
#
#
#       def no_W_transpose(dU, X, W):                      # bug 1: dU @ W instead of dU @ W.T
#           return X.T @ dU, dU.sum(axis=0), dU @ W
#
#
#       def X_not_transposed(dU, X, W):                    # bug 2: X @ dU instead of X.T @ dU
#           return X @ dU, dU.sum(axis=0), dU @ W.T
#
#
#       class HandDense(nn.Layer):
#           def __init__(self, W, b, backward_rule):
#               super().__init__()
#               self.params = {"W": W, "b": b}
#               self.rule = backward_rule
#
#           def forward(self, x, training=False):
#               self.X = x
#               return x @ self.params["W"] + self.params["b"]
#
#           def backward(self, dy):
#               dW, db, dX = self.rule(dy, self.X, self.params["W"])
#               self.grads = {"W": dW, "b": db}
#               return dX
#
#
#       rng = np.random.default_rng(0)
#       x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
#       for rule in (no_W_transpose, X_not_transposed):  # 5 samples, 4 -> 3: the shapes do not fit
#           try:
#               nn.gradcheck(HandDense(W.copy(), b.copy(), rule), x)
#               refused = False
#           except ValueError as error:
#               refused = True
#               print(f"{rule.__name__}, 5 samples, 4 -> 3: ValueError: {str(error)[:60]}...")
#           assert refused                                # NumPy stops the wrong product
#
#       for seed in range(5):             # 4 samples, 4 -> 4: every product fits, the bug runs
#           rng = np.random.default_rng(seed)
#           x, W = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
#           b = rng.standard_normal(4)
#           errors = {rule.__name__: nn.gradcheck(HandDense(W.copy(), b.copy(), rule), x,
#                                                 seed=seed)
#                     for rule in (dense_backward, no_W_transpose, X_not_transposed)}
#           print(f"seed {seed}: " + "; ".join(
#               f"{name}: " + ", ".join(f"{t} {e:.1e}" for t, e in errs.items())
#               for name, errs in errors.items()))
#           assert max(errors["dense_backward"].values()) < 1e-6           # correct: below 1e-6
#           assert errors["no_W_transpose"]["x"] > 0.5                     # wrong dL/dx: order one
#           assert max(errors["no_W_transpose"]["W"], errors["no_W_transpose"]["b"]) < 1e-6
#           assert errors["X_not_transposed"]["W"] > 0.5                   # wrong dL/dW: order one
#           assert max(errors["X_not_transposed"]["x"], errors["X_not_transposed"]["b"]) < 1e-6
#
# .. dropdown:: Solution to exercise 2
#
#    The hand-written Adam walks through the same losses as ``nn.Adam``: from the same
#    He-normal start and the same mini-batches, the batch losses of the 64-32-8-32-64
#    network differ by less than :math:`10^{-9}` at every one of 300 steps, on three seeds
#    (what is left is rounding), and the loss falls below a fifth of its start. Each weight
#    keeps two running averages, of its gradient and of its squared gradient (eqs. (1) and
#    (2) of :class:`neuroclust.nn.Adam`). Both start at zero, which eqs. (3) and (4) of
#    :class:`~neuroclust.nn.Adam` correct for, and eq. (5) of :class:`~neuroclust.nn.Adam`
#    divides the one by the square root of the other, so a weight's step is about
#    :math:`\eta` or smaller whatever the size of its gradient.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import datasets, nn
#
#       X, _ = datasets.load_digits()
#       X = X / 16.0
#       sizes, steps, batch = [64, 32, 8, 32, 64], 300, 32
#       eta, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8
#
#
#       def gradients(X_batch, weights):                   # the tutorial's loop, minus the step
#           cache, h = [], X_batch
#           for k, (W, b) in enumerate(weights):           # 64-32-8-32-64, ReLU after 1 and 3
#               u = h @ W + b
#               cache.append((h, u))
#               h = np.maximum(u, 0) if k in (0, 2) else u
#           loss = np.sum((h - X_batch) ** 2) / len(X_batch)
#           d, grads = 2 * (h - X_batch) / len(X_batch), []
#           for k in reversed(range(len(weights))):
#               h, u = cache[k]
#               if k in (0, 2):
#                   d = d * (u > 0)
#               grads = [h.T @ d, d.sum(axis=0)] + grads
#               d = d @ weights[k][0].T
#           return loss, grads
#
#
#       def adam_step(params, grads, m, v, t):             # Adam's equations, no decay
#           for p, g, m_p, v_p in zip(params, grads, m, v):
#               m_p[...] = beta1 * m_p + (1 - beta1) * g                   # (1)
#               v_p[...] = beta2 * v_p + (1 - beta2) * g * g               # (2)
#               m_hat = m_p / (1 - beta1 ** t)                             # (3)
#               v_hat = v_p / (1 - beta2 ** t)                             # (4)
#               p -= eta * m_hat / (np.sqrt(v_hat) + eps)                  # (5)
#
#
#       for seed in range(3):
#           init = np.random.default_rng(seed)
#           hand = [(init.normal(0, np.sqrt(2 / a), (a, b)), np.zeros(b))       # He-normal
#                   for a, b in zip(sizes, sizes[1:])]
#           net = nn.Sequential([nn.Dense(64, 32, dtype=np.float64), nn.ReLU(),
#                                nn.Dense(32, 8, dtype=np.float64),
#                                nn.Dense(8, 32, dtype=np.float64), nn.ReLU(),
#                                nn.Dense(32, 64, dtype=np.float64)])
#           for layer, (W, b) in zip(net.layers_with_params(), hand):     # the same start
#               layer.params["W"][...], layer.params["b"][...] = W, b
#           params = [p for pair in hand for p in pair]
#           m, v = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
#           adam, mse = nn.Adam(eta), nn.MeanSquaredError()
#           hand_losses, library_losses = [], []
#           batches = np.random.default_rng(seed + 100).integers(0, len(X), size=(steps, batch))
#           for t, rows in enumerate(batches, start=1):
#               loss, grads = gradients(X[rows], hand)
#               adam_step(params, grads, m, v, t)
#               hand_losses.append(loss)
#               library_losses.append(mse.forward(net.forward(X[rows]), X[rows]))
#               net.backward(mse.backward())
#               adam.step(net)
#           gap = np.max(np.abs(np.subtract(hand_losses, library_losses)))
#           start, end = hand_losses[0], np.mean(hand_losses[-20:])
#           print(f"seed {seed}: batch loss {start:.2f} -> {end:.2f} (mean of the last 20 steps); "
#                 f"largest |hand - nn.Adam| over {steps} steps: {gap:.1e}")
#           assert gap < 1e-9                              # the same losses, step for step
#           assert end < 0.2 * start                       # and they fall
#
# .. dropdown:: Solution to exercise 3
#
#    No. The reconstruction error falls with every doubling of the code (by at least 15 %
#    each time, on five seeds), and with 32 numbers it is less than a third of what it is
#    with 4. The ARI does not follow: it is worst at :math:`m = 2` on every seed (two
#    numbers cannot keep ten digits apart), and from :math:`m = 4` on it is flat: the mean
#    ARIs of :math:`m` = 4 to 32 lie within 0.1 of each other, closer than the ARIs of
#    different seeds at one :math:`m`. The extra numbers of a larger code store details
#    (how thick a stroke is, exactly where it lies) that help to rebuild each digit but do
#    not tell the digits apart, and k-means weighs them as much as the numbers that do. The
#    plot draws both curves, the mean and the standard deviation over the seeds.
#
#    .. code-block:: python
#
#       import matplotlib.pyplot as plt
#       import numpy as np
#       from neuroclust import Autoencoder, KMeans, datasets, metrics
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       dims, seeds = [2, 4, 8, 16, 32], [0, 1, 2, 3, 4]
#       error, ari = np.zeros((len(seeds), len(dims))), np.zeros((len(seeds), len(dims)))
#       for i, seed in enumerate(seeds):
#           for j, m in enumerate(dims):
#               ae = Autoencoder(hidden=(64,), latent_dim=m, epochs=20, batch_size=64,
#                                learning_rate=3e-3, random_state=seed, verbose=False).fit(X)
#               labels = KMeans(n_clusters=10, random_state=seed).fit_predict(ae.transform(X))
#               error[i, j] = ae.reconstruction_error(X).mean()
#               ari[i, j] = metrics.adjusted_rand_score(y, labels)
#           print(f"seed {seed}: error {error[i].round(2).tolist()}, "
#                 f"ARI {ari[i].round(3).tolist()}")
#
#       fig, left = plt.subplots()
#       left.errorbar(dims, error.mean(axis=0), yerr=error.std(axis=0), marker="o", color="C0")
#       left.set_xscale("log", base=2)
#       left.set_xticks(dims, labels=[str(m) for m in dims], minor=False)
#       left.set(xlabel="latent_dim m (log scale)", ylabel="mean reconstruction error")
#       left.minorticks_off()
#       right = left.twinx()
#       right.errorbar(dims, ari.mean(axis=0), yerr=ari.std(axis=0), marker="s", color="C1")
#       right.set_ylabel("ARI of k-means on the codes", color="C1")
#       fig.tight_layout()
#       fig.savefig("latent_dim.png")
#
#       mean_ari = ari.mean(axis=0)
#       print("mean ARI by m:", dict(zip(dims, mean_ari.round(3).tolist())))
#       assert np.all(error[:, 1:] < 0.85 * error[:, :-1])   # every doubling rebuilds better,
#       assert np.all(error[:, -1] < error[:, 1] / 3)         # m = 32: over 3 times better than 4
#       assert np.all(ari[:, 0] < ari[:, 1:].min(axis=1))     # m = 2 clusters worst, every seed
#       assert np.ptp(mean_ari[1:]) < 0.1                     # from m = 4 on, the ARI is flat,
#       assert np.ptp(mean_ari[1:]) < np.ptp(ari[:, 1:], axis=0).mean()   # within seeds' spread
#
# .. dropdown:: Solution to exercise 4
#
#    The error differences survive, the clustering ones do not. A hidden ReLU layer lowers the
#    reconstruction error below the linear autoencoder's (which never goes below PCA's), by
#    more than 0.1 on every seed and by far more than two standard errors, and the tutorial's
#    second layer, ``(128, 32)``, lowers it further. The clustering does not follow: the
#    linear and the one-layer networks' ARIs are the same within the noise, and neither ReLU
#    network's ARI is above the linear one's by a difference that survives (the deepest is,
#    if anything, lower). A difference "survives" here when the two means differ by more than
#    two standard errors of their difference, roughly a 95 % test with five seeds each; one
#    seed, as in the tutorial's table, cannot tell a real difference from luck.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import Autoencoder, KMeans, datasets, metrics
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       depths = {"() linear": (), "(64,)": (64,), "(128, 32)": (128, 32)}
#       error = {name: [] for name in depths}
#       ari = {name: [] for name in depths}
#       for seed in range(5):
#           for name, hidden in depths.items():
#               ae = Autoencoder(hidden=hidden, latent_dim=10, epochs=40, batch_size=64,
#                                learning_rate=3e-3, random_state=seed, verbose=False).fit(X)
#               labels = KMeans(n_clusters=10, random_state=seed).fit_predict(ae.transform(X))
#               error[name].append(ae.reconstruction_error(X).mean())
#               ari[name].append(metrics.adjusted_rand_score(y, labels))
#       error = {name: np.array(values) for name, values in error.items()}
#       ari = {name: np.array(values) for name, values in ari.items()}
#       s = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
#       pca = np.sum(s[10:] ** 2) / len(X)                     # the best rank-10 error
#       print(f"{'hidden':<11}{'error':>15}{'ARI':>15}   (mean +- std over 5 seeds)")
#       for name in depths:
#           print(f"{name:<11}{error[name].mean():8.3f} +- {error[name].std(ddof=1):.3f}"
#                 f"{ari[name].mean():8.3f} +- {ari[name].std(ddof=1):.3f}")
#       print(f"{'PCA, 10':<11}{pca:8.3f}")
#
#
#       def survives(a, b):
#           """The means differ by more than two standard errors of their difference."""
#           return abs(a.mean() - b.mean()) > 2 * np.sqrt(a.var(ddof=1) / 5 + b.var(ddof=1) / 5)
#
#
#       pairs = [("() linear", "(64,)"), ("() linear", "(128, 32)"), ("(64,)", "(128, 32)")]
#       for measure, table in (("error", error), ("ARI", ari)):
#           for a, b in pairs:
#               print(f"{measure:>5}: {b:<8} - {a:<9} = {table[b].mean() - table[a].mean():+.3f}, "
#                     f"survives: {survives(table[a], table[b])}")
#       assert np.all(error["() linear"] > pca - 1e-6)         # linear: never below PCA
#       for deep in ("(64,)", "(128, 32)"):
#           assert np.all(error[deep] < error["() linear"] - 0.1)   # ReLU: below, on every seed
#           assert survives(error["() linear"], error[deep])
#           assert not (ari[deep].mean() > ari["() linear"].mean()  # but no better clustering
#                       and survives(ari["() linear"], ari[deep]))
#       assert error["(128, 32)"].mean() < error["(64,)"].mean()    # a second layer: lower still
#       assert survives(error["(64,)"], error["(128, 32)"])
#       assert not survives(ari["() linear"], ari["(64,)"])        # one layer: the same ARI
#
# .. dropdown:: Solution to exercise 5
#
#    DBSCAN assumes that clusters are dense regions separated by sparse gaps, with one
#    density (set by ``eps`` and ``min_samples``) that suits every cluster; it needs no
#    number of clusters and calls what lies in no dense region noise (label -1). k-means
#    assumes k round clusters and gives every sample one. How many points DBSCAN calls
#    noise depends on ``eps``, and on the codes of the digits no radius suits all the
#    clusters. The code sets ``eps`` to quantiles of each code's distance to its 5th
#    nearest code (itself included), so that a chosen share of the codes are core points,
#    and runs ``LatentClustering(clusterer=DBSCAN(...))``. With half the codes core,
#    between a fifth and two fifths of the digits are noise and the rest fall into more
#    than 10 clusters, much purer than k-means' (their ARI is more than 0.1 above k-means'
#    on all digits). With 90 % core, fewer than 5 % are noise, but one cluster holds more
#    than 80 % of the digits: chains of in-between digits bridge the dense regions. On
#    three seeds, the noise shrinks each time ``eps`` grows.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import DBSCAN, Autoencoder, LatentClustering, datasets, metrics
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       for seed in range(3):
#           ae = Autoencoder(hidden=(64,), latent_dim=10, epochs=40, batch_size=64,
#                            learning_rate=3e-3, random_state=seed, verbose=False)
#           kmeans = LatentClustering(autoencoder=ae, n_clusters=10, random_state=seed).fit(X)
#           kmeans_ari = metrics.adjusted_rand_score(y, kmeans.labels_)
#           print(f"seed {seed}: k-means on the codes: ARI {kmeans_ari:.3f}")
#           Z = kmeans.codes_
#           sq = (Z ** 2).sum(axis=1)
#           D = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * Z @ Z.T, 0))
#           fifth = np.sort(D, axis=1)[:, 4]     # to the 5th nearest code, itself included
#           noise_by_eps = []
#           for q in (0.25, 0.5, 0.75, 0.9):
#               eps = float(np.quantile(fifth, q))   # min_samples=5: a share q of codes are core
#               dbscan = DBSCAN(eps=eps, min_samples=5)
#               labels = LatentClustering(autoencoder=ae, clusterer=dbscan).fit(X).labels_
#               noise = labels == -1
#               sizes = np.bincount(labels[~noise])
#               kept_ari = metrics.adjusted_rand_score(y[~noise], labels[~noise])
#               print(f"  eps {eps:.2f} ({q:.0%} core): {len(sizes)} clusters, the largest "
#                     f"{sizes.max() / len(X):.0%} of the digits; noise {noise.mean():.1%}; "
#                     f"ARI on the rest {kept_ari:.3f}")
#               noise_by_eps.append(noise.mean())
#               if q == 0.5:                     # a quarter noise, many clusters, but pure ones
#                   assert 0.2 < noise.mean() < 0.4 and len(sizes) > 10
#                   assert kept_ari > kmeans_ari + 0.1
#               if q == 0.9:                     # little noise, but one cluster takes most digits
#                   assert noise.mean() < 0.05 and sizes.max() > 0.8 * len(X)
#           assert np.all(np.diff(noise_by_eps) < 0)     # a larger radius: fewer noise points
#
# .. dropdown:: Solution to exercise 6
#
#    A frozen encoder never changes, so its codes are computed once and only the new layer
#    learns, from 50 labelled digits; the accuracy is measured on the other 1747. The codes
#    of the trained encoder do about as well as the raw pixels (within 0.1 on each of five
#    seeds, within 0.05 on average) with a layer of 110 weights instead of 650, and far
#    better than the codes of the same encoder untrained, with its random initial weights
#    (more than 0.1 higher on every seed, more than 0.15 on average). So what the
#    autoencoder learned without labels is what makes 10 numbers enough: its codes keep
#    most of what tells the digits apart. On these small, clean digits they do not beat the
#    pixels; what they save is size.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import Autoencoder, datasets, nn
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       accuracy = {"trained encoder": [], "untrained encoder": [], "raw pixels": []}
#       weights = {}
#       for seed in range(5):
#           ae = Autoencoder(hidden=(64,), latent_dim=10, epochs=40, batch_size=64,   # no labels
#                            learning_rate=3e-3, random_state=seed, verbose=False).fit(X)
#           untrained = nn.Sequential([nn.Dense(64, 64, random_state=seed, dtype=np.float64),
#                                      nn.ReLU(), nn.Dense(64, 10, random_state=seed + 1,
#                                                          dtype=np.float64)])
#           # a frozen encoder never changes, so its codes can be computed once
#           features = {"trained encoder": ae.encoder_.forward(X),
#                       "untrained encoder": untrained.forward(X), "raw pixels": X}
#           labelled = np.random.default_rng(seed).permutation(len(X))[:50]   # the labels used
#           rest = np.setdiff1d(np.arange(len(X)), labelled)
#           for name, F in features.items():
#               head = nn.Sequential([nn.Dense(F.shape[1], 10, init="glorot", random_state=seed,
#                                              dtype=np.float64)])        # the only layer trained
#               nn.train(head, nn.SoftmaxCrossEntropy(), nn.Adam(1e-2), F[labelled], y[labelled],
#                        epochs=1000, batch_size=50, random_state=seed)
#               weights[name] = head.n_params()
#               accuracy[name].append(np.mean(head.forward(F[rest]).argmax(axis=1) == y[rest]))
#           print(f"seed {seed}: accuracy on the other {len(rest)} digits: " + ", ".join(
#               f"{name} {values[-1]:.3f}" for name, values in accuracy.items()))
#       mean = {name: np.mean(values) for name, values in accuracy.items()}
#       print("mean:", {name: round(float(value), 3) for name, value in mean.items()})
#       print("weights of the trained layer:", weights)
#       assert weights["trained encoder"] == 110 and weights["raw pixels"] == 650
#       codes, untrained, pixels = (np.array(accuracy[name]) for name in accuracy)
#       assert np.all(codes > untrained + 0.1)                # training the encoder is what helps
#       assert mean["trained encoder"] > mean["untrained encoder"] + 0.15
#       assert np.all(np.abs(codes - pixels) < 0.1)           # 10 codes: as good as 64 pixels
#       assert abs(mean["trained encoder"] - mean["raw pixels"]) < 0.05
