"""CNNI: clustering quality on non-convex shapes, and the speed and memory of the MMJ distances.

Quality (issue 14): ``CNNI(n_clusters=2, index="mmj_silhouette")`` with every other setting at
its default (one hidden layer of 64 ReLU units, Adam at 0.01, 100 epochs, batches of 256) on
two moons and two circles (1,000 points, noise 0.05; circles with ``factor=0.5``, both from
``neuroclust.datasets``), beside ``CNNI(index="silhouette")`` (the same network on the
Euclidean silhouette) and ``KMeans(2)``, 5 seeds each. The seed draws the training set, the
network's start and the batch order; 1,000 new points from the same distribution (seed +
1,000) are then assigned with ``predict``. ARI, NMI and accuracy (Hungarian matching) on both,
mean ± std [min-max]. The settings were fixed without labels (the defaults, chosen where the
training loss, minus the index, levels off on these shapes). Target: ARI >= 0.95 on the
training points and on the new ones.

Speed: ``mmj_distances`` of the compiled kernel on 2,000 and 10,000 points (2-D, standard
normal, float64), each call in its own fresh process (time, the peak of what NumPy allocates
during the call as tracemalloc sees it, and the peak-RSS growth of the call),
alternating with the NumPy reference at 2,000 points; the growth exponent of the time is
fitted between the two sizes (the work is O(n^2)). Target: n = 2,000 in well under a second.

Run: ``python benchmarks/bench_cnni.py`` (about two minutes on two cores).
"""
import _common  # first: sets the thread counts before NumPy loads

import json
import math
import statistics
import subprocess
import sys
import time

import numpy as np

SEEDS = 5
N_POINTS = 1000
MMJ_SIZES = (2000, 10000)
MMJ_PAIRS = 5


def _datasets():
    import neuroclust

    return {
        "two moons": lambda seed: neuroclust.datasets.make_moons(N_POINTS, noise=0.05,
                                                                 random_state=seed),
        "two circles": lambda seed: neuroclust.datasets.make_circles(N_POINTS, noise=0.05,
                                                                     factor=0.5,
                                                                     random_state=seed),
    }


def _methods():
    import neuroclust

    return {
        "CNNI MMJ-SC": lambda seed: neuroclust.CNNI(2, index="mmj_silhouette",
                                                     random_state=seed),
        "CNNI silhouette": lambda seed: neuroclust.CNNI(2, index="silhouette",
                                                         random_state=seed),
        "k-means": lambda seed: neuroclust.KMeans(2, random_state=seed),
    }


def _scores(y, labels):
    from neuroclust import metrics

    return {"ari": metrics.adjusted_rand_score(y, labels),
            "nmi": metrics.normalized_mutual_info_score(y, labels),
            "acc": metrics.clustering_accuracy(y, labels)}


def _spread(values):
    return (f"{statistics.fmean(values):.3f} ± {statistics.pstdev(values):.3f} "
            f"[{min(values):.3f}-{max(values):.3f}]")


def run_quality(seeds=SEEDS):
    """One row per data set (CNNI MMJ-SC against k-means), and a note with every score."""
    rows, table = [], ["| data | method | fit time (median) | ARI train | ARI new | NMI train | "
                       "NMI new | ACC train | ACC new |", "|---|---|---|---|---|---|---|---|---|"]
    for name, make in _datasets().items():
        results = {}
        for method, build in _methods().items():
            times, scores = [], []
            for seed in range(seeds):
                X, y = make(seed)
                X_new, y_new = make(1000 + seed)
                start = time.perf_counter()
                model = build(seed).fit(X)
                times.append(time.perf_counter() - start)
                scores.append((_scores(y, model.labels_), _scores(y_new, model.predict(X_new))))
            results[method] = (times, scores)
            cells = [_spread([s[part][key] for s in scores])
                     for key in ("ari", "nmi", "acc") for part in (0, 1)]
            table.append(f"| {name} | {method} | {_common.fmt_time(_common.median(times))} | "
                         + " | ".join(cells) + " |")
        times, scores = results["CNNI MMJ-SC"]
        ari_train = [s[0]["ari"] for s in scores]
        ari_new = [s[1]["ari"] for s in scores]
        met = min(ari_train) >= 0.95 and min(ari_new) >= 0.95
        others = "; ".join(f"{method}: ARI {_spread([s[0]['ari'] for s in results[method][1]])}"
                           for method in ("CNNI silhouette", "k-means"))
        rows.append(_common.make_row(
            f"CNNI MMJ-SC on {name} ({N_POINTS} points, noise 0.05), {seeds} seeds",
            "`CNNI(2, index='mmj_silhouette')`, defaults", "neuroclust `KMeans(2)`",
            times, results["k-means"][0], speedup=False,
            target="ARI >= 0.95, training and new points (every seed)", met=met,
            check=(f"CNNI MMJ-SC ARI train {_spread(ari_train)}, new points "
                   f"{_spread(ari_new)}; {others} (time ratio: fit times)")))
    notes = ["CNNI quality, mean ± std [min-max] over "
             f"{seeds} seeds (training points; 'new': {N_POINTS} new points from the same "
             "distribution, assigned by `predict`):", ""] + table
    return rows, notes


def _mmj_worker(n, backend):
    """In a fresh process: one call of mmj_distances; its time, the peak of the memory NumPy
    allocates during it (tracemalloc, in a second call: tracing slows the call down) and the
    peak-RSS growth of the timed call."""
    import resource
    import tracemalloc

    from neuroclust.backend import get_kernels

    X = np.random.default_rng(0).normal(size=(n, 2))
    kernels = get_kernels(backend)
    kernels.mmj_distances(X[:50])                      # load the code
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    M = kernels.mmj_distances(X)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert M.shape == (n, n)
    del M
    tracemalloc.start()
    kernels.mmj_distances(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({"time": elapsed, "rss_growth": (after - before) * 1024, "peak": peak}))


def _in_fresh_process(n, backend):
    output = subprocess.run([sys.executable, __file__, "--mmj", str(n), backend],
                            capture_output=True, text=True, check=True,
                            cwd=_common.BENCH_DIR).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_mmj(pairs=MMJ_PAIRS):
    rows, memory, medians = [], {}, {}
    for n in MMJ_SIZES:
        found = {"cython": [], "numpy": []}

        def ours(n=n, found=found):
            result = _in_fresh_process(n, "cython")
            found["cython"].append(result)
            return result["time"]

        def reference(n=n, found=found):
            result = _in_fresh_process(n, "numpy")
            found["numpy"].append(result)
            return result["time"]

        if n == MMJ_SIZES[0]:
            ours_t, ref_t = _common.alternate(ours, reference, pairs=pairs, warmup=0)
        else:   # the reference writes a column per row: tens of seconds here, timed once
            ours_t = [ours() for _ in range(pairs)]
            ref_t = [reference()]
        medians[n] = _common.median(ours_t)
        memory[n] = _common.median([r["peak"] for r in found["cython"]])
        rss = _common.median([r["rss_growth"] for r in found["cython"]])
        matrix = n * n * 8
        rows.append(_common.make_row(
            f"MMJ distances, {n:,} x 2 float64 ({n:,} x {n:,} result)",
            "compiled `mmj_distances` (Prim, then a depth-first search per row, 2 threads), "
            "fresh process per call",
            "NumPy reference `mmj_distances` (Prim, then the path maxima in joining order)"
            + ("" if n == MMJ_SIZES[0] else ", one call"),
            ours_t, ref_t, speedup=True,
            target="well under 1 s" if n == MMJ_SIZES[0] else "(time and memory reported)",
            met=medians[n] < 0.5 if n == MMJ_SIZES[0] else True,
            check=(f"peak memory allocated during the call {memory[n] / 2**20:.1f} MiB "
                   f"(tracemalloc), peak-RSS growth {rss / 2**20:.0f} MiB; the result "
                   f"alone: {matrix / 2**20:.1f} MiB; reference median "
                   f"{_common.fmt_time(_common.median(ref_t))}")))
    small, large = MMJ_SIZES
    exponent = math.log(medians[large] / medians[small]) / math.log(large / small)
    memory_exponent = math.log(memory[large] / memory[small]) / math.log(large / small)
    notes = [f"MMJ distances grow as n^{exponent:.2f} in time and n^{memory_exponent:.2f} in "
             f"peak memory between {small:,} and {large:,} points (medians; O(n^2) work and "
             "an n x n result)."]
    return rows, notes


def run():
    quality_rows, quality_notes = run_quality()
    mmj_rows, mmj_notes = run_mmj()
    return {"rows": quality_rows + mmj_rows, "notes": quality_notes + [""] + mmj_notes}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--mmj":
        _mmj_worker(int(sys.argv[2]), sys.argv[3])
    else:
        result = run()
        print(_common.markdown_table(result["rows"]))
        print("\n".join(result["notes"]))
