"""One epoch of the batch self-organizing map against somoclu, XPySom and MiniSom.

70,000 x 784 float32 samples uniform in [0, 1) (MNIST-like pixels), a 30x30 map, the same
initial prototypes and the same gaussian neighbourhood for every contender, one epoch of
Kohonen's batch map (each prototype becomes the neighbourhood-weighted mean of the samples):

- somoclu 1.7.6, its dense CPU kernel (``kerneltype=0``, OpenMP), ``epochs=1`` with
  exponential cooling (its default linear cooling divides by epochs - 1 and gives NaN);
- XPySom 1.0.7 on the CPU (``xp=numpy``), ``train(data, 1)``;
- MiniSom 2.3.6 ``train_batch_offline`` for one iteration (a Python loop over the samples).

A peer too slow for the whole set (somoclu, MiniSom) runs on its first rows only, and
neuroclust is timed on exactly the same rows in that row: each ratio compares the same work.
Every row also checks that the two maps agree (from the same start, one batch epoch is a
deterministic function of the data). Target: neuroclust faster than each. This compares
equal work (the kernels), so neuroclust runs with ``record_history=False`` from the peers'
start: extra rows, named as such. The call a user makes, with the defaults, is timed against
XPySom in ``bench_defaults.py``.

Run: ``python benchmarks/bench_som_batch.py``
"""
import _common  # first: sets the thread counts before NumPy loads

import numpy as np

N_SAMPLES, N_FEATURES, SHAPE = 70_000, 784, (30, 30)
SIGMA = 7.5  # the gaussian's standard deviation in grid units, for every contender
SUBSETS = {"somoclu": 10_000, "MiniSom": 2_000}  # rows those peers run on (see the notes)
WEIGHTS_ATOL = 1e-3  # max |difference| between two maps of the same epoch (float32 sums)


def make_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((N_SAMPLES, N_FEATURES), dtype=np.float32)
    init = X[rng.choice(N_SAMPLES, SHAPE[0] * SHAPE[1], replace=False)].copy()
    return X, init


def _version(name):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def ours_fit(X, init):
    import neuroclust

    return neuroclust.SOM(shape=SHAPE, topology="rectangular", neighbourhood="gaussian",
                          sigma=SIGMA, mode="batch", epochs=1, init=init, record_history=False,
                          random_state=0, backend="cython").fit(X)


def somoclu_fit(X, init):
    import somoclu

    # std_coeff * radius0 = SIGMA; no compact support, so the gaussian is not cut off.
    som = somoclu.Somoclu(SHAPE[1], SHAPE[0], initialcodebook=init.copy(), kerneltype=0,
                          maptype="planar", gridtype="rectangular", compactsupport=False,
                          neighborhood="gaussian", std_coeff=0.5)
    som.train(X, epochs=1, radius0=2 * SIGMA, radiusN=1, radiuscooling="exponential",
              scale0=0.1, scaleN=0.01, scalecooling="exponential")
    return som.codebook.reshape(-1, N_FEATURES)


def xpysom_model(init):
    import xpysom

    # its gaussian is exp(-d^2 / (2 (std_coeff * sigma)^2)); in epoch 0 of 1 sigma is sigma0
    som = xpysom.XPySom(SHAPE[0], SHAPE[1], N_FEATURES, sigma=2 * SIGMA, sigmaN=1,
                        learning_rate=0.5, learning_rateN=0.01, decay_function="exponential",
                        neighborhood_function="gaussian", std_coeff=0.5,
                        topology="rectangular", activation_distance="euclidean",
                        random_seed=0, xp=np)
    som._weights = init.reshape(SHAPE[0], SHAPE[1], N_FEATURES).copy()
    return som


def minisom_model(init):
    from minisom import MiniSom

    # learning_rate=1: the epoch replaces each prototype by the batch mean, as the others do
    som = MiniSom(SHAPE[0], SHAPE[1], N_FEATURES, sigma=SIGMA, learning_rate=1.0,
                  neighborhood_function="gaussian", topology="rectangular",
                  activation_distance="euclidean", random_seed=0)
    som._weights = init.reshape(SHAPE[0], SHAPE[1], N_FEATURES).astype(np.float64)
    return som


def import_peers():
    """Import each peer; return (peer name -> None or the reason it is skipped)."""
    import contextlib
    import io

    reasons = {}
    for name, module in (("somoclu", "somoclu"), ("XPySom", "xpysom"), ("MiniSom", "minisom")):
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # XPySom, somoclu print warnings
                __import__(module)
            reasons[name] = None
        except Exception as error:  # not installed, or (somoclu) built without its library
            reasons[name] = f"{name} skipped: import failed ({type(error).__name__}: {error})"
    if reasons["somoclu"] is None:
        import importlib

        if not hasattr(importlib.import_module("somoclu.train"), "wrap_train"):
            reasons["somoclu"] = ("somoclu skipped: installed without its compiled library "
                                  "(install it with CUDAHOME pointing nowhere, see benchmarks/README.md)")
    return reasons


def run(pairs=3):
    X, init = make_data()
    reasons = import_peers()
    rows, notes = [], []
    full_ours = None  # neuroclust's median on all rows (from the XPySom row)
    threads_peer = {
        "somoclu": "OMP_NUM_THREADS=2 (its OpenMP loops), OPENBLAS_NUM_THREADS=2",
        "XPySom": _common.THREADS_LABEL + " (NumPy matrix products)",
        "MiniSom": _common.THREADS_LABEL + " (a Python loop of NumPy calls: one core)",
    }
    labels = {
        "somoclu": f"somoclu {_version('somoclu')} `train(epochs=1)`, dense CPU kernel",
        "XPySom": f"XPySom {_version('xpysom')} `train(X, 1)`, `xp=numpy`",
        "MiniSom": f"MiniSom {_version('minisom')} `train_batch_offline(X, 1)` (float64)",
    }
    for peer in ("XPySom", "somoclu", "MiniSom"):
        n = SUBSETS.get(peer, N_SAMPLES)
        benchmark = (f"SOM batch, one epoch, float32, {n:,} x {N_FEATURES}, {SHAPE[0]}x{SHAPE[1]} "
                     "map" + (f" (first {n:,} of the {N_SAMPLES:,} rows)" if n < N_SAMPLES else "")
                     + ", equal work: the same start, history off (extra row; the defaults "
                     "are timed in bench_defaults.py)")
        ours_label = "`SOM(mode='batch', epochs=1, record_history=False)`"
        if reasons[peer]:
            rows.append(_common.skipped_row(benchmark, ours_label, labels[peer],
                                            "faster", reasons[peer]))
            notes.append(reasons[peer])
            continue
        Xn = X[:n]
        Xn64 = Xn.astype(np.float64) if peer == "MiniSom" else None
        result = {}

        def ours(Xn=Xn, result=result):
            result["ours"] = ours_fit(Xn, init).cluster_centers_

        if peer == "somoclu":
            def theirs(Xn=Xn, result=result):
                result["theirs"] = somoclu_fit(Xn, init)
        elif peer == "XPySom":
            def theirs(Xn=Xn, result=result):
                som = xpysom_model(init)
                start = _common.time.perf_counter()
                som.train(Xn, 1)
                elapsed = _common.time.perf_counter() - start
                result["theirs"] = som._weights.reshape(-1, N_FEATURES)
                return elapsed
        else:
            def theirs(Xn64=Xn64, result=result):
                som = minisom_model(init)
                start = _common.time.perf_counter()
                som.train_batch_offline(Xn64, 1)
                elapsed = _common.time.perf_counter() - start
                result["theirs"] = som.get_weights().reshape(-1, N_FEATURES)
                return elapsed

        # warm-up on a few rows (caches, thread pools, imports), then alternate on the rows
        warm_rows = Xn[:500]
        if peer == "MiniSom":
            minisom_model(init).train_batch_offline(warm_rows.astype(np.float64), 1)
        elif peer == "somoclu":
            somoclu_fit(warm_rows, init)
        else:
            xpysom_model(init).train(warm_rows, 1)
        ours_fit(warm_rows, init)
        ours_times, theirs_times = _common.alternate(ours, theirs, pairs=pairs, warmup=0)
        difference = float(np.abs(np.asarray(result["ours"], dtype=np.float64)
                                  - np.asarray(result["theirs"], dtype=np.float64)).max())
        finite = bool(np.isfinite(result["theirs"]).all())
        speedup = _common.median(theirs_times) / _common.median(ours_times)
        if n == N_SAMPLES:
            full_ours = _common.median(ours_times)
        check = (f"same map: max abs difference of the prototypes {difference:.1e} "
                 f"(prototypes in [0, 1]){'' if finite else '; **peer weights not finite**'}")
        if n < N_SAMPLES:
            check += (f"; {peer} scaled to all {N_SAMPLES:,} rows: "
                      f"{_common.fmt_time(_common.median(theirs_times) * N_SAMPLES / n)}"
                      + (f" (neuroclust on all rows: {_common.fmt_time(full_ours)}, first row)"
                         if full_ours else ""))
        rows.append(_common.make_row(
            benchmark, ours_label, labels[peer], ours_times, theirs_times, speedup=True,
            target="faster", met=speedup > 1 and finite and difference <= WEIGHTS_ATOL,
            check=check, threads=threads_peer[peer]))

    notes[:0] = [
        f"SOM batch: X uniform in [0, 1), float32; the same {SHAPE[0] * SHAPE[1]} initial "
        "prototypes (distinct random samples) for every contender; one epoch of Kohonen's batch "
        "map w_j = sum_i h(j, c_i) x_i / sum_i h(j, c_i) with a gaussian "
        f"h = exp(-d^2 / (2 * {SIGMA}^2)) on the grid, not cut off (somoclu: radius0 = "
        f"{2 * SIGMA:g} with std_coeff 0.5 and compactsupport=False; XPySom: sigma = "
        f"{2 * SIGMA:g} with std_coeff 0.5; MiniSom: sigma = {SIGMA:g} and learning_rate = 1, "
        "so its blend (1 - lr) w + lr * mean is the mean). With one epoch every schedule is at "
        "its starting value (somoclu's exponential cooling at epoch 0 is radius0). The "
        "'same map' check compares the prototypes after the epoch: equal up to float32 "
        "summation order and near-tie winners.",
        "SOM batch, what each timed call includes: neuroclust's whole `fit` with "
        "`record_history=False` (input checks, the epoch: one BMU search with per-unit sums, the "
        "neighbourhood matrix, two small matrix products; then the final labelling pass "
        "`labels_`, a second BMU search); somoclu's `train` (the epoch, then a second BMU "
        "pass for its `bmus` and a U-matrix); XPySom's `train` (the epoch only: one BMU "
        "search in chunks of 1,000 rows and the accumulation; model built and weights set "
        "outside the timer); MiniSom's `train_batch_offline` (one Python iteration per "
        "sample: winner, neighbourhood and a (30, 30, 784) accumulation), its float64 copy "
        "of the data made outside the timer.",
        f"SOM batch, subsets: somoclu's dense CPU kernel finds each winner with a scalar loop "
        f"and accumulates every unit against every sample (about a minute for the whole set "
        f"here), MiniSom loops over the samples in Python (minutes). Both costs are linear "
        f"in the number of rows, so they run on the first "
        f"{SUBSETS['somoclu']:,} and {SUBSETS['MiniSom']:,} rows, neuroclust is timed on "
        f"the same rows in the same row of the table (its fixed costs weigh more on fewer "
        f"rows, which favours the peer), and the check column also gives the peer's time "
        f"scaled to all 70,000 rows. XPySom runs on all {N_SAMPLES:,} rows.",
        f"SOM batch: {pairs} alternating pairs per peer after a warm-up of both contenders on "
        "500 rows; medians. XPySom prints 'CuPy could not be imported' on import where CuPy "
        "is absent and then runs on NumPy (`xp=numpy` is passed explicitly anyway).",
    ]
    return {"rows": rows, "notes": notes}


if __name__ == "__main__":
    _common.print_report("Batch SOM vs somoclu, XPySom and MiniSom", run())
