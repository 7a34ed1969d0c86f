"""DBSCAN against scikit-learn's: time and peak memory of one fit, each in a fresh process.

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

Run: ``python benchmarks/bench_dbscan.py`` (a few minutes on two cores).
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


def _data(case):
    from sklearn.datasets import make_blobs

    n, d, _ = CASES[case]
    return make_blobs(n, n_features=d, centers=5, cluster_std=1.0, random_state=0)[0]


def _status(field):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field))


def worker(case, contender):
    """In a fresh interpreter: one fit; print its time, peak memory growth and labels' hash."""
    import time

    import numpy as np

    X = _data(case)
    eps = CASES[case][2]
    if contender == "neuroclust":
        from neuroclust import DBSCAN

        model = DBSCAN(eps=eps, min_samples=MIN_SAMPLES)
    else:
        from sklearn.cluster import DBSCAN

        model = DBSCAN(eps=eps, min_samples=MIN_SAMPLES)
    with open("/proc/self/clear_refs", "w") as handle:   # reset the peak-RSS mark (Linux)
        handle.write("5")
    base = _status("VmRSS")
    start = time.perf_counter()
    labels = model.fit(X).labels_
    elapsed = time.perf_counter() - start
    peak = _status("VmHWM")
    print(json.dumps({"time": elapsed, "peak_mb": (peak - base) / 1024,
                      "labels": np.asarray(labels, dtype=np.int64).tolist()
                      if len(labels) <= 10_000 else None,
                      "labels_sum": int(np.sum(np.asarray(labels) * np.arange(len(labels)))),
                      "n_clusters": int(len(set(labels.tolist()) - {-1})),
                      "noise": int(np.sum(labels == -1))}))


def _fresh(case, contender):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", case,
                          contender], capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_case(case):
    results = {"neuroclust": [], "scikit-learn": []}

    def ours():
        results["neuroclust"].append(_fresh(case, "neuroclust"))
        return results["neuroclust"][-1]["time"]

    def theirs():
        results["scikit-learn"].append(_fresh(case, "scikit-learn"))
        return results["scikit-learn"][-1]["time"]

    ours_t, theirs_t = _common.alternate(ours, theirs, pairs=PAIRS[case], warmup=0)
    a, b = results["neuroclust"][0], results["scikit-learn"][0]
    same = a["labels_sum"] == b["labels_sum"] and a["labels"] == b["labels"]
    memory = (f"peak memory +{_common.median([r['peak_mb'] for r in results['neuroclust']]):.0f}"
              f" MB vs +{_common.median([r['peak_mb'] for r in results['scikit-learn']]):.0f} MB")
    check = (f"{'same labels' if same else '**labels differ**'} ({a['n_clusters']} clusters, "
             f"{a['noise']} noise); {memory}")
    n, d, eps = CASES[case]
    return _common.make_row(f"DBSCAN fit, blobs {case}, eps={eps}, min_samples={MIN_SAMPLES}, "
                            "fresh processes", "`DBSCAN(eps, min_samples)`",
                            "scikit-learn `DBSCAN(eps, min_samples)`", ours_t, theirs_t,
                            speedup=True, target="(reported)", met=same, check=check)


def run(cases=tuple(CASES)):
    return {"rows": [run_case(case) for case in cases],
            "notes": ["DBSCAN: each fit in a fresh interpreter, the two libraries alternating; "
                      "times cover the fit only (not the import or the data); peak memory is "
                      "the growth of the peak resident size during the fit (median)."]}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        _common.print_report("DBSCAN vs scikit-learn", run())
