r"""
Growing neural gas: a network that finds the number of clusters
===============================================================

k-means, a competitive layer and a self-organizing map all start from a number you choose: k
centres, K units, a grid of a given size. Growing neural gas (GNG, Fritzke 1995) starts with
two units and adds more where the data are represented worst. It also learns which units are
neighbours, by drawing an edge between the two units nearest to each sample. Once there are
units on both sides of a gap in the data, no sample renews an edge across it, so the graph
falls apart into pieces, and each piece is a cluster. Nobody says how many. This tutorial
derives the rules, runs one step by hand, grows a graph, and compares it with k-means on two
shapes that k-means cannot cut.

It answers these questions from the learners' list:

* **7.** What if the number of clusters is not known in advance? (The graph grows to the
  data, and its connected components are the clusters.)
* **2.** What mechanism makes a network group nearby points together? (Two units that are
  nearest to the same sample get an edge; edges that no sample renews age away.)
* **1.** Without labels, what does the network improve? (The moves are the winner-take-all
  steps of tutorial 1, on the quantization error; the insertions go where that error is
  largest. There is no single function that the whole algorithm descends.)

The equations are on the page :doc:`/algorithms/gng`, each with the line of code that
computes it. Tutorials :doc:`plot_01_competitive_learning` and
:doc:`plot_02_self_organizing_map` come first: GNG moves its units with their rules.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) uses fewer samples, fewer epochs and a smaller graph, so that the script
# runs in a few seconds. Without it the graphs are bigger and the script still runs in well
# under a minute.

# sphinx_gallery_thumbnail_number = 4
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from neuroclust import GrowingNeuralGas, KMeans, datasets, metrics, plotting
from neuroclust.backend import reference
from neuroclust.models.gng import connected_components

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0                                   # every random choice below derives from it
N_SAMPLES = 500 if FAST else 1000          # samples in each 2-D data set
EPOCHS = 12 if FAST else 20                # passes over the data
MAX_NODES = 40 if FAST else 80             # where the graph stops growing
GIF_EPOCHS = 6 if FAST else 20             # frames of the animation
NOISE = 0.06                               # the spread of the moons around their arcs

# large type and thick lines: these figures are meant to be read from the back of a room
plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "legend.fontsize": 13, "lines.linewidth": 2.5, "lines.markersize": 8,
                     "figure.dpi": 100})
plt.rcParams["animation.writer"] = "pillow"   # animations as GIFs: Pillow comes with matplotlib

# %%
# From a map to a gas
# -------------------
# A self-organizing map fixes two things before it sees any data: how many units there are,
# and who is next to whom (the grid). Both can be wrong for the data. Two moons are two
# curved strips; a grid laid over them must stretch across the gap, and a k-means with
# :math:`k = 2` cuts each moon in half, because the region of a centre is always convex.
#
# Growing neural gas learns both from the data. Its units are called *nodes*; each node
# :math:`j` has a position :math:`w_j` in the input space, as a prototype has, and an
# accumulated error :math:`E_j`. Nodes are joined by *edges*, each with an age
# :math:`a_{ij}`. There is no grid: the graph of nodes and edges is the only notion of
# "neighbour". We write :math:`N(j)` for the nodes joined to :math:`j`.
#
# The rules, one sample at a time
# -------------------------------
# A sample :math:`x` arrives. The numbers in brackets are those of the docstring of
# :func:`neuroclust.backend.reference.gng_online`, which computes all of them.
#
# **Find the two nearest nodes** (1). The nearest node :math:`s_1` wins, as in a competitive
# layer. GNG also needs the second nearest, :math:`s_2`:
#
# .. math:: s_1 = \arg\min_j \lVert x - w_j \rVert^2, \qquad
#           s_2 = \arg\min_{j \ne s_1} \lVert x - w_j \rVert^2 .
#
# **Age the winner's edges** (2): :math:`a_{s_1 n} \leftarrow a_{s_1 n} + 1` for every
# :math:`n \in N(s_1)`. Each edge of the winner is now one step older. An edge that is not
# renewed will die (below).
#
# **Add up the error** (3): :math:`E_{s_1} \leftarrow E_{s_1} + \lVert x - w_{s_1} \rVert^2`.
# A node's error is the squared error of the samples it has won: its share of the
# quantization energy of tutorial 1. A node whose error grows fast wins many samples, or
# samples far from it. Either way it is alone in a region that needs more nodes.
#
# **Move the winner and its neighbours** (4, 5):
#
# .. math:: w_{s_1} \leftarrow w_{s_1} + \epsilon_b (x - w_{s_1}), \qquad
#           w_n \leftarrow w_n + \epsilon_n (x - w_n) \quad \text{for } n \in N(s_1).
#
# This is the SOM's step with the graph as the neighbourhood: :math:`h = 1` at the winner,
# :math:`\epsilon_n / \epsilon_b` at its neighbours, 0 elsewhere. Fritzke's rates are
# :math:`\epsilon_b = 0.2` and :math:`\epsilon_n = 0.006`, so the neighbours move very little.
# The rates stay constant: the graph keeps growing, so it must stay able to learn.
#
# **Join the two nearest nodes** (6): :math:`a_{s_1 s_2} \leftarrow 0`. The edge is made if
# it is missing, and its age is reset if it is there. This is *competitive Hebbian learning*:
# two units that both respond strongly to the same input get wired together. Two nodes get
# an edge only if some sample has them as its two nearest nodes, so edges appear only where
# there are data. An edge across a gap can be made while the nodes are few and far apart,
# but once each side has nodes of its own, no sample renews it. This is question 2's
# mechanism, one level up from the units. (Martinetz and Schulten showed that, with enough
# samples, the edges made this way form the *induced Delaunay triangulation*: the part of
# the Delaunay graph of the nodes that the data actually cover.)
#
# **Forget old edges** (7). The nodes move, so an edge that was right once can become wrong.
# An edge of the winner older than :math:`a_{max}` is removed: its two ends have won more
# than :math:`a_{max}` samples between them since a sample last had both as its two nearest
# nodes. A node left with no edge is removed too: no sample connects it to anything.
#
# **Grow** (8-10). After every :math:`\lambda`-th sample a node is added. It goes where the
# error is largest: next to the node :math:`q` of largest error, half-way to :math:`q`'s
# neighbour :math:`f` of largest error,
#
# .. math:: q = \arg\max_j E_j, \quad f = \arg\max_{n \in N(q)} E_n, \quad
#           w_r = \tfrac12 (w_q + w_f).
#
# Why half-way along an edge? An edge exists only where samples connect the two regions, so
# its middle lies on the data, not in a gap. The edge :math:`q`-:math:`f` is replaced by
# :math:`q`-:math:`r`-:math:`f`. The new node takes over part of the regions of :math:`q` and
# :math:`f`, so their errors are scaled by :math:`\alpha` (0.5), and :math:`r` starts with the
# new error of :math:`q`.
#
# **Let the errors fade** (11): every error is multiplied by :math:`1 - \beta` at every step.
# The errors are then running sums with a memory of about :math:`1/\beta` steps (200 with
# Fritzke's :math:`\beta = 0.005`). Errors earned before the nodes moved count less and less.

# %%
# One step by hand
# ----------------
# Here is one step on a tiny graph, in plain NumPy. The graph is stored as the kernel stores
# it: ``W`` holds the positions, ``E`` the errors, and ``age[i, j]`` the age of the edge
# :math:`i`-:math:`j`, or -1 when there is no edge. The arrays have a fixed capacity (here 6
# rows); the first ``n`` rows are the nodes that exist. The state is chosen so that this one
# step does everything: an edge dies, a node is removed, and a node is inserted.

capacity = 6
W0 = np.zeros((capacity, 2))
W0[:5] = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, -1.0]]
E0 = np.array([1.0, 2.0, 4.0, 3.0, 0.5, 0.0])
age0 = np.full((capacity, capacity), -1, dtype=np.int64)
for (i, j), a in {(0, 1): 1, (0, 3): 2, (1, 2): 0, (2, 3): 4, (0, 4): 5}.items():
    age0[i, j] = age0[j, i] = a
n0 = 5                       # nodes 0..4 exist; row 5 is free
steps_before = 9             # 9 samples seen so far; with lambda = 10 this step inserts a node
rates = dict(epsilon_b=0.2, epsilon_n=0.006, max_age=5, insert_every=10, alpha=0.5,
             beta=0.005)
x = np.array([0.3, 0.2])


def edge_list(age, n):
    """The edges (i, j, age), i < j, among the first n nodes."""
    i, j = np.nonzero(np.triu(age[:n, :n] >= 0, k=1))
    return [(int(a), int(b), int(age[a, b])) for a, b in zip(i, j)]


def plural(number, word):
    """'1 cluster', '2 clusters': a number with its noun, for titles."""
    return f"{number} {word}{'' if number == 1 else 's'}"


print("edges (i, j, age) before:", edge_list(age0, n0))

W, E, age, n = W0.copy(), E0.copy(), age0.copy(), n0
eps_b, eps_n, max_age = rates["epsilon_b"], rates["epsilon_n"], rates["max_age"]
insert_every, alpha, beta = rates["insert_every"], rates["alpha"], rates["beta"]

d2 = ((W[:n] - x) ** 2).sum(axis=1)                 # squared distances to the n nodes
s1, s2 = (int(k) for k in np.argsort(d2, kind="stable")[:2])     # (1) the two nearest
N1 = np.flatnonzero(age[s1, :n] >= 0)               # N(s1), the winner's neighbours
age[s1, N1] += 1                                    # (2) the winner's edges grow older
age[N1, s1] += 1
E[s1] += d2[s1]                                     # (3) the winner's error
W[s1] += eps_b * (x - W[s1])                        # (4) the winner moves
W[N1] += eps_n * (x - W[N1])                        # (5) its neighbours move a little
age[s1, s2] = age[s2, s1] = 0                       # (6) the edge s1-s2, new or renewed
old = N1[age[s1, N1] > max_age]                     # (7) edges that passed a_max ...
age[s1, old] = age[old, s1] = -1                    #     ... are removed
alone = [int(j) for j in old if not (age[j, :n] >= 0).any()]
print(f"s1 = {s1}, s2 = {s2}; edges removed: {[(s1, int(j)) for j in old]}; "
      f"nodes left alone: {alone}")

# %%
# Node 4 has lost its only edge, so it goes. The kernel keeps the nodes that exist in rows
# ``0 .. n - 1``: a removed node's row is taken over by the last node. Node 4 *is* the last
# node, so here nothing has to move; its row is cleared and ``n`` shrinks.

for j in alone:
    assert j == n - 1                               # the last row: nothing moves
    W[j], E[j], age[j, :], age[:, j] = 0.0, 0.0, -1, -1
    n -= 1

steps = steps_before + 1
if steps % insert_every == 0 and n < capacity:           # every lambda-th step: grow
    q = int(E[:n].argmax())                         # (8) the node of largest error ...
    Nq = np.flatnonzero(age[q, :n] >= 0)
    f = int(Nq[E[Nq].argmax()])                     #     ... and its worst neighbour
    r = n                                           # the new node takes the next free row
    W[r] = (W[q] + W[f]) / 2                        # (9) half-way between them
    age[q, f] = age[f, q] = -1                      #     q-f becomes q-r-f
    age[q, r] = age[r, q] = age[f, r] = age[r, f] = 0
    E[q] *= alpha                                   # (10) q and f give up part of their error
    E[f] *= alpha
    E[r] = E[q]
    n += 1
    print(f"inserted node {r} at {W[r]} between q = {q} and f = {f}")
E[:n] *= 1 - beta                                   # (11) every error fades a little

print("edges (i, j, age) after: ", edge_list(age, n))
print("errors after:", np.round(E[:n], 4))

# %%
# The library's kernel :func:`neuroclust.backend.reference.gng_online` is the same step. It
# takes the rows of ``X`` to present in ``order`` and returns the new number of nodes and of
# steps. It updates the arrays in place.

W_k, E_k, age_k = W0.copy(), E0.copy(), age0.copy()
n_k, steps_k = reference.gng_online(x[None, :], W_k, E_k, age_k, n0, steps_before,
                                    np.array([0]), **rates)
print(f"kernel: {n_k} nodes after {steps_k} steps; max |W difference| = "
      f"{np.abs(W_k - W).max():.1e}, max |E difference| = {np.abs(E_k - E).max():.1e}, "
      f"same edges and ages: {np.array_equal(age_k, age)}")
assert n_k == n and steps_k == steps
assert np.allclose(W_k, W) and np.allclose(E_k, E) and np.array_equal(age_k, age)

# %%
# A picture of the step: the sample (cross), the winner's move, the edge 0-4 that died with
# node 4, and the new node 4 in the middle of the edge 2-3, between the two nodes of largest
# error.


def draw_graph(ax, nodes, edges, colors=None, X=None, title=None, size=60):
    """Nodes as dots (coloured by cluster if given), edges as black lines, data in grey."""
    if X is not None:
        ax.scatter(*X.T, s=5, color="0.72", zorder=1)
    ax.add_collection(LineCollection(nodes[np.asarray(edges, dtype=int).reshape(-1, 2)],
                                     colors="k", linewidths=1.3, zorder=2))
    ax.scatter(*nodes.T, s=size, c=plotting.COLORS[0] if colors is None else colors,
               edgecolors="k", linewidths=0.8, zorder=3)
    ax.set(aspect="equal", xticks=[], yticks=[])
    if title:
        ax.set_title(title, fontsize=13)


fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
for ax, (nodes, ages, n_alive, label) in zip(axes, [(W0, age0, n0, "before"),
                                                   (W, age, n, "after one step")]):
    pairs = np.array([(i, j) for i, j, _ in edge_list(ages, n_alive)])
    draw_graph(ax, nodes[:n_alive], pairs, size=160, title=label)
    for j in range(n_alive):
        ax.annotate(f"{j}\nE={E0[j] if label == 'before' else E[j]:.2f}", nodes[j],
                    xytext=(8, 8), textcoords="offset points", fontsize=11)
    ax.plot(*x, "x", color=plotting.COLORS[5], markersize=14, markeredgewidth=3)
    ax.set(xlim=(-1.4, 1.6), ylim=(-1.4, 1.5))
fig.tight_layout()

# %%
# The whole algorithm, from the kernel
# ------------------------------------
# :class:`neuroclust.GrowingNeuralGas` adds only a loop around that kernel. It starts with two
# nodes at two different random samples and no edge. Each epoch it presents the samples in a
# fresh random order, in one call of the kernel. Here is that loop, written out on the two
# moons. The kernel can be called on any part of an epoch, so we stop every 50 samples and
# keep a picture of the graph at a few moments.

X_moons, y_moons = datasets.make_moons(N_SAMPLES, noise=NOISE, random_state=SEED)
settings = dict(epsilon_b=0.2, epsilon_n=0.006, max_age=50, insert_every=100, alpha=0.5,
                beta=0.005)                         # Fritzke's values, the defaults
total_steps = EPOCHS * N_SAMPLES
shown_steps = [0, 200, 1000, 3000, total_steps]

rng = np.random.default_rng(SEED)                   # what random_state=SEED becomes
first, second = rng.choice(N_SAMPLES, size=2, replace=False)
W = np.zeros((MAX_NODES, 2))                        # room for MAX_NODES nodes
W[0], W[1] = X_moons[first], X_moons[second]        # two nodes at two samples
E = np.zeros(MAX_NODES)
age = np.full((MAX_NODES, MAX_NODES), -1, dtype=np.int64)   # no edge yet
n_nodes, n_steps = 2, 0
growth = {0: (W[:2].copy(), np.zeros((0, 2), dtype=int))}
for epoch in range(EPOCHS):
    order = rng.permutation(N_SAMPLES)
    for start in range(0, N_SAMPLES, 50):
        n_nodes, n_steps = reference.gng_online(X_moons, W, E, age, n_nodes, n_steps,
                                                order[start:start + 50], **settings)
        if n_steps in shown_steps:
            pairs = np.array([(i, j) for i, j, _ in edge_list(age, n_nodes)]).reshape(-1, 2)
            growth[n_steps] = (W[:n_nodes].copy(), pairs)

gng = GrowingNeuralGas(max_nodes=MAX_NODES, epochs=EPOCHS, random_state=SEED,
                       **settings).fit(X_moons)
print(f"by hand: {n_nodes} nodes after {n_steps} steps; estimator: {len(gng.nodes_)} nodes; "
      f"max |difference| = {np.abs(gng.nodes_ - W[:n_nodes]).max():.1e}")
assert np.allclose(gng.nodes_, W[:n_nodes]) and np.array_equal(gng.edges_, growth[n_steps][1])

fig, axes = plt.subplots(1, len(shown_steps), figsize=(3.4 * len(shown_steps), 3.6))
for ax, step in zip(axes, shown_steps):
    nodes, pairs = growth[step]
    components = connected_components(len(nodes), pairs)
    draw_graph(ax, nodes, pairs, [plotting.COLORS[c % 7] for c in components], X_moons,
               f"step {step}: {plural(len(nodes), 'node')},\n"
               f"{plural(components.max() + 1, 'component')}")
fig.tight_layout()

# %%
# At the start the two nodes are not joined; the first sample joins them. While there are
# few nodes, each covers a large region and the edges cross the gap between the moons:
# some sample has one node of each moon as its two nearest. As nodes are added, each region
# shrinks to a piece of one moon. The edges across the gap are then never renewed, age away,
# and the graph splits. The colours are the connected components.
#
# The same steps can be read one at a time without writing the loop:
# :meth:`neuroclust.GrowingNeuralGas.trace` replays the first steps of ``fit`` (same start, same
# order) with the NumPy kernel and records each one: the sample, its two nearest nodes, the
# distance to the nearest, and whether a node was inserted or removed. Here are the steps
# around the first insertion.

steps = GrowingNeuralGas(max_nodes=MAX_NODES, epochs=EPOCHS, random_state=SEED,
                         **settings).trace(X_moons, n_steps=settings["insert_every"] + 2)
print(steps.table(start=-5))

# %%
# Watching it grow
# ----------------
# :func:`neuroclust.plotting.gng_snapshot_callback` keeps the graph after every epoch, and
# :func:`neuroclust.plotting.animate_gng` makes an animation of it, one frame per epoch. Each
# frame colours the samples by the cluster of their nearest node *in that frame*: while the
# graph is still in one piece, everything is one colour, and the colours split when the graph
# does. The GIF is saved in a folder of the system's temporary directory (change ``gif_path`` to keep
# it elsewhere); in a notebook, ``IPython.display.HTML(animation.to_jshtml())`` plays it in
# place.

gif_snapshots = []
GrowingNeuralGas(max_nodes=MAX_NODES, epochs=GIF_EPOCHS, random_state=SEED,
                 callbacks=[plotting.gng_snapshot_callback(gif_snapshots)]).fit(X_moons)
gif_path = Path(tempfile.gettempdir()) / "neuroclust_tutorials" / "gng_growing.gif"
animation = plotting.animate_gng(gif_snapshots, X_moons, path=gif_path, interval=500)
print(f"saved {gif_path.name}: {len(gif_snapshots)} frames, "
      f"{gif_path.stat().st_size / 1024:.0f} kB")

# %%
# Clusters without k: moons and circles
# -------------------------------------
# The clusters of a GNG are the connected components of its graph: two nodes are in the same
# cluster when a path of edges joins them. A sample belongs to the cluster of its nearest node
# (``labels_`` for the training data, ``predict`` for new data), and ``n_clusters_`` is the
# number of components. Nothing told the model that number.
#
# Compare it with k-means *given* the true :math:`k = 2`, on the two moons and on two
# concentric circles. Both data sets are made to defeat methods that describe a cluster by
# its centre. The score is the adjusted Rand index (ARI): 1 for a perfect match with the true
# groups, about 0 for a random split (it can be slightly negative).

X_circles, y_circles = datasets.make_circles(N_SAMPLES, noise=0.04, factor=0.5,
                                             random_state=SEED)
problems = {"two moons": (X_moons, y_moons), "two circles": (X_circles, y_circles)}
fig, axes = plt.subplots(2, 2, figsize=(14, 12))
print(f"{'data':<12}{'model':<26}{'clusters':>9}{'ARI':>8}")
for row, (name, (X, y)) in zip(axes, problems.items()):
    grown = GrowingNeuralGas(max_nodes=MAX_NODES, epochs=EPOCHS, random_state=SEED).fit(X)
    kmeans = KMeans(n_clusters=2, n_init=10, random_state=SEED).fit(X)
    for model, label in [(grown, "GNG, no k given"), (kmeans, "k-means, k = 2 given")]:
        ari = metrics.adjusted_rand_score(y, model.labels_)
        found = len(np.unique(model.labels_))
        print(f"{name:<12}{label:<26}{found:>9}{ari:>8.3f}")
    plotting.plot_gng(grown, X, ax=row[0],
                      title=f"{name}: GNG finds {plural(grown.n_clusters_, 'cluster')}, ARI "
                            f"{metrics.adjusted_rand_score(y, grown.labels_):.2f}")
    plotting.plot_centroids_2d(X, kmeans.labels_, kmeans.cluster_centers_, ax=row[1],
                               title=f"{name}: k-means, ARI "
                                     f"{metrics.adjusted_rand_score(y, kmeans.labels_):.2f}")
fig.tight_layout()

# %%
# That is one seed. Over five (new data and a new start each time), how often does the graph
# find exactly the two shapes, and how do the scores spread?

found_two = {name: 0 for name in problems}
found_one = {name: 0 for name in problems}
for name, make in (("two moons", lambda seed: datasets.make_moons(N_SAMPLES, noise=NOISE,
                                                                   random_state=seed)),
                   ("two circles", lambda seed: datasets.make_circles(
                       N_SAMPLES, noise=0.04, factor=0.5, random_state=seed))):
    aris = {"GNG, no k given": [], "k-means, k = 2 given": []}
    for seed in range(SEED, SEED + 5):
        X, y = make(seed)
        grown = GrowingNeuralGas(max_nodes=MAX_NODES, epochs=EPOCHS, random_state=seed).fit(X)
        found_two[name] += grown.n_clusters_ == 2
        found_one[name] += grown.n_clusters_ == 1
        aris["GNG, no k given"].append(metrics.adjusted_rand_score(y, grown.labels_))
        aris["k-means, k = 2 given"].append(metrics.adjusted_rand_score(
            y, KMeans(n_clusters=2, n_init=10, random_state=seed).fit(X).labels_))
    summary = ", ".join(f"{label} ARI {np.mean(v):.2f} ± {np.std(v):.2f}"
                        for label, v in aris.items())
    print(f"{name}: GNG found exactly 2 clusters on {found_two[name]} of 5 seeds, one cluster "
          f"on {found_one[name]}; {summary}")

# %%
# k-means splits the plane by a straight line between its two centres, so each moon is cut in
# two, and the two circles, which share their centre, are cut across both. The graph follows
# each shape when it finds it. When it does not (the counts above), one cluster means that at
# least one edge still joins the two shapes at the end: samples near the gap kept renewing it
# before it could age past ``max_age``; more than two means a shape broke into pieces. This
# is what the edges buy, and what they risk: a cluster is a set of nodes joined by the data,
# whatever its shape, not the region around one centre, so one edge decides it.
#
# What it improves, epoch by epoch
# --------------------------------
# Question 1 asks what a network improves without labels. For GNG there is no single
# function that every step lowers. The parts are familiar, though. The winner's move (4) is
# the winner-take-all step of tutorial 1, a step of stochastic gradient descent on the
# quantization energy :math:`\tfrac12 \sum_i \lVert x_i - w_{c(x_i)} \rVert^2`. Each insertion
# adds a node where the accumulated error is largest, which is where a new node can be
# expected to lower that energy most. The edges come from no gradient at all: they record
# which nodes share samples.
#
# ``history_`` records, after every epoch, the number of nodes and the quantization error
# :math:`E_Q`, the mean distance from a sample to its nearest node. The dashed line is k-means
# with as many centres as the final graph has nodes.

kmeans_same_size = KMeans(n_clusters=len(gng.nodes_), n_init=3, random_state=SEED).fit(X_moons)
kmeans_error = metrics.quantization_error(X_moons, kmeans_same_size.cluster_centers_)
fig, axes = plt.subplots(1, 2, figsize=(14, 5))
plotting.plot_history(gng.history_["n_nodes"], ylabel="nodes", ax=axes[0])
plotting.plot_history(gng.history_["quantization_error"], ax=axes[1], label="GNG")
axes[1].axhline(kmeans_error, color="k", linestyle="--",
                label=f"k-means, k = {len(gng.nodes_)}")
axes[1].legend()
axes[0].set_title("The graph grows, then stops at max_nodes")
axes[1].set_title("$E_Q$ falls as nodes are added")
fig.tight_layout()
print("nodes after each epoch:", gng.history_["n_nodes"])
print(f"E_Q after the last epoch: GNG {gng.history_['quantization_error'][-1]:.4f}, "
      f"k-means with {len(gng.nodes_)} centres {kmeans_error:.4f} "
      f"(ratio {gng.history_['quantization_error'][-1] / kmeans_error:.3f})")

# %%
# With :math:`\lambda = 100` the graph gains one node per 100 samples, until it reaches
# ``max_nodes``. The error falls with every node added, and then levels off. The graph is also
# a fair quantizer: its final :math:`E_Q` is close to that of k-means with the same number of
# centres, which does nothing else.
#
# Two parameters shape the graph: ``max_age`` and ``insert_every``
# ----------------------------------------------------------------
# ``max_age`` decides how long an edge survives without being renewed. Too short, and edges
# inside a cluster die before a sample renews them, so clusters break into pieces (and nodes
# left without edges are removed). Too long, and the edges made across the gap early on, when
# the nodes were few, never die. ``insert_every`` (:math:`\lambda`) decides how often a node
# is inserted: a large value gives each node time to settle, but after the same number of
# samples the graph is smaller and coarser.

ages_swept = [2, 5, 50, 1000]
lambdas_swept = [25, 100, 600]
fig, axes = plt.subplots(2, 4, figsize=(18, 9))
print(f"{'parameter':<18}{'nodes':>6}{'edges':>7}{'clusters':>9}{'ARI':>7}")


def fit_and_report(name, value):
    """Fit GNG on the moons with one parameter changed; print a row of the table."""
    model = GrowingNeuralGas(max_nodes=MAX_NODES, epochs=EPOCHS, random_state=SEED,
                             **{name: value}).fit(X_moons)
    ari = metrics.adjusted_rand_score(y_moons, model.labels_)
    print(f"{f'{name}={value}':<18}{len(model.nodes_):>6}{len(model.edges_):>7}"
          f"{model.n_clusters_:>9}{ari:>7.3f}")
    return model


for ax, value in zip(axes[0], ages_swept):
    model = fit_and_report("max_age", value)
    plotting.plot_gng(model, X_moons, ax=ax,
                      title=f"max_age = {value}: {plural(model.n_clusters_, 'cluster')}")
for ax, value in zip(axes[1], lambdas_swept):
    model = fit_and_report("insert_every", value)
    plotting.plot_gng(model, X_moons, ax=ax, title=f"insert_every = {value}: "
                      f"{len(model.nodes_)} nodes")
axes[1, 3].set_visible(False)
for ax in axes.flat:
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.set(xlabel="", ylabel="")
fig.tight_layout()

# %%
# Read the table with the pictures. At ``max_age = 2`` edges die almost as soon as they are
# made; nodes lose all their edges and are removed as fast as they are added, and the graph
# stays tiny. A short age can also cut a moon in pieces. A very long age keeps edges that
# cross the gap from the early, coarse graph, and the two moons stay one component. Fritzke's
# 50 sits in the range that works here. For ``insert_every``, the graphs of a small and a medium
# value both reach ``max_nodes`` and look alike; the largest value inserts so rarely that the
# graph is still small and coarse when training ends. The number of clusters a GNG finds is
# therefore a result of these settings, as the number of clusters of DBSCAN is a result of its
# radius; it is not free of choices, only free of :math:`k`.
#
# Noise and outliers
# ------------------
# Real data have stray points. Add 10% of points spread evenly over the whole picture, and
# train the same model.

noise_rng = np.random.default_rng(SEED + 1)
n_outliers = N_SAMPLES // 10
low, high = X_moons.min(axis=0) - 0.3, X_moons.max(axis=0) + 0.3
X_noisy = np.vstack([X_moons, noise_rng.uniform(low, high, size=(n_outliers, 2))])
y_noisy = np.concatenate([y_moons, np.full(n_outliers, -1)])    # -1: an outlier
moons = y_noisy >= 0
noisy = GrowingNeuralGas(max_nodes=MAX_NODES, epochs=EPOCHS, random_state=SEED).fit(X_noisy)
noisy_ari = metrics.adjusted_rand_score(y_moons, noisy.labels_[moons])
print(f"with {n_outliers} outliers: {noisy.n_clusters_} cluster(s), ARI on the moons' samples "
      f"{noisy_ari:.3f}")

# %%
# GNG has no notion of noise: every sample is won by some node, and every sample draws an
# edge between its two nearest nodes. An outlier far from the data also adds a large squared
# error to its winner (3), which pulls insertions toward the outliers. So nodes appear in the
# empty space, and a few outliers in the gap are enough to renew an edge across it before it
# dies. When the printed number of clusters is 1, that is what happened.
#
# A simple repair works on the trained graph. Inside a cluster the nodes are packed at a
# fairly even spacing, so their edges have similar lengths; the nodes out in the noise are
# sparse, so their edges are long. Remove the edges longer than 1.5 times the median edge,
# recompute the components with :func:`neuroclust.models.gng.connected_components`, and call
# a component that wins fewer than 5% of the samples noise (label -1, drawn in grey).

lengths = np.linalg.norm(noisy.nodes_[noisy.edges_[:, 0]] - noisy.nodes_[noisy.edges_[:, 1]],
                         axis=1)
short_edges = noisy.edges_[lengths <= 1.5 * np.median(lengths)]
pruned_components = connected_components(len(noisy.nodes_), short_edges)
winners = reference.bmu(X_noisy, noisy.nodes_)[0]                # each sample's nearest node
sizes = np.bincount(pruned_components[winners], minlength=pruned_components.max() + 1)
kept = np.flatnonzero(sizes >= 0.05 * len(X_noisy))               # the large components
cluster_of = np.full(len(sizes), -1)                               # the others are noise
cluster_of[kept] = np.arange(len(kept))                            # clusters 0, 1, ...
pruned = cluster_of[pruned_components[winners]]
pruned_ari = metrics.adjusted_rand_score(y_moons, pruned[moons])
print(f"after pruning: {len(kept)} cluster(s), ARI on the moons' samples {pruned_ari:.3f}; "
      f"outliers called noise: {(pruned[~moons] == -1).mean():.0%}, "
      f"moon samples called noise: {(pruned[moons] == -1).mean():.0%}")

fig, axes = plt.subplots(1, 2, figsize=(15, 6.5))
plotting.plot_gng(noisy, X_noisy, ax=axes[0],
                  title=f"10% outliers: {plural(noisy.n_clusters_, 'cluster')}, "
                        f"ARI {noisy_ari:.2f}")
plotting.plot_centroids_2d(X_noisy, pruned, ax=axes[1],
                           title=f"long edges cut, small parts as noise: ARI {pruned_ari:.2f}")
axes[1].add_collection(LineCollection(noisy.nodes_[short_edges], colors="k", linewidths=1.2))
axes[1].plot(*noisy.nodes_.T, "o", color="k", markersize=4)
fig.tight_layout()

# %%
# The repair uses two thresholds of its own (1.5 and 5%), so it moves the choice rather than
# removing it, and it fails when the noise is dense enough to look like data. Methods with a
# noise model built in, such as DBSCAN (points in sparse regions are noise) or adaptive
# resonance theory (a sample that matches no category well enough opens a new one), are the
# usual answer when outliers matter. A smaller ``max_age`` can also help, because then a
# bridge needs outliers in the gap more often to survive; exercise 3 asks you to measure it.
#
# How fast is it? GNG is sequential by nature: each step changes the graph the next step
# searches, so the compiled kernel cannot split the samples between threads; what it removes
# is Python's overhead. :doc:`plot_15_speed` fits the same GNG with the NumPy reference and
# with the compiled kernel and times both.
#
# Exercises
# ---------
# 1. Run the hand step again with ``x = [0.9, 0.9]``. Which nodes are :math:`s_1` and
#    :math:`s_2`, which edges age, and does any edge die? Check your answer against the
#    kernel.
# 2. Train a GNG on :func:`neuroclust.datasets.make_five_centroids` (3-D, five clouds) and
#    compare ``n_clusters_`` with 5. Then raise ``cluster_std`` until the clouds touch.
#    At what spread do two components merge?
# 3. In the noise section, repeat the plain GNG with ``max_age`` from 5 to 100 and with 5%,
#    10% and 20% outliers. Plot the number of clusters. Which ``max_age`` would you choose,
#    and why does no single value work for every amount of noise?
# 4. Set ``beta=0`` (errors never fade) and compare the graph and ``history_`` with the
#    default. Where do the insertions go when old errors are never forgotten?
# 5. Train with slower settings: ``beta=0.0005``, ``epsilon_b=0.05``, ``epsilon_n=0.0006``
#    and ``insert_every=300``, and enough epochs to reach ``max_nodes``. Compare the speed of
#    growth, the final :math:`E_Q` and the picture with the defaults.
# 6. Use ``partial_fit`` to train on a stream: feed the moons first, then only the circles
#    (shifted to the right of the moons). What happens to the nodes on the moons once no
#    sample comes from them any more? Are they ever removed? (Look at which edges age.)
#
# .. dropdown:: Solution to exercise 1
#
#    The sample at (0.9, 0.9) is nearest node 2 (squared distance 0.02), so :math:`s_1 = 2`;
#    nodes 1 and 3 tie for second place at 0.82, and the lower index wins the tie, so :math:`s_2
#    = 1`. The winner's edges age: 1-2 goes from 0 to 1 and is then renewed to 0 as the
#    :math:`s_1`-:math:`s_2` edge, and 2-3 goes from 4 to 5. No edge passes :math:`a_{max} = 5`
#    (5 is not more than 5), so no edge dies and no node is removed; node 0's edges, 0-4 among
#    them, do not age, because node 0 is not the winner's neighbour. This is still the tenth
#    step, so a node is inserted: node 2 has the largest error, its worse neighbour is node 3,
#    and the new node 5 replaces the edge 2-3 by 2-5 and 5-3. The code runs the library's step
#    and checks each of these facts.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust.backend import reference
#
#       # the tutorial's graph: five nodes, five edges with their ages, one free row
#       W = np.zeros((6, 2))
#       W[:5] = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, -1.0]]
#       E = np.array([1.0, 2.0, 4.0, 3.0, 0.5, 0.0])
#       age = np.full((6, 6), -1, dtype=np.int64)
#       for (i, j), a in {(0, 1): 1, (0, 3): 2, (1, 2): 0, (2, 3): 4, (0, 4): 5}.items():
#           age[i, j] = age[j, i] = a
#       x = np.array([0.9, 0.9])
#
#       d2 = ((W[:5] - x) ** 2).sum(axis=1)
#       s1, s2 = np.argsort(d2, kind="stable")[:2]
#       print("squared distances:", d2.round(2), "-> s1 =", s1, ", s2 =", s2)
#       assert (s1, s2) == (2, 1)          # node 1 and node 3 tie at 0.82: the lower index wins
#
#       n, steps = reference.gng_online(x[None, :], W, E, age, 5, 9, np.array([0]), epsilon_b=0.2,
#                                       epsilon_n=0.006, max_age=5, insert_every=10, alpha=0.5,
#                                       beta=0.005)
#       print("nodes:", n, "edges (i, j, age):",
#             [(i, j, age[i, j]) for i in range(n) for j in range(i + 1, n) if age[i, j] >= 0])
#       assert age[1, 2] == 0              # aged to 1, then renewed as the s1-s2 edge
#       assert age[0, 4] == 5              # node 0 is not the winner's neighbour: its edges keep
#       assert n == 6                      # no edge passed max_age = 5 (2-3 reached exactly 5), so no
#                                          # node was removed; the 10th step inserted node 5 ...
#       assert age[2, 3] == -1 and age[2, 5] == 0 and age[3, 5] == 0   # ... on the edge 2-3
#
# .. dropdown:: Solution to exercise 2
#
#    Fewer than five, already at the default spread: with ``cluster_std=0.8`` the default GNG
#    finds fewer than five components on each of five seeds, so some clouds are already joined
#    by edges; at 0.5 it finds four or five, and from 1.2 on the graph is one piece on every
#    seed. Two clouds merge as soon as enough samples fall between them to renew an edge across
#    the gap more often than every ``max_age`` steps: that happens well before the clouds
#    visibly overlap.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import GrowingNeuralGas, datasets
#
#       spreads = [0.5, 0.8, 1.2, 1.6, 2.0]
#       counts = np.array([[GrowingNeuralGas(random_state=seed).fit(
#                               datasets.make_five_centroids(cluster_std=std, random_state=seed)[0]
#                           ).n_clusters_ for std in spreads] for seed in range(5)])
#       for std, column in zip(spreads, counts.T):
#           print(f"cluster_std {std}: components on seeds 0-4: {column.tolist()}")
#       assert (counts[:, 0] >= 4).all()            # 0.5: four or five components on every seed
#       assert (counts[:, 1] < 5).all()             # 0.8, the default: already fewer than five
#       assert (counts[:, 2:] == 1).all()           # from 1.2 on: one connected graph
#
# .. dropdown:: Solution to exercise 3
#
#    No single ``max_age`` in this range gives the two moons at every amount of noise (the code
#    checks the medians over five seeds). At ``max_age=5`` edges die so fast that the moons
#    break into pieces; at 50 and 100 the outliers renew the edges across the gap often enough
#    that everything is one cluster, at 5%, 10% and 20% outliers alike. In between, the value
#    that keeps the moons apart depends on how many outliers fall in the gap, because the rate
#    at which a bridge is renewed grows with the noise. So tune ``max_age`` to the noise you
#    expect, or, better, keep the default and call small components noise, as the noise section
#    does.
#
#    .. code-block:: python
#
#       import matplotlib.pyplot as plt
#       import numpy as np
#       from neuroclust import GrowingNeuralGas, datasets
#
#       ages = [5, 10, 25, 50, 100]
#       shares = [0.05, 0.10, 0.20]
#       clusters = {}
#       for share in shares:
#           for seed in range(5):
#               X, _ = datasets.make_moons(n_samples=500, noise=0.06, random_state=seed)
#               rng = np.random.default_rng(seed)
#               low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
#               X = np.vstack([X, rng.uniform(low, high, size=(int(share * 500), 2))])
#               clusters[share, seed] = [GrowingNeuralGas(max_age=age, random_state=seed).fit(X)
#                                        .n_clusters_ for age in ages]
#       for share in shares:
#           median = np.median([clusters[share, seed] for seed in range(5)], axis=0)
#           plt.plot(ages, median, "o-", label=f"{share:.0%} outliers")
#           print(f"{share:.0%} outliers, median clusters over 5 seeds for max_age {ages}: {median}")
#       plt.xscale("log"); plt.xlabel("max_age"); plt.ylabel("clusters (median of 5 seeds)")
#       plt.legend()
#       medians = {share: np.median([clusters[share, seed] for seed in range(5)], axis=0)
#                  for share in shares}
#       for share, median in medians.items():
#           assert median[0] > 2                   # max_age 5: the moons break into pieces
#           assert (median[3:] == 1).all()         # 50 and 100: outliers bridge the gap, one cluster
#       assert not any(all(medians[share][k] == 2 for share in shares) for k in range(len(ages)))
#
# .. dropdown:: Solution to exercise 4
#
#    On the moons, hardly anything changes in the result: the same number of nodes and clusters,
#    and a final :math:`E_Q` within 5% of the default's on five seeds. What changes is what the
#    error counters mean. With :math:`\beta = 0` a node's counter sums its squared errors over
#    its whole life, so old nodes carry large counts whatever they do now, and the counters
#    become flat: the largest is much closer to the mean than with fading errors (asserted on
#    every seed). Insertions then follow a node's age more than where the map is currently
#    worst; fading (step (11) of the hand step) keeps the counters a recent average.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import GrowingNeuralGas, datasets
#
#       for seed in range(5):
#           X, _ = datasets.make_moons(n_samples=1000, noise=0.06, random_state=seed)
#           fading, kept = (GrowingNeuralGas(beta=beta, random_state=seed).fit(X) for beta in (0.005, 0))
#           peak = {name: m.errors_.max() / m.errors_.mean() for name, m in [("fading", fading),
#                                                                            ("kept", kept)]}
#           e_fading = fading.history_["quantization_error"][-1]
#           e_kept = kept.history_["quantization_error"][-1]
#           print(f"seed {seed}: E_Q {e_fading:.4f} (beta 0.005) vs {e_kept:.4f} (beta 0); largest "
#                 f"error / mean error {peak['fading']:.1f} vs {peak['kept']:.1f}")
#           assert abs(e_kept - e_fading) < 0.05 * e_fading    # the same fit, within 5%
#           assert peak["kept"] < peak["fading"]               # but the errors no longer stand out
#
# .. dropdown:: Solution to exercise 5
#
#    The slow settings grow the graph less than half as fast (after five epochs they have fewer
#    than half the nodes the defaults have, on five seeds; the code prints both), reach
#    ``max_nodes=50`` within 25 epochs, and end at about the same :math:`E_Q` (within 10%). With
#    ``insert_every=300`` a node is added every 300 samples instead of every 100, and the small
#    :math:`\epsilon` make each node settle gently; the price is training time.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import GrowingNeuralGas, datasets
#
#       for seed in range(5):
#           X, _ = datasets.make_moons(n_samples=1000, noise=0.06, random_state=seed)
#           default = GrowingNeuralGas(max_nodes=50, random_state=seed).fit(X)
#           slow = GrowingNeuralGas(max_nodes=50, beta=0.0005, epsilon_b=0.05, epsilon_n=0.0006,
#                                   insert_every=300, epochs=25, random_state=seed).fit(X)
#           grown = {name: np.array(m.history_["n_nodes"]) for name, m in [("default", default),
#                                                                         ("slow", slow)]}
#           e = {name: m.history_["quantization_error"][-1] for name, m in [("default", default),
#                                                                           ("slow", slow)]}
#           print(f"seed {seed}: nodes after epoch 5: {grown['default'][4]} vs {grown['slow'][4]} "
#                 f"(slow); final E_Q {e['default']:.4f} vs {e['slow']:.4f}")
#           assert grown["slow"][-1] == 50                       # 25 epochs are enough to fill it
#           assert grown["slow"][4] < grown["default"][4] / 2    # but it grows far more slowly
#           assert abs(e["slow"] - e["default"]) < 0.1 * e["default"]   # to about the same fit
#
# .. dropdown:: Solution to exercise 6
#
#    Most of the moons' nodes stay forever. In the code, 60 nodes learn the moons; after ten
#    passes over the circles more than 80% of them are still there, and over the last five
#    passes not one more goes. An edge only ages when one of its ends wins (step (2) of the hand
#    step), and no sample comes near the moons any more, so their edges never age, never pass
#    ``max_age`` and are never removed; a node only goes when it loses its last edge. The few
#    that did leave the moons' region were nodes that won circle samples early on (the code
#    counts nodes by where they are, so a node pulled over to the circles no longer counts). GNG
#    has no forgetting of unused regions: a stream that moves leaves a fossil graph behind.
#
#    .. code-block:: python
#
#       import numpy as np
#       from neuroclust import GrowingNeuralGas, datasets
#
#       moons, _ = datasets.make_moons(n_samples=600, noise=0.05, random_state=0)
#       circles, _ = datasets.make_circles(n_samples=600, noise=0.05, factor=0.5, random_state=0)
#       circles = circles + np.array([4.0, 0.0])                  # to the right of the moons
#       model = GrowingNeuralGas(max_nodes=60, random_state=0)
#       for _ in range(10):
#           model.partial_fit(moons)
#       on_moons = lambda m: m.nodes_[:, 0] < 2.5                  # nodes over the moons' region
#       print("after the moons:", on_moons(model).sum(), "nodes on the moons")
#       counts = []
#       for _ in range(10):
#           model.partial_fit(circles)
#           counts.append(int(on_moons(model).sum()))
#       print("nodes still on the moons after each pass over the circles:", counts)
#       assert counts[-1] >= 0.8 * 60              # most of the moons' nodes are never removed
#       assert len(set(counts[-5:])) == 1           # and after the first passes none goes at all
