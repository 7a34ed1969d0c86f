r"""
Adaptive resonance theory, part 2: streams and binary patterns
==============================================================

Part 1 (:doc:`plot_04_adaptive_resonance_theory`) built Fuzzy ART: the match test, the
category boxes, the vigilance. This part puts it where it differs most from a method with a
fixed number of clusters: a stream in which new clusters appear after the old ones were
learned, against k-means and the competitive layer on the same stream. Then it builds ART1,
the first ART network, for binary patterns: letters, and the handwritten digits as black and
white images.

It answers these questions from the learners' list:

* **7.** What if the number of clusters is not known in advance, and grows while the data
  arrive? (Fuzzy ART takes the new clusters in without a k, without storing the stream and
  without moving what it had learned.)
* **8.** The comparison and recognition fields and the vigilance test, for binary inputs:
  ART1's bottom-up weights and its template, one presentation by hand.

The equations are on the page :doc:`/algorithms/art`.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) uses fewer samples, so that the script runs in a few seconds.

# sphinx_gallery_thumbnail_number = 1
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from neuroclust import ART1, FuzzyART, KMeans, datasets, metrics, plotting
from neuroclust.backend import reference

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0                                   # every random choice below derives from it
N_FIVE = 500 if FAST else 1500             # samples of the five-centroid data (3-D)
N_DIGITS = 600 if FAST else 1797           # binary digits for ART1

# large type and thick lines: these figures are meant to be read from the back of a room
plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "legend.fontsize": 13, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})

# The five-centroid data of tutorial 1 (3-D), as in part 1's vigilance section.
X_five, y_five = datasets.make_five_centroids(n_samples=N_FIVE, random_state=SEED)

# %%
# Learning from a stream: new clusters appear
# -------------------------------------------
# This is where ART differs most from a method with a fixed number of clusters. The
# five-centroid data arrive in pieces. The first pieces hold only clusters 0, 1 and 2;
# clusters 3 and 4 appear only in the later ones. ``partial_fit`` presents each piece once and
# keeps everything learned before.
#
# One practical point first. Fuzzy ART needs inputs in [0, 1], and with ``scale=True``
# ``partial_fit`` learns the scaling from the *first* piece and clips later data to it, so a
# new cluster outside the range of the first piece would be squashed onto its edge. On a
# stream the range must be known in advance (a sensor's range, say). Here we take it from the
# whole data set and scale by hand.

low, high = X_five.min(axis=0), X_five.max(axis=0)
U_five = (X_five - low) / (high - low)     # each feature onto [0, 1]
old_part = np.flatnonzero(y_five < 3)
new_part = np.flatnonzero(y_five >= 3)
pieces = np.array_split(old_part, 5) + np.array_split(new_part, 3)

stream = FuzzyART(rho=0.6)
print(f"{'piece':>5} {'clusters in it':>15} {'categories':>11} {'new ones':>9} "
      f"{'samples to older categories':>28}")
for number, piece in enumerate(pieces):
    before = stream.n_categories_ if number else 0
    stream.partial_fit(U_five[piece])
    to_older = (stream.labels_ < before).sum()
    print(f"{number:>5} {str(sorted(set(y_five[piece].tolist()))):>15} "
          f"{stream.n_categories_:>11} {stream.n_categories_ - before:>9} {to_older:>28}")
    if number == 4:                        # the end of the old clusters
        n_old = stream.n_categories_
        templates_old = stream.weights_.copy()
        old_categories = stream.predict(U_five[old_part], vigilance=True)

changed = ~(stream.weights_[:n_old] == templates_old).all(axis=1)
grown = (templates_old - stream.weights_[:n_old]).sum(axis=1)   # growth of each box's size
assert (stream.weights_[:n_old] <= templates_old).all()          # templates never increase
print(f"old categories whose template changed after the new clusters came: "
      f"{changed.sum()} of {n_old} (largest growth of a box: {grown.max():.3f})")
same = stream.predict(U_five[old_part], vigilance=True) == old_categories
print(f"samples of the old clusters that keep their category: {same.mean():.1%}")
labels_new = stream.predict(U_five[new_part], vigilance=True)
print(f"samples of the new clusters in categories made after piece 4: "
      f"{(labels_new >= n_old).mean():.1%}")

# %%
# The new clusters got categories of their own, and the samples of the old clusters kept
# their categories. An old category changes only when a new sample passes *its* vigilance
# test, and then its box only grows, never past the bound: the assertion above checks that no
# template increased. (An old sample can still change category, but only to a new box that
# holds it and wins the choice; the share printed above says how often that happened.) That
# is ART's stability. New samples that match nothing open new categories. That is its
# plasticity. Both come from the same test.
#
# Now a fixed-k method on the same stream. k-means fitted on the first five pieces, with
# k = 3, has no place for the new clusters: it can only put their samples into old clusters.
# To take them in, it must be refitted on all the data, which means keeping all the data and
# knowing the new k. The online competitive layer, with five units from the start, does take
# the new clusters in, but by pulling units away from the old ones.

kmeans_old = KMeans(n_clusters=3, n_init=10, random_state=SEED).fit(U_five[old_part])
kmeans_all = KMeans(n_clusters=5, n_init=10, random_state=SEED).fit(U_five)
rng = np.random.default_rng(SEED)
W_stream = U_five[rng.choice(old_part, 5, replace=False)].copy()
for number, piece in enumerate(pieces):
    reference.wta_online(U_five, W_stream, piece, 0.05)
    if number == 4:
        W_old = W_stream.copy()
units_old = reference.bmu(U_five[old_part], W_old)[0]
units_now = reference.bmu(U_five[old_part], W_stream)[0]
print(f"{'method':<42}{'ARI, all data':>14}")
for name, labels in [("Fuzzy ART, rho = 0.6, streamed", stream.predict(U_five)),
                     ("k-means, k = 3, fit before the new clusters",
                      kmeans_old.predict(U_five)),
                     ("k-means, k = 5, refit on everything", kmeans_all.labels_),
                     ("competitive layer, 5 units, streamed",
                      reference.bmu(U_five, W_stream)[0])]:
    print(f"{name:<42}{metrics.adjusted_rand_score(y_five, labels):>14.3f}")
print(f"competitive layer: samples of the old clusters whose unit changed when the new "
      f"clusters came: {(units_old != units_now).mean():.1%}")

# %%
# The ARI of the categories is lower than that of k-means refitted with the right k, for the
# reasons of part 1's vigilance section: the categories are boxes, several per cluster. The
# competitive layer was told the final number of units from the start, and it paid for the
# new clusters with units taken from the old ones. ART got there without a k (question 7),
# without storing the stream, and without moving what it had learned.
#
# ART1: binary patterns
# ---------------------
# ART1 (Carpenter and Grossberg, 1987) was the first ART network, for binary inputs. A
# template :math:`w_j` is a binary vector, the features that category expects. The input
# reaches the F2 units through *bottom-up* weights :math:`b_j`, which fast learning keeps at
#
# .. math:: b_j = \frac{L\, w_j}{L - 1 + |w_j|}, \qquad
#           T_j = x \cdot b_j = \frac{L\, |x \cap w_j|}{L - 1 + |w_j|},
#
# with :math:`L > 1` and :math:`|x \cap w_j|` the number of ones that :math:`x` and
# :math:`w_j` share. A template with few ones gets large bottom-up weights, so a small
# category can win the inputs it codes. The vigilance test is
# :math:`|x \cap w_J| / |x| \ge \rho`, and learning keeps only the shared features,
# :math:`w_J \leftarrow x \cap w_J`: a template is what all its samples have in common.
#
# These are Fuzzy ART's equations on 0/1 data without complement coding, with
# :math:`\alpha = L - 1` and :math:`\beta = 1`: the fuzzy AND of 0/1 vectors is their
# intersection, and :math:`T_j` is :math:`L` times Fuzzy ART's choice, which does not change
# which category wins.
#
# Classic test patterns are letters. Here are twelve, 7 pixels high and 5 wide, presented
# once in order.

LETTERS = {
    "A": ".###.|#...#|#...#|#####|#...#|#...#|#...#",
    "B": "####.|#...#|#...#|####.|#...#|#...#|####.",
    "C": ".###.|#...#|#....|#....|#....|#...#|.###.",
    "D": "####.|#...#|#...#|#...#|#...#|#...#|####.",
    "E": "#####|#....|#....|####.|#....|#....|#####",
    "F": "#####|#....|#....|####.|#....|#....|#....",
    "H": "#...#|#...#|#...#|#####|#...#|#...#|#...#",
    "I": ".###.|..#..|..#..|..#..|..#..|..#..|.###.",
    "L": "#....|#....|#....|#....|#....|#....|#####",
    "O": ".###.|#...#|#...#|#...#|#...#|#...#|.###.",
    "P": "####.|#...#|#...#|####.|#....|#....|#....",
    "T": "#####|..#..|..#..|..#..|..#..|..#..|..#..",
}
letters = np.array([[pixel == "#" for pixel in pattern.replace("|", "")]
                    for pattern in LETTERS.values()], dtype=np.float64)   # (12, 35)

# One presentation by hand: the letter F, with the templates learned from A to E.
L = 2.0
before_f = ART1(rho=0.7, L=L, epochs=1).fit(letters[:5])
W_letters = before_f.weights_
x = letters[5]
b = L * W_letters / (L - 1 + W_letters.sum(axis=1, keepdims=True))   # bottom-up weights
T_letters = b @ x                                                     # choice, x . b_j
M_letters = (x * W_letters).sum(axis=1) / x.sum()                     # vigilance test
print("presenting F to the templates learned from A to E:")
print(f"{'category':>8} {'T_j':>7} {'|x AND w_j| / |x|':>18}")
for j in np.argsort(-T_letters, kind="stable"):
    print(f"{j:>8} {T_letters[j]:7.3f} {M_letters[j]:18.3f}")
W_art1 = np.vstack([W_letters, np.zeros((1, 35))])
categories, _ = reference.art1_online(x[None, :], W_art1, len(W_letters), np.array([0]),
                                      0.7, L)
print(f"the kernel puts F in category {categories[0]} "
      f"({'a new one' if categories[0] == len(W_letters) else 'an old one'})")
fuzzy = reference.fuzzy_art_choice(x[None, :], W_letters, L - 1)[0][0]
assert np.allclose(T_letters, L * fuzzy)   # ART1's choice is L times Fuzzy ART's

# %%
# Every category that fails the test is reset; F joins the first one, in order of choice,
# that passes, or opens a new one. Now the whole classic picture: the letters presented once
# in order, at a low and a high vigilance, and the templates after each presentation.


def letter_run(rho_value):
    """The templates of ART1 after each letter, presented once in order."""
    model = ART1(rho=rho_value, L=L)
    rows = []
    for letter in letters:
        model.partial_fit(letter[None, :])
        rows.append((model.weights_.copy(), int(model.labels_[0])))
    return rows


fig, axes = plt.subplots(1, 2, figsize=(17, 10))
for ax, rho_value in zip(axes, (0.5, 0.8)):
    rows = letter_run(rho_value)
    n_columns = 1 + max(len(templates) for templates, _ in rows)
    canvas = np.full((len(rows) * 8, n_columns * 6), np.nan)   # white gaps between images
    for r, ((templates, chosen), letter) in enumerate(zip(rows, letters)):
        canvas[r * 8:r * 8 + 7, 0:5] = letter.reshape(7, 5)
        for j, template in enumerate(templates):
            shade = 1.0 if j == chosen else 0.6                 # the one that learned: darker
            canvas[r * 8:r * 8 + 7, (j + 1) * 6:(j + 1) * 6 + 5] = shade * template.reshape(7, 5)
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.axvline(5.5, color=plotting.COLORS[5], linewidth=2)
    ax.set(xticks=[2 + 6 * j for j in range(n_columns)],
           xticklabels=["input"] + [str(j) for j in range(n_columns - 1)],
           yticks=[3 + 8 * r for r in range(len(rows))], yticklabels=list(LETTERS),
           title=f"$\\rho$ = {rho_value}: {len(rows[-1][0])} categories")
    ax.set_xlabel("templates after the presentation (dark: the one that learned)")
fig.tight_layout()

# %%
# At low vigilance, letters that share enough pixels end up in one category. Its template
# then keeps only the pixels they all have: it erodes. At high vigilance most letters get a
# category of their own. A template can only lose pixels, which is ART1's stability and its
# weakness too: a category that took in a very different input keeps only the little they
# share.
#
# ART1 on real data: the handwritten digits, as black and white images (a pixel is on when
# its ink is above half the scale). The templates of the largest categories show what their
# samples share.

X_digits, y_digits = datasets.load_digits()
binary = (X_digits[:N_DIGITS] > 8).astype(np.float64)
y_binary = y_digits[:N_DIGITS]
start_time = time.perf_counter()
art1 = ART1(rho=0.3, L=L).fit(binary)
art1_seconds = time.perf_counter() - start_time
largest = np.argsort(-np.bincount(art1.labels_, minlength=art1.n_categories_),
                     kind="stable")[:10]
sizes = np.bincount(art1.labels_)[largest]
fig = plotting.plot_prototype_images(art1.weights_[largest], n_cols=5,
                                     titles=[f"{size} samples" for size in sizes])
fig.suptitle("ART1 templates of the ten largest categories (rho = 0.3)")
print(f"ART1, rho = 0.3: {art1.n_categories_} categories in "
      f"{len(art1.history_['n_changed'])} epochs ({art1_seconds:.3f} s); "
      f"ARI {metrics.adjusted_rand_score(y_binary, art1.labels_):.3f}, "
      f"purity {metrics.purity_score(y_binary, art1.labels_):.3f}")
as_fuzzy = FuzzyART(rho=0.3, alpha=L - 1, beta=1.0, complement_coding=False).fit(binary)
print("ART1 = Fuzzy ART without complement coding, alpha = L - 1, beta = 1: "
      f"{np.array_equal(art1.labels_, as_fuzzy.labels_)}")
assert np.array_equal(art1.weights_, as_fuzzy.weights_)

# %%
# The templates are thin strokes, the pixels that every sample in the category has. Digits
# written a little shifted share few pixels, so ART1 needs many categories, and its scores
# against the true digits are low. Fuzzy ART, with complement coding, also keeps track of
# the pixels that are *off* in all its samples, and works on grey levels.
#
# Exercises
# ---------
# 1. In the stream section, raise the vigilance until no new sample joins an old category.
#    What does it cost in number of categories?
# 2. Train ART1 on the letters at vigilances from 0.1 to 0.9. Plot the number of categories.
#    At which vigilance does every letter get its own category, and which pair of letters
#    is the last to be separated? Why that pair?
#
# .. dropdown:: Solution to exercise 1
#
#    On this stream the page's vigilance of 0.6 already lets no sample of the new clusters join
#    an old category, and so does 0.95; in between, at 0.7 to 0.9, a few do (the code counts
#    them). Raising the vigilance is therefore not a monotone fix, and its price is steep: at
#    0.95 there are more than ten times as many categories as at 0.6, most of them small pieces
#    of the same clusters. The question to ask of a stream is how far apart new and old clusters
#    are, compared with the box size the vigilance allows.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import FuzzyART, datasets
#
#       X, y = datasets.make_five_centroids(n_samples=1500, random_state=0)
#       U = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
#       old, new = np.flatnonzero(y < 3), np.flatnonzero(y >= 3)
#       pieces = np.array_split(old, 5) + np.array_split(new, 3)
#
#
#       def stream(rho):
#           """Categories at the end, and new-cluster samples that joined an old category."""
#           model, joined = FuzzyART(rho=rho), 0
#           for number, piece in enumerate(pieces):
#               before = model.n_categories_ if number else 0
#               model.partial_fit(U[piece])
#               if number == 5:
#                   n_old = before
#               if number >= 5:
#                   joined += int((model.labels_ < n_old).sum())
#           return model.n_categories_, joined
#
#
#       results = {rho: stream(rho) for rho in (0.6, 0.7, 0.8, 0.85, 0.9, 0.95)}
#       for rho, (n, joined) in results.items():
#           print(f"rho {rho}: {n} categories, {joined} new-cluster samples joined an old category")
#       joined = {rho: j for rho, (_, j) in results.items()}
#       assert joined[0.6] == 0 and joined[0.95] == 0        # none at the page's 0.6 nor at 0.95,
#       assert any(joined[rho] > 0 for rho in (0.7, 0.8, 0.85, 0.9))   # but some in between
#       assert results[0.95][0] > 10 * results[0.6][0]       # 0.95 costs ten times the categories
#
# .. dropdown:: Solution to exercise 2
#
#    The number of categories climbs with the vigilance, not always by one (the search order can
#    regroup letters), and from 0.9 on every letter has a category of its own (asserted). Just
#    below, two pairs still share: D with O and F with P. In each pair nearly every pixel of one
#    letter is also in the other (all of O is in D; 93% of F's pixels are in P): the shared
#    template is their intersection, and the match :math:`|x \wedge w|/|x|` of the smaller
#    letter stays high, so only a very strict vigilance tells them apart.
#
#    .. code-block:: python
#
#       import matplotlib.pyplot as plt
#       import numpy as np
#       from neuroclust import ART1
#
#       LETTERS = {
#           "A": ".###.|#...#|#...#|#####|#...#|#...#|#...#",
#           "B": "####.|#...#|#...#|####.|#...#|#...#|####.",
#           "C": ".###.|#...#|#....|#....|#....|#...#|.###.",
#           "D": "####.|#...#|#...#|#...#|#...#|#...#|####.",
#           "E": "#####|#....|#....|####.|#....|#....|#####",
#           "F": "#####|#....|#....|####.|#....|#....|#....",
#           "H": "#...#|#...#|#...#|#####|#...#|#...#|#...#",
#           "I": ".###.|..#..|..#..|..#..|..#..|..#..|.###.",
#           "L": "#....|#....|#....|#....|#....|#....|#####",
#           "O": ".###.|#...#|#...#|#...#|#...#|#...#|.###.",
#           "P": "####.|#...#|#...#|####.|#....|#....|#....",
#           "T": "#####|..#..|..#..|..#..|..#..|..#..|..#..",
#       }
#       names = list(LETTERS)
#       letters = np.array([[pixel == "#" for pixel in p.replace("|", "")] for p in LETTERS.values()],
#                          dtype=np.float64)
#       rhos = np.round(np.arange(0.1, 0.96, 0.05), 2)
#       counts, shared = [], {}
#       for rho in rhos:
#           labels = ART1(rho=rho).fit(letters).labels_
#           counts.append(len(set(labels)))
#           shared[rho] = [(names[i], names[j]) for i in range(12) for j in range(i + 1, 12)
#                          if labels[i] == labels[j]]
#       plt.plot(rhos, counts, "o-"); plt.xlabel("vigilance"); plt.ylabel("categories")
#       apart = rhos[counts.index(12)]
#       last = shared[rhos[counts.index(12) - 1]]                 # together just below that
#       print(dict(zip(rhos.tolist(), counts)))
#       print("every letter alone from vigilance", apart, "; together just below it:", last)
#       assert counts[-1] == 12 and all(c == 12 for c in counts[counts.index(12):])
#       for pair in last:
#           a, b = (letters[names.index(n)] for n in pair)
#           inside = np.minimum(a, b).sum() / min(a.sum(), b.sum())
#           print(f"{pair}: {inside:.0%} of the smaller letter's pixels are in the other")
#           assert inside > 0.8                # one letter is (nearly) the other with a stroke more
#
