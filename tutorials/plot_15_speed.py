r"""
How fast? The same algorithms in plain NumPy and compiled
=========================================================

Every algorithm in neuroclust exists twice: a NumPy reference, short and written to be read
next to the equations (``neuroclust/backend/reference/``), and a compiled kernel (Cython,
``csrc/``) that the estimators use by default. Both take the same steps in the same order, so
they give the same model. This page fits each model once with ``backend="numpy"`` and once
with ``backend="cython"``, checks that the two agree, and times them.

It answers this question from the learners' list:

* **6.** SOMs (and GNG, and ART) are said to be slow: how much of that is the algorithm, and
  how much the implementation?

Comparisons with other libraries (MiniSom, scikit-learn, XPySom, somoclu, artlib, PyTorch) are
in the repository's ``benchmarks/``, each library timed in a fresh process as a user calls it.
"""

# %%
# Setup
# -----
# ``NEUROCLUST_FAST=1`` (set by the test suite and by CI's documentation check; the published
# pages run without it) makes the data smaller and the training shorter. The times on this page
# come from the machine that built it; the ratios, not the seconds, are the point.

import os
import time

import matplotlib.pyplot as plt
import numpy as np

from neuroclust import (SOM, CompetitiveLearning, FuzzyART, GrowingNeuralGas, KMeans, datasets,
                        metrics)
from neuroclust.backend import available_backends

FAST = os.environ.get("NEUROCLUST_FAST") == "1"
print("This page was run in", "fast mode: small data, short training, rough numbers"
      if FAST else "full mode: the settings the text describes")
SEED = 0
REPEATS = 3                               # each fit is timed this many times, the fastest kept
N_DIGITS = 600 if FAST else 1797          # digits for the SOM, the competitive layer, k-means
EPOCHS = 2 if FAST else 5
N_MOONS = 500 if FAST else 2000

plt.rcParams.update({"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15,
                     "figure.dpi": 100})

X_digits, y_digits = datasets.load_digits()
X_digits = X_digits[:N_DIGITS] / 16.0     # pixels in [0, 1], as Fuzzy ART needs
X_moons, y_moons = datasets.make_moons(n_samples=N_MOONS, noise=0.06, random_state=SEED)

# %%
# The models
# ----------
# Five fits a student meets in the tutorials, each with fixed settings and a fixed seed, so
# that the two backends see exactly the same problem. The online models (the competitive
# layer, the map, GNG, Fuzzy ART) take one small step per sample; k-means takes one pass of
# matrix products per iteration.

MODELS = {
    "competitive layer, online": (
        lambda backend: CompetitiveLearning(n_clusters=10, epochs=EPOCHS, random_state=SEED,
                                            backend=backend), X_digits),
    "SOM 10 x 10, online": (
        lambda backend: SOM(shape=(10, 10), epochs=EPOCHS, random_state=SEED,
                            backend=backend), X_digits),
    "growing neural gas": (
        lambda backend: GrowingNeuralGas(max_nodes=60, epochs=EPOCHS, random_state=SEED,
                                         backend=backend), X_moons),
    "Fuzzy ART": (
        lambda backend: FuzzyART(rho=0.6, epochs=EPOCHS, backend=backend), X_digits),
    "k-means": (
        lambda backend: KMeans(n_clusters=10, n_init=1, random_state=SEED, backend=backend),
        X_digits),
}


def timed_fit(make, X):
    """The fitted model and its fastest time over REPEATS fits."""
    best = np.inf
    for _ in range(REPEATS):
        model = make()
        start = time.perf_counter()
        model.fit(X)
        best = min(best, time.perf_counter() - start)
    return model, best


# %%
# NumPy against compiled
# ----------------------
# Each model is fitted with both backends; "same labels" is the share of samples that get the
# same cluster from both (the kernels are tested to agree to rounding; a near tie may go
# either way in the last digits).

backends = [name for name in ("numpy", "cython") if name in available_backends()]
results = {}
print(f"{'model':<28}{'NumPy (s)':>11}{'compiled (s)':>14}{'ratio':>8}{'same labels':>13}")
for name, (make, X) in MODELS.items():
    fitted = {backend: timed_fit(lambda: make(backend), X) for backend in backends}
    if len(fitted) < 2:
        print(f"{name:<28} needs both backends; this installation has {backends}")
        continue
    (numpy_model, numpy_seconds), (compiled_model, compiled_seconds) = (
        fitted["numpy"], fitted["cython"])
    same = float(np.mean(numpy_model.labels_ == compiled_model.labels_))
    results[name] = (numpy_seconds, compiled_seconds, same)
    print(f"{name:<28}{numpy_seconds:>11.3f}{compiled_seconds:>14.4f}"
          f"{numpy_seconds / compiled_seconds:>8.0f}x{same:>13.3f}")
    assert same > 0.98, f"{name}: the two backends disagree on {1 - same:.1%} of the samples"

# %%
# The same labels from both, and very different times. The bar chart shows how many times
# longer the NumPy fit takes (a logarithmic axis: each step is ten times more).

if results:
    names = list(results)
    ratios = np.array([results[name][0] / results[name][1] for name in names])
    fig, ax = plt.subplots(figsize=(11, 5.5))
    ax.barh(names, ratios, color="C0")
    ax.set(xscale="log", xlabel="NumPy time / compiled time (log scale)",
           title="How much faster the compiled kernels fit the same model")
    ax.axvline(1, color="k", linewidth=1)
    ax.set_xlim(0.8, 3 * ratios.max())                  # room for the labels
    for y, ratio in enumerate(ratios):
        ax.text(ratio, y, f" {ratio:.0f}x", va="center")
    ax.invert_yaxis()
    fig.tight_layout()
    online = {name: results[name][0] / results[name][1] for name in names if name != "k-means"}
    batch = results["k-means"][0] / results["k-means"][1]
    most, least = max(online, key=online.get), min(online, key=online.get)
    print(f"online models: the compiled fit is {online[least]:.0f}x ({least}) to "
          f"{online[most]:.0f}x ({most}) faster; k-means: {batch:.1f}x, "
          + ("less than any online model" if batch < online[least]
             else "within the online models' range on this run"))

# %%
# Why the gain differs
# --------------------
# An online model takes one step per sample: find the winner, move some prototypes. In NumPy
# each step is a handful of array operations, and each operation costs Python a microsecond or
# more of overhead whatever its size. Where a step has little arithmetic (GNG on 2-D points:
# a few nodes of two numbers each), the overhead *is* the run time, and the compiled kernel,
# which runs the whole epoch in one call without the interpreter, wins by the most. Where a
# step has real arithmetic (the 10 x 10 map on 64 pixels moves all 100 prototypes, 6,400
# numbers, at every step; Fuzzy ART compares each sample with every category), NumPy spends
# a larger share of its time computing, and the gain is smaller. That is question 6's answer:
# the algorithm costs what its arithmetic costs, and running the online rule as a Python loop
# multiplies that by the ratios above; the peer libraries compared in ``benchmarks/``
# (MiniSom, for one) run their online steps in NumPy.
#
# k-means gains far less: each of its iterations is one pass over all samples at once, a
# matrix product that NumPy already hands to an optimised library (BLAS), so the NumPy version
# pays little overhead. The compiled kernel still wins a little by reading the data once per
# iteration (finding the winners and adding up the per-cluster sums in one pass) where the
# NumPy version reads it twice.
#
# And the results agree: as the model's quality, check one of them against the true digits.

if results:
    ari = metrics.adjusted_rand_score(y_digits[:N_DIGITS],
                                      SOM(shape=(10, 10), n_clusters=10, epochs=EPOCHS,
                                          random_state=SEED).fit(X_digits).labels_)
    print(f"two-level SOM on the digits (compiled): ARI {ari:.3f} against the true digits")

# %%
# Beyond one machine: the same fit on a Dask array
# ------------------------------------------------
# The batch models (k-means, ``SOM(mode="batch")``, ``CompetitiveLearning(mode="batch")``)
# also fit a Dask array chunked by rows: each epoch runs the compiled kernel on every chunk
# where it lives and brings back only each unit's sum and count (the page
# :doc:`/distributed` explains why that scales). Here the digits are cut into chunks, and a
# ``LocalCluster`` of two workers (threads of this process, so that the page needs no
# separate processes) trains the batch map; the map must be the one trained in memory from
# the same start.

import dask.array as da
from dask.distributed import Client, LocalCluster

X_chunked = da.from_array(X_digits, chunks=(N_DIGITS // 4, -1))   # four chunks of rows
batch_map = dict(shape=(10, 10), mode="batch", epochs=EPOCHS, random_state=SEED)
start_time = time.perf_counter()
in_memory = SOM(**batch_map).fit(X_digits)
memory_seconds = time.perf_counter() - start_time
with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                  dashboard_address=None) as cluster, Client(cluster):
    start_time = time.perf_counter()
    on_dask = SOM(**batch_map).fit(X_chunked)
    dask_seconds = time.perf_counter() - start_time
    dask_labels = on_dask.predict(X_chunked).compute()     # predict is lazy on a Dask array
gap = float(np.abs(on_dask.weights_ - in_memory.weights_).max())
print(f"largest difference between the two maps: {gap:.1e}; same labels: "
      f"{np.mean(dask_labels == in_memory.labels_):.0%}")
print(f"in memory {memory_seconds:.3f} s, on the Dask cluster {dask_seconds:.3f} s")
assert gap < 1e-9 and (dask_labels == in_memory.labels_).all()
print("On data this small, Dask " + ("only adds the cost of scheduling each chunk's task"
                                    if dask_seconds > memory_seconds else
                                    "runs as fast as memory")
      + ": it pays where the data does not fit in one machine's memory, or lives on several.")
