"""DBSCAN and OPTICS against scikit-learn's: time and peak memory of one fit, each in a fresh
process.

Data: Gaussian blobs (``sklearn.datasets.make_blobs``, five centres, standard deviation 1,
seed 0) of 10,000 and 100,000 samples in 2 and 10 dimensions. ``eps`` (0.3 and 0.1 in 2-D,
3.0 in 10-D; ``CASES``) and ``min_samples=5`` are the same for both libraries and were chosen,
without labels, so that most samples are in clusters with some tens to hundreds of neighbours.
Both libraries must give the same labels (the Check column).

Each fit runs in its own fresh interpreter (the peers' memory is measured there, and neither
inherits the other's allocator state; see BENCHMARKING.md), the two alternating pair by pair;
the peak resident memory is the growth of VmHWM over the process's size with the data loaded.
scikit-learn's ``DBSCAN`` uses its k-d tree (``algorithm="auto"``) and one core
(``n_jobs=None``), neuroclust SciPy's k-d tree and its compiled cluster loop. Target: none yet,
the times and the memory are reported.

OPTICS (``OPTICS_CASES``): the same blobs, ``min_samples=5`` and the other parameters at their
defaults (the xi method); both libraries must give the same ordering, reachabilities and labels
(the Check column). With ``max_eps`` infinite at 10,000 samples; at 100,000 samples only with a
finite ``max_eps`` (the DBSCAN rows' ``eps``, chosen there without labels): with an infinite one
scikit-learn's loop makes, for each of the n samples, a radius query that returns all n and
n distances, about 100 times its 10,000-sample time (some 38 s with max_eps infinite, on two
busy cores), so about an hour per fit. The 10,000-sample rows with a finite ``max_eps`` show
what the bound buys at a size both can run.

Run: ``python benchmarks/bench_dbscan.py`` (DBSCAN and OPTICS; tens of minutes on two cores),
``--dbscan`` or ``--optics`` for one of them, ``--small`` for the 10,000-sample rows only,
``--once`` for one pair per row in place of several.
"""
import _common  # first: sets the thread counts before NumPy loads

import json
import os
import subprocess
import sys

CASES = {  # (n_samples, n_features, eps)
    "10,000 x 2": (10_000, 2, 0.3),
    "100,000 x 2": (100_000, 2, 0.1),
    "10,000 x 10": (10_000, 10, 3.0),
    "100,000 x 10": (100_000, 10, 3.0),
}
MIN_SAMPLES = 5
PAIRS = {"10,000 x 2": 5, "100,000 x 2": 3, "10,000 x 10": 5, "100,000 x 10": 3}
INF = float("inf")
OPTICS_CASES = {  # (n_samples, n_features, max_eps)
    "optics 10,000 x 2": (10_000, 2, INF),
    "optics 10,000 x 10": (10_000, 10, INF),
    "optics 10,000 x 2, max_eps": (10_000, 2, 0.3),
    "optics 10,000 x 10, max_eps": (10_000, 10, 3.0),
    "optics 100,000 x 2, max_eps": (100_000, 2, 0.1),
    "optics 100,000 x 10, max_eps": (100_000, 10, 3.0),
}
OPTICS_PAIRS = 3


def _data(case):
    from sklearn.datasets import make_blobs

    n, d, _ = CASES[case] if case in CASES else OPTICS_CASES[case]
    return make_blobs(n, n_features=d, centers=5, cluster_std=1.0, random_state=0)[0]


def _status(field):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field))


def worker(case, contender):
    """In a fresh interpreter: one fit; print its time, peak memory growth and labels' hash."""
    import time

    import numpy as np

    X = _data(case)
    if case in OPTICS_CASES:
        max_eps = OPTICS_CASES[case][2]
        if contender == "neuroclust":
            from neuroclust import OPTICS
        else:
            from sklearn.cluster import OPTICS
        model = OPTICS(min_samples=MIN_SAMPLES, max_eps=max_eps)
    elif contender == "neuroclust":
        eps = CASES[case][2]
        from neuroclust import DBSCAN

        model = DBSCAN(eps=eps, min_samples=MIN_SAMPLES)
    else:
        from sklearn.cluster import DBSCAN

        model = DBSCAN(eps=CASES[case][2], min_samples=MIN_SAMPLES)
    with open("/proc/self/clear_refs", "w") as handle:   # reset the peak-RSS mark (Linux)
        handle.write("5")
    base = _status("VmRSS")
    start = time.perf_counter()
    model.fit(X)
    elapsed = time.perf_counter() - start
    peak = _status("VmHWM")
    labels = model.labels_
    graph = ""     # OPTICS: the ordering and reachabilities, hashed, for the check
    if case in OPTICS_CASES:
        import hashlib

        graph = hashlib.sha256(np.asarray(model.ordering_, dtype=np.int64).tobytes()
                               + np.asarray(model.reachability_, dtype=np.float64).tobytes()
                               ).hexdigest()
    print(json.dumps({"time": elapsed, "peak_mb": (peak - base) / 1024, "graph": graph,
                      "labels": np.asarray(labels, dtype=np.int64).tolist()
                      if len(labels) <= 10_000 else None,
                      "labels_sum": int(np.sum(np.asarray(labels) * np.arange(len(labels)))),
                      "n_clusters": int(len(set(labels.tolist()) - {-1})),
                      "noise": int(np.sum(labels == -1))}))


def _fresh(case, contender):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", case,
                          contender], capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_case(case, pairs=None):
    results = {"neuroclust": [], "scikit-learn": []}

    def ours():
        results["neuroclust"].append(_fresh(case, "neuroclust"))
        return results["neuroclust"][-1]["time"]

    def theirs():
        results["scikit-learn"].append(_fresh(case, "scikit-learn"))
        return results["scikit-learn"][-1]["time"]

    optics = case in OPTICS_CASES
    ours_t, theirs_t = _common.alternate(
        ours, theirs, pairs=pairs or (OPTICS_PAIRS if optics else PAIRS[case]), warmup=0)
    a, b = results["neuroclust"][0], results["scikit-learn"][0]
    same = (a["labels_sum"] == b["labels_sum"] and a["labels"] == b["labels"]
            and a["graph"] == b["graph"])
    memory = (f"peak memory +{_common.median([r['peak_mb'] for r in results['neuroclust']]):.0f}"
              f" MB vs +{_common.median([r['peak_mb'] for r in results['scikit-learn']]):.0f} MB")
    what = "same ordering, reachability and labels" if optics else "same labels"
    check = (f"{what if same else '**results differ**'} ({a['n_clusters']} clusters, "
             f"{a['noise']} noise); {memory}")
    if optics:
        n, d, max_eps = OPTICS_CASES[case]
        return _common.make_row(
            f"OPTICS fit, blobs {case[7:].replace(', max_eps', '')}, max_eps={max_eps}, "
            f"min_samples={MIN_SAMPLES}, fresh processes", "`OPTICS(min_samples, max_eps)`",
            "scikit-learn `OPTICS(min_samples, max_eps)`", ours_t, theirs_t, speedup=True,
            target="(reported)", met=same, check=check)
    n, d, eps = CASES[case]
    return _common.make_row(f"DBSCAN fit, blobs {case}, eps={eps}, min_samples={MIN_SAMPLES}, "
                            "fresh processes", "`DBSCAN(eps, min_samples)`",
                            "scikit-learn `DBSCAN(eps, min_samples)`", ours_t, theirs_t,
                            speedup=True, target="(reported)", met=same, check=check)


def run(cases=tuple(CASES) + tuple(OPTICS_CASES), pairs=None):
    return {"rows": [run_case(case, pairs) for case in cases],
            "notes": ["DBSCAN and OPTICS: each fit in a fresh interpreter, the two libraries "
                      "alternating; "
                      "times cover the fit only (not the import or the data); peak memory is "
                      "the growth of the peak resident size during the fit (median)."]}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        flags = set(sys.argv[1:])
        chosen = [case for case in tuple(CASES) + tuple(OPTICS_CASES)
                  if not ("--dbscan" in flags and case in OPTICS_CASES)
                  and not ("--optics" in flags and case in CASES)
                  and not ("--small" in flags and "100,000" in case)]
        _common.print_report("DBSCAN and OPTICS vs scikit-learn",
                             run(chosen, pairs=1 if "--once" in flags else None))
