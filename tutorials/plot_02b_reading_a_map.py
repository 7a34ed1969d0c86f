r"""
Self-organizing maps, part 2: reading a map
===========================================

Part 1 (:doc:`plot_02_self_organizing_map`) trained maps on points in the plane, where the map
can be drawn over the data. Most data have more than three features, and then the map is read
on its own grid instead: how far apart neighbouring prototypes are (the U-matrix), how many
samples each unit wins, which label most of them carry, what each prototype looks like. This
part reads three maps that way: five Gaussian blobs in 4-D, the handwritten digits (with the
*two-level* clustering: k-means on the map's prototypes), and Kohonen's map of colours.

It answers these questions from the learners' list:

* **5.** How is a U-matrix read? (Light valleys are clusters, dark ridges the borders between
  them, drawn by units that win few samples.)
* **6.** SOMs are said to cluster worse than other methods: do they? (The two-level
  clustering of the digits against k-means on the pixels, over five seeds. The other half of
  the question, speed, is measured on :doc:`plot_15_speed`.)

The equations are on the page :doc:`/algorithms/som`.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) makes the maps smaller and the training shorter, so that the script runs
# in a few seconds. Without it the maps are bigger and better trained, and the script still runs
# in well under a minute.

# sphinx_gallery_thumbnail_number = 1
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from neuroclust import SOM, KMeans, datasets, metrics, plotting

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0                                  # every random choice below derives from it
EPOCHS = 20 if FAST else 40               # online epochs (the blob and colour maps take half)
BLOB_SHAPE = (10, 10) if FAST else (14, 14)    # the maps of the U-matrix section
DIGIT_SHAPE = (6, 6) if FAST else (12, 12)     # the map of the digits
DIGIT_EPOCHS = 3 if FAST else 20
COLOUR_SHAPE = (12, 12) if FAST else (30, 30)  # the colour map
N_COLOURS = 200 if FAST else 1000

# large type and thick lines: these figures are meant to be read from the back of a room
plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "legend.fontsize": 13, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})

# %%
# Reading a U-matrix
# ------------------
# On data with more than three features the map cannot be drawn over the data. The
# *U-matrix* draws it on the grid instead: for each unit, the mean distance from its prototype
# to the prototypes of its grid neighbours,
#
# .. math:: U_j = \frac{1}{|N(j)|} \sum_{k \in N(j)} \lVert w_j - w_k \rVert .
#
# Inside a cluster the units are packed close together (the samples are dense there, and
# each unit wins a share), so :math:`U` is small: a light *valley*. Between clusters there are
# few samples, the units that sit there are stretched across the gap, and :math:`U` is large:
# a dark *ridge*, the border. Here are five Gaussian blobs in 4-D, on a rectangular and a
# hexagonal map (:meth:`neuroclust.SOM.distance_map` computes :math:`U`,
# :func:`neuroclust.plotting.plot_umatrix` draws it).

X_blobs, y_blobs = datasets.make_blobs(n_samples=600 if FAST else 1500, centers=5,
                                       n_features=4, cluster_std=1.5, random_state=SEED)
blob_maps = {topology: SOM(shape=BLOB_SHAPE, topology=topology, epochs=EPOCHS // 2,
                           random_state=SEED).fit(X_blobs)
             for topology in ("rectangular", "hexagonal")}

fig, axes = plt.subplots(2, 2, figsize=(14, 12))
plotting.plot_umatrix(blob_maps["rectangular"], ax=axes[0, 0], title="U-matrix, rectangular")
plotting.plot_umatrix(blob_maps["hexagonal"], ax=axes[0, 1], title="U-matrix, hexagonal")
plotting.plot_hit_map(blob_maps["hexagonal"], X_blobs, ax=axes[1, 0])
plotting.plot_labels_map(blob_maps["hexagonal"], X_blobs, y_blobs, ax=axes[1, 1])
for topology, fitted in blob_maps.items():
    print(f"{topology:>11}: E_Q = {fitted.history_['quantization_error'][-1]:.3f}, "
          f"E_T = {fitted.history_['topographic_error'][-1]:.3f}, "
          f"units that win no sample: {(fitted.activation_response(X_blobs) == 0).sum()}")

# %%
# Read the U-matrices as a relief: the light regions are the clusters, the dark lines between
# them the borders. The labels map (bottom right) colours each unit by the true blob of most
# of the samples it wins; the labels were never used in training, yet each blob has a region
# of its own, bounded by the ridges. The hit map (bottom left) shows why the ridges are
# ridges: the units on them win few samples or none. They are *interpolating units*, pulled
# into the gap by their neighbours on both sides. The hexagonal map gives each unit six
# neighbours at equal distance instead of four, so its borders run in more directions and
# look less blocky; that is why it is the usual choice for pictures.
#
# Each unit keeps a full 4-D prototype, and a *component plane* shows one of its entries across
# the map. Features whose planes look alike vary together on the data; a plane that changes
# sharply along a ridge is a feature that separates the clusters there.

fig = plotting.plot_component_planes(blob_maps["hexagonal"])

# %%
# The digits on a map
# -------------------
# The 1,797 handwritten digits are 8 x 8 images, 64 features each. A map of them, trained on
# the raw pixels, shows each prototype as an image. It starts flat on the plane of the data's
# first two principal components (``init="pca"``, the default), so it starts ordered and
# training mostly refines it. With ``n_clusters=10`` the estimator also clusters its
# prototypes with k-means after training, and each sample gets the cluster of its winning
# unit: the *two-level* approach of Vesanto and Alhoniemi. The map does the heavy lifting (the
# 1,797 samples become a much smaller set of ordered prototypes), and k-means then groups
# prototypes rather than samples.

X_digits, y_digits = datasets.load_digits()
digit_som = SOM(shape=DIGIT_SHAPE, epochs=DIGIT_EPOCHS, n_clusters=10,
                random_state=SEED).fit(X_digits)

fig = plotting.plot_som_prototypes(digit_som)

# %%
# Neighbouring prototypes are similar images, and they change gradually across the map: one
# digit morphs into the next along a path of units. Which digit does each unit stand for? The
# labels map colours each unit by the most common true digit among the samples it wins; next to
# it, the same map coloured by the k-means cluster of each unit. Cluster numbers are arbitrary
# (k-means may call the 3s "cluster 7"), so before the two are drawn in one palette each
# cluster is renamed after the digit it shares the most samples with, one cluster per digit
# (:func:`neuroclust.metrics.match_clusters`, the matching behind the accuracy on
# :doc:`/algorithms/metrics`): a unit then has the same colour on both sides when its cluster
# and its majority digit agree.

matched = metrics.match_clusters(y_digits, digit_som.labels_)
fig, axes = plt.subplots(1, 2, figsize=(15, 6.5))
plotting.plot_labels_map(digit_som, X_digits, y_digits, ax=axes[0])
plotting.plot_labels_map(digit_som, X_digits, matched, ax=axes[1])
axes[0].set_title("Majority true digit of each unit")
axes[1].set_title("Two-level clustering: k-means cluster of each unit,\n"
                  "named after its matched digit")

print(f"map {DIGIT_SHAPE[0]} x {DIGIT_SHAPE[1]}, {DIGIT_EPOCHS} online epochs, seed {SEED}: "
      f"E_Q = {digit_som.history_['quantization_error'][-1]:.2f}, "
      f"E_T = {digit_som.history_['topographic_error'][-1]:.3f}")

# %%
# One seed says little about a comparison: both methods start from random choices. Over five
# seeds (the map and k-means each with its own seed; ARI, the adjusted Rand index, is 1 for a
# perfect match with the digits and 0 for chance, NMI another such score; see
# :doc:`/algorithms/metrics`):

scores = {"SOM + k-means on its prototypes": [], "k-means on the raw pixels": []}
seconds = {name: [] for name in scores}
for seed in range(SEED, SEED + 5):
    for name in scores:
        start_time = time.perf_counter()
        if name.startswith("SOM"):
            labels = SOM(shape=DIGIT_SHAPE, epochs=DIGIT_EPOCHS, n_clusters=10,
                         random_state=seed).fit(X_digits).labels_
        else:
            labels = KMeans(n_clusters=10, n_init=10, random_state=seed).fit(X_digits).labels_
        seconds[name].append(time.perf_counter() - start_time)
        scores[name].append((metrics.adjusted_rand_score(y_digits, labels),
                             metrics.normalized_mutual_info_score(y_digits, labels)))
print(f"{'model, 5 seeds':<34}{'ARI mean ± std':>17}{'NMI mean ± std':>17}{'seconds':>9}")
for name, values in scores.items():
    ari, nmi = np.array(values).T
    print(f"{name:<34}{ari.mean():>9.3f} ± {ari.std():.3f}{nmi.mean():>9.3f} ± {nmi.std():.3f}"
          f"{np.median(seconds[name]):>9.3f}")
som_ari, kmeans_ari = (np.array(values)[:, 0] for values in scores.values())
gap = som_ari.mean() - kmeans_ari.mean()
spread = max(som_ari.std(), kmeans_ari.std())
verdict = ("on a par with" if abs(gap) <= 2 * spread else
           "better than" if gap > 0 else "below")
print(f"the two-level clustering is {verdict} k-means on the pixels: the mean ARIs differ by "
      f"{gap:+.3f}, against a spread of {spread:.3f} from seed to seed")

# %%
# The line above is computed from the table: the two-level clustering is called on a par with
# k-means when the mean ARIs differ by less than twice the larger standard deviation. Both are
# far from 1: some digits are written in ways that look alike pixel by pixel, and neither
# method sees anything but pixels. What the map adds is the picture: where the labels map and
# the cluster map disagree, the prototypes above show why.
#
# The colour map
# --------------
# Kohonen's classic demonstration: random colours, each a point :math:`(r, g, b)` in the unit
# cube, organised on a map. Every prototype is itself a colour, so ``weights_``, of shape
# (rows, cols, 3), can be drawn directly as an image.

colours = np.random.default_rng(SEED).random((N_COLOURS, 3))      # random RGB in [0, 1]
colour_start = np.random.default_rng(SEED + 1).random((COLOUR_SHAPE[0] * COLOUR_SHAPE[1], 3))
colour_som = SOM(shape=COLOUR_SHAPE, init=colour_start, epochs=EPOCHS // 2,
                 random_state=SEED).fit(colours)

fig, axes = plt.subplots(1, 2, figsize=(13, 6.5))
axes[0].imshow(colour_start.reshape(*COLOUR_SHAPE, 3))
axes[0].set_title("Random start")
axes[1].imshow(np.clip(colour_som.weights_, 0, 1))
axes[1].set_title(f"After {EPOCHS // 2} epochs on {N_COLOURS} random colours")
for ax in axes:
    ax.set(xlabel="column", ylabel="row")
fig.tight_layout()
print(f"colour map: E_Q = {colour_som.history_['quantization_error'][-1]:.3f}, "
      f"E_T = {colour_som.history_['topographic_error'][-1]:.3f}")

# %%
# Similar colours gather in patches and blend smoothly into each other. The cube is 3-D and
# the map 2-D, so the map has to fold the cube flat: some pairs of colours that are close in
# the cube end up on distant patches, which is where the topographic error comes from.
#
# Exercises
# ---------
# 1. Train the colour map with ``toroidal=True``. Which edges of the picture now match up, and
#    why does a torus have no border units?
# 2. Train the digits map with ``neighbourhood="bubble"`` and with ``"triangle"``. Compare the
#    U-matrices (:func:`neuroclust.plotting.plot_umatrix`) with the gaussian one. Then try
#    ``"mexican_hat"`` with a small ``learning_rate``, read the warning in the ``SOM``
#    docstring, and explain what the negative part of :math:`h` does.
# 3. Vary ``n_clusters`` of the digits map from 5 to 15 and plot the ARI. Then keep
#    ``n_clusters=10`` and change the size of the map (4 x 4 up to 16 x 16): does the
#    two-level clustering depend on it, and why would a map with fewer units than clusters
#    make no sense?
#
# .. dropdown:: Solution to exercise 1
#
#    All four edges: the left column matches the right one and the top row the bottom one. On
#    the flat map the prototypes on opposite edges lie more than four grid steps apart in
#    colour; on the torus they differ by less than two grid steps (the code checks both). On a
#    torus every unit has the same number of neighbours, wrapped round, so there is no border:
#    no unit is pulled from one side only, and the map has no edge effects.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import SOM
#
#       colours = np.random.default_rng(0).random((500, 3))       # random RGB in [0, 1]
#       for toroidal in (False, True):
#           som = SOM(shape=(15, 15), toroidal=toroidal, epochs=20, random_state=0).fit(colours)
#           W = som.weights_                                       # (15, 15, 3)
#           step = np.linalg.norm(np.diff(W, axis=1), axis=2).mean()   # between grid neighbours
#           wrap_columns = np.linalg.norm(W[:, 0] - W[:, -1], axis=1).mean()   # left vs right edge
#           wrap_rows = np.linalg.norm(W[0] - W[-1], axis=1).mean()            # top vs bottom edge
#           print(f"toroidal={toroidal}: neighbour step {step:.3f}; left-right edges {wrap_columns:.3f},"
#                 f" top-bottom edges {wrap_rows:.3f}")
#           if toroidal:
#               assert max(wrap_columns, wrap_rows) < 2 * step    # the edges are neighbours
#           else:
#               assert min(wrap_columns, wrap_rows) > 4 * step    # the edges are far apart
#
# .. dropdown:: Solution to exercise 2
#
#    On three seeds, the bubble and the triangle (an :math:`h` that is exactly zero beyond
#    :math:`\sigma`) give a more rugged map than the gaussian: a larger mean U-matrix value and
#    a larger topographic error, but a lower :math:`E_Q`, because neighbours share less and each
#    unit fits its own samples more closely. The Mexican hat is negative beyond :math:`\sigma`:
#    units there are pushed *away* from the sample, and a unit that rarely wins is pushed away
#    on almost every step. Even with ``learning_rate=0.02`` the divergence guard stops training
#    after a few epochs with a warning, and the prototypes it kept already lie far outside the
#    pixels' range of 0 to 16 (both asserted): lateral inhibition, shown in its raw form.
#
#    .. code-block:: python
#
#       import warnings
#
#       import numpy as np
#       from neuroclust import SOM, DivergenceWarning, datasets, plotting
#
#       X, y = datasets.load_digits()
#       X = X[:600]
#       for seed in range(3):
#           maps = {kind: SOM(shape=(8, 8), neighbourhood=kind, epochs=10, random_state=seed).fit(X)
#                   for kind in ("gaussian", "bubble", "triangle")}
#           u = {kind: som.distance_map().mean() for kind, som in maps.items()}
#           te = {kind: som.topographic_error(X) for kind, som in maps.items()}
#           eq = {kind: som.quantization_error(X) for kind, som in maps.items()}
#           print(f"seed {seed}: mean U-matrix {u}, topographic error {te}, E_Q {eq}")
#           for kind in ("bubble", "triangle"):     # a compact h: neighbours are less alike, the map
#               assert u[kind] > u["gaussian"]      # is more rugged and less well ordered, but each
#               assert te[kind] > te["gaussian"]    # unit fits its own samples more closely
#               assert eq[kind] < eq["gaussian"]
#       plotting.plot_umatrix(maps["bubble"])
#
#       with warnings.catch_warnings(record=True) as caught:
#           warnings.simplefilter("always")
#           hat = SOM(shape=(8, 8), neighbourhood="mexican_hat", learning_rate=0.02,
#                     learning_rate_final=0.002, epochs=10, random_state=0).fit(X)
#       print("Mexican hat:", [str(w.message)[:90] for w in caught])
#       print("prototype values from", hat.cluster_centers_.min(), "to", hat.cluster_centers_.max())
#       assert any(issubclass(w.category, DivergenceWarning) for w in caught)
#       assert np.abs(hat.cluster_centers_).max() > 100       # the pixels lie in 0-16
#
# .. dropdown:: Solution to exercise 3
#
#    The ARI (mean of three seeds) rises steeply from 5 to 10 clusters, where the k-means on the
#    prototypes stops having to merge digits, and does not fall after 10: splitting a digit
#    costs the ARI less than merging two. Changing the map from 4 x 4 to 16 x 16 at 10 clusters
#    moves the ARI by less than 0.15: the map only has to summarise the data in more units than
#    there are clusters. With fewer units than clusters the second level would have to split a
#    unit, which it cannot: ``SOM`` refuses it with an error (the code checks).
#
#    .. code-block:: python
#
#       import matplotlib.pyplot as plt
#       import numpy as np
#       from neuroclust import SOM, datasets, metrics
#
#       X, y = datasets.load_digits()
#       ari_by_k = {k: np.mean([metrics.adjusted_rand_score(
#                       y, SOM(shape=(10, 10), epochs=10, n_clusters=k, random_state=s).fit(X).labels_)
#                       for s in range(3)]) for k in range(5, 16)}
#       plt.plot(list(ari_by_k), list(ari_by_k.values()), "o-")
#       plt.xlabel("n_clusters"); plt.ylabel("ARI (mean of 3 seeds)")
#       print({k: round(v, 3) for k, v in ari_by_k.items()})
#       ari_by_size = {side: np.mean([metrics.adjusted_rand_score(
#                          y, SOM(shape=(side, side), epochs=10, n_clusters=10, random_state=s)
#                          .fit(X).labels_) for s in range(3)]) for side in (4, 6, 8, 12, 16)}
#       print({f"{s} x {s}": round(v, 3) for s, v in ari_by_size.items()})
#       try:
#           SOM(shape=(3, 3), n_clusters=10).fit(X)
#       except ValueError as error:
#           print("3 x 3 map, 10 clusters:", error)
#       else:
#           raise AssertionError("a map with fewer units than clusters was accepted")
#       assert ari_by_k[10] > ari_by_k[5] + 0.1                  # merging digits costs a lot
#       assert max(ari_by_k[k] for k in range(11, 16)) >= ari_by_k[10]   # splitting one costs less
#       sizes = list(ari_by_size.values())
#       assert max(sizes) - min(sizes) < 0.15                    # the map's size matters little
