"""Batch models on Dask: against dask-ml, against the in-memory fit, out of core, and scaling.

Four measurements (issue 18), each on a ``distributed.LocalCluster`` of single-threaded worker
processes started and closed here, each contender in a fresh Python process (BENCHMARKING.md):

1. **k-means against dask-ml.** 2,000,000 x 64 float32 rows (uniform noise, so that neither
   side converges early), made on the workers and kept there (``persist``), in 8 chunks; 16
   clusters from the same start, ``max_iter`` iterations with ``tol=0``. The time of a whole
   ``fit`` divided by its ``n_iter_``, and the inertia of the centres each returns, computed
   the same way for both (the same start and iterations should give the same inertia;
   dask-ml's own ``inertia_`` is the sum of the distances, not of their squares). The in-memory fit of the same rows (a NumPy array, two threads)
   is the third row: the cost of going distributed on one machine.
2. **Out of core.** A float32 ``.npy`` file several times larger than the workers' memory
   limit, read by memory map chunk by chunk on the workers (``rows_from_npy`` below): one
   batch-SOM epoch (30 x 30) and 10 k-means iterations, with each worker's peak resident
   memory. On this machine the file also sits in the operating system's page cache (24 GiB
   of memory), so the time is that of data the workers cannot hold, not of a disk.
3. **Scaling.** One k-means iteration and one batch-SOM epoch (10 x 10) on 1 and 2 workers,
   at 1x, 4x and 16x 500,000 rows; drawn as ``distributed_scaling.png``.

Run: ``python benchmarks/bench_distributed.py`` (about 15 minutes; ``--quick`` for a smoke run,
``--kmeans-only`` for measurement 1 alone).
"""
import _common  # first: sets the thread counts before NumPy loads

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

N_ROWS, N_FEATURES, N_CLUSTERS, MAX_ITER, N_CHUNKS = 2_000_000, 64, 16, 5, 8
OUT_OF_CORE_GB, WORKER_MEMORY = 6.0, "1GiB"
SCALING_BASE = 500_000
PAIRS = 3


def make_block(block_id, rows, seed):
    """One chunk of uniform float32 noise, made where it will live."""
    return np.random.default_rng([seed, block_id]).random((rows, N_FEATURES), dtype=np.float32)


def random_rows(n_rows, n_chunks, seed=0):
    """A Dask array of uniform float32 rows, each chunk made by its own task."""
    import dask
    import dask.array as da

    rows = n_rows // n_chunks
    parts = [da.from_delayed(dask.delayed(make_block)(i, rows, seed), (rows, N_FEATURES),
                             np.float32) for i in range(n_chunks)]
    return da.concatenate(parts)


def load_rows(path, start, stop):
    return np.array(np.load(path, mmap_mode="r")[start:stop])


def rows_from_npy(path, chunk_rows):
    """A Dask array over a ``.npy`` file: each chunk task opens the memory map and reads its
    own rows, on the worker that runs it (nothing but the path travels)."""
    import dask
    import dask.array as da

    n_rows = np.load(path, mmap_mode="r").shape[0]
    parts = [da.from_delayed(dask.delayed(load_rows)(path, start, min(start + chunk_rows, n_rows)),
                             (min(start + chunk_rows, n_rows) - start, N_FEATURES), np.float32)
             for start in range(0, n_rows, chunk_rows)]
    return da.concatenate(parts)


def cluster(n_workers, memory_limit="auto"):
    from distributed import Client, LocalCluster

    local = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                         dashboard_address=None, memory_limit=memory_limit)
    return local, Client(local)


def peak_memory_mb(client):
    """Each worker's peak resident memory (its process's maximum RSS), in MiB."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return sorted(peaks.values())


# ---------------------------------------------------------------- 1. against dask-ml
def kmeans_worker(contender, n_rows):
    """In a fresh process: two timed fits of one contender; seconds per iteration, inertia."""
    local, client = (None, None) if contender == "in-memory" else cluster(2)
    X = random_rows(n_rows, N_CHUNKS)
    start = X[:N_CLUSTERS].compute()
    if contender == "in-memory":
        import neuroclust

        X = X.compute()
        make = lambda: neuroclust.KMeans(N_CLUSTERS, init=start, max_iter=MAX_ITER, tol=0.0)
    else:
        X = X.persist()
        from distributed import wait
        wait(X)
        if contender == "neuroclust":
            import neuroclust

            make = lambda: neuroclust.KMeans(N_CLUSTERS, init=start, max_iter=MAX_ITER, tol=0.0)
        else:
            from dask_ml.cluster import KMeans

            make = lambda: KMeans(N_CLUSTERS, init=start, max_iter=MAX_ITER, tol=0.0)
    results = []
    for _ in range(2):
        began = time.perf_counter()
        model = make().fit(X)
        seconds = time.perf_counter() - began
        inertia = inertia_of(X, np.asarray(model.cluster_centers_))
        results.append((seconds / model.n_iter_, inertia, int(model.n_iter_)))
    if client is not None:
        client.close()
        local.close()
    best = min(results)
    return {"per_iteration": best[0], "inertia": best[1], "n_iter": best[2]}


def block_inertia(block, centres):
    block = np.asarray(block, dtype=np.float64)
    squared = ((block ** 2).sum(axis=1)[:, None] - 2 * block @ centres.T
               + (centres ** 2).sum(axis=1)[None, :])
    return np.array([np.maximum(squared.min(axis=1), 0).sum()])


def inertia_of(X, centres):
    """The sum of squared distances to the nearest centre, computed the same way for every
    contender (dask-ml's ``inertia_`` is the sum of the distances, not of their squares)."""
    centres = centres.astype(np.float64)
    if isinstance(X, np.ndarray):
        return float(block_inertia(X, centres)[0])
    return float(X.map_blocks(block_inertia, centres, drop_axis=1, chunks=(1,),
                              dtype=np.float64).sum().compute())


def in_fresh_process(*arguments):
    """Run this script with ``arguments`` in a new interpreter, outside the repository."""
    result = subprocess.run([sys.executable, os.path.abspath(__file__), *map(str, arguments)],
                            capture_output=True, text=True, cwd=tempfile.gettempdir(),
                            env=dict(os.environ, PYTHONPATH=_common.REPO_ROOT), check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def against_dask_ml(n_rows, pairs):
    rows = {name: [] for name in ("neuroclust", "dask-ml", "in-memory")}
    for _ in range(pairs):
        for name in rows:
            rows[name].append(in_fresh_process("--kmeans", name, n_rows))
    return rows


# ---------------------------------------------------------------- 2. out of core
def out_of_core_worker(path):
    import neuroclust

    local, client = cluster(2, memory_limit=WORKER_MEMORY)
    X = rows_from_npy(path, chunk_rows=250_000)
    start = np.asarray(X[:N_CLUSTERS].compute())
    began = time.perf_counter()
    kmeans = neuroclust.KMeans(N_CLUSTERS, init=start, max_iter=10, tol=0.0).fit(X)
    kmeans_seconds = time.perf_counter() - began
    began = time.perf_counter()
    neuroclust.SOM(shape=(30, 30), mode="batch", epochs=1).fit(X)
    som_seconds = time.perf_counter() - began
    peaks = peak_memory_mb(client)
    client.close()
    local.close()
    return {"rows": int(X.shape[0]), "kmeans_per_iteration": kmeans_seconds / kmeans.n_iter_,
            "som_epoch": som_seconds, "peak_mb": peaks, "limit": WORKER_MEMORY}


def in_memory_reference(n_rows):
    """The same two fits in memory on ``n_rows`` rows: seconds per row, for the comparison."""
    import neuroclust

    X = random_rows(n_rows, N_CHUNKS).compute()
    start = X[:N_CLUSTERS].copy()
    began = time.perf_counter()
    kmeans = neuroclust.KMeans(N_CLUSTERS, init=start, max_iter=10, tol=0.0).fit(X)
    kmeans_seconds = time.perf_counter() - began
    began = time.perf_counter()
    neuroclust.SOM(shape=(30, 30), mode="batch", epochs=1).fit(X)
    return {"rows": n_rows, "kmeans_per_iteration": kmeans_seconds / kmeans.n_iter_,
            "som_epoch": time.perf_counter() - began}


def write_npy(path, n_rows, chunk_rows=1_000_000):
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32,
                                    shape=(n_rows, N_FEATURES))
    for i, start in enumerate(range(0, n_rows, chunk_rows)):
        stop = min(start + chunk_rows, n_rows)
        out[start:stop] = make_block(i, stop - start, seed=1)
    out.flush()
    del out


# ---------------------------------------------------------------- 3. scaling
def scaling_worker(n_workers, n_rows):
    import neuroclust

    local, client = cluster(n_workers)
    X = random_rows(n_rows, max(4, n_rows // 250_000)).persist()
    from distributed import wait
    wait(X)
    start = X[:N_CLUSTERS].compute()
    neuroclust.KMeans(N_CLUSTERS, init=start, max_iter=1, tol=0.0).fit(X)     # warm the workers
    began = time.perf_counter()
    model = neuroclust.KMeans(N_CLUSTERS, init=start, max_iter=3, tol=0.0).fit(X)
    kmeans = (time.perf_counter() - began) / model.n_iter_
    began = time.perf_counter()
    neuroclust.SOM(shape=(10, 10), mode="batch", epochs=2).fit(X)
    som = (time.perf_counter() - began) / 2
    client.close()
    local.close()
    return {"kmeans_iteration": kmeans, "som_epoch": som}


def draw_scaling(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    for ax, key, title in ((axes[0], "kmeans_iteration", "k-means: one iteration (16 clusters)"),
                           (axes[1], "som_epoch", "batch SOM: one epoch (10 x 10)")):
        for n_workers, style in ((1, "o-"), (2, "s-")):
            rows = sorted(r for w, r in results if w == n_workers)
            ax.plot(rows, [results[(n_workers, r)][key] for r in rows], style,
                    label=f"{n_workers} worker{'s' * (n_workers > 1)}")
        ax.set(xscale="log", yscale="log", xlabel="rows (64 float32 features)",
               ylabel="seconds", title=title)
        measured = sorted({r for _, r in results})
        ax.set_xticks(measured, [f"{r / 1e6:g} M" for r in measured])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.grid(True, alpha=0.3, which="both")
        ax.legend()
    fig.suptitle("neuroclust on a LocalCluster of single-threaded workers")
    fig.savefig(path, dpi=110)


# ---------------------------------------------------------------- main
def table(rows):
    lines = ["| contender | s per iteration (median, range) | inertia | iterations |",
             "|---|---|---|---|"]
    for name, runs in rows.items():
        times = sorted(run["per_iteration"] for run in runs)
        lines.append(f"| {name} | {np.median(times):.3f} ({times[0]:.3f}-{times[-1]:.3f}) | "
                     f"{runs[0]['inertia']:.6g} | {runs[0]['n_iter']} |")
    return "\n".join(lines)


def main(quick=False, only_kmeans=False):
    scale = 0.05 if quick else 1.0
    n_rows = int(N_ROWS * scale)
    print(f"1. k-means, {n_rows:,} x {N_FEATURES} float32, {N_CLUSTERS} clusters, "
          "LocalCluster 2 x 1 thread")
    rows = against_dask_ml(n_rows, 1 if quick else PAIRS)
    print(table(rows))
    ours = np.median([run["per_iteration"] for run in rows["neuroclust"]])
    theirs = np.median([run["per_iteration"] for run in rows["dask-ml"]])
    here = np.median([run["per_iteration"] for run in rows["in-memory"]])
    inertia_gap = abs(rows["neuroclust"][0]["inertia"] / rows["dask-ml"][0]["inertia"] - 1)
    print(f"neuroclust on Dask is {theirs / ours:.2f}x dask-ml's speed per iteration; the "
          f"in-memory fit is {ours / here:.2f}x faster than the Dask one; inertia differs by "
          f"{inertia_gap:.1e} relative")
    if only_kmeans:
        return

    gigabytes = OUT_OF_CORE_GB * scale
    n_big = int(gigabytes * 2**30 / (4 * N_FEATURES))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "rows.npy")
        write_npy(path, n_big)
        print(f"\n2. out of core: {n_big:,} rows, {os.path.getsize(path) / 2**30:.1f} GiB on "
              f"disk, workers limited to {WORKER_MEMORY} each")
        big = in_fresh_process("--out-of-core", path)
    reference = in_fresh_process("--in-memory", int(N_ROWS * scale))
    print(json.dumps(big), "\n", json.dumps(reference))
    for key in ("kmeans_per_iteration", "som_epoch"):
        per_row_big = big[key] / big["rows"] * 1e9
        per_row_here = reference[key] / reference["rows"] * 1e9
        print(f"{key}: {per_row_big:.1f} ns per row out of core, {per_row_here:.1f} in memory "
              f"({per_row_big / per_row_here:.2f}x)")

    print("\n3. scaling")
    results = {}
    for n_workers in (1, 2):
        for factor in (1, 4, 16):
            n = int(SCALING_BASE * factor * scale)
            results[(n_workers, n)] = in_fresh_process("--scaling", n_workers, n)
            print(f"{n_workers} worker(s), {n:,} rows: {results[(n_workers, n)]}")
    with open(os.path.join(_common.BENCH_DIR, "distributed_scaling.json"), "w") as out:
        json.dump([[w, r, v] for (w, r), v in results.items()], out)
    draw_scaling(results, os.path.join(_common.BENCH_DIR, "distributed_scaling.png"))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--kmeans"]:
        print(json.dumps(kmeans_worker(sys.argv[2], int(sys.argv[3]))))
    elif sys.argv[1:2] == ["--out-of-core"]:
        print(json.dumps(out_of_core_worker(sys.argv[2])))
    elif sys.argv[1:2] == ["--in-memory"]:
        print(json.dumps(in_memory_reference(int(sys.argv[2]))))
    elif sys.argv[1:2] == ["--scaling"]:
        print(json.dumps(scaling_worker(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        main(quick="--quick" in sys.argv, only_kmeans="--kmeans-only" in sys.argv)
