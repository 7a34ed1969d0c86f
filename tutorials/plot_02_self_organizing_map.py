r"""
Self-organizing maps, part 1: competitive learning on a grid
=============================================================

A self-organizing map (SOM) is a competitive layer whose units sit on a grid, like the cells
of a sheet. When a sample arrives, the nearest unit wins, as before; but now its neighbours
*on the grid* learn too, a little less. That one change makes units that are close on the grid
hold similar prototypes, so the map draws a picture of the data: similar samples land on
nearby cells. This part builds the rule by hand, measures a map, watches one unfold, and
derives the batch map. :doc:`plot_02b_reading_a_map` reads maps of data that cannot be drawn
(U-matrices, handwritten digits, colours); :doc:`plot_15_speed` times the compiled kernels
against plain NumPy.

It answers these questions from the learners' list:

* **1.** What does the network improve at every step, without labels? (An energy, the
  quantization error with the neighbourhood inside; the batch map minimises it exactly for
  fixed winners.)
* **2.** What mechanism groups nearby points together, and here also nearby units?
* **5.** How does a self-organizing map differ from a competitive layer? Why does the map
  order itself? Why a 2-D grid, and does the grid squeeze the data into two variables? (No:
  each unit keeps a full prototype in the input space.) How a U-matrix is read is in part 2.

The equations are on the page :doc:`/algorithms/som`, each with the line of code that
computes it. Tutorial :doc:`plot_01_competitive_learning` comes first: this one builds on
its winner-take-all rule.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) makes the data smaller and the training shorter, so that the script runs
# in a few seconds. Without it the script still runs in well under a minute.

# sphinx_gallery_thumbnail_number = 7
import os
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from neuroclust import SOM, plotting
from neuroclust.backend import reference
from neuroclust import grid   # the map's geometry: grid, neighbourhoods, schedules
from neuroclust.nn import SelfOrganizingMap

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0                                  # every random choice below derives from it
N_SQUARE = 400 if FAST else 1000          # points in the unit square (the unfolding demos)
EPOCHS = 20 if FAST else 40               # epochs of online training on the square
GIF_EPOCHS = 5 if FAST else 20            # frames of the animation

# large type and thick lines: these figures are meant to be read from the back of a room
plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "legend.fontsize": 13, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})
plt.rcParams["animation.writer"] = "pillow"   # animations as GIFs: Pillow comes with matplotlib

# %%
# From a layer to a map
# ---------------------
# A competitive layer has :math:`K` units with prototypes :math:`w_j` in the input space. A map
# gives each unit a second address: a position :math:`r_j` on a grid of ``rows x cols`` cells,
# numbered row by row. On a rectangular grid :math:`r_j` is (column, row); on a hexagonal
# grid odd rows are shifted by half a cell and rows are :math:`\sqrt3/2` apart, so that all six
# neighbours of a unit are at distance 1. The two spaces must not be confused: :math:`w_j`
# lives where the data live, :math:`r_j` only says who is next to whom.
#
# When unit :math:`c` wins a sample, unit :math:`j` learns with a weight
# :math:`h_{jc} = h(\lVert r_j - r_c \rVert^2, \sigma)` that falls with the grid distance to
# the winner. ``neuroclust`` offers four shapes of :math:`h`, all equal to 1 at the winner:
#
# .. math::
#
#    h_\text{gaussian} = e^{-d^2/2\sigma^2}, \quad
#    h_\text{bubble} = [\,d < \sigma\,], \quad
#    h_\text{mexican hat} = \Big(1 - \frac{d^2}{\sigma^2}\Big) e^{-d^2/2\sigma^2}, \quad
#    h_\text{triangle} = \max\Big(0, 1 - \frac{d}{\sigma}\Big).
#
# The winner-take-all layer of tutorial 1 is the limit :math:`h_{jc} = [\,j = c\,]`, a
# neighbourhood of radius zero. On a *toroidal* map the grid wraps around, so that a unit on
# the left edge is a neighbour of the unit on the right edge; the grid distance along each axis
# is then the shorter way round.

d = np.linspace(0, 6, 241)                            # grid distance from the winner
sigma = 2.0
picture_shape = (10, 12)                              # a hexagonal torus needs even rows
positions = grid.grid_positions(picture_shape, "hexagonal")    # r_j, shape (120, 2)
corner = 0                                            # the winner: row 0, column 0

fig, axes = plt.subplots(1, 3, figsize=(17, 5.2), gridspec_kw={"width_ratios": [1.2, 1, 1]})
for kind in grid.NEIGHBOURHOODS:
    axes[0].plot(d, grid.neighbourhood(d ** 2, sigma, kind), label=kind.replace("_", " "))
axes[0].axhline(0, color="k", linewidth=1)
axes[0].set(xlabel="grid distance $d$ to the winner", ylabel="$h$",
            title=f"The four neighbourhoods, $\\sigma$ = {sigma:g}")
axes[0].legend()
for ax, toroidal in [(axes[1], False), (axes[2], True)]:
    periods = grid.grid_periods(picture_shape, "hexagonal", toroidal)
    d2 = grid.grid_squared_distances(positions, periods, center=corner)   # (120,)
    h = grid.neighbourhood(d2, sigma, "gaussian")
    cells = ax.scatter(positions[:, 0], positions[:, 1], c=h, s=300, marker="h",
                       cmap="viridis", vmin=0, vmax=1)
    ax.plot(*positions[corner], "x", color="w", markersize=14, markeredgewidth=3)
    ax.set(xticks=[], yticks=[], aspect="equal",
           title="torus: the grid wraps around" if toroidal else "flat hexagonal map")
    ax.invert_yaxis()                                 # row 0 at the top, as the map figures
fig.colorbar(cells, ax=axes[1:], label="gaussian $h_{jc}$, winner at the cross")

# %%
# One step by hand
# ----------------
# Kohonen's rule: present a sample :math:`x`, find the winner, and move *every* unit toward
# the sample by its share of the step,
#
# .. math:: c = \arg\min_j \lVert x - w_j \rVert^2, \qquad
#           w_j \leftarrow w_j + \eta\, h_{jc}\, (x - w_j) \quad \text{for all } j.
#
# Here is one step on a 3 x 4 map with 2-D data, in plain NumPy.

rng = np.random.default_rng(SEED)
tiny_shape = (3, 4)
tiny_positions = grid.grid_positions(tiny_shape, "rectangular")   # (12, 2): (column, row)
X_tiny = rng.random((20, 2))                                       # 20 samples in the square
W0 = rng.random((12, 2))                                           # 12 starting prototypes
eta, sigma = 0.5, 1.0

W = W0.copy()
x = X_tiny[0]
c = int(((W - x) ** 2).sum(axis=1).argmin())                  # the winner c(x)
d2 = ((tiny_positions - tiny_positions[c]) ** 2).sum(axis=1)  # ||r_j - r_c||^2, on the grid
h = np.exp(-d2 / (2 * sigma ** 2))                            # gaussian h_jc, shape (12,)
W += eta * h[:, None] * (x - W)                               # Kohonen's step, every unit
moved = np.linalg.norm(W - W0, axis=1) / np.linalg.norm(x - W0, axis=1)
print(f"winner: unit {c}, at (row, column) {divmod(c, tiny_shape[1])}")
print("fraction of the way to x that each unit moved, laid out like the map:")
print(np.round(moved.reshape(tiny_shape), 3))
print("eta * h_jc, laid out like the map:")
print(np.round((eta * h).reshape(tiny_shape), 3))

# %%
# The winner moved half way (:math:`\eta = 0.5`), the units next to it on the grid
# :math:`\eta e^{-1/2} \approx 0.30` of the way, and units farther off on the grid less,
# *whatever their distance in the input space*. The library's kernel
# :func:`neuroclust.backend.reference.som_online` is the same step, written once for NumPy and
# CuPy arrays; it takes the order of the samples and one :math:`\eta` and one :math:`\sigma`
# per step.

W_kernel = W0.copy()
# the grid as (shape, topology, toroidal): a flat rectangular 3 x 4 map
winners = reference.som_online(X_tiny, W_kernel, tiny_shape, "rectangular", False,
                               np.array([0]), np.array([eta]), np.array([sigma]), "gaussian")
print("kernel winner:", int(winners[0]), "  max |kernel - hand| =", np.abs(W_kernel - W).max())
assert np.allclose(W_kernel, W)

# %%
# A whole epoch is that step in a loop, with :math:`\eta` and :math:`\sigma` shrinking a
# little at every step (next section). :class:`neuroclust.SOM` draws the order of the samples
# from ``random_state``, so given the same start it can be reproduced by hand exactly:


def kohonen_epoch(X, W, positions, order, rates, sigmas):
    """Kohonen's online rule over the samples X[order], in plain NumPy (updates W in place)."""
    for x, eta, sigma in zip(X[order], rates, sigmas):
        c = ((W - x) ** 2).sum(axis=1).argmin()                     # the winner
        d2 = ((positions - positions[c]) ** 2).sum(axis=1)          # grid distances to it
        W += eta * np.exp(-d2 / (2 * sigma ** 2))[:, None] * (x - W)
    return W


settings = dict(learning_rate=0.5, learning_rate_final=0.05, sigma=1.5, sigma_final=0.5)
order = np.random.default_rng(SEED).permutation(len(X_tiny))     # what SOM draws first
t_over_T = np.arange(len(order)) / len(order)                    # step / number of steps
rates = grid.decay(0.5, 0.05, t_over_T, "exponential")
sigmas = grid.decay(1.5, 0.5, t_over_T, "exponential")
W_hand = kohonen_epoch(X_tiny, W0.copy(), tiny_positions, order, rates, sigmas)
som = SOM(shape=tiny_shape, init=W0, epochs=1, random_state=SEED, **settings).fit(X_tiny)
print("estimator vs hand loop: max |difference| =", np.abs(som.cluster_centers_ - W_hand).max())
assert np.allclose(som.cluster_centers_, W_hand)

# %%
# Shrinking :math:`\eta` and :math:`\sigma`
# -----------------------------------------
# A map is trained in two phases that blend into each other. Early on the radius
# :math:`\sigma` is wide (by default half the longer side of the map) and :math:`\eta` is
# large: every sample drags a large patch of the map, so the whole map moves together and
# gets its global order. Late, :math:`\sigma` is about one cell and :math:`\eta` small: each
# unit fine-tunes its prototype on the samples it wins, as in competitive learning. With
# :math:`f = t / T` the fraction of training done, the three schedules of
# :func:`neuroclust.grid.decay` go from :math:`v_0` toward :math:`v_1`:
#
# .. math::
#
#    v_\text{linear} = v_0 + (v_1 - v_0) f, \qquad
#    v_\text{exponential} = v_0 \Big(\frac{v_1}{v_0}\Big)^f, \qquad
#    v_\text{inverse time} = \frac{v_0}{1 + (v_0/v_1 - 1) f}.
#
# ``decay`` sets the schedule of both (``sigma_decay`` gives :math:`\sigma` its own).

f = np.linspace(0, 1, 201)
fig, axes = plt.subplots(1, 2, figsize=(14, 5))
for kind in grid.DECAYS:
    axes[0].plot(f, grid.decay(0.5, 0.01, f, kind), label=kind.replace("_", " "))
    axes[1].plot(f, grid.decay(5.0, 0.5, f, kind), label=kind.replace("_", " "))
axes[0].set(xlabel="fraction of training $t/T$", ylabel="$\\eta$",
            title="Learning rate: 0.5 toward 0.01")
axes[1].set(xlabel="fraction of training $t/T$", ylabel="$\\sigma$ (grid cells)",
            title="Radius: 5 toward 0.5")
for ax in axes:
    ax.legend()
    ax.grid(True, alpha=0.3)
fig.tight_layout()

# %%
# Exponential and inverse-time decay spend most of the training at small values; linear decay
# keeps the radius wide for longer. MiniSom, a popular SOM library, divides both by
# :math:`1 + 2t/T` by default (its "asymptotic decay"); that is inverse-time decay toward
# :math:`v_1 = v_0 / 3`:

minisom_style = 0.5 / (1 + 2 * f)
print("inverse time toward v0/3 vs v0 / (1 + 2t/T): max |difference| =",
      np.abs(grid.decay(0.5, 0.5 / 3, f, "inverse_time") - minisom_style).max())

# %%
# Before training a map, look at what its schedule will do. :meth:`neuroclust.SOM.schedule`
# computes it from the parameters alone, and :func:`neuroclust.plotting.plot_schedule` draws
# it: the learning rate and the radius over the epochs, and the neighbourhood :math:`h` at the
# start, the middle and the end, which says how many units learn from each sample then. Here
# is the 10 x 10 map on the square that the next sections train, with the defaults.

fig = plotting.plot_schedule(SOM(shape=(10, 10), epochs=EPOCHS), N_SQUARE)

# %%
# And once it trains, :meth:`neuroclust.SOM.trace` replays its first steps one at a time (with
# the plain NumPy kernel, from the same start and sample order as ``fit``): which sample came,
# which unit won, how far it was, and how many units moved with it. Early on a single sample
# moves the whole map.

steps = SOM(shape=(10, 10), epochs=EPOCHS, random_state=SEED).trace(
    np.random.default_rng(SEED).random((N_SQUARE, 2)), n_steps=8)
print(steps)

# %%
# What the map minimises
# ----------------------
# Tutorial 1 showed that winner-take-all is stochastic gradient descent on the quantization
# energy. The map has an energy too (question 1), with the neighbourhood inside: every sample
# is charged for its distance to *all* units, weighted by their closeness on the grid to its
# winner,
#
# .. math:: E(W) = \frac12 \sum_i \sum_j h_{j c(x_i)}\, \lVert x_i - w_j \rVert^2 .
#
# Hold the winners fixed and differentiate one sample's term:
# :math:`\partial E_i / \partial w_j = -h_{j c(x_i)} (x_i - w_j)`. A gradient step of size
# :math:`\eta` on it is exactly Kohonen's step. :math:`E` is small when the prototypes sit on
# the data *and* grid neighbours sit close together, since a sample also pays for its winner's
# neighbours. (Strictly, the nearest prototype is not always the winner that makes a
# sample's term smallest, so :math:`E` jumps where a sample's nearest prototype changes, and
# Kohonen's rule descends it only between such switches; choosing as winner the unit with the
# smallest :math:`\sum_j h_{jc} \lVert x - w_j \rVert^2` makes it exact gradient descent.
# The last section checks the gradient numerically.)
#
# Why the map orders itself
# -------------------------
# The mechanism (question 2) is the same as in tutorial 1, one level up. There, nearby
# *samples* pull the same unit, so they end up sharing it. Here, a sample also pulls the
# winner's grid neighbours toward the same point, so *units that are neighbours on the grid*
# are pulled toward the same samples and end up with similar prototypes. A fold, two grid
# neighbours far apart in the input space, is pulled together by every sample that one of
# them wins, as long as :math:`\sigma` is wide enough to reach across it.
#
# To see it, start a map crumpled up: all prototypes at random in a tiny square at the centre
# of the data, with no order at all. The data are points spread evenly over the unit square.
# Train a chain of units (a 1 x 30 map) and a 10 x 10 grid, and keep the prototypes after every
# epoch with :func:`neuroclust.plotting.som_snapshot_callback`.

U = np.random.default_rng(SEED).random((N_SQUARE, 2))          # uniform on the unit square


def crumpled(n_units, seed=SEED):
    """Random prototypes in a small square at the centre of the data: a map with no order."""
    return 0.45 + 0.1 * np.random.default_rng(seed + 1).random((n_units, 2))


def grid_links(som):
    """Pairs (i, j), i < j, of units adjacent on the grid: the threads of the net."""
    return np.array([(i, j) for i, near in enumerate(som.grid_neighbours()) for j in near
                     if i < j])


def draw_net(ax, W, links, title):
    """The map in the input space: prototypes as dots, grid neighbours joined by lines."""
    ax.scatter(U[:, 0], U[:, 1], s=5, color="0.75")
    ax.add_collection(LineCollection(W[links], colors="k", linewidths=1.2))
    ax.plot(W[:, 0], W[:, 1], "o", color=plotting.COLORS[5], markersize=3.5)
    ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), aspect="equal", xticks=[], yticks=[])
    ax.set_title(title, fontsize=13)


maps = {}
for name, shape in [("chain 1 x 30", (1, 30)), ("grid 10 x 10", (10, 10))]:
    start = crumpled(shape[0] * shape[1])
    snapshots = [start.reshape(*shape, 2)]
    start_time = time.perf_counter()
    fitted = SOM(shape=shape, init=start, epochs=EPOCHS, random_state=SEED,
                 callbacks=[plotting.som_snapshot_callback(snapshots)]).fit(U)
    seconds = time.perf_counter() - start_time
    maps[name] = (fitted, snapshots, seconds)

shown = [0, 1, EPOCHS // 8, EPOCHS // 4, EPOCHS // 2, EPOCHS]
fig, axes = plt.subplots(2, len(shown), figsize=(3.0 * len(shown), 6.6))
for row, (name, (fitted, snapshots, _)) in zip(axes, maps.items()):
    links = grid_links(fitted)
    for ax, epoch in zip(row, shown):
        draw_net(ax, snapshots[epoch].reshape(-1, 2), links,
                 f"{name}\n" + ("start" if epoch == 0 else f"after epoch {epoch}"))
fig.tight_layout()

# %%
# In the first epoch the wide neighbourhood pulls the whole crumpled net out in one piece,
# already ordered. It stays small for a while: with :math:`\sigma` several cells wide, every
# sample drags most of the map with it, so the units are all pulled toward the middle of the
# data together. As :math:`\sigma` shrinks, each unit answers more to the samples near it
# alone, and the net spreads until it covers the square evenly. The chain, a 1-D object, can
# only cover a 2-D square by snaking back and forth, like a space-filling curve.
#
# Measuring a map: quantization and topographic error
# ---------------------------------------------------
# Two numbers judge a trained map, and :class:`~neuroclust.SOM` records both after every
# epoch in ``history_``. The *quantization error* is tutorial 1's: the mean distance from a
# sample to its winner's prototype. The *topographic error* counts how often a sample's best
# and second-best units are not grid neighbours, writing :math:`c_2(x)` for the second-best
# unit and :math:`N(c)` for the grid neighbours of :math:`c`:
#
# .. math:: E_Q = \frac1n \sum_i \lVert x_i - w_{c(x_i)} \rVert, \qquad
#           E_T = \frac1n \sum_i [\, c_2(x_i) \notin N(c(x_i)) \,].
#
# :math:`E_Q` measures how well the prototypes represent the data (any set of prototypes has
# one), :math:`E_T` how well the map keeps the data's neighbourhoods: a sample between two
# units that are far apart on the grid sits on a fold. Both should be small, but they pull
# against each other: a stiff map (a wide :math:`\sigma`) keeps its neighbourhoods but fits
# the data loosely, a floppy one (:math:`\sigma \to 0`, k-means on a grid) fits closely but
# may fold.
#
# How the online map records them: measuring a whole map after every epoch would cost about
# as much as the epoch itself (a winner search over all the samples), so each sample is
# measured when it is presented, against the map just before its own update, and an epoch's
# entry is the mean over its samples. While the map still moves fast this runs above the
# error of the map the epoch leaves; the last entry is measured on the final map, so it is
# exactly ``quantization_error(X)`` and ``topographic_error(X)``. A batch map's entries are
# all exact (its epoch finds every winner anyway).

fig, axes = plt.subplots(1, 2, figsize=(14, 5))
for name, (fitted, _, seconds) in maps.items():
    plotting.plot_history(fitted.history_["quantization_error"], ax=axes[0], label=name)
    plotting.plot_history(fitted.history_["topographic_error"], ylabel="topographic error",
                          ax=axes[1], label=name)
    print(f"{name}: E_Q = {fitted.history_['quantization_error'][-1]:.4f}, "
          f"E_T = {fitted.history_['topographic_error'][-1]:.3f} "
          f"after {EPOCHS} epochs ({seconds:.2f} s)")
axes[0].set_title("$E_Q$: how close the prototypes are")
axes[1].set_title("$E_T$: how often a sample sits on a fold")
fig.tight_layout()

# %%
# **Why a 2-D grid, and does it squeeze the data into two variables?** (question 5). The grid
# is only the map's *neighbourhood structure*: each unit still keeps a full prototype with as
# many entries as a sample has features, so nothing is thrown away; what is 2-D is the
# *order* in which the prototypes are laid out. A 2-D grid is a choice made for the eye (it
# can be drawn on a page) and it suits data that vary mostly along about two directions. On
# data that truly have two dimensions, a chain has to fold, and its topographic error above
# shows the folds: the second-best unit of a sample is often on the next fold, not the next
# link. A 3-D grid would not draw well, and a 1-D chain loses neighbourhoods. On
# high-dimensional data the map behaves the same way: it lays a 2-D sheet through the data,
# following the directions in which they vary most and folding where it must, and the
# U-matrix of part 2 (:doc:`plot_02b_reading_a_map`) shows where it had to stretch.
#
# Online versus batch
# -------------------
# The online rule takes a step per sample. Hold all winners fixed for a whole epoch and ask
# where the steps would balance: the expected update of unit :math:`j` is zero when
#
# .. math:: \sum_i h_{j c(x_i)}\, (x_i - w_j) = 0
#           \quad\Longleftrightarrow\quad
#           w_j = \frac{\sum_i h_{j c(x_i)}\, x_i}{\sum_i h_{j c(x_i)}} ,
#
# a *neighbourhood-weighted mean* of the samples. This is also where the energy :math:`E`
# is smallest for fixed winners (set its gradient to zero). Group the samples by winner: with
# :math:`s_c` the sum and :math:`\nu_c` the number of samples that unit :math:`c` wins,
#
# .. math:: w_j = \frac{\sum_c h_{jc}\, s_c}{\sum_c h_{jc}\, \nu_c}
#               = \frac{(H s)_j}{(H \nu)_j},
#
# two small products with the :math:`K \times K` neighbourhood matrix :math:`H`. Kohonen's
# *batch map* alternates "find every winner, accumulate :math:`s_c, \nu_c`" and this mean, with
# :math:`\sigma` shrinking from epoch to epoch. With :math:`h_{jc} = [\,j = c\,]` it is
# exactly k-means. There is no learning rate. Here is one batch epoch both ways:

grid_map = maps["grid 10 x 10"][0]
W = crumpled(100)
H = grid.neighbourhood(grid.grid_squared_distances(grid_map.grid_positions_, np.zeros(2)),
                       2.0, "gaussian")                         # (100, 100), sigma = 2
winners = reference.bmu(U, W)[0]                                # c(x_i), shape (n,)
G = H[:, winners]                                               # h_{j c(x_i)}, shape (100, n)
W_mean = (G @ U) / G.sum(axis=1, keepdims=True)                 # weighted mean, sample by sample
_, _, sums, counts = reference.bmu_accumulate(U, W)             # s_c and nu_c
W_batch = reference.som_batch_weights(sums, counts, H, W)       # (H s) / (H nu)
print("weighted mean vs two products: max |difference| =", np.abs(W_mean - W_batch).max())
assert np.allclose(W_mean, W_batch)

# %%
# The batch map is often said to need far fewer epochs than the online rule, since each of its
# epochs solves its sub-problem exactly. Measure it: train both from the same crumpled start
# for a range of epoch counts (:math:`\sigma` and :math:`\eta` always run their whole schedule)
# and score the final maps.

sweep = [1, 2, 3, 5, 8, 12, 20] if FAST else [1, 2, 3, 5, 8, 12, 20, 30, 40]
start = crumpled(100)
results = {"online": [], "batch": []}
print(f"{'epochs':>6} | {'online: E_Q':>11} {'E_T':>6} {'seconds':>7} | "
      f"{'batch: E_Q':>10} {'E_T':>6} {'seconds':>7}")
for epochs in sweep:
    line = f"{epochs:>6}"
    for mode in ("online", "batch"):
        start_time = time.perf_counter()
        run = SOM(shape=(10, 10), mode=mode, epochs=epochs, init=start,
                  record_history=False, random_state=SEED).fit(U)
        seconds = time.perf_counter() - start_time
        quality = (run.quantization_error(U), run.topographic_error(U))
        results[mode].append((run, *quality, seconds))
        line += f" | {quality[0]:>11.4f} {quality[1]:>6.3f} {seconds:>7.3f}"
    print(line)

fig, axes = plt.subplots(1, 2, figsize=(14, 5))
for mode, rows in results.items():
    axes[0].plot(sweep, [row[1] for row in rows], "o-", label=mode)
    axes[1].plot(sweep, [row[2] for row in rows], "o-", label=mode)
axes[0].set(ylabel="$E_Q$ at the end", title="How close the prototypes are")
axes[1].set(ylabel="$E_T$ at the end", title="How often a sample sits on a fold")
for ax in axes:
    ax.set(xscale="log", xlabel="epochs of training")
    ax.set_xticks(sweep, [str(epochs) for epochs in sweep])
    ax.minorticks_off()
    ax.set_ylim(bottom=0)          # both errors are 0 at best
    ax.grid(True, alpha=0.3)
    ax.legend()
fig.tight_layout()

picked = [sweep.index(epochs) for epochs in (2, 5, sweep[-1])]
fig, axes = plt.subplots(2, len(picked), figsize=(4.2 * len(picked), 8.6))
for row, (mode, rows) in zip(axes, results.items()):
    for ax, k in zip(row, picked):
        run = rows[k][0]
        draw_net(ax, run.cluster_centers_, grid_links(run), f"{mode}, {sweep[k]} epochs")
fig.tight_layout()

# %%
# Epochs are the wrong unit to count here. An online epoch is one small step per sample, as
# many steps as there are samples, each with a slightly smaller :math:`\sigma`, and that is
# enough to order the map within a few epochs. A batch epoch is one big step, which jumps
# straight to the weighted mean for the *current* :math:`\sigma`; :math:`\sigma` changes only
# from one epoch to the next, so with few epochs it shrinks in a few big jumps, and the global
# order freezes before the map has straightened out. With enough epochs both reach the same
# kind of map, an even, ordered net over the square. What the batch map offers is different:
# no learning rate to choose, no dependence on the order in which the samples come, and cheap
# epochs, each one winner search plus two small matrix products (the time columns above),
# which makes it the usual choice for large data sets. The online rule keeps its own uses: it
# learns from a stream, one sample at a time, and it is the rule a layer inside a network
# applies.
#
# Watching it unfold
# ------------------
# :func:`neuroclust.plotting.som_snapshot_callback` keeps the prototypes after every epoch,
# and :func:`neuroclust.plotting.animate_som` turns the snapshots into an animation, one frame
# per epoch. To see the unfolding in slow motion, train the crumpled 10 x 10 grid on only 100
# points of the square, so that each epoch is a short stretch of training. The animation is
# saved as a GIF, here in a folder of the system's temporary directory (change ``gif_path`` to
# keep it elsewhere); in a notebook, ``IPython.display.HTML(animation.to_jshtml())`` plays it
# in place.

gif_snapshots = []
gif_map = SOM(shape=(10, 10), init=crumpled(100), epochs=GIF_EPOCHS, random_state=SEED,
              callbacks=[plotting.som_snapshot_callback(gif_snapshots)]).fit(U[:100])
gif_path = Path(tempfile.gettempdir()) / "neuroclust_tutorials" / "som_unfolding.gif"
animation = plotting.animate_som(gif_snapshots, U[:100], gif_map, path=gif_path, interval=400)
print(f"saved {gif_path.name}: {len(gif_snapshots)} frames, "
      f"{gif_path.stat().st_size / 1024:.0f} kB")


# %%
# Checking the math
# -----------------
# The energy argument rests on one gradient: with the winners fixed,
# :math:`\partial E / \partial w_j = -\sum_i h_{j c(x_i)} (x_i - w_j)`. The map as a layer,
# :class:`neuroclust.nn.SelfOrganizingMap`, writes the gradient of :math:`E/n` into
# ``grads["W"]`` in its ``backward``. Compare it with central finite differences of
# :math:`E`, on the tiny map of the beginning.

layer = SelfOrganizingMap(tiny_shape, n_inputs=2, sigma=1.0)
layer.params["W"] = W0.copy()
layer.forward(X_tiny)
layer.backward(np.ones((len(X_tiny), 12)))
analytic = len(X_tiny) * layer.grads["W"]                     # gradient of E, not E/n

fixed_winners = reference.bmu(X_tiny, W0)[0]                  # c(x_i), held fixed
H_tiny = grid.neighbourhood(grid.grid_squared_distances(tiny_positions, np.zeros(2)),
                            1.0, "gaussian")                  # (12, 12)


def map_energy(W):
    """E(W) = 1/2 sum_i sum_j h_{j c(x_i)} ||x_i - w_j||^2, winners fixed."""
    squared = ((X_tiny[:, None, :] - W[None, :, :]) ** 2).sum(axis=2)     # (n, K)
    return 0.5 * float((H_tiny[:, fixed_winners].T * squared).sum())


step = 1e-6
numeric = np.zeros_like(W0)
for j in range(W0.shape[0]):
    for feature in range(W0.shape[1]):
        bump = np.zeros_like(W0)
        bump[j, feature] = step
        numeric[j, feature] = (map_energy(W0 + bump) - map_energy(W0 - bump)) / (2 * step)
error = np.abs(analytic - numeric).max() / np.abs(numeric).max()
print(f"largest relative difference, analytic vs finite differences: {error:.2e}")
assert error < 1e-6

# %%
# And the batch map is a gradient step too, one with a step size of its own for each unit,
# :math:`\eta_j = 1 / \sum_i h_{j c(x_i)}`: it lands exactly on the weighted mean, where the
# gradient is zero.

_, _, sums, counts = reference.bmu_accumulate(X_tiny, W0)
step_sizes = 1.0 / (H_tiny @ counts)                           # eta_j = 1 / (H nu)_j
W_step = W0 - step_sizes[:, None] * analytic
print("gradient step vs batch map: max |difference| =",
      np.abs(W_step - reference.som_batch_weights(sums, counts, H_tiny, W0)).max())
assert np.allclose(W_step, reference.som_batch_weights(sums, counts, H_tiny, W0))

# %%
# Exercises
# ---------
# 1. Train the 10 x 10 map on the square with ``sigma=1`` from the crumpled start. Does it
#    still unfold? Compare its topographic error and its picture with the default, and explain
#    with the two phases of training.
# 2. Give the map a constant learning rate (``learning_rate_final`` equal to
#    ``learning_rate``) and a constant radius. What happens to :math:`E_Q` over the epochs?
# 3. Replace the square by :func:`neuroclust.datasets.make_moons` data. How does a 1 x 30 chain
#    lie along the two moons, and where does its topographic error come from?
# 4. Show that the batch map with :math:`\sigma \to 0` becomes k-means: run one batch step by
#    hand with ``H = np.eye(K)`` and compare it with one iteration of k-means from the same
#    centres, ``KMeans(n_clusters=K, init=W, n_init=1, max_iter=1)``.
#
# .. dropdown:: Solution to exercise 1
#
#    Usually, but not always. From the crumpled start, ``sigma=1`` unfolds the map on most of
#    ten seeds, with a topographic error close to the default's, but on some seeds (the code
#    counts them, at least two) the map stays twisted, with more than five times the default's
#    largest error. Training has two phases: while :math:`\sigma` is wide, every sample drags a
#    large patch of the map, which orders it globally; as :math:`\sigma` shrinks, each unit
#    fine-tunes to its own samples. Starting at :math:`\sigma = 1` skips the first phase: each
#    unit only pulls its immediate neighbours, so a fold that forms early is never pulled
#    straight. The wide start is insurance against bad luck.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import SOM
#
#       U = np.random.default_rng(0).random((1000, 2))          # uniform on the unit square
#       errors = {"default": [], "sigma=1": []}
#       for seed in range(10):
#           start = 0.45 + 0.1 * np.random.default_rng(seed + 1).random((100, 2))   # crumpled
#           for name, options in [("default", {}), ("sigma=1", {"sigma": 1.0})]:
#               som = SOM(shape=(10, 10), init=start, epochs=20, random_state=seed, **options).fit(U)
#               errors[name].append(som.history_["topographic_error"][-1])
#       for name, values in errors.items():
#           print(f"{name:>8}: topographic error on seeds 0-9: {np.round(values, 3).tolist()}")
#       twisted = np.array(errors["sigma=1"]) > 5 * max(errors["default"])
#       print("seeds left twisted with sigma = 1:", np.flatnonzero(twisted).tolist())
#       assert 2 <= twisted.sum() < 10        # some seeds, not all: the wide start is insurance
#
# .. dropdown:: Solution to exercise 2
#
#    :math:`E_Q` stops improving. With :math:`\eta = 0.5` and :math:`\sigma = 2` held constant,
#    it jumps around a plateau from the first epochs on (its later values are never much below
#    its early ones) and ends clearly higher than with the default decay, on five seeds. Each
#    step still moves the winner half-way to the sample and drags its neighbours two cells
#    around with it, so the prototypes keep chasing the latest samples and are pulled toward
#    each other; only a shrinking rate and radius let them settle on the samples' means.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import SOM
#
#       U = np.random.default_rng(0).random((1000, 2))
#       for seed in range(5):
#           runs = {"decaying": SOM(shape=(10, 10), epochs=20, random_state=seed).fit(U),
#                   "constant": SOM(shape=(10, 10), epochs=20, learning_rate=0.5,
#                                   learning_rate_final=0.5, sigma=2.0, sigma_final=2.0,
#                                   random_state=seed).fit(U)}
#           curves = {name: np.array(som.history_["quantization_error"]) for name, som in runs.items()}
#           print(f"seed {seed}: E_Q after epochs 1, 5, 20: " + "; ".join(
#               f"{name} {curve[[0, 4, 19]].round(4).tolist()}" for name, curve in curves.items()))
#           constant = curves["constant"]
#           assert constant[-1] > 1.5 * curves["decaying"][-1]      # it ends clearly higher...
#           assert constant[10:].min() > 0.8 * constant[:5].min()   # ...and never improves on its start
#
# .. dropdown:: Solution to exercise 3
#
#    The chain covers one moon, then jumps across the gap once and covers the other (on five
#    seeds it crosses exactly once, in the middle of the chain). Its topographic error is small,
#    and it comes mostly from samples whose two nearest units lie on the same moon but are not
#    next to each other on the chain: where the 1-D chain bends to follow a moon, units from two
#    stretches of the chain come close.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import SOM, datasets
#
#       for seed in range(5):
#           X, moon = datasets.make_moons(n_samples=600, noise=0.05, random_state=seed)
#           chain = SOM(shape=(1, 30), epochs=30, random_state=seed).fit(X)
#           W = chain.cluster_centers_
#           unit_moon = moon[np.argmin(((W[:, None] - X[None]) ** 2).sum(axis=2), axis=1)]
#           crossings = np.flatnonzero(unit_moon[1:] != unit_moon[:-1])
#           two = np.argsort(((X[:, None] - W[None]) ** 2).sum(axis=2), axis=1)[:, :2]
#           broken = np.abs(two[:, 0] - two[:, 1]) > 1            # the two nearest units not adjacent
#           across = unit_moon[two[:, 0]] != unit_moon[two[:, 1]]  # ... and on different moons
#           print(f"seed {seed}: {len(crossings)} crossing, after unit {crossings.tolist()}; "
#                 f"topographic error {broken.mean():.3f}: {broken.sum()} samples, "
#                 f"{(broken & ~across).sum()} of them with both units on one moon")
#           assert np.isclose(broken.mean(), chain.topographic_error(X))
#           assert len(crossings) == 1                     # one moon, then a jump, then the other
#           assert (broken & ~across).sum() >= 0.5 * broken.sum()  # most errors: folds within a moon
#
# .. dropdown:: Solution to exercise 4
#
#    With :math:`H = I` each unit only averages its own samples: the batch map's new prototype
#    is the mean of the samples it wins, which is one Lloyd iteration of k-means from the same
#    centres. The code runs the library's batch step with ``H = np.eye(K)`` and
#    ``KMeans(max_iter=1)``, and the two agree.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import KMeans, datasets
#       from neuroclust.backend import reference
#
#       X, _ = datasets.make_five_centroids(random_state=0)
#       K = 5
#       W = X[np.random.default_rng(0).choice(len(X), size=K, replace=False)]
#       winners, _ = reference.bmu(X, W)                          # every sample's best-matching unit
#       sums, counts = reference.accumulate(X, winners, K)        # per unit: sum and number of samples
#       batch_step = reference.som_batch_weights(sums, counts, np.eye(K), W)   # H = I: sigma -> 0
#       kmeans = KMeans(n_clusters=K, init=W, n_init=1, max_iter=1).fit(X)
#       print("largest difference:", np.abs(batch_step - kmeans.cluster_centers_).max())
#       assert np.allclose(batch_step, kmeans.cluster_centers_)
#
