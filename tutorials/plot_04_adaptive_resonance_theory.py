r"""
Adaptive resonance theory, part 1: learning new clusters without forgetting old ones
====================================================================================

A competitive layer learns by moving its prototypes toward the samples it wins. That same
freedom to move is what makes it forget: when the data change, the prototypes follow the new
data, and what they had learned is gone. Grossberg called this the *stability-plasticity
dilemma*. Adaptive resonance theory (ART) answers it with a test. A category learns from a
sample only when the sample matches what the category expects well enough. If it does not,
the network searches on, and if no category matches, it opens a new one. Old categories are
not dragged away by data that do not match them, and the number of categories grows with the
data.

This part shows a competitive layer forgetting, then builds Fuzzy ART: its fields and
signals, its equations, one presentation by hand, the category boxes, the vigilance, and what
the order of the samples does. :doc:`plot_04b_streams_and_art1` follows Fuzzy ART on a stream
in which new clusters appear, and builds ART1 for binary patterns.

It answers these questions from the learners' list:

* **7.** What if the number of clusters is not known in advance? (ART opens a new category
  whenever no existing one matches well enough; the vigilance says how well is enough.)
* **8.** In ART, what are the comparison and recognition fields, the vigilance test and the
  lateral inhibition, in equations and in code? (The section on the architecture names each
  part, and the step by hand computes each one.)
* **1.** Without labels, what does the network improve? (ART descends no cost function;
  its learning stops because every change is one way: boxes only grow, and never past a size
  that the vigilance sets.)
* **2.** What mechanism makes a network group nearby points together? (A category's box grows
  to take in the samples that fall near it, until it would grow too large.)

The equations are on the page :doc:`/algorithms/art`, each with the line of code that
computes it. Tutorial :doc:`plot_01_competitive_learning` comes first: ART's competition for
the winner is the same idea, with a test added.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) uses fewer samples, fewer settings in the sweeps and fewer frames in the
# animation, so that the script runs in a few seconds. Without it the data sets are larger and
# the sweeps finer; the script still runs in well under a minute.

# sphinx_gallery_thumbnail_number = 3
import copy
import os
import warnings
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

from neuroclust import FuzzyART, KMeans, datasets, metrics, plotting
from neuroclust.backend import reference

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0                                   # every random choice below derives from it
N_SQUARE = 300 if FAST else 1000           # samples of the 2-D data in the unit square
N_FIVE = 500 if FAST else 1500             # samples of the five-centroid data (3-D)
RHOS = np.linspace(0.3, 0.95, 14 if FAST else 27)   # the vigilance sweep
N_ORDERS = 8 if FAST else 30               # random orders in the order-dependence section
GIF_FRAMES = 8 if FAST else 25             # frames of the animation

# large type and thick lines: these figures are meant to be read from the back of a room
plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "legend.fontsize": 13, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})
plt.rcParams["animation.writer"] = "pillow"   # animations as GIFs: Pillow comes with matplotlib

# Five round clusters in the unit square. Fuzzy ART works on values in [0, 1].
CENTRES_2D = np.array([[0.15, 0.2], [0.2, 0.8], [0.5, 0.5], [0.85, 0.85], [0.85, 0.15]])
X_square, y_square = datasets.make_blobs(n_samples=N_SQUARE, centers=CENTRES_2D,
                                         cluster_std=0.05, random_state=SEED)
X_square = np.clip(X_square, 0, 1)         # a rare sample past the edge goes onto it


def on_unit_square(ax):
    """Show the whole unit square, the space Fuzzy ART works in, without the legend."""
    ax.set_adjustable("box")
    ax.set(xlim=(-0.03, 1.03), ylim=(-0.03, 1.03))
    if ax.get_legend() is not None:
        ax.get_legend().remove()


def n_categories_text(n):
    """'1 category', '5 categories'."""
    return f"{n} categor{'y' if n == 1 else 'ies'}"

# %%
# The stability-plasticity dilemma
# --------------------------------
# Here is a stream of data whose source changes. First only the three clusters on the left
# and in the middle produce samples (phase A). Then only the two clusters on the right do
# (phase B). A competitive layer with five units, one per cluster there will ever be, learns
# online with a constant rate :math:`\eta`, as in tutorial 1:
# :math:`w_c \leftarrow w_c + \eta\,(x - w_c)` for the winner :math:`c`. We record where its
# units go.

phase_a = np.flatnonzero(y_square < 3)     # the samples of the first three clusters
phase_b = np.flatnonzero(y_square >= 3)    # the two clusters that appear later
eta = 0.05
rng = np.random.default_rng(SEED)
W = X_square[rng.choice(phase_a, 5, replace=False)].copy()   # five units, started on samples
path = [W.copy()]
for phase in (phase_a, phase_b):
    for batch in np.array_split(phase, 20):                  # the stream, 20 pieces a phase
        reference.wta_online(X_square, W, batch, eta)        # winner-take-all, in place
        path.append(W.copy())
path = np.array(path)                      # (41, 5, 2): the units after every piece
W_after_a, W_after_b = path[20], path[-1]
print(f"quantization error on the phase-A data: "
      f"{metrics.quantization_error(X_square[phase_a], W_after_a):.3f} after phase A, "
      f"{metrics.quantization_error(X_square[phase_a], W_after_b):.3f} after phase B")
print("distance each unit moved during phase B:",
      np.round(np.linalg.norm(W_after_b - W_after_a, axis=1), 3))

# %%
# Now the same stream through Fuzzy ART, one piece at a time with ``partial_fit``. How it works
# is the subject of the rest of this tutorial; here we only look at what it keeps.

art_stream = FuzzyART(rho=0.75)
for batch in np.array_split(phase_a, 20):
    art_stream.partial_fit(X_square[batch])
n_old = art_stream.n_categories_
templates_after_a = art_stream.weights_.copy()
boxes_after_a = art_stream.category_boxes()
categories_after_a = art_stream.predict(X_square[phase_a], vigilance=True)
for batch in np.array_split(phase_b, 20):
    art_stream.partial_fit(X_square[batch])
unchanged = (art_stream.weights_[:n_old] == templates_after_a).all(axis=1)
print(f"Fuzzy ART: {n_old} categories after phase A, {art_stream.n_categories_} after phase "
      f"B; {unchanged.sum()} of the {n_old} old ones untouched by phase B")
same = art_stream.predict(X_square[phase_a], vigilance=True) == categories_after_a
print(f"phase-A samples that still get the category they had: {same.mean():.1%}")

fig, axes = plt.subplots(1, 2, figsize=(15, 7))
ax = axes[0]
ax.scatter(*X_square[phase_a].T, s=10, color="0.7", label="phase A samples")
ax.scatter(*X_square[phase_b].T, s=10, color=plotting.COLORS[4], alpha=0.5,
           label="phase B samples")
for unit in range(5):
    ax.plot(*path[:21, unit].T, color=plotting.COLORS[0], linewidth=2)
    ax.plot(*path[20:, unit].T, color=plotting.COLORS[5], linewidth=2)
ax.plot(*W_after_a.T, "o", color=plotting.COLORS[0], markersize=11, label="units after A")
ax.plot(*W_after_b.T, "s", color=plotting.COLORS[5], markersize=11, label="units after B")
ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal",
       title="Competitive layer: units follow the new data")
ax.legend(loc="lower center", ncol=2, fontsize=11, framealpha=0.9)
plotting.plot_fuzzy_art_boxes(art_stream, X_square[np.concatenate([phase_a, phase_b])],
                              ax=axes[1], title="Fuzzy ART: old boxes (dashed) stay")
for lower, upper in zip(*boxes_after_a):
    axes[1].add_patch(Rectangle(lower, *(upper - lower), fill=False, linestyle="--",
                                linewidth=2.5, edgecolor="k"))
on_unit_square(axes[1])
fig.tight_layout()

# %%
# The competitive layer has no way to tell a new cluster from an old one: each sample pulls
# its nearest unit, whatever that unit learned before. In phase B the units nearest to the
# new data leave their old clusters and follow the new samples. The phase-A samples they used
# to win must now be served by units farther away, so the quantization error on the phase-A
# data rises. The units that stay put are only the ones that win no new sample. Lowering
# :math:`\eta` slows the forgetting, but it slows the learning of the new clusters just as
# much. That is the dilemma: the rate that makes a network *plastic* also makes it
# *unstable*.
#
# Fuzzy ART opens new categories for the new clusters and keeps the old ones: the printout
# counts the old templates that phase B left untouched. An old category could still learn
# from a new sample, but only from one that passes its match test, and then its box only
# grows, within a bound. The rest of this tutorial shows how.
#
# The architecture: fields, signals and a test
# --------------------------------------------
# An ART network has layers of units, called *fields*, joined by weights in both directions,
# and a reset signal:
#
# * **F0**, the input field, holds the input. Fuzzy ART first *complement codes* it (next
#   section).
# * **F1**, the *comparison field*, holds the input :math:`I` and sends it up to F2 through
#   the bottom-up weights.
# * **F2**, the *recognition field*, has one unit per category. Each category :math:`j` gets
#   a *choice value* :math:`T_j`, its bottom-up input. The F2 units inhibit each other
#   (*lateral inhibition*), until only the one with the largest :math:`T_j` stays active: a
#   winner-take-all competition, as in a competitive layer.
# * The winner :math:`J` sends its *top-down expectation*, its template :math:`w_J`, back to
#   F1. F1 now holds what the input and the expectation share, :math:`I \wedge w_J`.
# * The **vigilance test** compares the size of that shared part with the size of the input.
#   If too little of the input was expected, the test fails and sends a **reset**: category
#   :math:`J` is switched off for the rest of this input, and the competition runs again
#   among the others. This is the **search**.
# * When a category passes the test, the network is in **resonance**: the bottom-up and
#   top-down signals agree. Only then does the category learn. If every category is reset, a
#   new one is committed with the input as its template.
#
# In neuroclust this cycle is one step of the kernel
# :func:`neuroclust.backend.reference.fuzzy_art_online`. The next two sections give each part
# its equation and then compute each one by hand (question 8).

fig, ax = plt.subplots(figsize=(13, 7.5))
ax.set(xlim=(0, 13), ylim=(0, 8), aspect="equal")
ax.set_axis_off()


def field(x, y, width, height, text, colour):
    """A field of the network, drawn as a rounded box with its name inside."""
    ax.add_patch(FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.1",
                                facecolor=colour, edgecolor="k", linewidth=2))
    ax.text(x + 0.15, y + height - 0.2, text, va="top", fontsize=14)


def arrow(start, end, text, text_at, colour="k", style="-|>"):
    """A signal between fields, with its label."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=22,
                                 linewidth=2.5, color=colour))
    ax.text(*text_at, text, fontsize=13, color=colour, ha="center", va="center")


field(0.6, 0.4, 6.5, 1.2, "F0: input $a$, complement coded\n$I = (a,\\ 1 - a)$", "#f2f2f2")
field(0.6, 2.9, 6.5, 1.5, "F1: comparison field\nholds $I$, then $I \\wedge w_J$", "#dbe9f6")
field(0.6, 5.7, 6.5, 2.0, "F2: recognition field", "#fbe3c8")
for k in range(6):                         # the category units of F2; one has won
    winner = k == 2
    ax.add_patch(Circle((1.4 + 1.0 * k, 6.75), 0.3, linewidth=2, edgecolor="k",
                        facecolor=plotting.COLORS[1] if winner else "white",
                        linestyle="--" if k == 5 else "-"))
ax.text(1.4 + 2.0, 6.75, "J", ha="center", va="center", fontsize=13)
ax.text(0.75, 6.0, "lateral inhibition: only $J = \\arg\\max_j T_j$ stays on", fontsize=12)
arrow((3.85, 1.75), (3.85, 2.75), "", (0, 0))
arrow((2.6, 4.55), (2.6, 5.55), "bottom-up\nchoice $T_j$", (1.6, 5.05), plotting.COLORS[0])
arrow((5.2, 5.55), (5.2, 4.55), "top-down\nexpectation $w_J$", (6.3, 5.05),
      plotting.COLORS[5])
ax.add_patch(Circle((10.0, 3.6), 0.6, facecolor="#e8f4e8", edgecolor="k", linewidth=2))
ax.text(10.0, 3.6, "$\\rho$", ha="center", va="center", fontsize=22)
ax.text(10.0, 2.2, "vigilance test\n$|I \\wedge w_J| \\,/\\, |I| \\geq \\rho$ ?",
        ha="center", fontsize=13)
arrow((7.3, 3.65), (9.3, 3.65), "match", (8.3, 3.95))
arrow((7.3, 1.0), (9.6, 3.05), "$|I|$", (8.75, 1.75))
arrow((10.0, 4.3), (7.3, 6.5), "fails: reset $J$,\nsearch on", (10.1, 5.75),
      plotting.COLORS[3])
ax.text(10.0, 7.1, "passes: resonance,\n$w_J$ learns", ha="center", fontsize=13,
        color=plotting.COLORS[2])
ax.text(6.4, 7.2, "free", fontsize=11, ha="center")
ax.set_title("One presentation in Fuzzy ART")

# %%
# The equations of Fuzzy ART
# --------------------------
# Fuzzy ART (Carpenter, Grossberg and Rosen, 1991) works on inputs :math:`a \in [0, 1]^d`.
# Write :math:`|v| = \sum_i |v_i|` for the size (the L1 norm) of a vector and
# :math:`(u \wedge v)_i = \min(u_i, v_i)` for the *fuzzy AND*, the elementwise minimum. On
# 0/1 vectors it is the logical AND, and :math:`|u \wedge v|` counts the ones they share.
#
# **Complement coding.** F0 turns :math:`a` into :math:`I = (a,\ 1 - a)`, of length
# :math:`2d`. Every coded input then has the same size, :math:`|I| = d`. A template
# :math:`w_j = (u_j,\ 1 - v_j)` is then a *box* with lower corner :math:`u_j` and upper corner
# :math:`v_j`, and the fuzzy AND of the template with an input is the smallest box that holds
# both the box and the input. Why it matters: learning (below) can only lower a template.
# Without complement coding, templates wear down toward the origin. A worn-down template
# matches only a small part of a large input, fails the vigilance test, and the input opens
# yet another category: the categories proliferate. With complement coding, lowering the
# template grows the box, and the vigilance caps the box, so a template can never wear down
# below a fixed size (shown below).
#
# **Choice.** Category :math:`j` gets the bottom-up input
#
# .. math:: T_j = \frac{|I \wedge w_j|}{\alpha + |w_j|},
#
# with a small *choice parameter* :math:`\alpha > 0`. For an input inside box :math:`j`,
# :math:`I \wedge w_j = w_j`, so :math:`T_j = |w_j| / (\alpha + |w_j|)`: close to 1, and
# larger for a larger :math:`|w_j|`. The box size is
# :math:`|R_j| = \sum_i (v_{ji} - u_{ji}) = d - |w_j|`, so among the boxes that hold the
# input, the *smallest* wins. :math:`\alpha` breaks the tie that :math:`\alpha = 0` would
# leave between all of them.
#
# **Match and vigilance.** Category :math:`J` passes the vigilance test when
#
# .. math:: \frac{|I \wedge w_J|}{|I|} \ge \rho .
#
# Since :math:`I \wedge w_J` is the box grown to take in the input, its size is
# :math:`|I \wedge w_J| = d - |R_J \oplus a|`, where :math:`R_J \oplus a` is that grown box.
# The test therefore reads :math:`|R_J \oplus a| \le d\,(1 - \rho)`: *a category may learn an
# input only if its box, grown to hold the input, is no larger than* :math:`d(1 - \rho)`. The
# vigilance :math:`\rho \in [0, 1]` sets the largest box, and so the granularity of the
# categories.
#
# **Learning.** The category that resonates moves toward the fuzzy AND,
#
# .. math:: w_J \leftarrow \beta\, (I \wedge w_J) + (1 - \beta)\, w_J .
#
# With *fast learning*, :math:`\beta = 1`, the box jumps at once to the smallest box that
# holds the input; with *slow learning*, :math:`\beta < 1`, it grows part of the way. Either
# way a template never increases, so a box never shrinks. A new category starts as the input
# itself, :math:`w = I`: a box of size 0, a point.
#
# Here is what complement coding does on the five clusters, at the same vigilance. Without
# it the templates are points that wear down toward the origin, and :math:`|w_j|` is their
# size.

for coding in (True, False):
    model = FuzzyART(rho=0.75, complement_coding=coding).fit(X_square)
    print(f"complement coding {str(coding):>5}: {n_categories_text(model.n_categories_)}, "
          f"stable after {len(model.history_['n_changed'])} epochs, smallest template "
          f"|w_j| = {model.weights_.sum(axis=1).min():.3f}")
print(f"with complement coding no template can be smaller than d * rho = {2 * 0.75:.3f}")

# %%
# Without complement coding the same data need more categories and more epochs to settle.
#
# One presentation by hand
# ------------------------
# Take 40 points spread over the unit square, let Fuzzy ART learn the first 30 of them in one
# pass, and present one more by hand. We pick the first of the remaining points whose winner
# fails the vigilance test while another category passes, so that the search has something to
# do.

rng = np.random.default_rng(SEED)
A = rng.random((40, 2))                    # 40 points in the unit square
rho, alpha, beta = 0.75, 0.001, 1.0
learned = FuzzyART(rho=rho, alpha=alpha, beta=beta, epochs=1).fit(A[:30])
W0 = learned.weights_                      # (K, 4): the complement-coded templates
I_rest = np.hstack([A[30:], 1 - A[30:]])   # complement coding, I = (a, 1 - a)
T_rest, M_rest = reference.fuzzy_art_choice(I_rest, W0, alpha)      # (10, K) each
winner_fails = M_rest[np.arange(10), T_rest.argmax(axis=1)] < rho
pick = 30 + int(np.flatnonzero(winner_fails & (M_rest >= rho).any(axis=1))[0])
a = A[pick]
print(f"{learned.n_categories_} categories after 30 points; presenting point {pick}, "
      f"a = {np.round(a, 3)}")

I = np.concatenate([a, 1 - a])             # F0: complement coding, |I| = d = 2
W = W0.copy()
matched = np.minimum(I, W).sum(axis=1)     # |I ^ w_j|, shape (K,)
T = matched / (alpha + W.sum(axis=1))      # choice: the bottom-up input of each F2 unit
M = matched / I.sum()                      # match: the left side of the vigilance test
verdict = ["not tried"] * len(W)
J = None
for j in np.argsort(-T, kind="stable"):    # lateral inhibition: the largest T_j is active
    if M[j] >= rho:                        # vigilance test passed: resonance
        verdict[j], J = "resonance", int(j)
        break
    verdict[j] = "reset"                   # mismatch: switch j off and search on
if J is None:                              # every category was reset: commit a new one
    W = np.vstack([W, I])
    J = len(W) - 1
else:
    W[J] = beta * np.minimum(I, W[J]) + (1 - beta) * W[J]           # learning

print(f"{'j':>2} {'lower corner':>16} {'upper corner':>16} {'T_j':>7} {'M_j':>7}  verdict")
lower0, upper0 = W0[:, :2], 1 - W0[:, 2:]  # the boxes before learning
for j in np.argsort(-T, kind="stable"):
    print(f"{j:>2} {np.array2string(lower0[j], precision=3):>16} "
          f"{np.array2string(upper0[j], precision=3):>16} {T[j]:7.3f} {M[j]:7.3f}  "
          f"{verdict[j]}")
print(f"category {J} learned: its box is now {np.round(W[J, :2], 3)} to "
      f"{np.round(1 - W[J, 2:], 3)}, size {2 - W[J].sum():.3f} <= d(1 - rho) = "
      f"{2 * (1 - rho):.3f}")

# %%
# The categories are listed in the order F2 tries them, largest choice first. Each reset one
# failed the test: its box, grown to hold the point, would have been too large. The kernel
# :func:`neuroclust.backend.reference.fuzzy_art_online` runs the same step. It takes the
# templates with room for one more row, in case the step commits a new category, and updates
# them in place.

W_kernel = np.vstack([W0, np.zeros((1, 4))])
categories, n_after = reference.fuzzy_art_online(I[None, :], W_kernel, len(W0), np.array([0]),
                                                 rho, alpha, beta)
print(f"kernel: category {categories[0]}, {n_after} categories; "
      f"max |kernel - hand| = {np.abs(W_kernel[:len(W)] - W).max()}")
assert categories[0] == J and np.array_equal(W_kernel[:len(W)], W)

# %%
# A pass over the data is that step in a loop. Written out in NumPy, it gives exactly the
# categories and templates of the estimator, which presents the samples in the order given:


def fuzzy_art_pass(inputs, rho, alpha, beta):
    """One pass of Fuzzy ART over complement-coded ``inputs``, with search and reset."""
    W = np.zeros((0, inputs.shape[1]))
    labels = []
    for I in inputs:
        matched = np.minimum(I, W).sum(axis=1)
        T = matched / (alpha + W.sum(axis=1))
        for j in np.argsort(-T, kind="stable"):
            if matched[j] / I.sum() >= rho:                              # resonance
                W[j] = beta * np.minimum(I, W[j]) + (1 - beta) * W[j]
                labels.append(j)
                break
        else:                                                            # all reset
            W = np.vstack([W, I])
            labels.append(len(W) - 1)
    return np.array(labels), W


labels_hand, W_hand = fuzzy_art_pass(np.hstack([A, 1 - A]), rho, alpha, 0.5)
one_pass = FuzzyART(rho=rho, alpha=alpha, beta=0.5, epochs=1).fit(A)
print(f"estimator vs hand loop (slow learning, beta = 0.5): same labels "
      f"{np.array_equal(one_pass.labels_, labels_hand)}, "
      f"max |difference| of the templates {np.abs(one_pass.weights_ - W_hand).max()}")
assert np.array_equal(one_pass.labels_, labels_hand)
assert np.allclose(one_pass.weights_, W_hand)

# %%
# The hand loop searches the way the network does: one category at a time, largest choice
# first, resetting the ones that fail. The compiled kernel finds the same category in one
# pass over the categories: the largest choice among the categories that pass the test. The
# two agree because a category's test depends only on the input and its own template, not on
# which others were tried before it (see :doc:`/algorithms/art`).
#
# Boxes that grow as samples arrive
# ---------------------------------
# Now the five clusters of the first section, presented one piece at a time with
# ``partial_fit``. :func:`neuroclust.plotting.plot_fuzzy_art_boxes` draws each category as
# its box (a point, drawn as a cross, when it has learned only one sample), and each sample
# in the colour of the category it chooses.

checkpoints = [1, 3, 10, 30, 100, N_SQUARE]
growing = FuzzyART(rho=0.75)
fig, axes = plt.subplots(2, 3, figsize=(17, 11.5))
seen = 0
for ax, n_seen in zip(axes.ravel(), checkpoints):
    growing.partial_fit(X_square[seen:n_seen])
    seen = n_seen
    plotting.plot_fuzzy_art_boxes(growing, X_square[:n_seen], ax=ax,
                                  title=f"after {n_seen} sample{'s' * (n_seen > 1)}: "
                                        f"{n_categories_text(growing.n_categories_)}")
    on_unit_square(ax)
fig.tight_layout()
sizes = 2 - growing.weights_.sum(axis=1)   # |R_j| = d - |w_j|
print(f"largest box: size {sizes.max():.3f}; the bound d(1 - rho) = {2 * (1 - 0.75):.3f}")

# %%
# The first sample commits a category that is a point. A sample near it grows it into a box;
# a sample far from every box, one whose grown box would be too large, commits a new
# category. This is how ART groups nearby points (question 2): a box takes in the samples
# that fall near it, until it would grow too large. Each cluster ends up covered by one box
# or a few. Because the vigilance caps the size
# :math:`|R| = \text{width} + \text{height}` of every box at :math:`d(1 - \rho)`, a round
# cluster wider than that is cut into several boxes.
#
# The animation below shows the same growth, one frame per piece of the stream. It is saved as
# a GIF in a folder of the system's temporary directory (change ``gif_path`` to keep it
# elsewhere); in a notebook, ``IPython.display.HTML(animation.to_jshtml())`` plays it in place.

frames = np.linspace(0, N_SQUARE, GIF_FRAMES + 1).astype(int)
snapshots = []
streaming = FuzzyART(rho=0.75)
for start, stop in zip(frames[:-1], frames[1:]):
    streaming.partial_fit(X_square[start:stop])
    snapshots.append((stop, copy.deepcopy(streaming)))

fig, ax = plt.subplots(figsize=(7.5, 7.5))


def draw_frame(k):
    """Frame k: the boxes after the k-th piece of the stream."""
    ax.clear()
    n_seen, model = snapshots[k]
    plotting.plot_fuzzy_art_boxes(model, X_square[:n_seen], ax=ax,
                                  title=f"{n_seen} samples, "
                                        f"{n_categories_text(model.n_categories_)}")
    on_unit_square(ax)


gif_path = Path(tempfile.gettempdir()) / "neuroclust_tutorials" / "fuzzy_art_boxes.gif"
gif_path.parent.mkdir(parents=True, exist_ok=True)
animation = FuncAnimation(fig, draw_frame, frames=len(snapshots), interval=500)
animation.save(gif_path)
print(f"saved {gif_path.name}: {len(snapshots)} frames, "
      f"{gif_path.stat().st_size / 1024:.0f} kB")

# %%
# Vigilance sets the granularity
# ------------------------------
# The vigilance is the one number that decides how many categories there are. Sweep it on the
# five-centroid data of tutorial 1 (3-D). ``scale=True`` maps each feature onto [0, 1] by its
# minimum and maximum, as Fuzzy ART needs. Two scores compare the categories with the true
# clusters: the adjusted Rand index (ARI: 1 for a perfect match, about 0 for chance), and
# the purity, the share of samples whose category's most common true cluster is their own
# (1 when no category mixes two clusters, however many categories there are).

X_five, y_five = datasets.make_five_centroids(n_samples=N_FIVE, random_state=SEED)
sweep = []
for rho_value in RHOS:
    model = FuzzyART(rho=rho_value, scale=True).fit(X_five)
    sweep.append((model.n_categories_, metrics.adjusted_rand_score(y_five, model.labels_),
                  metrics.purity_score(y_five, model.labels_)))
n_categories, ari, purity = (np.array(column) for column in zip(*sweep))
kmeans_five = KMeans(n_clusters=5, n_init=10, random_state=SEED).fit(X_five)
ari_kmeans = metrics.adjusted_rand_score(y_five, kmeans_five.labels_)
best = int(ari.argmax())
print(f"{'rho':>5} {'categories':>11} {'ARI':>6} {'purity':>7}")
for rho_value, row in zip(RHOS, sweep):
    print(f"{rho_value:5.3f} {row[0]:>11d} {row[1]:6.3f} {row[2]:7.3f}")
print(f"best ARI {ari[best]:.3f} at rho = {RHOS[best]:.3f} ({n_categories[best]} categories); "
      f"k-means with k = 5: ARI {ari_kmeans:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(15, 5.5))
axes[0].plot(RHOS, n_categories, "o-")
axes[0].axhline(5, color="0.5", linestyle=":", label="5 true clusters")
axes[0].set(yscale="log", xlabel="vigilance $\\rho$", ylabel="number of categories",
            title="Higher vigilance, more categories")
axes[1].plot(RHOS, ari, "o-", label="ARI")
axes[1].plot(RHOS, purity, "s-", label="purity")
axes[1].axhline(ari_kmeans, color="0.5", linestyle=":", label="ARI of k-means, k = 5")
axes[1].set(xlabel="vigilance $\\rho$", ylim=(0, 1.05), title="Categories vs true clusters")
for ax in axes:
    ax.grid(True, alpha=0.3)
    ax.legend()
fig.tight_layout()

# %%
# On the whole, low vigilance allows large boxes: few categories, some spanning several
# clusters, so the purity is low. High vigilance allows only small boxes: many categories,
# each inside one cluster. The purity then climbs toward 1, while the ARI falls, since the ARI
# counts every cluster cut into pieces as an error. The best ARI lies in between, and it stays
# below that of k-means told the true number of clusters. Boxes also fit round clouds poorly:
# a box large enough to hold a whole cloud also holds the corners around it. Fuzzy ART does
# not aim at the true clusters. It gives categories of a bounded size, as fine as the
# vigilance asks; a coarser grouping can be made afterwards, e.g. by merging categories. The
# curves are jagged because the boxes also depend on the order in which the samples come (see
# the next section): one vigilance may happen to cut a cluster where the next one does not.
#
# In 2-D the effect can be seen directly:

fig, axes = plt.subplots(1, 3, figsize=(18, 6.3))
for ax, rho_value in zip(axes, (0.5, 0.75, 0.9)):
    model = FuzzyART(rho=rho_value).fit(X_square)
    plotting.plot_fuzzy_art_boxes(model, X_square, ax=ax)
    on_unit_square(ax)
fig.tight_layout()

# %%
# Order matters, and fitting until stable
# ---------------------------------------
# ART learns from one sample at a time, and each step depends on what came before, so the
# order of the samples changes the categories. ``fit`` presents them in the order given
# (``shuffle=False``, as in the papers), or in a new random order every epoch
# (``shuffle=True``, drawn from ``random_state``).

rows = []
for seed in range(N_ORDERS):
    model = FuzzyART(rho=0.6, scale=True, shuffle=True, random_state=seed).fit(X_five)
    rows.append((model.n_categories_, metrics.adjusted_rand_score(y_five, model.labels_)))
counts, aris = (np.array(column) for column in zip(*rows))
print(f"rho = 0.6 over {N_ORDERS} random orders: {counts.min()} to {counts.max()} categories, "
      f"ARI {aris.min():.3f} to {aris.max():.3f} (mean {aris.mean():.3f})")

# %%
# The number of categories and the ARI change from one order to the next. When you compare
# settings, compare them over several orders, as here, not on one run.
# :meth:`neuroclust.FuzzyART.order_dependence` does that check for any model: it refits
# copies on random orders, compares their partitions pairwise (ARI), and raises an
# :class:`~neuroclust.OrderDependenceWarning` when they disagree.

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    dependence = FuzzyART(rho=0.6, scale=True).order_dependence(X_five, n_orders=5,
                                                                random_state=SEED)
print("categories per order:", dependence["n_categories"],
      f"; the least agreeing pair of orders: ARI {dependence['min_agreement']:.2f}")
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")

# %%
# Why the order matters is easiest to see step by step. :meth:`neuroclust.FuzzyART.trace`
# replays the first presentations of a fit with the plain NumPy kernel and records each
# search: the categories tried and reset (their match failed the vigilance), the one that
# resonated, and whether it was new. A sample that arrives early opens a category that
# later samples must then fit or fail.

presentations = FuzzyART(rho=0.6, scale=True).trace(X_five, n_steps=12)
print(presentations)

# %%
# ``fit`` makes passes over the data until no sample changes category, or until ``epochs``
# passes. ``history_`` records, after each pass, the number of categories and the number of
# samples whose category changed (every sample counts as changed in the first pass). With
# fast learning and complement coding, Carpenter, Grossberg and Rosen proved that the
# categories stop changing after a few passes. Slow learning takes longer.

fig, ax = plt.subplots(figsize=(9, 5.5))
for beta_value in (1.0, 0.1):
    model = FuzzyART(rho=0.6, beta=beta_value, scale=True).fit(X_five)
    changed = model.history_["n_changed"]
    ax.plot(np.arange(1, len(changed) + 1), changed, "o-", label=f"$\\beta$ = {beta_value:g}")
    state = "stable after" if changed[-1] == 0 else "still changing after"
    print(f"beta = {beta_value:g}: {state} {len(changed)} epochs, "
          f"{model.n_categories_} categories; samples changed in the first epochs: "
          f"{changed[:4]}")
    if beta_value == 1.0:
        stable = model
ax.set(yscale="symlog", xlabel="epoch", ylabel="samples that changed category",
       title="Fitting until stable")
ax.grid(True, alpha=0.3)
ax.legend()
fig.tight_layout()
print("after a stable fit, predict with the vigilance test gives labels_ back: "
      f"{np.array_equal(stable.predict(X_five, vigilance=True), stable.labels_)}")

# %%
# **What does ART improve?** (question 1). Unlike the competitive layer, ART does not descend
# a cost function. Its learning stops for another reason: every change goes one way. With
# fast learning a template can only decrease (:math:`w \leftarrow I \wedge w`), so a box can
# only grow, each box is capped at size :math:`d(1 - \rho)`, and the corners can take only
# the values that the samples have. So each category can change only a limited number of
# times, and after that the samples keep their categories. The vigilance is the only thing
# that says what a good category is: one whose box is small enough.
#
# Exercises
# ---------
# 1. Fit the 2-D clusters with ``complement_coding=False`` (no point may then be all zeros).
#    How many categories are there, and what does a template mean without complement coding?
#    Explain the difference with the size of the coded input.
# 2. Repeat the vigilance sweep with ``alpha=1`` and ``alpha=10``. Which categories win when
#    :math:`\alpha` is large? Check your answer on the formula for :math:`T_j`.
# 3. Present the phase-A data again after phase B, in the first section, to both the
#    competitive layer and Fuzzy ART. Which one recognises the old clusters at once, and
#    which one has to learn them again?
# 4. Show that the size of a box after fast learning is
#    :math:`|R_J \oplus a| = d - |I \wedge w_J|`, using :math:`I = (a, 1 - a)` and
#    :math:`w_J = (u_J, 1 - v_J)`. Then check it numerically on the step by hand.
# 5. Use :meth:`neuroclust.FuzzyART.predict` with ``vigilance=True`` on points spread over
#    the whole unit square, after fitting the five clusters. Where does it answer -1, and what
#    would training do with such a point?
#
# .. dropdown:: Solution to exercise 1
#
#    At least twice as many categories on three seeds (the code prints the counts and asserts
#    the ratio). Without complement coding a template is only the componentwise minimum of its
#    members, a lower corner with no upper one: every member lies above and to the right of it
#    (asserted), and learning can only move it toward the origin. The size of the coded input
#    tells why this matters: with complement coding :math:`|I| = |a| + |1 - a| = d` for every
#    sample, so the vigilance test weighs every sample alike; without it :math:`|I| = |a|`,
#    small near the origin and large far from it, so the same vigilance is strict for some
#    samples and lax for others, and categories multiply.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import FuzzyART, datasets
#
#       centres = [[0.15, 0.2], [0.2, 0.8], [0.5, 0.5], [0.85, 0.85], [0.85, 0.15]]
#       for seed in range(3):
#           X, _ = datasets.make_blobs(n_samples=1000, centers=centres, cluster_std=0.05,
#                                      random_state=seed)
#           X = np.clip(X, 0.001, 1)                    # no point all zeros
#           coded = FuzzyART(rho=0.75).fit(X)
#           plain = FuzzyART(rho=0.75, complement_coding=False).fit(X)
#           print(f"seed {seed}: {coded.n_categories_} categories with complement coding, "
#                 f"{plain.n_categories_} without")
#           assert plain.n_categories_ >= 2 * coded.n_categories_
#           for j, w in enumerate(plain.weights_):       # a template is only a lower corner:
#               members = X[plain.labels_ == j]          # every member lies above and right of it
#               assert (members >= w - 1e-12).all()
#
# .. dropdown:: Solution to exercise 2
#
#    With :math:`T_j = |I \wedge w_j| / (\alpha + |w_j|)`, a tiny :math:`\alpha` makes the
#    choice the *fraction* of the template that the input covers, which is 1 for every box that
#    contains the input, however large; a large :math:`\alpha` makes it :math:`|I \wedge
#    w_j|/\alpha`, the *amount* of overlap, which is largest for small boxes near the input
#    (:math:`|I \wedge w_j| = d -` the size of the box grown to hold the input, exercise 5). The
#    code fixes one set of templates and measures, on 2,000 random points, the size of the box
#    each choice picks: it falls as :math:`\alpha` grows, so a large :math:`\alpha` favours
#    small, specific categories.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import FuzzyART, datasets
#
#       centres = [[0.15, 0.2], [0.2, 0.8], [0.5, 0.5], [0.85, 0.85], [0.85, 0.15]]
#       X, _ = datasets.make_blobs(n_samples=1000, centers=centres, cluster_std=0.05, random_state=0)
#       X = np.clip(X, 0, 1)
#       model = FuzzyART(rho=0.8).fit(X)
#       w = model.weights_                                         # (n, 4): (u, 1 - v) per box
#       size = (1 - w[:, 2:] - w[:, :2]).sum(axis=1)               # |v - u|, each box's size
#       probes = np.random.default_rng(0).random((2000, 2))
#       I = np.hstack([probes, 1 - probes])                        # complement coded
#       overlap = np.minimum(I[:, None], w[None]).sum(axis=2)      # |I ^ w_j|
#       for alpha in (0.001, 1.0, 10.0):
#           T = overlap / (alpha + w.sum(axis=1))                  # the choice T_j
#           winner_size = size[T.argmax(axis=1)].mean()
#           print(f"alpha {alpha:>6}: mean size of the winning box {winner_size:.3f}")
#           if alpha == 0.001:
#               small_alpha = winner_size
#       assert winner_size < small_alpha                           # large alpha: small boxes win
#
# .. dropdown:: Solution to exercise 3
#
#    Fuzzy ART recognises the old clusters at once: presenting the phase-A data again creates no
#    category and every phase-A sample gets the category it had right after phase A. The
#    competitive layer has to learn them again: phase B pulled its units away, so its
#    quantization error on the phase-A data more than doubled, and it comes back down only as
#    phase A is presented again (all asserted). ART's templates only shrink inside their boxes,
#    so what it learned about A stayed intact while B was learned by new categories.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import FuzzyART, datasets, metrics
#       from neuroclust.backend import reference
#
#       centres = [[0.15, 0.2], [0.2, 0.8], [0.5, 0.5], [0.85, 0.85], [0.85, 0.15]]
#       X, y = datasets.make_blobs(n_samples=1000, centers=centres, cluster_std=0.05, random_state=0)
#       X = np.clip(X, 0, 1)
#       phase_a, phase_b = np.flatnonzero(y < 3), np.flatnonzero(y >= 3)
#       W = X[np.random.default_rng(0).choice(phase_a, 5, replace=False)].copy()   # competitive layer
#       art = FuzzyART(rho=0.75)
#       errors, categories = [], []
#       for phase in (phase_a, phase_b, phase_a):                 # A, then B, then A again
#           for piece in np.array_split(phase, 20):
#               reference.wta_online(X, W, piece, 0.05)
#               art.partial_fit(X[piece])
#           errors.append(metrics.quantization_error(X[phase_a], W))
#           categories.append(art.n_categories_)
#           if len(errors) == 1:
#               labels_after_a = art.predict(X[phase_a])
#       print("layer: E_Q on the phase-A data after A, after B, after A again:", np.round(errors, 4))
#       print("ART: categories after A, after B, after A again:", categories)
#       assert errors[1] > 2 * errors[0] and errors[2] < errors[1]   # the layer forgot, relearns
#       assert categories[2] == categories[1]                         # ART needs nothing new...
#       assert (art.predict(X[phase_a]) == labels_after_a).all()      # ...and recognises A at once
#
# .. dropdown:: Solution to exercise 4
#
#    Write :math:`R_J = [u_J, v_J]`. Then :math:`I \wedge w_J = (a \wedge u_J, (1 - a) \wedge (1
#    - v_J)) = (a \wedge u_J, 1 - (a \vee v_J))`, so :math:`|I \wedge w_J| = \sum (a \wedge u_J)
#    + d - \sum (a \vee v_J) = d - |R_J \oplus a|`, because the grown box runs from :math:`a
#    \wedge u_J` to :math:`a \vee v_J`. With fast learning the new template is :math:`I \wedge
#    w_J`, so the box after learning has exactly that size. The code checks the identity on
#    1,000 random boxes and points and on one box by hand.
#
#    .. code-block:: python
#
#       import numpy as np
#
#       # |R (+) a|: the size of the smallest box holding the box R = [u, v] and the point a.
#       # I ^ w = (min(a, u), min(1 - a, 1 - v)) = (min(a, u), 1 - max(a, v)), so
#       # |I ^ w| = sum min(a, u) + d - sum max(a, v) = d - sum (max(a, v) - min(a, u)) = d - |R (+) a|
#       rng = np.random.default_rng(0)
#       d = 3
#       for _ in range(1000):
#           u = rng.random(d)
#           v = np.minimum(1, u + rng.random(d) * (1 - u))        # a box inside the unit cube
#           a = rng.random(d)
#           I, w = np.concatenate([a, 1 - a]), np.concatenate([u, 1 - v])
#           grown = (np.maximum(a, v) - np.minimum(a, u)).sum()    # |R (+) a|
#           assert np.isclose(grown, d - np.minimum(I, w).sum())
#       # the step by hand: box [0.2, 0.5] x [0.3, 0.4] and the sample (0.6, 0.1)
#       u, v, a = np.array([0.2, 0.3]), np.array([0.5, 0.4]), np.array([0.6, 0.1])
#       I, w = np.concatenate([a, 1 - a]), np.concatenate([u, 1 - v])
#       print("grown box size", (np.maximum(a, v) - np.minimum(a, u)).sum(),
#             "= d - |I ^ w| =", 2 - np.minimum(I, w).sum())
#       assert np.isclose((np.maximum(a, v) - np.minimum(a, u)).sum(), 2 - np.minimum(I, w).sum())
#
# .. dropdown:: Solution to exercise 5
#
#    It answers -1 on part of the square (the code prints the share), at points farther from the
#    data than those a category accepts (the code compares the mean distance to the nearest
#    sample): there no box can grow to hold the point without failing the vigilance test.
#    Training would not force such a point into a category: presented with ``partial_fit``, it
#    founds a new category of its own (asserted).
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import FuzzyART, datasets
#
#       centres = [[0.15, 0.2], [0.2, 0.8], [0.5, 0.5], [0.85, 0.85], [0.85, 0.15]]
#       X, _ = datasets.make_blobs(n_samples=1000, centers=centres, cluster_std=0.05, random_state=0)
#       X = np.clip(X, 0, 1)
#       model = FuzzyART(rho=0.75).fit(X)
#       grid = np.stack(np.meshgrid(np.linspace(0, 1, 41), np.linspace(0, 1, 41)), -1).reshape(-1, 2)
#       answer = model.predict(grid, vigilance=True)
#       refused = answer == -1
#       to_data = np.sqrt(((grid[:, None] - X[None]) ** 2).sum(axis=2)).min(axis=1)
#       print(f"{refused.mean():.0%} of the square answered -1; distance to the nearest sample: "
#             f"{to_data[refused].mean():.2f} on average where refused, "
#             f"{to_data[~refused].mean():.2f} where a category answered")
#       assert 0 < refused.mean() < 1 and to_data[refused].mean() > to_data[~refused].mean()
#       before = model.n_categories_
#       model.partial_fit(grid[refused][:1])               # what training does with such a point
#       print("categories before and after presenting one refused point:", before, model.n_categories_)
#       assert model.n_categories_ == before + 1           # it founds a new category
