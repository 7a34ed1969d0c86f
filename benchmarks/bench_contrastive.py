"""Contrastive clustering: quality against k-means and an autoencoder, speed against PyTorch.

(a) Quality. On the digits (8 x 8, 1797 samples, pixels / 16) and on two labelled UCR time
series sets that aeon ships inside its wheel (GunPoint, 200 x 150; ItalyPowerDemand,
1096 x 24; train and test splits joined), for 5 seeds: ``ContrastiveClustering`` + k-means,
k-means on the raw data, and an autoencoder + k-means (``LatentClustering``); ACC (Hungarian
matching), NMI and ARI, mean and spread (population standard deviation) over the seeds. Every
setting is fixed without labels, before any score is seen:

- the networks: ``ContrastiveClustering``'s defaults (encoder 256-128 to a 64-wide
  representation, SimCLR's head to 32, tau = 0.5, Adam 1e-3); the autoencoder has the same
  hidden widths and a 10-wide code (the default of the library's autoencoder);
- the training budget: about 700 optimizer steps for every network on every set (batch 256,
  or a quarter of the set when that is smaller; epochs = ceil(700 / batches per epoch));
- the augmentations, by the kind of data alone: images, a shift of up to one pixel and noise
  0.1 (the pixels lie in [0, 1]); time series, Um et al.'s jitter (0.03), scaling (0.1) and a
  crop to at least 80 % of the length resized back;
- k-means everywhere with 10 seedings.

(b) Speed. One NT-Xent epoch of the estimator's network (encoder 784-256-128-64, head
64-64-32, ReLU, float32), two Gaussian-noise views per batch, forward, backward and an Adam
step per batch of 256, on 20,000 x 784 uniform [0, 1) samples, against the same model and
views in PyTorch on the CPU; each epoch in its own fresh process (imports, data and model
construction not timed: neuroclust's compiled kernels are loaded first, as importing
PyTorch loads its own), the two alternating; median and range of the pair ratios. Threads:
OMP_NUM_THREADS=2, OPENBLAS_NUM_THREADS=2, ``torch.set_num_threads(2)``. Target (issue 14):
within 1.25x of PyTorch's time.

Run: ``python benchmarks/bench_contrastive.py [pairs]`` (a few minutes on two cores).
PyTorch and aeon are benchmark-only dependencies (``pip install aeon``: the time-series
rows are skipped, with the reason, without it).
"""
import _common  # first: sets the thread counts before NumPy loads

import json
import math
import os
import subprocess
import sys
import time

import numpy as np

SEEDS = range(5)
STEPS = 700
PAIRS = 7
SPEED = dict(samples=20_000, features=784, hidden=(256, 128), latent=64, projection=32,
             batch=256, noise=0.1)


# ----------------------------------------------------------------------- (a) quality
def _datasets():
    """name -> (X, y, kind); the time series sets only where aeon imports."""
    from neuroclust import datasets

    X, y = datasets.load_digits()
    sets = {"digits": ((X / 16).astype(np.float64), y, "image")}
    try:
        from aeon.datasets import load_gunpoint, load_italy_power_demand
    except ImportError as error:
        return sets, f"aeon not importable ({error}): the time-series rows are skipped"
    for name, load in (("GunPoint", load_gunpoint), ("ItalyPowerDemand",
                                                     load_italy_power_demand)):
        X, y = load()
        sets[name] = (np.asarray(X, dtype=np.float64)[:, 0, :],
                      np.unique(y, return_inverse=True)[1], "series")
    return sets, None


def _budget(n):
    batch = min(256, max(16, n // 4))
    return batch, math.ceil(STEPS / math.ceil(n / batch))


def _augmentation(kind):
    from neuroclust import augment

    if kind == "image":
        return augment.Compose([augment.ImageShift(1, shape=(8, 8)), augment.GaussianNoise(0.1)])
    return augment.Compose([augment.Jitter(0.03), augment.Scaling(0.1),
                            augment.CropResize(0.8)])


def _scores(y, labels):
    from neuroclust import metrics

    return (metrics.clustering_accuracy(y, labels),
            metrics.normalized_mutual_info_score(y, labels),
            metrics.adjusted_rand_score(y, labels))


def quality():
    from neuroclust import (Autoencoder, ContrastiveClustering, KMeans, LatentClustering)

    sets, skipped = _datasets()
    lines = ["| Data | Method | ACC | NMI | ARI | fit time (median) |", "|---|---|---|---|---|---|"]
    results = {}
    for name, (X, y, kind) in sets.items():
        k = len(np.unique(y))
        batch, epochs = _budget(len(X))
        methods = {
            "k-means on raw data": lambda seed: KMeans(k, n_init=10, random_state=seed),
            "autoencoder + k-means": lambda seed: LatentClustering(
                Autoencoder(hidden=(256, 128), latent_dim=10, epochs=epochs, batch_size=batch,
                            random_state=seed), n_clusters=k, random_state=seed),
            "contrastive + k-means": lambda seed: ContrastiveClustering(
                n_clusters=k, augment=_augmentation(kind), epochs=epochs, batch_size=batch,
                random_state=seed),
        }
        for method, make in methods.items():
            rows, times = [], []
            for seed in SEEDS:
                start = time.perf_counter()
                labels = make(seed).fit_predict(X)
                times.append(time.perf_counter() - start)
                rows.append(_scores(y, np.asarray(labels)))
            rows = np.array(rows)
            results[(name, method)] = rows
            cells = " | ".join(f"{rows[:, j].mean():.3f} ± {rows[:, j].std():.3f}"
                               for j in range(3))
            lines.append(f"| {name} ({X.shape[0]} x {X.shape[1]}, k = {k}, batch {batch}, "
                         f"{epochs} epochs) | {method} | {cells} | "
                         f"{_common.fmt_time(_common.median(times))} |")
            print(lines[-1], flush=True)
    notes = [] if skipped is None else [skipped]
    return lines, notes, results


# ----------------------------------------------------------------------- (b) speed
def _speed_data():
    return np.random.default_rng(0).random((SPEED["samples"], SPEED["features"]),
                                           dtype=np.float32)


def _neuroclust_epoch(X):
    """One epoch of nn.train on the network ContrastiveClustering builds (its own _build),
    with two noisy views per batch; returns (seconds, mean loss)."""
    from neuroclust import ContrastiveClustering, augment, nn

    model = ContrastiveClustering(hidden=SPEED["hidden"], latent_dim=SPEED["latent"],
                                  projection_dim=SPEED["projection"])
    rng = np.random.default_rng(0)
    encoder, head = model._build(X.shape[1], rng, np.float32)
    network = nn.Sequential(encoder.layers + head.layers)
    noise = augment.GaussianNoise(SPEED["noise"])

    def two_views(batch):   # as ContrastiveClustering draws them
        return noise(np.concatenate([batch, batch]), rng)

    start = time.perf_counter()
    history = nn.train(network, nn.NTXentLoss(0.5), nn.Adam(1e-3), X, epochs=1,
                       batch_size=SPEED["batch"], random_state=0, batch_transform=two_views)
    return time.perf_counter() - start, history["loss"][0]


def _torch_epoch(X):
    import torch

    torch.set_num_threads(_common.THREADS)
    torch.manual_seed(0)
    widths = [X.shape[1], *SPEED["hidden"]]
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    latent = SPEED["latent"]
    network = torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], latent),
                                  torch.nn.Linear(latent, latent), torch.nn.ReLU(),
                                  torch.nn.Linear(latent, SPEED["projection"]))
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    F = torch.nn.functional
    X = torch.from_numpy(X)
    start = time.perf_counter()
    order = torch.randperm(len(X), generator=generator)
    total = 0.0
    for first in range(0, len(X), SPEED["batch"]):
        xb = X[order[first:first + SPEED["batch"]]]
        views = torch.cat([xb + SPEED["noise"] * torch.randn(xb.shape, generator=generator),
                           xb + SPEED["noise"] * torch.randn(xb.shape, generator=generator)])
        optimizer.zero_grad(set_to_none=True)
        Z = F.normalize(network(views), dim=1)
        n = len(xb)
        S = (Z @ Z.T / 0.5).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
        targets = torch.cat([torch.arange(n) + n, torch.arange(n)])
        loss = F.cross_entropy(S, targets)
        loss.backward()
        optimizer.step()
        total += float(loss.detach()) * n
    return time.perf_counter() - start, total / len(X)


def _worker(which):
    """In a fresh process: import, make the data, time one epoch; print JSON."""
    if which == "torch":
        import torch  # noqa: F401
    else:
        # neuroclust loads its compiled kernels (and SciPy's BLAS, which they call) at their
        # first use; load them here, as importing PyTorch loads its own, so that neither
        # side's imports are timed
        from neuroclust.backend import available_backends
        available_backends()
    X = _speed_data()
    seconds, loss = (_torch_epoch if which == "torch" else _neuroclust_epoch)(X)
    print(json.dumps({"seconds": seconds, "loss": loss}))


def _run(which):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", which],
                         capture_output=True, text=True, timeout=1800, check=True,
                         cwd=_common.BENCH_DIR)
    return json.loads(out.stdout.strip().splitlines()[-1])


def speed(pairs=PAIRS):
    title = ("One NT-Xent epoch, 784-256-128-64 encoder + 64-64-32 head (ReLU, float32, two "
             "noisy views, Adam, batch 256), 20,000 x 784 uniform [0, 1), each epoch in a "
             "fresh process")
    try:
        import torch
        torch_version = torch.__version__
    except ImportError as error:
        return _common.skipped_row(title, "ContrastiveClustering's network", "PyTorch (CPU)",
                                   "<= 1.25x PyTorch", f"PyTorch not importable ({error})")
    monitor = _common.LoadMonitor()
    ours, theirs = [], []
    for _ in range(pairs):
        ours.append(_run("neuroclust"))
        theirs.append(_run("torch"))
        print(f"  neuroclust {ours[-1]['seconds']:.2f} s, PyTorch {theirs[-1]['seconds']:.2f} s",
              file=sys.stderr, flush=True)
    ours_t = [r["seconds"] for r in ours]
    theirs_t = [r["seconds"] for r in theirs]
    ratio = _common.median(ours_t) / _common.median(theirs_t)
    others = monitor.others_share()
    check = (f"epoch losses: neuroclust {ours[0]['loss']:.3f}, PyTorch {theirs[0]['loss']:.3f}"
             f" (same model, different draws); ranges: neuroclust {min(ours_t):.2f}-"
             f"{max(ours_t):.2f} s, PyTorch {min(theirs_t):.2f}-{max(theirs_t):.2f} s"
             + ("" if others is None else f"; other processes used {others:.0%} of the cores"))
    return _common.make_row(
        title, "`nn.train` on `ContrastiveClustering`'s network, `nn.NTXentLoss(0.5)`",
        f"PyTorch {torch_version} CPU, same model, `torch.set_num_threads(2)`",
        ours_t, theirs_t, speedup=False, target="<= 1.25x PyTorch's time", met=ratio <= 1.25,
        check=check, threads=_common.THREADS_LABEL + ", torch.set_num_threads(2)")


def run(pairs=PAIRS):
    """run_all.py's entry: the speed row, and the quality table as notes."""
    lines, notes, _ = quality()
    row = speed(pairs)
    return {"rows": [row], "notes": notes + ["Contrastive clustering quality (5 seeds, mean ± "
                                             "std):\n\n" + "\n".join(lines) + "\n"]}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _worker(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "--quality":
        print("\n".join(quality()[0]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--speed":
        print(_common.markdown_table([speed(int(sys.argv[2]) if len(sys.argv) > 2 else PAIRS)]))
    else:
        _common.print_report("Contrastive clustering",
                             run(int(sys.argv[1]) if len(sys.argv) > 1 else PAIRS))
