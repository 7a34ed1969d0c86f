"""DEC: the speed of one epoch of the clustering phase, against the same model in PyTorch.

One epoch of DEC's clustering phase on 70,000 x 784 float32 (uniform [0, 1): the speed does
not depend on the values): the 784-500-500-2000-10 ReLU encoder of the papers with the
clustering layer (10 centres, alpha = 1) on top, KL(P || Q), SGD with learning rate 0.01 and
momentum 0.9 (the DEC authors' code), batch 256, the target P recomputed from all the samples
every 140 steps (their ``update_interval`` on MNIST), ``tol=0`` so that no run stops early.
PyTorch runs the identical model and schedule on the CPU (``torch.set_num_threads(2)``).
Epochs alternate inside one DEC ``fit`` (a callback runs a PyTorch epoch after each
neuroclust epoch); the first epoch of each is a warm-up. Peak memory of both is measured in
fresh subprocesses. Target (issue 13): within 1.25x of PyTorch's time.

Run: ``python benchmarks/bench_dec.py`` (a few minutes on two cores); PyTorch is a
benchmark-only dependency (``pip install torch==2.13.0``).
"""
import _common  # first: sets the thread counts before NumPy loads

import json
import os
import subprocess
import sys
import time

import numpy as np

HIDDEN, LATENT, K = (500, 500, 2000), 10, 10
SAMPLES, FEATURES, BATCH = 70_000, 784, 256
UPDATE_INTERVAL, LEARNING_RATE, MOMENTUM = 140, 0.01, 0.9
PAIRS = int(os.environ.get("DEC_BENCH_PAIRS", 5))   # timed epochs of each, after a warm-up
CHUNK = 2048                   # rows per block when PyTorch refreshes the target (as DEC)
MEMORY_SAMPLES = 4 * CHUNK     # the memory subprocesses train one epoch on this many rows
MEMORY_INTERVAL = 32


def _data(n=SAMPLES):
    return np.random.default_rng(0).random((n, FEATURES), dtype=np.float32)


def _pretrained(X):
    """A fitted autoencoder of the papers' shape (one epoch on a few rows: only its shape and
    weights matter for the speed of the clustering phase)."""
    import neuroclust

    return neuroclust.Autoencoder(hidden=HIDDEN, latent_dim=LATENT, epochs=1,
                                  batch_size=BATCH, dtype="float32",
                                  random_state=0).fit(X[:4 * BATCH])


def _dec(autoencoder, epochs, steps_per_epoch, callbacks=None, interval=UPDATE_INTERVAL):
    import neuroclust

    return neuroclust.DEC(autoencoder, n_clusters=K, update_interval=interval, tol=0.0,
                          max_iter=epochs * steps_per_epoch, batch_size=BATCH,
                          optimizer="sgd", learning_rate=LEARNING_RATE, momentum=MOMENTUM,
                          random_state=0, callbacks=callbacks)


class _TorchDEC:
    """The same model in PyTorch: Linear+ReLU encoder to a linear code, Student's t soft
    assignments to 10 learned centres, KL(P || Q) with P refreshed every 140 steps."""

    def __init__(self, X, seed=0, interval=UPDATE_INTERVAL, encoder=None):
        import torch

        torch.set_num_threads(_common.THREADS)
        torch.manual_seed(seed)
        widths = [FEATURES, *HIDDEN, LATENT]
        layers = []
        for i, (a, b) in enumerate(zip(widths, widths[1:])):
            layers.append(torch.nn.Linear(a, b))
            if i < len(widths) - 2:
                layers.append(torch.nn.ReLU())
        self.torch, self.X, self.interval = torch, X, interval
        self.encoder = torch.nn.Sequential(*layers)
        if encoder is not None:   # start from neuroclust's pretrained encoder, weight for weight
            dense = [layer for layer in encoder.layers if "W" in layer.params]
            linear = [layer for layer in layers if isinstance(layer, torch.nn.Linear)]
            with torch.no_grad():
                for ours, theirs in zip(dense, linear, strict=True):
                    theirs.weight.copy_(torch.from_numpy(ours.params["W"].T.copy()))
                    theirs.bias.copy_(torch.from_numpy(ours.params["b"].reshape(-1).copy()))
        with torch.no_grad():   # the centres start as DEC's do: k-means on the codes
            codes = torch.cat([self.encoder(X[s:s + CHUNK]) for s in range(0, len(X), CHUNK)])
        import neuroclust

        start = neuroclust.KMeans(n_clusters=K, n_init=1, random_state=seed).fit(codes.numpy())
        self.centres = torch.nn.Parameter(torch.from_numpy(start.cluster_centers_))
        self.optimizer = torch.optim.SGD([*self.encoder.parameters(), self.centres],
                                         lr=LEARNING_RATE, momentum=MOMENTUM)
        self.generator = torch.Generator().manual_seed(seed)
        self.step = 0
        self.refresh()

    def q(self, rows):
        d = ((self.encoder(rows)[:, None, :] - self.centres[None]) ** 2).sum(dim=2)
        k = 1 / (1 + d)                                  # alpha = 1: exponent (1 + 1) / 2
        return k / k.sum(dim=1, keepdim=True)

    def refresh(self):
        torch = self.torch
        with torch.no_grad():
            Q = torch.cat([self.q(self.X[s:s + CHUNK]) for s in range(0, len(self.X), CHUNK)])
            weight = Q ** 2 / Q.sum(dim=0)
            self.P = weight / weight.sum(dim=1, keepdim=True)
            self.labels = Q.argmax(dim=1)

    def epoch(self):
        torch = self.torch
        n = self.X.shape[0]
        order = torch.randperm(n, generator=self.generator)
        total = 0.0
        for start in range(0, n, BATCH):
            rows = order[start:start + BATCH]
            self.optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.kl_div(self.q(self.X[rows]).log(), self.P[rows],
                                              reduction="batchmean")
            loss.backward()
            self.optimizer.step()
            total += float(loss.detach()) * len(rows)
            self.step += 1
            if self.step % self.interval == 0:
                self.refresh()
        return total / n


def _torch_status():
    try:
        import torch
    except ImportError as error:
        return None, f"PyTorch not importable ({error}); `pip install torch==2.13.0`"
    return torch.__version__, None


def _memory_worker(which):
    """In a fresh process: X in memory (and, for neuroclust, its fitted autoencoder), then
    one epoch of the clustering phase on MEMORY_SAMPLES rows; print JSON."""
    X = _data(MEMORY_SAMPLES)
    steps = -(-MEMORY_SAMPLES // BATCH)
    if which == "neuroclust":
        model = _dec(_pretrained(X), 1, steps, interval=MEMORY_INTERVAL)
    else:
        import torch

        X_torch = torch.from_numpy(X)
    with open("/proc/self/clear_refs", "w") as handle:   # reset the peak-RSS mark (Linux)
        handle.write("5")
    with open("/proc/self/status") as handle:
        base = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS"))
    if which == "neuroclust":
        model.fit(X)
    else:
        _TorchDEC(X_torch, interval=MEMORY_INTERVAL).epoch()
    with open("/proc/self/status") as handle:
        peak = next(int(line.split()[1]) for line in handle if line.startswith("VmHWM"))
    print(json.dumps({"maxrss_delta_mb": (peak - base) / 1024}))


def _memory(which):
    try:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory", which],
                             capture_output=True, text=True, timeout=600, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except Exception as error:  # report, do not fail the row
        return {"error": f"{type(error).__name__}: {error}"}


def run(pairs=PAIRS):
    """One table row: neuroclust's DEC epoch time against PyTorch's, and both peak memories."""
    title = "One DEC epoch (clustering phase)"
    torch_version, why = _torch_status()
    if torch_version is None:
        return {"rows": [_common.skipped_row(title, "DEC", "PyTorch (CPU)",
                                             "<= 1.25x PyTorch", why)], "notes": []}
    import torch

    monitor = _common.LoadMonitor()
    X = _data()
    steps_per_epoch = -(-SAMPLES // BATCH)
    ours_t, theirs_t, torch_losses = [], [], []
    marks = {"end": None}
    pretrained = _pretrained(X)
    peer = _TorchDEC(torch.from_numpy(X), encoder=pretrained.encoder_)

    def after_epoch(_model, _epoch):
        ours_t.append(time.perf_counter() - marks["end"])
        start = time.perf_counter()
        torch_losses.append(peer.epoch())
        theirs_t.append(time.perf_counter() - start)
        print(f"  neuroclust {ours_t[-1]:.2f} s, PyTorch {theirs_t[-1]:.2f} s",
              file=sys.stderr, flush=True)
        marks["end"] = time.perf_counter()

    model = _dec(pretrained, 1 + pairs, steps_per_epoch, callbacks=[after_epoch])
    marks["end"] = time.perf_counter()   # the first (dropped) epoch also holds the k-means start
    model.fit(X)
    ours_t, theirs_t = ours_t[1:], theirs_t[1:]              # drop the warm-up epochs
    others = monitor.others_share()
    mem_ours, mem_theirs = _memory("neuroclust"), _memory("torch")

    def fmt(mem):
        return (f"not measured ({mem['error']})" if "error" in mem
                else f"+{mem['maxrss_delta_mb']:.0f} MiB")

    ratio = _common.median(ours_t) / _common.median(theirs_t)
    check = (f"peak RSS growth of one epoch on {MEMORY_SAMPLES:,} rows (update_interval "
             f"{MEMORY_INTERVAL}, fresh processes): neuroclust {fmt(mem_ours)}, PyTorch "
             f"{fmt(mem_theirs)}; epoch losses: neuroclust "
             f"{', '.join(f'{v:.4f}' for v in model.history_['loss'][1:])}; PyTorch "
             f"{', '.join(f'{v:.4f}' for v in torch_losses[1:])}"
             + ("" if others is None else f"; other processes used {others:.0%} of the cores"))
    row = _common.make_row(
        f"{title}: 784-500-500-2000-10 ReLU encoder + 10 Student-t centres, KL(P || Q), SGD "
        "(0.01, momentum 0.9), batch 256, P refreshed every 140 steps, float32, 70,000 x 784 "
        "uniform [0, 1), epochs alternating inside one fit",
        "`DEC(autoencoder, n_clusters=10, update_interval=140, optimizer=\"sgd\")`",
        f"PyTorch {torch_version} CPU, same model and schedule, `torch.set_num_threads(2)`",
        ours_t, theirs_t, speedup=False, target="<= 1.25x PyTorch's time", met=ratio <= 1.25,
        check=check, threads=_common.THREADS_LABEL + ", torch.set_num_threads(2)")
    return {"rows": [row], "notes": []}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        _memory_worker(sys.argv[2])
    else:
        _common.print_report("DEC", run(int(sys.argv[1]) if len(sys.argv) > 1 else PAIRS))
