r"""
Depth, a few labels, convolutions, and the clusterer on the codes
=================================================================

Four questions that come after the first autoencoder, each answered by a measurement over
five seeds rather than by an opinion:

* **3.** What extra capabilities come from adding more layers? Is a deep network better at
  clustering, or only slower? (Encoders of depth 0 to 3 and two widths, on three data sets:
  the handwritten digits, a curved set lifted into 20 dimensions, and noisy signals; the
  accuracy, NMI and ARI of k-means on their codes, and the training time.)
* **11.** With no labels at all, how can the weights learned by an autoencoder be used in a
  feed-forward network (keep the encoder, drop the decoder)? What can and cannot be trained
  without labels? (A softmax classifier on the trained encoder, with 0 and with 10 labels per
  digit, frozen and fine-tuned, against the same classifier on the raw pixels.)
* **12.** For time series, should the autoencoder use 1-D convolutions? (A dense and a
  convolutional autoencoder with the same code size and about the same number of weights.)
* **13.** Which clustering algorithm should run on the codes: k-means, DBSCAN, OPTICS? What
  assumptions does each bring? (k-means, DBSCAN and OPTICS on the same 2-D codes, drawn,
  ``eps`` read from a k-distance plot, and OPTICS's reachability plot.)

Tutorial :doc:`plot_05_autoencoder_clustering` builds the autoencoder and ran a first,
single-seed version of question 3; :doc:`plot_06_time_series_clustering` explains why the
signals below defeat a plain autoencoder of either kind and how pooling over time fixes it;
:doc:`plot_08_deep_embedded_clustering` trains the encoder *for* the clustering. The
equations are on the pages :doc:`/algorithms/autoencoder` and :doc:`/algorithms/density`.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) uses part of each data set and stops training after a few epochs, so the
# script runs in seconds and its numbers are rough; the line printed below says which mode made
# this page. Without it the script trains about 130 networks and takes minutes (the tables'
# seconds say where).
#
# No setting of an autoencoder was tuned on a score against the true classes: the learning
# rate is the library's default (Adam, 0.001), the batch size 64, and each network trains for
# as many epochs as its reconstruction error on held-out samples keeps falling (early stopping
# on the last tenth of the rows, which needs no labels; in the full mode with a patience of
# 5 epochs and at most 60).

import copy
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from neuroclust import DBSCAN, OPTICS, Autoencoder, KMeans, datasets, metrics, nn

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEEDS = range(5)                             # every measurement over these five seeds
N_DIGITS = 500 if FAST else None             # None: all 1797 digits
N_SHAPES = 400 if FAST else 1200             # points of the lifted curved set
N_SIGNALS, LENGTH = (150, 64) if FAST else (600, 128)
MAX_EPOCHS = 12 if FAST else 60              # early stopping may end training sooner
PATIENCE = 3 if FAST else 5                  # epochs without a better held-out error
WIDTHS = (16, 64) if FAST else (32, 128)     # the two widths of every hidden layer
DEPTHS = (1, 2, 3)                           # hidden layers in the encoder (and decoder)
BATCH, LEARNING_RATE = 64, 1e-3
LABELS_PER_CLASS = 10                        # question 11
CLASSIFIER_STEPS = 500                       # full-batch Adam steps of every classifier
CLASSIFIER_RATE = 1e-2                       # their learning rate

plt.rcParams.update({"font.size": 14, "axes.titlesize": 15, "axes.labelsize": 14,
                     "legend.fontsize": 12, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})
print(f"mode: {'fast (subsets, few epochs: rough numbers)' if FAST else 'full'}; "
      f"{len(SEEDS)} seeds")
started = time.perf_counter()


def shuffled(X, y, n=None):
    """Rows in a fixed random order (the held-out rows are the last tenth), the first n."""
    order = np.random.default_rng(0).permutation(len(X))[:n]
    return np.ascontiguousarray(X[order], dtype=np.float32), y[order]


def mean_std(values):
    return f"{np.mean(values):.2f} ± {np.std(values):.2f}"


def compare(a, b):
    """'above', 'below' or 'within the spread of': a against b, two lists over the seeds."""
    gap, spread = np.mean(a) - np.mean(b), max(np.std(a), np.std(b))
    return "within the spread of" if abs(gap) <= spread else ("above" if gap > 0 else "below")


# %%
# Three data sets
# ---------------
# * **digits**: the 1797 handwritten digits, 8 x 8 pixels scaled to [0, 1], 10 classes.
# * **lifted shapes**: two interleaving moons and a wider, sparser blob in the plane, three
#   groups, mapped into 20 dimensions by a fixed random map :math:`x = \tanh(A z + b)`
#   (:math:`A` of shape 20 x 2 and :math:`b` drawn once from a normal distribution). The
#   samples lie on a curved 2-D sheet in :math:`\mathbb R^{20}`: a projection (PCA) flattens
#   the sheet and can fold distant parts onto each other, a network can unbend it.
# * **signals**: :func:`neuroclust.datasets.make_signals`, sines, square and sawtooth waves
#   with a random phase and noise, 3 classes.
#
# The code size is the library's default (10) for the digits, the dimension the shapes were
# drawn in (2, which lets question 13 draw the codes) and 8 for the signals, as in
# tutorial 6. The seeds change the networks' initial weights, the batches and k-means' starts;
# the data stay the same.


def lifted_shapes(n, random_state=0):
    """Two moons and a sparse blob (labels 0, 1, 2), lifted to 20-D by a fixed tanh map."""
    rng = np.random.default_rng(random_state)
    n_blob = n // 4
    Z, y = datasets.make_moons(n - n_blob, noise=0.05, random_state=random_state)
    blob = rng.normal([-0.7, -0.8], 0.22, size=(n_blob, 2))
    Z, y = np.vstack([Z, blob]), np.concatenate([y, np.full(n_blob, 2)])
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    A, b = rng.normal(size=(2, 20)), rng.normal(scale=0.5, size=20)
    return np.tanh(Z @ A + b), y, Z


X_digits, y_digits = datasets.load_digits()
X_shapes, y_shapes, Z_shapes = lifted_shapes(N_SHAPES)
X_signals, y_signals = datasets.make_signals(n_samples=N_SIGNALS, length=LENGTH, random_state=0,
                                             return_kinds=True)[:2]
DATA = {"digits": (*shuffled(X_digits / 16.0, y_digits, N_DIGITS), 10),
        "lifted shapes": (*shuffled(X_shapes, y_shapes), 2),
        "signals": (*shuffled(X_signals, y_signals), 8)}
for name, (X, y, latent) in DATA.items():
    print(f"{name:<14} X {X.shape}, {len(np.unique(y))} classes, code size {latent}")

fig, ax = plt.subplots(figsize=(6, 5))
ax.scatter(*Z_shapes.T, c=y_shapes, cmap="viridis", s=8)
ax.set(title="The shapes before the lift (2-D)", xlabel="$z_1$", ylabel="$z_2$")
fig.tight_layout()

# %%
# Question 3: depth and width
# ---------------------------
# For each data set, each encoder and each seed: train the autoencoder, encode every sample,
# run k-means with as many clusters as classes, and score the clustering against the classes
# (which nothing above saw) with the accuracy under the best one-to-one matching of clusters
# to classes (the Hungarian algorithm, :func:`neuroclust.metrics.clustering_accuracy`), the
# normalised mutual information and the adjusted Rand index. Depth 0 is a linear autoencoder,
# one dense layer each way, whose best solution spans the same subspace as PCA; PCA itself,
# computed exactly from the training rows, is the row above it. Depths 1 to 3 stack that many
# hidden ReLU layers of one width before the code, mirrored in the decoder. The held-out error
# is the squared reconstruction error per sample on the last tenth of the rows.

ARCHITECTURES = {"PCA": None, "linear": ()}
ARCHITECTURES.update({f"{depth} x {width}": (width,) * depth
                      for width in WIDTHS for depth in DEPTHS})


def scores(y, labels):
    return (metrics.clustering_accuracy(y, labels),
            metrics.normalized_mutual_info_score(y, labels),
            metrics.adjusted_rand_score(y, labels))


def pca_codes(X, m):
    """Codes, held-out error per sample and seconds of a rank-m PCA fitted on the first 90 %."""
    t0 = time.perf_counter()
    n_train = len(X) - int(0.1 * len(X))
    mean = X[:n_train].mean(axis=0)
    _, _, Vt = np.linalg.svd(X[:n_train] - mean, full_matrices=False)
    seconds = time.perf_counter() - t0
    held = X[n_train:] - mean
    error = np.mean(np.sum((held - held @ Vt[:m].T @ Vt[:m]) ** 2, axis=1))
    return (X - mean) @ Vt[:m].T, float(error), seconds


def train_autoencoder(X, hidden, latent, seed):
    """The autoencoder of every experiment here: early stopping on the held-out error."""
    return Autoencoder(hidden=hidden, latent_dim=latent, epochs=MAX_EPOCHS, batch_size=BATCH,
                       learning_rate=LEARNING_RATE, validation_split=0.1, patience=PATIENCE,
                       random_state=seed).fit(X)


results, models = {}, {}
for name, (X, y, latent) in DATA.items():
    k = len(np.unique(y))
    for arch, hidden in ARCHITECTURES.items():
        row = {key: [] for key in ("acc", "nmi", "ari", "seconds", "error", "epochs", "params")}
        for seed in SEEDS:
            if hidden is None:
                codes, error, seconds = pca_codes(X, latent)
                epochs, params = 0, X.shape[1] * latent
            else:
                t0 = time.perf_counter()
                model = train_autoencoder(X, hidden, latent, seed)
                seconds = time.perf_counter() - t0
                models.setdefault((name, arch), []).append(model)
                codes = model.transform(X)
                error = float(model.reconstruction_error(X[len(X) - int(0.1 * len(X)):]).mean())
                epochs, params = len(model.history_["loss"]), model.parameters_.size
            labels = KMeans(n_clusters=k, random_state=seed).fit_predict(codes)
            for key, value in zip(("acc", "nmi", "ari"), scores(y, labels)):
                row[key].append(value)
            for key, value in (("seconds", seconds), ("error", error), ("epochs", epochs),
                               ("params", params)):
                row[key].append(value)
        results[(name, arch)] = row

for name in DATA:
    print(f"\n{name}: mean ± std over {len(SEEDS)} seeds")
    print(f"{'encoder':<10}{'weights':>8}{'epochs':>7}{'seconds':>9}{'held-out err':>13}"
          f"{'ACC':>13}{'NMI':>13}{'ARI':>13}")
    for arch in ARCHITECTURES:
        row = results[(name, arch)]
        print(f"{arch:<10}{row['params'][0]:>8}{np.mean(row['epochs']):>7.0f}"
              f"{np.mean(row['seconds']):>9.2f}{np.mean(row['error']):>13.3f}"
              f"{mean_std(row['acc']):>13}{mean_std(row['nmi']):>13}{mean_std(row['ari']):>13}")

# %%
# ``weights`` counts every weight and bias of encoder and decoder (for PCA, the projection);
# ``epochs`` is where early stopping ended training. The figure draws the ARI and the training
# time against the depth, one line per width (depth 0 is the linear autoencoder, the dashed
# line and band PCA):

fig, axes = plt.subplots(2, len(DATA), figsize=(15, 8.5), sharex=True)
for column, name in enumerate(DATA):
    pca = results[(name, "PCA")]["ari"]
    axes[0, column].axhline(np.mean(pca), color="grey", linestyle="--", label="PCA")
    axes[0, column].axhspan(np.mean(pca) - np.std(pca), np.mean(pca) + np.std(pca),
                            color="grey", alpha=0.2)
    for width in WIDTHS:
        archs = ["linear"] + [f"{depth} x {width}" for depth in DEPTHS]
        for row_index, key in enumerate(("ari", "seconds")):
            values = [results[(name, arch)][key] for arch in archs]
            axes[row_index, column].errorbar(range(len(archs)), [np.mean(v) for v in values],
                                             yerr=[np.std(v) for v in values], marker="o",
                                             capsize=4, label=f"width {width}")
    axes[0, column].set_title(name)
    axes[1, column].set_yscale("log")
    axes[1, column].set_xlabel("hidden layers (0: linear)")
    axes[1, column].set_xticks(range(len(DEPTHS) + 1))
axes[0, 0].set_ylabel("ARI of k-means on the codes")
axes[1, 0].set_ylabel("training seconds")
axes[0, 0].legend()
fig.tight_layout()

# %%
# What the numbers say, computed from them (each comparison "above" or "below" only when the
# gap between the means is larger than the larger of the two standard deviations):

assert max(np.mean(results[("signals", arch)]["ari"]) for arch in ARCHITECTURES) < 0.2
for name in DATA:
    arch_ari = {arch: results[(name, arch)]["ari"] for arch in ARCHITECTURES}
    best = max(arch_ari, key=lambda arch: np.mean(arch_ari[arch]))
    deepest = max((f"{DEPTHS[-1]} x {width}" for width in WIDTHS),
                  key=lambda arch: np.mean(arch_ari[arch]))
    slower = (np.mean(results[(name, deepest)]["seconds"])
              / np.mean(results[(name, "linear")]["seconds"]))
    lowest_error = min((arch for arch in ARCHITECTURES if arch != "PCA"),
                       key=lambda arch: np.mean(results[(name, arch)]["error"]))
    print(f"{name}: the highest mean ARI, {mean_std(arch_ari[best])}, came from {best}. The "
          f"better {DEPTHS[-1]}-layer encoder ({deepest}, {mean_std(arch_ari[deepest])}) was "
          f"{compare(arch_ari[deepest], arch_ari['linear'])} the linear one "
          f"({mean_std(arch_ari['linear'])}) and {compare(arch_ari[deepest], arch_ari['PCA'])} "
          f"PCA, and took {slower:.1f} times as long to train. The lowest held-out "
          f"reconstruction error came from {lowest_error}.")

# %%
# Three things to read in the table, whichever way the numbers fall on a given run:
#
# * **Reconstruction and clustering are different goals.** Extra layers can only help the
#   autoencoder rebuild its input (a deep network can always imitate a shallow one), and the
#   held-out error column says whether they did. Whether the lower error carries over to the
#   ARI is a separate question, answered by the last columns: the loss never asked the codes to
#   form groups.
# * **Unfolding is not separating.** A linear code of a curved sheet folds it; a network with
#   hidden layers can unfold it, and on the lifted shapes the held-out error says how much
#   better the deeper networks rebuild the sheet. But k-means still needs *convex* groups: an
#   unfolded moon is still a moon, so a lower error need not raise k-means' score there
#   (question 13 below puts a density-based clusterer on the same kind of codes).
# * **Depth does not fix the wrong loss.** On the signals the phase dominates the squared
#   error, so every dense code here spends itself on the phase, whatever the depth, and k-means
#   stays near chance (the script checks it: no mean ARI on the signals reaches 0.2;
#   tutorial 6 shows the fix: pool over time and compare after the best shift).
#
# Deeper networks always cost time per epoch; early stopping decides how many epochs, so the
# total time depends on both.
#
# Question 11: keep the encoder, drop the decoder
# -----------------------------------------------
# The trained encoder is an ordinary feed-forward network, :class:`neuroclust.nn.Sequential`,
# in ``autoencoder.encoder_``. Put a dense layer with one output per class on top and train it
# with the softmax cross-entropy (:class:`neuroclust.nn.SoftmaxCrossEntropy`) by
# :func:`neuroclust.nn.train`, and it is a classifier. On the digits, with the encoder whose
# held-out reconstruction error was lowest (a choice made without labels), each seed draws
# 10 labelled digits per class; every accuracy is measured on the other digits:
#
# * **0 labels**: k-means on the codes, scored with the best matching of clusters to digits.
#   The matching itself needs the labels, so this is only a score: without labels a cluster
#   has no name.
# * **0 labels + naming**: the same clusters, each named by the most frequent digit among its
#   labelled members (a cluster without any keeps no name and counts as wrong).
# * **frozen codes**: the softmax layer alone, trained on the codes of the labelled digits.
# * **fine-tuned**: encoder and softmax layer trained together on the labelled digits,
#   starting from the autoencoder's weights.
# * **same network, random start**: the same layers trained on the same digits from random
#   weights: what the unlabelled pretraining adds.
# * **raw pixels**: the softmax layer on the 64 pixels (multinomial logistic regression).
#
# Every classifier runs the same 500 full-batch Adam steps at learning rate 0.01, enough for
# each to fit its labelled digits, judged by its training loss and not by the accuracy on the
# others. The last column of the table is that loss, the cross-entropy on its own labelled
# digits at the end: near 0, it fitted them; well above 0, its layers could not separate them
# in the space they were given.

X, y, latent = DATA["digits"]
encoder_arch = min((arch for arch in ARCHITECTURES if arch != "PCA"),
                   key=lambda arch: np.mean(results[("digits", arch)]["error"]))
print(f"the encoder: {encoder_arch} hidden layers, code size {latent}")


def labelled_split(y, per_class, seed):
    """``per_class`` random indices of each class, and the indices of all the others."""
    rng = np.random.default_rng(seed)
    chosen = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                             for c in np.unique(y)])
    return chosen, np.setdiff1d(np.arange(len(y)), chosen)


def softmax_layer(n_inputs, n_classes, seed):
    return nn.Dense(n_inputs, n_classes, init="glorot", random_state=seed, dtype=np.float32)


def train_classifier(layers, X, y, seed, name):
    """Train the network of ``layers`` on (X, y), full batch; keeps its last training loss."""
    network = nn.Sequential(layers)
    history = nn.train(network, nn.SoftmaxCrossEntropy(), nn.Adam(CLASSIFIER_RATE), X, y,
                       epochs=CLASSIFIER_STEPS, batch_size=len(X), random_state=seed)
    training_loss.setdefault(name, []).append(history["loss"][-1])
    return network


def accuracy(network, X, y):
    return float(np.mean(np.argmax(network.forward(X), axis=1) == y))


def random_encoder(n_inputs, hidden, latent, seed):
    """The encoder's layers (dense, ReLU, ..., dense to the code), from random weights."""
    sizes, layers = (n_inputs, *hidden, latent), []
    for index, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Dense(a, b, random_state=seed + 100 * index, dtype=np.float32))
        if index < len(hidden):
            layers.append(nn.ReLU())
    return layers


n_classes = len(np.unique(y))
training_loss = {}
rows = {key: [] for key in ("0 labels", "0 labels + naming", "frozen codes", "fine-tuned",
                            "same network, random start", "raw pixels")}
for seed, autoencoder in zip(SEEDS, models[("digits", encoder_arch)]):
    labelled, rest = labelled_split(y, LABELS_PER_CLASS, seed)
    codes = autoencoder.transform(X)
    clusters = KMeans(n_clusters=n_classes, random_state=seed).fit_predict(codes)
    rows["0 labels"].append(metrics.clustering_accuracy(y[rest], clusters[rest]))
    names = {c: np.bincount(y[labelled][clusters[labelled] == c]).argmax()
             for c in np.unique(clusters[labelled])}
    named = np.array([names.get(c, -1) for c in clusters[rest]])
    rows["0 labels + naming"].append(float(np.mean(named == y[rest])))
    head = train_classifier([softmax_layer(latent, n_classes, seed)], codes[labelled],
                            y[labelled], seed, "frozen codes")
    rows["frozen codes"].append(accuracy(head, codes[rest], y[rest]))
    encoder = copy.deepcopy(autoencoder.encoder_)          # the autoencoder stays as it was
    tuned = train_classifier(encoder.layers + [softmax_layer(latent, n_classes, seed)],
                             X[labelled], y[labelled], seed, "fine-tuned")
    rows["fine-tuned"].append(accuracy(tuned, X[rest], y[rest]))
    scratch = train_classifier(random_encoder(X.shape[1], ARCHITECTURES[encoder_arch], latent,
                                              seed) + [softmax_layer(latent, n_classes, seed)],
                               X[labelled], y[labelled], seed, "same network, random start")
    rows["same network, random start"].append(accuracy(scratch, X[rest], y[rest]))
    pixels = train_classifier([softmax_layer(X.shape[1], n_classes, seed)], X[labelled],
                              y[labelled], seed, "raw pixels")
    rows["raw pixels"].append(accuracy(pixels, X[rest], y[rest]))

print(f"accuracy on the {len(rest)} digits without a label, mean ± std over {len(SEEDS)} seeds, "
      f"and the classifier's last loss on its labelled digits")
for key, values in rows.items():
    loss = f"{np.mean(training_loss[key]):10.3f}" if key in training_loss else ""
    print(f"{key:<28}{mean_std(values):>12}{loss}")
fig, ax = plt.subplots(figsize=(10, 5))
ax.barh(list(rows)[::-1], [np.mean(v) for v in rows.values()][::-1],
        xerr=[np.std(v) for v in rows.values()][::-1], capsize=4, color="tab:blue")
ax.set(xlim=(0, 1), xlabel="accuracy on the digits without a label",
       title=f"{LABELS_PER_CLASS} labels per digit, {len(SEEDS)} seeds")
fig.tight_layout()

# %%
# Computed from the table:

print(f"Pretraining without labels: fine-tuning the autoencoder's encoder scored "
      f"{compare(rows['fine-tuned'], rows['same network, random start'])} the same network "
      f"trained from random weights on the same labels, and the frozen codes scored "
      f"{compare(rows['frozen codes'], rows['raw pixels'])} the same softmax layer on the raw "
      f"pixels. Naming the clusters with the labels scored "
      f"{compare(rows['0 labels + naming'], rows['frozen codes'])} training a softmax layer "
      f"on the same codes.")

# %%
# **What can be trained without labels:** everything that is judged by the data alone. The
# encoder's weights (by the reconstruction error), the grouping of the codes (by k-means'
# inertia), even the number of groups (by an elbow or an internal index). **What cannot:**
# the *names*. No loss computed from the pixels alone can say that a cluster is the digit 7,
# or that two clusters of 1s (with and without a serif) are one class, or that a 4 and a 9
# that k-means put together must be split. Ten labels per class are enough to name clusters
# and to place a linear boundary in the code space; fine-tuning can also move the code space
# itself, but with a hundred labels it can as easily overfit them, and the random-start row
# shows how much of its result the pretraining brought.
#
# Question 12: dense or convolutional, on signals
# -----------------------------------------------
# The same signals, two autoencoders with the same code size (8) and about the same number of
# weights: ``kind="conv1d"`` with its default two convolutions (8 and 16 channels, kernels of
# 5), and a dense one whose single hidden layer is sized to match. Tutorial 6 adds a third,
# the convolutional one with pooling over time and the shift-invariant loss; it is the last
# row here, for reference. Same training as above (early stopping on the held-out error).

X, y, latent = DATA["signals"]
conv_params = Autoencoder(kind="conv1d", latent_dim=latent, epochs=1,
                          random_state=0).fit(X[:BATCH]).parameters_.size
width = round((conv_params - latent - LENGTH) / (2 * LENGTH + 2 * latent + 2))  # dense weights
SIGNAL_MODELS = {
    f"dense, hidden ({width},)": dict(hidden=(width,)),
    "conv1d, channels (8, 16)": dict(kind="conv1d"),
    "conv1d, pooled, shift_mse": dict(kind="conv1d", global_pool=True, loss="shift_mse"),
}
signal_rows = {}
for label, options in SIGNAL_MODELS.items():
    row = {"ari": [], "nmi": [], "seconds": []}
    for seed in SEEDS:
        t0 = time.perf_counter()
        model = Autoencoder(latent_dim=latent, epochs=MAX_EPOCHS, batch_size=BATCH,
                            learning_rate=LEARNING_RATE, validation_split=0.1,
                            patience=PATIENCE, random_state=seed, **options).fit(X)
        row["seconds"].append(time.perf_counter() - t0)
        labels = KMeans(n_clusters=3, random_state=seed).fit_predict(model.transform(X))
        row["ari"].append(metrics.adjusted_rand_score(y, labels))
        row["nmi"].append(metrics.normalized_mutual_info_score(y, labels))
    row["params"] = model.parameters_.size
    signal_rows[label] = row

print(f"{'autoencoder':<28}{'weights':>8}{'ARI':>13}{'NMI':>13}{'seconds':>13}")
for label, row in signal_rows.items():
    print(f"{label:<28}{row['params']:>8}{mean_std(row['ari']):>13}{mean_std(row['nmi']):>13}"
          f"{mean_std(row['seconds']):>13}")
dense_row, conv_row, pooled_row = signal_rows.values()
assert np.mean(pooled_row["ari"]) > max(np.mean(dense_row["ari"]), np.mean(conv_row["ari"]))
ratio = np.mean(conv_row["seconds"]) / np.mean(dense_row["seconds"])
print(f"The plain convolutional autoencoder scored {compare(conv_row['ari'], dense_row['ari'])} "
      f"the dense one in ARI and took {ratio:.1f} times as long; the pooled one with the "
      f"shift-invariant loss scored {compare(pooled_row['ari'], conv_row['ari'])} the plain one.")

# %%
# A convolution shares one short kernel across time, so with the same number of weights it
# can afford many more feature detectors than a dense layer, which gives every time step its
# own weight. That is the case for 1-D convolutions. What they do not change is what the code
# must hold: with the point-by-point squared error, both plain models must store the phase,
# the largest variation between these signals, and k-means groups by it. The choice of *loss
# and pooling* decides the clustering here more than dense against convolutional (the script
# checks that the pooled model's mean ARI is the highest of the three); tutorial 6
# takes that apart step by step.
#
# Question 13: k-means, DBSCAN and OPTICS on the same codes
# ---------------------------------------------------------
# The lifted shapes have 2-D codes, so each clusterer's result can be drawn. The encoder is
# again the one with the lowest held-out reconstruction error. What each one assumes:
#
# * **k-means** (:class:`neuroclust.KMeans`): :math:`k` given; each cluster is the set of
#   points nearest to one centre, so clusters are convex cells of similar spread, and every
#   point belongs to one.
# * **DBSCAN** (:class:`neuroclust.DBSCAN`): no :math:`k`; a cluster is a region where every
#   core point has at least ``min_samples`` neighbours within ``eps``, of any shape, and what
#   lies in no such region is noise. One ``eps`` for the whole space: **one density**.
# * **OPTICS**: DBSCAN for every ``eps`` at once; it orders the points so that dense regions
#   of *different* densities show as valleys of one reachability plot, then cuts each valley
#   where it is steep enough.
#
# ``eps`` comes from the k-distance plot, not from the labels: a point is a core point when its
# ``min_samples``-th nearest sample (itself counted) lies within ``eps``, so sort those
# distances. Points inside clusters give the long flat part, noise the steep tail; ``eps`` is
# taken at the knee, the point of the sorted curve farthest below the straight line joining its
# ends (both axes scaled to [0, 1]).

X, y, latent = DATA["lifted shapes"]
shape_arch = min((arch for arch in ARCHITECTURES if arch != "PCA"),
                 key=lambda arch: np.mean(results[("lifted shapes", arch)]["error"]))
MIN_SAMPLES = 5                               # DBSCAN's default


def k_distances(Z, k):
    """Sorted distance of each point to its k-th nearest sample, itself counted as the first."""
    D = np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2))
    return np.sort(np.sort(D, axis=1)[:, k - 1])


def knee(values):
    """The value at the point of a rising sorted curve farthest below the chord of its ends."""
    t = np.linspace(0, 1, len(values))
    v = (values - values[0]) / (values[-1] - values[0])
    return float(values[np.argmax(t - v)])


clusterings, shape_rows = [], {key: [] for key in ("k-means", "DBSCAN")}
noise_share, n_found, noise_by_group = [], [], []
for seed, autoencoder in zip(SEEDS, models[("lifted shapes", shape_arch)]):
    Z = autoencoder.transform(X)
    Z = (Z - Z.mean(axis=0)) / Z.std()        # one scale for both axes: shapes kept
    distances = k_distances(Z, MIN_SAMPLES)
    eps = knee(distances)
    found = {"k-means": KMeans(n_clusters=3, random_state=seed).fit_predict(Z),
             "DBSCAN": DBSCAN(eps=eps, min_samples=MIN_SAMPLES).fit_predict(Z)}
    for key, labels in found.items():
        shape_rows[key].append(metrics.adjusted_rand_score(y, labels))
    noise_share.append(float(np.mean(found["DBSCAN"] == -1)))
    noise_by_group.append([np.mean(found["DBSCAN"][y == g] == -1) for g in range(3)])
    n_found.append(len(set(found["DBSCAN"]) - {-1}))
    clusterings.append((Z, distances, eps, found))

print(f"codes of the {shape_arch} encoder; ARI over {len(SEEDS)} seeds (DBSCAN's noise counts "
      f"as one more group):")
for key, values in shape_rows.items():
    print(f"{key:<10}{mean_std(values):>13}")
print(f"DBSCAN found {min(n_found)} to {max(n_found)} clusters and called "
      f"{np.mean(noise_share):.0%} of the points noise on average")
GROUPS = ("upper moon", "lower moon", "blob")
noise_by_group = np.mean(noise_by_group, axis=0)
print("share of each true group that DBSCAN called noise: " + ", ".join(
    f"{group} {share:.0%}" for group, share in zip(GROUPS, noise_by_group)))
print(f"DBSCAN scored {compare(shape_rows['DBSCAN'], shape_rows['k-means'])} k-means; the most "
      f"noise fell in the {GROUPS[int(np.argmax(noise_by_group))]}, and it split the data into "
      f"{'more' if np.mean(n_found) > 3 else 'no more'} clusters than the 3 groups on average.")

# %%
# The k-distance curve of the first seed's codes, with the ``eps`` read from it, then the three
# labelings of the same codes (grey: DBSCAN's noise; each cluster takes the colour of the true
# group it is matched to by :func:`neuroclust.metrics.match_clusters`, and a cluster left
# over takes a colour of its own; with more than ten clusters, colours repeat):

Z, distances, eps, found = clusterings[0]
fig, ax = plt.subplots(figsize=(8, 5))
ax.plot(distances)
ax.axhline(eps, color="tab:red", linestyle="--", label=f"eps = {eps:.3f} (the knee)")
ax.set(xlabel="points, sorted", ylabel=f"distance to the {MIN_SAMPLES}th nearest sample",
       title="k-distance plot of the codes")
ax.legend()
fig.tight_layout()


def draw(ax, Z, labels, title):
    """The codes coloured by cluster, each cluster renamed after the true group it is
    matched to (so that a colour means one group in every panel), noise in grey."""
    labels = metrics.match_clusters(y, labels, noise=-1)
    noise = labels == -1
    ax.scatter(*Z[noise].T, s=8, color="lightgrey")
    ax.scatter(*Z[~noise].T, s=8, c=labels[~noise] % 10, cmap="tab10", vmin=0, vmax=9)
    ax.set(title=title, xticks=[], yticks=[])


fig, axes = plt.subplots(1, 3, figsize=(15, 5))
draw(axes[0], Z, y, "the true groups")
for ax, (key, labels) in zip(axes[1:], found.items()):
    draw(ax, Z, labels, f"{key}, ARI {metrics.adjusted_rand_score(y, labels):.2f}")
fig.tight_layout()

# %%
# Read the pictures against the assumptions. k-means draws straight borders between three
# centres, so wherever a moon is not a convex blob in the code space, it is cut across, and a
# wide group takes points from a tight one. DBSCAN follows any shape, but its single ``eps``
# is read from the whole curve: a group whose codes are sparser than the rest falls partly into
# noise or breaks into pieces, and a larger ``eps`` would keep it whole but merge groups where
# they come close. The lines above say where the noise fell in these runs. The densities that
# matter are those of the *codes*, not of the original shapes: the autoencoder was trained to
# rebuild the samples, not to keep the groups apart or their densities alike, so it can
# stretch one group thin and pack another tight, and two groups can touch in the code space
# even where they do not in the data. That is why the table counts over five encoders, and why
# OPTICS, which needs no single ``eps``, is the next thing to try, below.

# %%
# OPTICS: every ``eps`` at once
# -----------------------------
# :class:`neuroclust.OPTICS` visits the codes in an order in which each next point is the one
# closest to those already visited, measured by the reachability distance (its distance to a
# visited point, but at least that point's distance to its ``min_samples``-th nearest
# sample). The reachability plot draws that distance in the visiting order: a dense group is
# a valley, its depth is its density, and valleys of different depths can sit side by side.
# The ``xi`` method cuts a cluster wherever the plot falls, then rises, by at least a fraction
# ``xi``; no ``eps`` is chosen. Same codes and ``min_samples`` as DBSCAN above.

optics_ari, optics_noise, optics_found = [], [], []
for seed, (Z, _, _, _) in zip(SEEDS, clusterings):
    labels = OPTICS(min_samples=MIN_SAMPLES).fit_predict(Z)
    optics_ari.append(metrics.adjusted_rand_score(y, labels))
    optics_noise.append(float(np.mean(labels == -1)))
    optics_found.append(len(set(labels) - {-1}))
print(f"OPTICS    ARI {mean_std(optics_ari)}; {min(optics_found)} to {max(optics_found)} "
      f"clusters, {np.mean(optics_noise):.0%} of the points noise on average")
print(f"OPTICS scored {compare(optics_ari, shape_rows['DBSCAN'])} DBSCAN and "
      f"{compare(optics_ari, shape_rows['k-means'])} k-means on the same codes.")

Z = clusterings[0][0]
optics = OPTICS(min_samples=MIN_SAMPLES).fit(Z)
reach = optics.reachability_[optics.ordering_]
reach = np.where(np.isfinite(reach), reach, np.nan)           # the first point has none
ordered = metrics.match_clusters(y, optics.labels_, noise=-1)[optics.ordering_]
colors = np.where(ordered[:, None] == -1, [[0.8, 0.8, 0.8, 1.0]],
                  plt.cm.tab10(ordered % 10))          # the colours of draw()
fig, axes = plt.subplots(1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": [2, 1]})
axes[0].bar(np.arange(len(Z)), reach, width=1.0, color=colors)
axes[0].set(xlabel="points in OPTICS' order", ylabel="reachability distance",
            title="reachability plot (grey: noise)")
draw(axes[1], Z, optics.labels_,
     f"OPTICS, ARI {metrics.adjusted_rand_score(y, optics.labels_):.2f}")
fig.tight_layout()

# %%
# The coloured valleys are the clusters OPTICS found, coloured as on the right. Where DBSCAN
# needed one height to cut every valley at, OPTICS cuts each at its own, so a shallow valley (a
# sparse group) and a deep one (a dense group) can both become clusters. How many it returns
# depends on ``xi`` and ``min_cluster_size``: a jagged plot has many small dips, and each is
# cut off as a cluster unless ``min_cluster_size`` (a count, or a fraction of the samples)
# forbids it; the lines above say how many it found here. What it still assumes is that a
# cluster is denser than its surroundings, with a rise of the plot between clusters: two
# groups that touch in the code space give one valley, whatever the clusterer.

print(f"tutorial ran in {time.perf_counter() - started:.0f} s ({'fast' if FAST else 'full'} "
      "mode)")

# %%
# Exercises
# ---------
# 1. Add ``"4 x 32"`` and ``"1 x 512"`` to ``ARCHITECTURES``. Where does the held-out error
#    stop falling, and does the ARI follow it?
# 2. Run question 3 on the magnitude spectra of the signals,
#    ``np.abs(np.fft.rfft(X, axis=1))``, instead of the raw values. Does depth matter now?
# 3. In question 11, use 1, 3 and 30 labels per class. Where does fine-tuning start to beat
#    the frozen codes?
# 4. In question 13, raise ``min_samples`` to 15 and read ``eps`` again from the plot. What
#    happens to the sparse blob?
#
# .. dropdown:: Solution to exercise 1
#
#    Along depth, at width 32, the held-out error stops falling at once: every width-32
#    network, from the linear one to 4 x 32, leaves an error above 1.1 on every seed, and
#    the fourth layer is never the best of them (it lies more than 0.05 above the best
#    shallower one). Within 60 epochs, stacking 32-wide layers does not help the
#    reconstruction. Width does: one hidden layer of 32, 128 and 512 units gives an error
#    that falls at each step, to below 0.9 for 1 x 512. The ARI follows only that big step:
#    1 x 512 scores more than 0.03 above the mean ARI of the five width-32 networks on
#    every seed, but the last fall of the error, from 1 x 128 to 1 x 512, moves the ARI by
#    less than 0.08 either way. The loss asks for reconstruction, not for groups. (To keep
#    the run short, depth is varied at width 32 only and width at depth 1 only.)
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import Autoencoder, KMeans, datasets, metrics
#
#       X, y = datasets.load_digits()
#       order = np.random.default_rng(0).permutation(len(X))   # held-out rows: the last tenth
#       X, y = np.ascontiguousarray(X[order] / 16.0, dtype=np.float32), y[order]
#       held_out = X[len(X) - int(0.1 * len(X)):]
#       encoders = {"linear": (), "1 x 32": (32,), "2 x 32": (32,) * 2, "3 x 32": (32,) * 3,
#                   "4 x 32": (32,) * 4, "1 x 128": (128,), "1 x 512": (512,)}
#       narrow = ["linear", "1 x 32", "2 x 32", "3 x 32", "4 x 32"]   # width 32, depth 0 to 4
#       error = {name: [] for name in encoders}
#       ari = {name: [] for name in encoders}
#       for seed in range(3):
#           for name, hidden in encoders.items():
#               model = Autoencoder(hidden=hidden, latent_dim=10, epochs=60, batch_size=64,
#                                   validation_split=0.1, patience=5, random_state=seed,
#                                   verbose=False).fit(X)
#               error[name].append(float(model.reconstruction_error(held_out).mean()))
#               labels = KMeans(n_clusters=10, random_state=seed).fit_predict(model.transform(X))
#               ari[name].append(metrics.adjusted_rand_score(y, labels))
#       for name in encoders:
#           print(f"{name:<8} held-out error {np.round(error[name], 3).tolist()}, "
#                 f"ARI {np.round(ari[name], 3).tolist()}")
#       for s in range(3):
#           # depth at width 32: every error stays above 1.1, and the 4th layer is never the best
#           assert min(error[name][s] for name in narrow) > 1.1
#           assert error["4 x 32"][s] > min(error[name][s] for name in narrow[:-1]) + 0.05
#           # width at depth 1: the error falls at each step, 32 -> 128 -> 512
#           assert error["1 x 32"][s] > error["1 x 128"][s] + 0.2
#           assert error["1 x 128"][s] > error["1 x 512"][s] + 0.05
#           assert error["1 x 512"][s] < 0.9
#           # the ARI follows the big step: 1 x 512 above the mean of the width-32 networks ...
#           assert ari["1 x 512"][s] > np.mean([ari[name][s] for name in narrow]) + 0.03
#           # ... but the last fall of the error, 128 -> 512, moves it by less than 0.08
#           assert abs(ari["1 x 512"][s] - ari["1 x 128"][s]) < 0.08
#
# .. dropdown:: Solution to exercise 2
#
#    No. On the magnitude spectra (divided by their largest value, so the inputs lie
#    between 0 and 1) k-means finds the three kinds on the codes of PCA and of every
#    encoder from linear to 3 x 32, with an ARI above 0.95 on every seed, where PCA on the
#    raw values scores below 0.2. The magnitude of the Fourier transform drops the phase,
#    the nuisance that dominated the raw values (with whole cycles a phase shift is a
#    circular shift, which changes only the transform's phases), and what is left separates
#    the kinds already under a linear projection. Depth still rebuilds the spectra better,
#    3 x 32 below three quarters of the linear network's held-out error on every seed, but
#    the ARI has nothing left to gain: the representation decided it, not the depth. (Width
#    32 only, to keep it short.)
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import Autoencoder, KMeans, datasets, metrics
#
#       X, y = datasets.make_signals(n_samples=600, length=128, random_state=0,
#                                   return_kinds=True)[:2]
#       order = np.random.default_rng(0).permutation(len(X))   # held-out rows: the last tenth
#       X, y = X[order], y[order]
#       S = np.abs(np.fft.rfft(X, axis=1))                     # magnitude spectra: 65 numbers each
#       S = np.ascontiguousarray(S / S.max(), dtype=np.float32)
#       n_train = len(S) - int(0.1 * len(S))
#       encoders = {"linear": (), "1 x 32": (32,), "2 x 32": (32, 32), "3 x 32": (32, 32, 32)}
#
#
#       def pca_codes(A, m=8):
#           """Rank-m PCA codes, the projection fitted on the training rows."""
#           mean = A[:n_train].mean(axis=0)
#           Vt = np.linalg.svd(A[:n_train] - mean, full_matrices=False)[2]
#           return (A - mean) @ Vt[:m].T
#
#
#       ari, error = {}, {}
#       for seed in range(3):
#           for name, A in (("PCA, raw values", X), ("PCA, spectra", S)):
#               labels = KMeans(n_clusters=3, random_state=seed).fit_predict(pca_codes(A))
#               ari.setdefault(name, []).append(metrics.adjusted_rand_score(y, labels))
#           for name, hidden in encoders.items():
#               model = Autoencoder(hidden=hidden, latent_dim=8, epochs=60, batch_size=64,
#                                   validation_split=0.1, patience=5, random_state=seed,
#                                   verbose=False).fit(S)
#               labels = KMeans(n_clusters=3, random_state=seed).fit_predict(model.transform(S))
#               ari.setdefault(name, []).append(metrics.adjusted_rand_score(y, labels))
#               held_out = model.reconstruction_error(S[n_train:]).mean()
#               error.setdefault(name, []).append(float(held_out))
#       for name, values in ari.items():
#           held = f", held-out error {np.round(error[name], 4).tolist()}" if name in error else ""
#           print(f"{name:<16} ARI {np.round(values, 3).tolist()}{held}")
#       assert max(ari["PCA, raw values"]) < 0.2              # raw values: the phase wins
#       for name in ("PCA, spectra", *encoders):
#           assert min(ari[name]) > 0.95                      # spectra: every depth finds them
#       for s in range(3):                                    # depth still rebuilds them better
#           assert error["3 x 32"][s] < 0.75 * error["linear"][s]
#
# .. dropdown:: Solution to exercise 3
#
#    Of the four counts tried, only at 30 labels per class does it win on every seed. With
#    1 label per class fine-tuning scores below the frozen codes on every seed (by more
#    than 0.03 on average); with 3 and with 10 the two stay within 0.07 of each other
#    either way, too close to call on three seeds; with 30 fine-tuning is ahead by more
#    than 0.01 each time. Fine-tuning trains 9720 weights (an encoder with one hidden layer
#    of 128, and the softmax layer), the frozen codes only the softmax layer's 110: on ten
#    labelled digits the bigger network fits them by moving the codes, and the other digits
#    pay for it; with three hundred, moving the codes pays off. The fewer the labels, the
#    more the pretrained codes are worth as they are.
#
#    .. code-block:: python
#
#       import copy
#
#       import numpy as np
#       from neuroclust import Autoencoder, datasets, nn
#
#       X, y = datasets.load_digits()
#       order = np.random.default_rng(0).permutation(len(X))   # held-out rows: the last tenth
#       X, y = np.ascontiguousarray(X[order] / 16.0, dtype=np.float32), y[order]
#       counts = (1, 3, 10, 30)                                 # labelled digits per class
#
#
#       def train(layers, X, y, seed):
#           """The tutorial's classifier training: 500 full-batch Adam steps at rate 0.01."""
#           network = nn.Sequential(layers)
#           nn.train(network, nn.SoftmaxCrossEntropy(), nn.Adam(1e-2), X, y, epochs=500,
#                    batch_size=len(X), random_state=seed)
#           return network
#
#
#       def accuracy(network, X, y):
#           return float(np.mean(np.argmax(network.forward(X), axis=1) == y))
#
#
#       frozen = {n: [] for n in counts}
#       tuned = {n: [] for n in counts}
#       for seed in range(3):
#           autoencoder = Autoencoder(hidden=(128,), latent_dim=10, epochs=60,
#                                     batch_size=64, validation_split=0.1, patience=5,
#                                     random_state=seed, verbose=False).fit(X)
#           codes = autoencoder.transform(X)
#           rng = np.random.default_rng(seed)
#           for n in counts:
#               labelled = np.concatenate([rng.choice(np.flatnonzero(y == c), n, replace=False)
#                                          for c in range(10)])
#               rest = np.setdiff1d(np.arange(len(y)), labelled)   # scored on every other digit
#               head = nn.Dense(10, 10, init="glorot", random_state=seed, dtype=np.float32)
#               network = train([copy.deepcopy(head)], codes[labelled], y[labelled], seed)
#               frozen[n].append(accuracy(network, codes[rest], y[rest]))
#               encoder = copy.deepcopy(autoencoder.encoder_)     # the autoencoder stays as it was
#               layers = encoder.layers + [copy.deepcopy(head)]
#               network = train(layers, X[labelled], y[labelled], seed)
#               tuned[n].append(accuracy(network, X[rest], y[rest]))
#       n_frozen, n_tuned = nn.Sequential([head]).n_params(), network.n_params()
#       print(f"weights trained: frozen codes {n_frozen}, fine-tuned {n_tuned}")
#       assert (n_frozen, n_tuned) == (110, 9720)
#       gain = {n: np.subtract(tuned[n], frozen[n]) for n in counts}
#       for n in counts:
#           print(f"{n:>2} labels per class: frozen {np.round(frozen[n], 3).tolist()}, fine-tuned "
#                 f"{np.round(tuned[n], 3).tolist()}, gain {np.round(gain[n], 3).tolist()}")
#       assert gain[1].max() < 0 and gain[1].mean() < -0.03    # 1 label: fine-tuning loses
#       for n in (3, 10):
#           assert np.abs(gain[n]).max() < 0.07                 # 3 and 10: close, either way
#       assert gain[30].min() > 0.01                            # 30: fine-tuning wins every time
#
# .. dropdown:: Solution to exercise 4
#
#    It comes out almost whole. A point's 15th neighbour lies farther than its 5th, so the
#    knee of the new k-distance plot, and with it eps, moves out by more than half again on
#    every seed. The blob's largest cluster then holds more than 93% of the blob, over 0.02
#    more than with min_samples = 5, and that cluster still takes in no moon to speak of
#    (over 99% of it is blob). Counting more neighbours averages the density over a larger
#    region, which smooths the thin edges of the sparse group. DBSCAN finds fewer
#    clusters in all than with 5, but still more than the three groups.
#    (The encoder is fixed here, two hidden layers of 128, and the 2-D codes are
#    standardised as in the tutorial.)
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import DBSCAN, Autoencoder, datasets
#
#
#       def lifted_shapes(n, random_state=0):
#           """The tutorial's two moons and sparse blob (labels 0, 1, 2), lifted to 20-D."""
#           rng = np.random.default_rng(random_state)
#           n_blob = n // 4
#           Z, y = datasets.make_moons(n - n_blob, noise=0.05, random_state=random_state)
#           blob = rng.normal([-0.7, -0.8], 0.22, size=(n_blob, 2))
#           Z, y = np.vstack([Z, blob]), np.concatenate([y, np.full(n_blob, 2)])
#           Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
#           A, b = rng.normal(size=(2, 20)), rng.normal(scale=0.5, size=20)
#           return np.tanh(Z @ A + b), y
#
#
#       def k_distances(Z, k):
#           D = np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2))
#           return np.sort(np.sort(D, axis=1)[:, k - 1])
#
#
#       def knee(values):
#           t = np.linspace(0, 1, len(values))
#           v = (values - values[0]) / (values[-1] - values[0])
#           return float(values[np.argmax(t - v)])
#
#
#       X, y = lifted_shapes(1200)
#       order = np.random.default_rng(0).permutation(len(X))   # held-out rows: the last tenth
#       X, y = np.ascontiguousarray(X[order], dtype=np.float32), y[order]
#       blob = y == 2
#       for seed in range(3):
#           autoencoder = Autoencoder(hidden=(128, 128), latent_dim=2, epochs=60, batch_size=64,
#                                     validation_split=0.1, patience=5, random_state=seed,
#                                     verbose=False).fit(X)
#           Z = autoencoder.transform(X)
#           Z = (Z - Z.mean(axis=0)) / Z.std()
#           found = {}
#           for min_samples in (5, 15):
#               eps = knee(k_distances(Z, min_samples))       # eps read again from the new plot
#               labels = DBSCAN(eps=eps, min_samples=min_samples).fit_predict(Z)
#               main = np.bincount(labels[blob & (labels != -1)]).argmax()   # the blob's cluster
#               found[min_samples] = dict(
#                   eps=eps, clusters=len(set(labels) - {-1}),
#                   blob_kept=float(np.mean(labels[blob] == main)),   # share of the blob in it
#                   blob_noise=float(np.mean(labels[blob] == -1)),
#                   purity=float(np.mean(blob[labels == main])))      # share of it that is blob
#           print(f"seed {seed}: " + "; ".join(
#               f"min_samples {m}: eps {r['eps']:.3f}, {r['clusters']} clusters, blob kept "
#               f"{r['blob_kept']:.2f}, blob noise {r['blob_noise']:.2f}, purity {r['purity']:.3f}"
#               for m, r in found.items()))
#           few, many = found[5], found[15]
#           assert many["eps"] > 1.5 * few["eps"]                     # the knee moves far out
#           assert many["blob_kept"] > max(few["blob_kept"] + 0.02, 0.93)   # the blob stays whole
#           assert few["purity"] > 0.99 and many["purity"] > 0.99     # and takes in no moon
#           assert 3 < many["clusters"] < few["clusters"]             # fewer, still over 3
