r"""
Learning without labels: what every method improves, and the seeds' examples checked
=====================================================================================

A supervised network learns by backpropagating the error of its predictions. A clustering
network has no labels, so what tells it that a step was a good one? This tutorial answers
question 1 of the learners' list for every method in neuroclust at once:

* **1.** How can a network learn without labels, and without a cost function of some sort
  guiding it? k-means and EM each improve a function at every step: what does each neural
  method improve?

For each method it writes the function being lowered, prints the line of neuroclust that
computes it (read from the source when the script runs, so it cannot drift from the code),
and draws that function *measured* during training, over five seeds. Two methods, the growing
neural gas and adaptive resonance theory, lower no single function: the tutorial says what they
do instead and draws a quantity they change.

It then reproduces the examples the project started from, each in a few lines of neuroclust
and each with its result measured over five seeds: an autoencoder with a 2-D code and DBSCAN
on 10-D blobs, a VAE then k-means, a competitive layer on five 3-D centroids, a
hand-written MiniSom-style loop against :class:`neuroclust.SOM`, and a deep autoencoder then
OPTICS on two moons. Two of those examples clustered ``model.predict(X)``, which for a Keras
autoencoder is the *reconstruction*, not the code: a section measures what that does.

The per-method tutorials derive each function step by step:
:doc:`plot_01_competitive_learning`, :doc:`plot_02_self_organizing_map`,
:doc:`plot_03_growing_neural_gas`, :doc:`plot_04_adaptive_resonance_theory`,
:doc:`plot_05_autoencoder_clustering`, :doc:`plot_07_variational_autoencoder`,
:doc:`plot_08_deep_embedded_clustering`, :doc:`plot_10_contrastive_learning` and
:doc:`plot_11_cnni`.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) uses fewer samples and epochs, so the script runs in well under a
# minute; its numbers are then rough. Without it every model trains longer (a few minutes in
# all). Both modes run five seeds.
#
# No setting below was chosen by looking at a label-based score: the learning rates are the
# library's defaults or those of the per-method tutorials; the network sizes and epochs were
# set once, for data this small, before any score was computed; DBSCAN's radius is picked
# from the data alone (the knee of the k-distance curve, below); the number of clusters is
# the number the data were generated with, as in the seed examples.

import importlib
import inspect
import os
import re
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker
from scipy.optimize import linear_sum_assignment

import neuroclust
from neuroclust import (CNNI, DBSCAN, DEC, OPTICS, SOM, Autoencoder, CompetitiveLearning,
                        ContrastiveClustering, FuzzyART, GrowingNeuralGas, KMeans,
                        LatentClustering, VariationalAutoencoder, datasets, metrics)

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEEDS = [0, 1, 2, 3, 4]                          # every measurement runs once per seed
N_BLOBS = 300 if FAST else 1000                  # samples of the 10-D blobs
N_DIGITS = 500 if FAST else None                 # None: all 1797 digits
EPOCHS = 15 if FAST else 60                      # epochs of the small networks
DIGIT_EPOCHS = 5 if FAST else 40                 # epochs of the digits autoencoders

plt.rcParams.update({"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12,
                     "legend.fontsize": 10, "figure.dpi": 100})
started = time.perf_counter()


def blobs(seed, n_samples=N_BLOBS):
    """Four Gaussian blobs in 10-D, standardised: the data of the first part and of (a)."""
    X, y = datasets.make_blobs(n_samples=n_samples, centers=4, n_features=10,
                               random_state=seed)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def mean_std(values):
    """'mean ± std' of a list of scores."""
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def compared(a, b):
    """How the scores a stand to the scores b: 'higher than', 'lower than', or 'no different
    from' when the means are within two standard deviations (the larger of the two)."""
    if abs(np.mean(a) - np.mean(b)) <= 2 * max(np.std(a), np.std(b)):
        return "no different (within two standard deviations) from"
    return "higher than" if np.mean(a) > np.mean(b) else "lower than"


# %%
# The functions, and the lines that compute them
# ----------------------------------------------
# For :math:`n` samples :math:`x_i` and :math:`K` prototypes :math:`w_j`, with
# :math:`c_i = \arg\min_j \lVert x_i - w_j\rVert` the winner of sample :math:`i`:
#
# * **Competitive learning and k-means** lower the quantization energy; winner-take-all is
#   stochastic gradient descent on it, a k-means iteration minimises it over the centres
#   with the winners fixed (:doc:`/algorithms/competitive`, equations ``eq-energy``,
#   ``eq-wta`` and ``eq-qe``):
#
#   .. math:: E(W) = \tfrac12 \sum_i \lVert x_i - w_{c_i} \rVert^2 .
#
# * **The SOM** charges every sample to every unit, weighted by the grid neighbourhood
#   :math:`h_{jc}` of the winner (:doc:`/algorithms/som`, ``som-energy``):
#
#   .. math:: E_\sigma(W) = \tfrac12 \sum_i \sum_j h_{j c_i}(\sigma)\,
#             \lVert x_i - w_j \rVert^2 .
#
# * **The autoencoder** lowers the reconstruction error of decoder :math:`g` after encoder
#   :math:`f` (:doc:`/algorithms/autoencoder`, ``ae-objective``):
#
#   .. math:: L = \frac1n \sum_i \lVert x_i - g(f(x_i)) \rVert^2 .
#
# * **The VAE** lowers the negative evidence lower bound: reconstruction plus the KL of the
#   encoder's Gaussian to the prior (:doc:`/algorithms/vae`, ``vae-kl`` and ``vae-loss``):
#
#   .. math:: L = \frac1n \sum_i \Big(\ell(x_i, g(z_i)) + \beta\,\tfrac12 \sum_j
#             \big(\mu_{ij}^2 + e^{\lambda_{ij}} - 1 - \lambda_{ij}\big)\Big).
#
# * **DEC** lowers the KL divergence from a sharpened target :math:`P` to the soft
#   assignments :math:`Q` of the codes to the centres (:doc:`/algorithms/dec`, ``dec-kl``):
#
#   .. math:: L = \mathrm{KL}(P \,\Vert\, Q) = \frac1n \sum_i \sum_j p_{ij}
#             \log \frac{p_{ij}}{q_{ij}} .
#
# * **Contrastive clustering** lowers NT-Xent: each view must pick out its partner among the
#   :math:`2n - 1` other embeddings of the batch (:doc:`/algorithms/contrastive`,
#   ``cl-loss``):
#
#   .. math:: L = -\frac{1}{2n} \sum_a \log \frac{e^{s_{a, a'}/\tau}}
#             {\sum_{b \ne a} e^{s_{ab}/\tau}} .
#
# * **CNNI** lowers minus an internal clustering index, here a soft silhouette of its own
#   soft assignments (:doc:`/algorithms/cnni`, ``cnni-silhouette`` and ``cnni-loss``):
#
#   .. math:: L = -S = -\frac1n \sum_i \frac{b_i - a_i}{\max(a_i, b_i)} .
#
# Each docs page quotes, under each numbered equation, the lines of neuroclust that compute
# it: every such line ends with ``# eq. (n)``. The same lines, found in the installed
# source by the helper below (a test checks the comments against the docstrings):

EQ_COMMENT = re.compile(r"#\s*eqs?\.\s*((?:\([0-9]+[a-z]?\)\s*,?\s*)+)$")


def computing_lines(module, attribute, number):
    """The file of ``module.attribute`` and its lines that end with ``# eq. (number)``."""
    target = importlib.import_module(module)
    for name in attribute.split("."):
        target = getattr(target, name)
    target = inspect.unwrap(target)
    source, _ = inspect.getsourcelines(target)
    lines = [text.strip() for text in source
             if (found := EQ_COMMENT.search(text.rstrip()))
             and str(number) in re.findall(r"\(([0-9]+[a-z]?)\)", found.group(1))]
    assert lines, f"no line of {module}.{attribute} ends with '# eq. ({number})'"
    path = Path(inspect.getsourcefile(target)).resolve()
    package = Path(neuroclust.__file__).resolve().parent.parent
    return path.relative_to(package).as_posix(), lines


WHERE = {   # method: (module, function / class / method, number of its equation)
    "competitive / k-means": ("neuroclust", "CompetitiveLearning.fit", 3),
    "SOM (the gradient of E)": ("neuroclust.nn", "SelfOrganizingMap.backward", 1),
    "autoencoder": ("neuroclust", "Autoencoder.reconstruction_error", 3),
    "VAE: the KL term": ("neuroclust.nn", "VariationalBottleneck.forward", 3),
    "VAE: the sum": ("neuroclust.nn", "train", 2),
    "DEC": ("neuroclust.nn", "KLDivergence.forward", 1),
    "contrastive": ("neuroclust.nn", "NTXentLoss", 4),
    "CNNI: the index": ("neuroclust.nn", "SoftSilhouette", 4),
    "CNNI: the loss": ("neuroclust", "CNNI.fit", 2),
    "GNG: error accumulation": ("neuroclust.backend.reference", "gng_online", 3),
    "ART: the vigilance test": ("neuroclust.backend.reference", "fuzzy_art_online", 3),
}
for method, (module, attribute, number) in WHERE.items():
    path, lines = computing_lines(module, attribute, number)
    print(f"{method}: {module}.{attribute}, eq. ({number}), in {path}")
    for line in lines:
        print(f"    {line}")

# %%
# Measured: each function during training
# ---------------------------------------
# Every model trains on the same kind of data, four standardised blobs in 10-D (scaled to
# :math:`[0, 1]` for Fuzzy ART, which needs it), once per seed, with the library's default
# settings where the data allow them (smaller networks, for 10 features). Most record their
# function in ``history_``. The SOM records quantization and topographic errors, not its
# energy, so a callback computes :math:`E_\sigma` after every epoch. The SOM's radius usually
# shrinks during training, and then each epoch lowers a *different* energy; here it is held
# at :math:`\sigma = 1` so that one function is being lowered and its curve means something,
# and the map starts from random samples, far from where it ends (the default start, on the
# data's principal plane, is the subject of exercise 1).
#
# The GNG and ART draw other quantities: see the next section.

SOM_SHAPE, SOM_SIGMA = (5, 5), 1.0
som_positions = neuroclust.grid.grid_positions(SOM_SHAPE, "rectangular")
som_h = neuroclust.grid.neighbourhood(
    neuroclust.grid.grid_squared_distances(
        som_positions, neuroclust.grid.grid_periods(SOM_SHAPE, "rectangular", False)),
    SOM_SIGMA, "gaussian")


def som_energy(X, W):
    """E_sigma(W) / n: every sample charged to every unit, weighted by h of its winner."""
    d2 = ((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=2)    # (n, K)
    winners = d2.argmin(axis=1)
    return 0.5 * np.sum(som_h[winners] * d2) / len(X)


def train_all(seed):
    """The curves of every method on the blobs of one seed: {panel: list of values}."""
    X, _ = blobs(seed)
    X01 = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    small_ae = dict(hidden=(32,), latent_dim=2, epochs=EPOCHS, batch_size=32,
                    random_state=seed)
    curves = {}
    # The starting prototypes (random samples, the default kind) are drawn here and passed
    # as init, so that the function can be measured at epoch 0 too.
    rng = np.random.default_rng(seed)
    start = X[rng.choice(len(X), 4, replace=False)]
    model = CompetitiveLearning(4, epochs=EPOCHS, init=start, random_state=seed).fit(X)
    curves["competitive: quantization error"] = (
        [metrics.quantization_error(X, start)] + model.history_["quantization_error"])
    model = KMeans(4, n_init=1, init="random", random_state=seed).fit(X)
    curves["k-means: inertia"] = model.history_["inertia"]
    start = X[rng.choice(len(X), SOM_SHAPE[0] * SOM_SHAPE[1], replace=False)]
    energy = [som_energy(X, start)]
    SOM(SOM_SHAPE, sigma=SOM_SIGMA, sigma_final=SOM_SIGMA, epochs=EPOCHS, init=start,
        random_state=seed,
        callbacks=[lambda som, epoch: energy.append(som_energy(X, som.cluster_centers_))]).fit(X)
    curves["SOM: energy E_σ / n"] = energy
    model = GrowingNeuralGas(max_nodes=30, epochs=EPOCHS, random_state=seed).fit(X)
    curves["GNG: quantization error"] = model.history_["quantization_error"]
    curves["GNG: nodes"] = model.history_["n_nodes"]
    model = FuzzyART(rho=0.75, random_state=seed)
    curves["Fuzzy ART: categories, first pass"] = [
        model.partial_fit(chunk).n_categories_ for chunk in np.array_split(X01, 20)]
    model = FuzzyART(rho=0.75, epochs=EPOCHS, random_state=seed).fit(X01)
    curves["Fuzzy ART: samples that changed"] = model.history_["n_changed"]
    model = Autoencoder(**small_ae).fit(X)
    curves["autoencoder: reconstruction"] = model.history_["loss"]
    model = VariationalAutoencoder(**small_ae).fit(X)
    curves["VAE: negative ELBO"] = model.history_["loss"]
    model = DEC(Autoencoder(**small_ae), n_clusters=4, batch_size=32,
                random_state=seed).fit(X)
    curves["DEC: KL(P || Q)"] = model.history_["kl"]
    model = ContrastiveClustering(n_clusters=4, hidden=(32,), latent_dim=8, epochs=EPOCHS,
                                  batch_size=64, random_state=seed).fit(X)
    curves["contrastive: NT-Xent"] = model.history_["loss"]
    model = CNNI(4, hidden=(16,), epochs=EPOCHS, batch_size=64, random_state=seed).fit(X)
    curves["CNNI: −silhouette"] = model.history_["loss"]
    return curves


runs = [train_all(seed) for seed in SEEDS]
PANELS = list(runs[0])
FROM_EPOCH_0 = {"competitive: quantization error", "SOM: energy E_σ / n"}

# %%
# What the curves say is computed from them: does the function end lower than it began (in
# how many seeds), and how often did it *rise* from one epoch to the next (the share of
# steps, over all seeds)? A curve that never rises is monotone; one that rises often is noisy
# (mini-batch gradients, or a target that moves).


def describe(curves):
    """'falls' / 'rises' / 'flat' in how many seeds, and the share of rising steps."""
    falls = sum(c[-1] < c[0] for c in curves)
    rises = sum(c[-1] > c[0] for c in curves)
    steps = np.concatenate([np.diff(np.asarray(c, dtype=float)) for c in curves])
    rising = float(np.mean(steps > 1e-12 * np.abs(curves[0][0]))) if len(steps) else 0.0
    if rising == 0:
        shape = "monotonically"
    elif rising < 0.2:
        shape = "almost monotonically"
    else:
        shape = "noisily"
    return falls, rises, rising, shape


print(f"{'panel':38s} {'first':>9s} {'last':>9s}  falls in  rising steps")
summary = {}
for panel in PANELS:
    curves = [run[panel] for run in runs]
    falls, rises, rising, shape = describe(curves)
    summary[panel] = (falls, rises, rising, shape)
    print(f"{panel:38s} {np.mean([c[0] for c in curves]):9.3f} "
          f"{np.mean([c[-1] for c in curves]):9.3f}  {falls}/{len(curves)} seeds  "
          f"{rising:5.0%}")

functions = [p for p in PANELS if not p.startswith(("GNG", "Fuzzy"))]
all_fall = [p.split(":")[0] for p in functions if summary[p][0] == len(SEEDS)]
not_all = [p.split(":")[0] for p in functions if summary[p][0] < len(SEEDS)]
monotone = [p.split(":")[0] for p in functions if summary[p][3] == "monotonically"]
noisy = [p.split(":")[0] for p in functions if summary[p][3] == "noisily"]
print(f"\nIn all {len(SEEDS)} seeds the function ends lower than it began for: "
      f"{', '.join(all_fall) or 'none'}"
      + (f"; not in every seed for: {', '.join(not_all)}." if not_all else "."))
print(f"Never rising from one epoch to the next: {', '.join(monotone) or 'none'}; "
      f"rising in at least a fifth of the steps (noisy): {', '.join(noisy) or 'none'}.")

# %%
# One panel per function, one thin line per seed (the spread between seeds is the spread of
# the lines). The x axis is the epoch (0: the starting prototypes, for the two models
# whose start is drawn above), except for k-means (a Lloyd iteration) and the first ART
# panel; DEC's KL is per epoch of its clustering phase, after the autoencoder was
# pretrained (its jumps are the refreshes of the target :math:`P`).

fig, axes = plt.subplots(3, 4, figsize=(16, 10.5))
for ax, panel in zip(axes.flat, PANELS):
    for run in runs:
        first = 0 if panel in FROM_EPOCH_0 else 1
        ax.plot(np.arange(first, first + len(run[panel])), run[panel], color="C0", alpha=0.6,
                lw=1.2,
                marker="o" if len(run[panel]) < 6 else None, markersize=4)
    falls, rises, rising, shape = summary[panel]
    ax.set_title(panel, fontsize=12)
    if panel in functions:
        note = f"ends lower: {falls}/{len(SEEDS)}\nrising steps: {rising:.0%}"
    else:
        note = "a quantity it changes\n(no global function)"
    up = np.mean([run[panel][-1] for run in runs]) > np.mean([run[panel][0] for run in runs])
    ax.text(0.97, 0.05 if up else 0.95, note, transform=ax.transAxes, ha="right",
            va="bottom" if up else "top", fontsize=10,
            bbox=dict(facecolor="white", edgecolor="none", alpha=0.8))
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    if panel.startswith("SOM"):
        ax.set_yscale("log")     # the first epoch's drop would hide the rest
        ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
        ax.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_xlabel({"k-means": "Lloyd iteration", "Fuzzy ART: categories, first pass":
                   "batch of the first pass"}.get(panel.split(":")[0] if panel.startswith(
                       "k-means") else panel, "epoch"))
for ax in axes.flat[len(PANELS):]:
    ax.axis("off")
fig.suptitle("What each method lowers while it trains (5 seeds, 10-D blobs)")
fig.tight_layout()
plt.show()

# %%
# The two without a function: GNG and ART
# ---------------------------------------
# A **growing neural gas** moves its winner and the winner's graph neighbours toward each
# sample, as a competitive layer does, so between insertions it is lowering a quantization
# error. But it also *accumulates* each winner's squared error (``gng-error`` on
# :doc:`/algorithms/gng`), and every ``insert_every`` samples inserts a node halfway between
# the unit with the largest accumulated error and its worst neighbour, and removes edges that
# grew too old. The graph and the number of units change, so no single function of fixed
# parameters is lowered by every step: the error *guides where to grow*. The curves drawn
# are the node count and the quantization error measured after each epoch.
#
# A **Fuzzy ART** network lets the best-matching category learn a sample only if it passes
# the vigilance test :math:`\lvert x \wedge w_j \rvert / \lvert x \rvert \ge \rho`
# (``art-vigilance`` on :doc:`/algorithms/art`), the "resonance"; otherwise it searches the
# next category and, when none passes, commits a new one. Learning only lowers the template
# of the category that resonated (:math:`w_j \leftarrow x \wedge w_j` with fast learning),
# which grows its box just enough to take the sample in, and the vigilance caps how large a
# box may grow. What it changes is the set of categories; the curves
# drawn are their number as the samples of the first pass arrive (twenty batches given to
# ``partial_fit``) and the number of samples whose category changed from one pass to the
# next (``fit``, its ``history_``).

for panel in ["GNG: nodes", "GNG: quantization error", "Fuzzy ART: categories, first pass",
              "Fuzzy ART: samples that changed"]:
    ends = [run[panel][-1] for run in runs]
    print(f"{panel}: at the end {mean_std(ends)} (at the start "
          f"{mean_std([run[panel][0] for run in runs])}), over {len(SEEDS)} seeds")
gng_full = sum(run["GNG: nodes"][-1] == 30 for run in runs)
gng_lower = sum(run["GNG: quantization error"][-1] < run["GNG: quantization error"][0]
                for run in runs)
print(f"The GNG grew to its max_nodes=30 in {gng_full} of {len(SEEDS)} seeds, and its "
      f"quantization error ended below its first epoch's in {gng_lower}.")
art_settled = sum(run["Fuzzy ART: samples that changed"][-1] == 0 for run in runs)
categories = [run["Fuzzy ART: categories, first pass"] for run in runs]
art_half = np.mean([c[len(c) // 2 - 1] / c[-1] for c in categories])
print(f"Fuzzy ART reached a pass in which no sample changed category in {art_settled} of "
      f"{len(SEEDS)} seeds; after half of the first pass it had committed {art_half:.0%} of "
      "the categories it ended that pass with (mean over seeds).")

# %%
# The seeds' examples, in neuroclust
# ----------------------------------
# The project started from a handful of posted examples, each a page of Keras or hand-written
# NumPy. Each is a few lines here, and each is measured (ARI against the generating labels,
# over five seeds; the labels are used for nothing else).
#
# (a) An autoencoder with a 2-D code, then DBSCAN, on 10-D blobs
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
# DBSCAN needs a radius :math:`\varepsilon`. Ester et al. suggest plotting each point's
# distance to its ``min_samples``-th nearest neighbour, sorted, and taking the knee; the
# helper takes the point of the sorted curve farthest from the straight line between its
# ends. No label is used.


def knee_eps(Z, min_samples=5):
    """The knee of the sorted k-distance curve of Z (k = min_samples - 1 other points)."""
    d2 = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2)
    kth = np.sqrt(np.sort(d2, axis=1)[:, min_samples - 1])
    curve = np.sort(kth)
    x = np.linspace(0.0, 1.0, len(curve))
    y = (curve - curve[0]) / (curve[-1] - curve[0])
    return float(curve[np.argmax(x - y)])    # the largest gap below the chord


scores_a, clusters_a, noise_a, scores_raw, scores_rec = [], [], [], [], []
for seed in SEEDS:
    X, y = blobs(seed)
    autoencoder = Autoencoder(hidden=(32,), latent_dim=2, epochs=EPOCHS, batch_size=32,
                              random_state=seed).fit(X)
    codes = autoencoder.transform(X)
    labels = DBSCAN(eps=knee_eps(codes), min_samples=5).fit_predict(codes)
    scores_a.append(metrics.adjusted_rand_score(y, labels))
    clusters_a.append(len(set(labels) - {-1}))
    noise_a.append(np.mean(labels == -1))
    scores_raw.append(metrics.adjusted_rand_score(
        y, DBSCAN(eps=knee_eps(X), min_samples=5).fit_predict(X)))
    rebuilt = autoencoder.reconstruct(X)      # kept for the last section
    scores_rec.append(metrics.adjusted_rand_score(
        y, DBSCAN(eps=knee_eps(rebuilt), min_samples=5).fit_predict(rebuilt)))
print(f"autoencoder (2-D code) + DBSCAN: ARI {mean_std(scores_a)}, clusters found "
      f"{mean_std(clusters_a)} (4 generated), noise {np.mean(noise_a):.1%}")
print(f"DBSCAN on the raw 10-D data, same radius rule: ARI {mean_std(scores_raw)}")
print(f"On these blobs DBSCAN's ARI on the 2-D code is {compared(scores_a, scores_raw)} its "
      f"ARI on the raw data ({np.mean(scores_a):.3f} against {np.mean(scores_raw):.3f}, "
      f"means of {len(SEEDS)} seeds).")

# %%
# (b) A VAE, then k-means
# ^^^^^^^^^^^^^^^^^^^^^^^
# :doc:`plot_07_variational_autoencoder` studies this example (cluster the sampled codes or
# the means? does the VAE's code cluster better than a plain autoencoder's?). In one line it
# is :class:`neuroclust.LatentClustering` with a VAE; it clusters the means :math:`\mu`. On
# the handwritten digits, with tutorial 7's settings:

X_digits, y_digits = datasets.load_digits()
X_digits, y_digits = X_digits[:N_DIGITS] / 16.0, y_digits[:N_DIGITS]
VAE_SETTINGS = dict(hidden=(128,), epochs=DIGIT_EPOCHS, batch_size=64, learning_rate=3e-3,
                    loss="bce", output_activation="sigmoid")
scores_b = []
for seed in SEEDS:
    labels = LatentClustering(VariationalAutoencoder(**VAE_SETTINGS, random_state=seed),
                              n_clusters=10, random_state=seed).fit_predict(X_digits)
    scores_b.append(metrics.adjusted_rand_score(y_digits, labels))
print(f"VAE + k-means on {len(X_digits)} digits: ARI {mean_std(scores_b)}")

# %%
# (c) The competitive layer on the five 3-D centroids
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
# A seed example drew samples around five centres in 3-D and asked whether a winner-take-all
# layer recovers them. Each learned prototype is matched to one true centre (the matching
# with the smallest total distance, ``scipy.optimize.linear_sum_assignment``) and its
# distance to that centre measured. The plain layer, and the layer with a conscience
# (:doc:`plot_01_competitive_learning` explains it: a unit that wins too often is handicapped,
# so no unit stays dead):

spacing = np.linalg.norm(datasets.FIVE_CENTROIDS[:, None] - datasets.FIVE_CENTROIDS[None],
                         axis=2)
closest = spacing[spacing > 0].min()
errors_d = {False: [], True: []}
scores_d = {False: [], True: []}
for conscience in (False, True):
    for seed in SEEDS:
        X, y = datasets.make_five_centroids(random_state=seed)
        model = CompetitiveLearning(n_clusters=5, learning_rate=0.05, conscience=conscience,
                                    random_state=seed).fit(X)
        distance = np.linalg.norm(
            model.cluster_centers_[:, None] - datasets.FIVE_CENTROIDS[None], axis=2)
        rows, cols = linear_sum_assignment(distance)
        errors_d[conscience].append(distance[rows, cols].max())
        scores_d[conscience].append(metrics.adjusted_rand_score(y, model.labels_))
    recovered = sum(error < closest / 4 for error in errors_d[conscience])
    print(f"conscience={conscience}: largest distance from a prototype to its centre "
          f"{mean_std(errors_d[conscience])} (worst seed {max(errors_d[conscience]):.3f}); "
          f"ARI {mean_std(scores_d[conscience])}; every centre within a quarter of the "
          f"closest spacing ({closest:.2f}) in {recovered} of {len(SEEDS)} seeds")

# %%
# (d) The MiniSom loop against ``neuroclust.SOM``
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
# MiniSom's users write the online map as a loop over samples: find the winner, compute the
# Gaussian neighbourhood on the grid, move every unit, decay the rates. Written out with an
# exponential decay of the learning rate and the radius over all steps and a fresh shuffle
# each epoch:


def minisom_style(X, W, shape, epochs, lr0, lr1, sigma0, sigma1, seed):
    """The online SOM as a hand-written loop over samples (updates a copy of W)."""
    W = W.copy()
    rows, cols = shape
    position = np.array([(r, c) for r in range(rows) for c in range(cols)], dtype=float)
    rng = np.random.default_rng(seed)
    total, t = epochs * len(X), 0
    for _ in range(epochs):
        for i in rng.permutation(len(X)):
            x, fraction = X[i], t / total
            rate = lr0 * (lr1 / lr0) ** fraction
            sigma = sigma0 * (sigma1 / sigma0) ** fraction
            winner = np.argmin(((W - x) ** 2).sum(axis=1))
            h = np.exp(-((position - position[winner]) ** 2).sum(axis=1) / (2 * sigma ** 2))
            W += rate * h[:, None] * (x - W)
            t += 1
    return W


# %%
# The same map in one call, from the same initial prototypes and seed:
MAP, MAP_EPOCHS = (6, 6), 5 if FAST else 20
gaps, qe_loop, qe_som = [], [], []
for seed in SEEDS:
    X, _ = datasets.make_five_centroids(random_state=seed)
    W0 = X[np.random.default_rng(seed + 100).choice(len(X), MAP[0] * MAP[1], replace=False)]
    W_loop = minisom_style(X, W0, MAP, MAP_EPOCHS, 0.5, 0.01, 3.0, 0.5, seed)
    som = SOM(MAP, sigma=3.0, sigma_final=0.5, learning_rate=0.5, learning_rate_final=0.01,
              epochs=MAP_EPOCHS, init=W0.reshape(*MAP, -1), random_state=seed).fit(X)
    gaps.append(np.abs(som.cluster_centers_ - W_loop).max())
    qe_loop.append(metrics.quantization_error(X, W_loop))
    qe_som.append(metrics.quantization_error(X, som.cluster_centers_))
assert max(gaps) < 1e-9, "the loop and neuroclust.SOM should train the same map"
print(f"largest difference between the two maps' prototypes over {len(SEEDS)} seeds: "
      f"{max(gaps):.1e}")
print(f"quantization error: loop {mean_std(qe_loop)}, neuroclust.SOM {mean_std(qe_som)}")

# %%
# Clustering ``predict(X)``: the reconstruction, not the code
# -----------------------------------------------------------
# Two of the seed examples trained a Keras autoencoder and then ran k-means (or DBSCAN) on
# ``model.predict(X)``. For a Keras autoencoder ``predict`` runs the whole network, encoder
# *and* decoder: it returns the reconstruction, an image of the same size as the input, not
# the code. In neuroclust the two are separate calls, ``reconstruct`` and ``transform``. What
# does clustering the reconstruction do? On the digits, k-means (ten clusters) on the raw
# pixels, on the reconstructions, and on the 10-D codes of the same autoencoder (the
# settings of the VAE above), five seeds; and DBSCAN on the blobs of example (a), whose
# reconstructions were clustered there too:

AE_SETTINGS = dict(hidden=(128,), latent_dim=10, epochs=DIGIT_EPOCHS, batch_size=64,
                   learning_rate=3e-3, loss="bce", output_activation="sigmoid")
inputs = {"raw pixels (64-D)": [], "reconstruction (64-D)": [], "code (10-D)": []}
for seed in SEEDS:
    autoencoder = Autoencoder(**AE_SETTINGS, random_state=seed).fit(X_digits)
    for name, data in [("raw pixels (64-D)", X_digits),
                       ("reconstruction (64-D)", autoencoder.reconstruct(X_digits)),
                       ("code (10-D)", autoencoder.transform(X_digits))]:
        labels = KMeans(10, random_state=seed).fit_predict(data)
        inputs[name].append(metrics.adjusted_rand_score(y_digits, labels))
for name, values in inputs.items():
    print(f"k-means on the {name:22s} ARI {mean_std(values)}")

raw, rec, code = inputs.values()
print(f"Means of {len(SEEDS)} seeds: the ARI on the reconstruction ({np.mean(rec):.3f}) is "
      f"{compared(rec, raw)} the ARI on the raw pixels ({np.mean(raw):.3f}); the ARI on the "
      f"code ({np.mean(code):.3f}) is {compared(code, rec)} the ARI on the reconstruction.")

density = {"raw data (10-D)": scores_raw, "reconstruction (10-D)": scores_rec,
           "code (2-D)": scores_a}
print(f"DBSCAN on the blobs: the ARI on the reconstruction ({np.mean(scores_rec):.3f}) is "
      f"{compared(scores_rec, scores_raw)} the ARI on the raw data "
      f"({np.mean(scores_raw):.3f}); the ARI on the code ({np.mean(scores_a):.3f}) is "
      f"{compared(scores_a, scores_rec)} the ARI on the reconstruction.")

# %%
# Each dot is one seed, the line their mean. The reconstruction has the input's dimensions:
# it is the input as the decoder redraws it from the code. The code is the autoencoder's
# compression of the input, and only ``transform`` returns it.

fig, axes = plt.subplots(1, 2, figsize=(14, 4.8))
for ax, scores, title in [
        (axes[0], inputs, f"k-means (10 clusters), {len(X_digits)} digits"),
        (axes[1], density, f"DBSCAN (radius: knee rule), 10-D blobs, {N_BLOBS} samples")]:
    for position, (name, values) in enumerate(scores.items()):
        ax.scatter(np.full(len(values), position) + np.linspace(-0.08, 0.08, len(values)),
                   values, s=50, color=f"C{position}", zorder=3)
        ax.hlines(np.mean(values), position - 0.25, position + 0.25, color=f"C{position}",
                  lw=2)
    ax.set_xticks(range(len(scores)), list(scores))
    ax.set_ylabel("ARI")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
fig.suptitle(f"Clustering the input, the reconstruction (predict) or the code (transform): "
             f"{len(SEEDS)} seeds, line = mean")
fig.tight_layout()
plt.show()

# %%
# (e) A deep autoencoder, then OPTICS, on two moons
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
# The seed example trained a deep autoencoder on the two moons and ran OPTICS on its codes.
# OPTICS visits the points in an order in which each one comes right after the densest
# region it can be reached from, and records its *reachability* distance; the clusters are
# the valleys of that reachability plot (the ``xi`` rule: a valley starts and ends where the
# reachability changes by more than a share ``xi``). No radius to choose. On the
# standardised moons and on the 2-D codes of an autoencoder with three hidden layers, with
# OPTICS's defaults; with one stated prior, ``min_cluster_size=0.1``: no cluster is
# smaller than a tenth of the data (a valley narrower than that is not reported; the
# defaults let a cluster be as small as ``min_samples`` points); and with the ordering cut
# flat, as DBSCAN would cut it, at the radius of example (a)'s knee rule
# (``cluster_method="dbscan"``: one OPTICS run gives DBSCAN's clusters for every radius):

N_MOONS = 300 if FAST else 1000
SETTINGS_C = {"defaults": {}, "min_cluster_size=0.1": {"min_cluster_size": 0.1},
              "cut at the knee radius": {"cluster_method": "dbscan"}}
scores_c = {name: [] for name in SETTINGS_C}
scores_c_raw = {name: [] for name in SETTINGS_C}
clusters_c = {name: [] for name in SETTINGS_C}
noise_c = {name: [] for name in SETTINGS_C}
for seed in SEEDS:
    X, y = datasets.make_moons(n_samples=N_MOONS, noise=0.05, random_state=seed)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    codes = Autoencoder(hidden=(64, 32, 16), latent_dim=2, epochs=EPOCHS, batch_size=32,
                        random_state=seed).fit_transform(X)
    for name, settings in SETTINGS_C.items():
        on_codes, on_moons = dict(settings), dict(settings)
        if settings.get("cluster_method") == "dbscan":
            on_codes["eps"], on_moons["eps"] = knee_eps(codes), knee_eps(X)
        optics = OPTICS(**on_codes).fit(codes)
        scores_c[name].append(metrics.adjusted_rand_score(y, optics.labels_))
        clusters_c[name].append(len(set(optics.labels_) - {-1}))
        noise_c[name].append(np.mean(optics.labels_ == -1))
        scores_c_raw[name].append(
            metrics.adjusted_rand_score(y, OPTICS(**on_moons).fit_predict(X)))
for name in SETTINGS_C:
    print(f"OPTICS, {name}: on the deep autoencoder's 2-D code ARI {mean_std(scores_c[name])}, "
          f"clusters found {mean_std(clusters_c[name])} (2 moons), noise "
          f"{np.mean(noise_c[name]):.1%}; on the moons themselves ARI "
          f"{mean_std(scores_c_raw[name])}")
    print(f"    the ARI on the code is {compared(scores_c[name], scores_c_raw[name])} the ARI "
          "on the raw data")

# %%
# The last seed's reachability plot, cut at the knee radius (the points in OPTICS's order;
# the first point has no reachability; the dashed line is the radius) and its codes,
# coloured by OPTICS's clusters (grey: noise):

reach = optics.reachability_[optics.ordering_]
colours = np.where(optics.labels_[optics.ordering_] < 0, "lightgrey",
                   np.array([f"C{k % 10}" for k in optics.labels_[optics.ordering_]]))
fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
axes[0].bar(np.arange(len(reach)), np.where(np.isfinite(reach), reach, np.nan),
            color=colours, width=1.0)
axes[0].axhline(on_codes["eps"], color="k", ls="--", lw=1)
axes[0].set_xlabel("position in the OPTICS ordering")
axes[0].set_ylabel("reachability distance")
axes[0].set_title("reachability plot, cut at the knee radius (dashed)")
axes[1].scatter(codes[:, 0], codes[:, 1], s=8,
                c=np.where(optics.labels_ < 0, "lightgrey",
                           np.array([f"C{k % 10}" for k in optics.labels_])))
axes[1].set_title(f"the 2-D codes of the moons, seed {SEEDS[-1]}")
axes[1].set_aspect("equal", adjustable="datalim")
fig.tight_layout()
plt.show()

# %%
# The whole script, in this mode:
print(f"{time.perf_counter() - started:.1f} s ({'fast' if FAST else 'full'} mode)")

# %%
# Exercises
# ---------
# 1. Start the SOM above from its default, ``init="pca"``, and draw its energy again. Then
#    let the radius shrink (the default ``sigma_final=0.5``) and draw, after each epoch, the
#    energy at the *final* radius and at the radius in force. Which one falls?
# 2. DEC's KL jumps whenever the target :math:`P` is recomputed. Set ``update_interval`` to
#    a very large number: is the KL then monotone? What does DEC cluster then?
# 3. Run the MiniSom-style loop with an inverse-time decay,
#    :math:`\eta_0 / (1 + t / (T/2))` as MiniSom writes it, and find the ``SOM`` settings
#    (``decay="inverse_time"``, ``learning_rate_final``) that give the same map.
# 4. In (a), replace the 2-D code by a 10-D one. Does the knee rule still pick a radius that
#    finds four clusters?
#
# .. dropdown:: Solution to exercise 1
#
#    From the PCA start the map's energy E_σ / n (σ = 1) before training is less than half
#    that of a start from random samples. The first epoch, at learning rate 0.5, throws
#    that away: from epoch 1 on the two curves are within 20% of each other, and with σ
#    held the energy rises in over a quarter of the epochs (the steps are large, and where
#    a sample's winner switches the energy jumps: the caveat on the SOM's docs page). When
#    σ shrinks from 1 to 0.5, the energy at the radius in force falls in most epochs and
#    ends more than five times lower than it started; but measured at one fixed radius, the
#    final 0.5, it drops in the first epoch and then rises again, ending above its value
#    after epoch 1. The falling curve is largely the radius's doing: each epoch lowers a
#    different function, and no single function falls throughout.
#
#    .. code-block:: python
#
#       import matplotlib.pyplot as plt
#       import numpy as np
#       from neuroclust import SOM, datasets, grid
#
#       SHAPE, EPOCHS = (5, 5), 20
#       distances = grid.grid_squared_distances(grid.grid_positions(SHAPE, "rectangular"),
#                                               grid.grid_periods(SHAPE, "rectangular", False))
#
#
#       def energy(X, W, sigma):
#           """E_sigma(W) / n: every sample charged to every unit, weighted by h of its winner."""
#           h = grid.neighbourhood(distances, sigma, "gaussian")
#           d2 = ((X[:, None, :] - W[None, :, :]) ** 2).sum(axis=2)
#           return 0.5 * np.sum(h[d2.argmin(axis=1)] * d2) / len(X)
#
#
#       fig, axes = plt.subplots(1, 2, figsize=(11, 4))
#       for seed in range(3):
#           X, _ = datasets.make_blobs(n_samples=500, centers=4, n_features=10, random_state=seed)
#           X = (X - X.mean(axis=0)) / X.std(axis=0)
#           curves, starts = {}, {}
#           samples = X[np.random.default_rng(seed).choice(len(X), 25, replace=False)]
#           for name, init in (("pca", "pca"), ("random samples", samples)):   # sigma held at 1
#               som = SOM(SHAPE, sigma=1.0, sigma_final=1.0, epochs=EPOCHS, init=init,
#                         random_state=seed)
#               starts[name] = som.trace(X, n_steps=1).prototypes[0]      # before the first step
#               curve = curves[name] = [energy(X, starts[name], 1.0)]
#               som.callbacks = [lambda s, e, c=curve: c.append(energy(X, s.cluster_centers_, 1))]
#               som.fit(X)
#           # sigma shrinks from 1 to the default sigma_final=0.5; the radius in force after an
#           # epoch is the schedule's value at that epoch's last step
#           som = SOM(SHAPE, sigma=1.0, epochs=EPOCHS, random_state=seed)       # init="pca"
#           sigmas = som.schedule(len(X), n_points=EPOCHS * len(X))["sigma"]
#           in_force = [sigmas[(epoch + 1) * len(X) - 1] for epoch in range(EPOCHS)]
#           at_final = [energy(X, starts["pca"], 0.5)]
#           at_force = [energy(X, starts["pca"], 1.0)]
#           def record(som, epoch):
#               at_final.append(energy(X, som.cluster_centers_, 0.5))
#               at_force.append(energy(X, som.cluster_centers_, in_force[epoch]))
#
#           som.callbacks = [record]
#           som.fit(X)
#           pca, rnd = np.array(curves["pca"]), np.array(curves["random samples"])
#           gap = np.max(np.abs(pca[1:] / rnd[1:] - 1))
#           print(f"seed {seed}, sigma held at 1: PCA start {pca[0]:.2f} -> {pca[-1]:.2f}, random "
#                 f"start {rnd[0]:.2f} -> {rnd[-1]:.2f}, largest gap from epoch 1 on {gap:.0%}, "
#                 f"rising in {np.mean(np.diff(pca) > 0):.0%} of the epochs")
#           print(f"    sigma 1 -> 0.5: at the final radius {at_final[0]:.2f} -> "
#                 f"{at_final[1]:.2f} (epoch 1) -> {at_final[-1]:.2f}; at the radius in force "
#                 f"{at_force[0]:.2f} -> {at_force[-1]:.2f}, falling in "
#                 f"{np.mean(np.diff(at_force) < 0):.0%} of the epochs")
#           assert pca[0] < 0.5 * rnd[0]                  # the PCA start is far lower ...
#           assert gap < 0.2                              # ... and forgotten after one epoch
#           assert np.mean(np.diff(pca) > 0) > 0.25       # sigma held: rises in over a quarter
#           assert at_force[-1] < at_force[0] / 5         # at the radius in force: falls ...
#           assert np.mean(np.diff(at_force) < 0) > 0.7   # ... in most epochs
#           assert at_final[1] < at_final[0] and at_final[-1] > at_final[1]   # at 0.5: rises
#           first = seed == 0
#           axes[0].plot(pca, color="C0", label="PCA start" if first else None)
#           axes[0].plot(rnd, color="C1", ls="--", label="random samples" if first else None)
#           axes[1].plot(at_final, color="C2", label="at the final radius 0.5" if first else None)
#           axes[1].plot(at_force, color="C3", label="at the radius in force" if first else None)
#       axes[0].set_title("sigma held at 1: E / n (3 seeds)")
#       axes[1].set_title("sigma shrinking from 1 to 0.5: E / n (3 seeds)")
#       for ax in axes:
#           ax.set_yscale("log")
#           ax.set_xlabel("epoch")
#           ax.legend()
#       plt.show()
#
# .. dropdown:: Solution to exercise 2
#
#    Yes. With ``update_interval=10**9`` the target P is computed once, at the start, and
#    the KL is one fixed function: its epoch means in ``history_`` never rise from one
#    epoch to the next and end below 0.6 of the first. Refreshed every 30 steps, the KL
#    rises in over a quarter of the epochs and ends higher than it began, each new P being
#    sharper than the one before. A fixed P turns DEC into supervised learning on pseudo-
#    labels: its first guess, k-means on the pretrained codes, sharpened. So DEC clusters
#    what k-means found: fewer than 10% of the digits leave their starting cluster (fewer
#    than with refreshes, on every seed), and the ARI stays within 0.05 of the start's. The
#    jumps are the price of self-training: a target that follows Q is what lets the
#    clusters move.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import DEC, Autoencoder, datasets, metrics
#
#       X, y = datasets.load_digits()
#       X = X / 16.0
#       SETTINGS = dict(n_clusters=10, n_init=10, verbose=False)
#       for seed in range(3):
#           ae = Autoencoder(hidden=(64,), latent_dim=10, epochs=20, batch_size=64,
#                            learning_rate=3e-3, random_state=seed, verbose=False).fit(X)
#           # DEC's start: its k-means on the codes (the same seed, the same k-means), one step on
#           start = DEC(ae, max_iter=1, random_state=seed, **SETTINGS).fit(X).labels_
#           runs = {}
#           for name, interval in (("refreshed every 30 steps", 30), ("never refreshed", 10**9)):
#               model = DEC(ae, update_interval=interval, max_iter=240, random_state=seed,
#                           **SETTINGS).fit(X)
#               kl = np.array(model.history_["kl"])        # per epoch: the mean over its batches
#               run = runs[name] = dict(kl=kl, rising=float(np.mean(np.diff(kl) > 0)),
#                                       moved=float(np.mean(model.labels_ != start)),
#                                       ari=metrics.adjusted_rand_score(y, model.labels_))
#               print(f"seed {seed}, target {name}: KL {kl[0]:.4f} -> {kl[-1]:.4f}, rising in "
#                     f"{run['rising']:.0%} of the epochs; {run['moved']:.1%} of the digits left "
#                     f"their starting cluster; ARI {run['ari']:.3f}")
#           fixed, refreshed = runs["never refreshed"], runs["refreshed every 30 steps"]
#           start_ari = metrics.adjusted_rand_score(y, start)
#           print(f"    ARI of the start {start_ari:.3f}")
#           assert fixed["rising"] == 0 and fixed["kl"][-1] < 0.6 * fixed["kl"][0]   # monotone
#           assert refreshed["rising"] > 0.25 and refreshed["kl"][-1] > refreshed["kl"][0]
#           assert fixed["moved"] < 0.1 and fixed["moved"] < refreshed["moved"]   # keeps its start
#           assert abs(fixed["ari"] - start_ari) < 0.05                           # and its score
#
# .. dropdown:: Solution to exercise 3
#
#    MiniSom's η0 / (1 + t / (T/2)) is neuroclust's inverse-time decay, η0 / (1 + (η0/η1 −
#    1) t/T), with η0/η1 − 1 = 2: ``learning_rate_final`` is a third of ``learning_rate``,
#    and ``sigma_final`` a third of ``sigma`` (the radius follows ``decay`` unless
#    ``sigma_decay`` is given). With those two settings ``SOM(decay="inverse_time")``
#    trains the loop's map, to rounding (no prototype differs by 1e-9) on every seed, and
#    its schedule has halved both at T/2. Keeping the exponential run's ends (0.01 and 0.5)
#    gives another map, a prototype more than 0.3 away: a schedule is its kind *and* its
#    two ends, and the name of the kind alone does not fix it.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import SOM, datasets
#
#
#       def minisom_style(X, W, shape, epochs, lr0, sigma0, seed):
#           """The online SOM as a loop over samples, with MiniSom's inverse-time decay."""
#           W = W.copy()
#           rows, cols = shape
#           position = np.array([(r, c) for r in range(rows) for c in range(cols)], dtype=float)
#           rng = np.random.default_rng(seed)
#           total, t = epochs * len(X), 0
#           for _ in range(epochs):
#               for i in rng.permutation(len(X)):
#                   x = X[i]
#                   rate = lr0 / (1 + t / (total / 2))          # MiniSom's asymptotic decay
#                   sigma = sigma0 / (1 + t / (total / 2))
#                   winner = np.argmin(((W - x) ** 2).sum(axis=1))
#                   h = np.exp(-((position - position[winner]) ** 2).sum(axis=1)
#                              / (2 * sigma ** 2))
#                   W += rate * h[:, None] * (x - W)
#                   t += 1
#           return W
#
#
#       # eta_0 / (1 + t / (T/2)) is inverse_time's eta_0 / (1 + (eta_0 / eta_1 - 1) t / T) with
#       # eta_0 / eta_1 - 1 = 2: the final value is a third of the first (the radius's too)
#       MAP, EPOCHS, LR0, SIGMA0 = (6, 6), 5, 0.5, 3.0
#       SETTINGS = {"a third": dict(learning_rate_final=LR0 / 3, sigma_final=SIGMA0 / 3),
#                   "the exponential run's": dict(learning_rate_final=0.01, sigma_final=0.5)}
#       for seed in range(3):
#           X, _ = datasets.make_five_centroids(random_state=seed)
#           W0 = X[np.random.default_rng(seed + 100).choice(len(X), MAP[0] * MAP[1],
#                                                           replace=False)]
#           W_loop = minisom_style(X, W0, MAP, EPOCHS, LR0, SIGMA0, seed)
#           gaps = {}
#           for name, finals in SETTINGS.items():
#               som = SOM(MAP, sigma=SIGMA0, learning_rate=LR0, decay="inverse_time", **finals,
#                         epochs=EPOCHS, init=W0, random_state=seed)
#               gaps[name] = np.abs(som.fit(X).cluster_centers_ - W_loop).max()
#               if name == "a third":   # steps 0, T/2 and T - 1 of the schedule fit follows
#                   schedule = som.schedule(len(X), n_points=3)
#           print(f"seed {seed}: largest gap to the loop's prototypes, final values " + ", ".join(
#               f"{name}: {gap:.1e}" for name, gap in gaps.items()))
#           print(f"    at steps {schedule['step'].tolist()}: learning rate "
#                 f"{np.round(schedule['learning_rate'], 3).tolist()}, sigma "
#                 f"{np.round(schedule['sigma'], 3).tolist()}")
#           assert gaps["a third"] < 1e-9                        # the same map, to rounding
#           assert gaps["the exponential run's"] > 0.3           # other ends: another map
#           assert schedule["step"][1] == EPOCHS * len(X) // 2   # at T/2 both have halved
#           assert np.allclose([schedule["learning_rate"][1], schedule["sigma"][1]],
#                              [LR0 / 2, SIGMA0 / 2])
#
# .. dropdown:: Solution to exercise 4
#
#    Yes. On the 10-D code of the same autoencoder the knee rule picks a radius more than
#    three times the 2-D code's, and DBSCAN finds exactly four clusters on every seed, with
#    under 10% noise and an ARI above 0.85. The rule reads the radius off the code's own
#    k-distances, so it follows the code's scale: the 2-D code's radius would leave more
#    than 90% of the 10-D codes as noise. Here the 2-D code is the fragile one: with the
#    same rule it finds more than four clusters on at least one of the three seeds.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import DBSCAN, Autoencoder, datasets, metrics
#
#
#       def knee_eps(Z, min_samples=5):
#           """The knee of the sorted k-distance curve of Z (k = min_samples - 1 other points)."""
#           d2 = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(axis=2)
#           curve = np.sort(np.sqrt(np.sort(d2, axis=1)[:, min_samples - 1]))
#           x = np.linspace(0.0, 1.0, len(curve))
#           y = (curve - curve[0]) / (curve[-1] - curve[0])
#           return float(curve[np.argmax(x - y)])    # the largest gap below the chord
#
#
#       def dbscan(codes, eps):
#           """Clusters found, share of noise, and the labels of DBSCAN at radius eps."""
#           labels = DBSCAN(eps=eps, min_samples=5).fit_predict(codes)
#           return len(set(labels) - {-1}), float(np.mean(labels == -1)), labels
#
#
#       more_in_2d = []
#       for seed in range(3):
#           X, y = datasets.make_blobs(n_samples=500, centers=4, n_features=10, random_state=seed)
#           X = (X - X.mean(axis=0)) / X.std(axis=0)
#           codes, radius, result = {}, {}, {}
#           for dim in (2, 10):
#               codes[dim] = Autoencoder(hidden=(32,), latent_dim=dim, epochs=30, batch_size=32,
#                                        random_state=seed, verbose=False).fit_transform(X)
#               radius[dim] = knee_eps(codes[dim])
#               clusters, noise, labels = result[dim] = dbscan(codes[dim], radius[dim])
#               ari = metrics.adjusted_rand_score(y, labels)
#               print(f"seed {seed}, {dim:2d}-D code: knee radius {radius[dim]:.3f}, {clusters} "
#                     f"clusters, noise {noise:.1%}, ARI {ari:.3f}")
#           more_in_2d.append(result[2][0] > 4)
#           clusters, noise, labels = result[10]
#           assert clusters == 4 and noise < 0.1                   # 10-D: four clusters ...
#           assert metrics.adjusted_rand_score(y, labels) > 0.85   # ... the generated ones
#           assert radius[10] > 3 * radius[2]                      # at a radius far larger
#           _, noise_small, _ = dbscan(codes[10], radius[2])       # 2-D code's radius, 10-D code
#           print(f"    the 2-D code's radius on the 10-D code: noise {noise_small:.1%}")
#           assert noise_small > 0.9
#       assert any(more_in_2d)         # the 2-D code: more than four clusters on some seed
