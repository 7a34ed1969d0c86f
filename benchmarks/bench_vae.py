"""The variational autoencoder: the time and peak memory of one training epoch against PyTorch.

One epoch of a VAE with the speed row's architecture of ``bench_autoencoder.py``
(784-500-500-2000 ReLU layers, a linear layer to 2 x 10 means and log-variances, the
reparameterised 10-number code, the mirror decoder with a linear output), squared error summed
over the features plus the KL to N(0, I), averaged per sample, Adam (lr 1e-3), batch 256,
float32, on 70,000 x 784 uniform [0, 1) samples; the same model written in PyTorch on the CPU.
Each epoch runs in its own fresh process, as a user runs it (imports and X loaded first, not
timed; the network's construction and the first touch of its memory timed, as ``fit`` does
them), the two libraries alternating (neuroclust, PyTorch, neuroclust, ...); the table gives the
median, the range of the pair ratios and each process's peak memory growth over its state
after the imports and X (``VmHWM`` of /proc/self/status, reset through
``/proc/self/clear_refs``). Threads: OMP_NUM_THREADS=2, OPENBLAS_NUM_THREADS=2,
``torch.set_num_threads(2)``. Target: within 1.25x of PyTorch's time.

Run: ``python benchmarks/bench_vae.py [pairs]`` (default 5 pairs; on two idle cores an epoch
takes tens of seconds); PyTorch is a benchmark-only dependency.
"""
import _common  # first: sets the thread counts before NumPy loads

import json
import os
import subprocess
import sys
import time

import numpy as np

HIDDEN, LATENT = (500, 500, 2000), 10
N_SAMPLES, N_FEATURES, BATCH = 70_000, 784, 256
PAIRS = 5


def _data():
    return np.random.default_rng(0).random((N_SAMPLES, N_FEATURES), dtype=np.float32)


def _reset_peak():
    """Reset the peak-RSS mark; return the current RSS in KiB (None without /proc)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return _status("VmRSS")
    except OSError:
        return None


def _status(field):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field))


def _neuroclust_epoch(X):
    import neuroclust

    model = neuroclust.VariationalAutoencoder(
        hidden=HIDDEN, latent_dim=LATENT, beta=1.0, activation="relu", output_activation=None,
        loss="mse", optimizer="adam", learning_rate=1e-3, epochs=1, batch_size=BATCH,
        dtype="float32", random_state=0)
    model.fit(X)
    return model.history_["loss"][0]


def _torch_epoch(X):
    import torch

    torch.set_num_threads(_common.THREADS)
    torch.manual_seed(0)

    def stack(widths, last_out):
        layers = []
        for a, b in zip(widths, widths[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        return torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], last_out))

    encoder = stack([N_FEATURES, *HIDDEN], 2 * LATENT)
    decoder = stack([LATENT, *HIDDEN[::-1]], N_FEATURES)
    optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    X = torch.from_numpy(X)
    order = torch.randperm(len(X), generator=generator)
    total = 0.0
    for start in range(0, len(X), BATCH):
        xb = X[order[start:start + BATCH]]
        optimizer.zero_grad(set_to_none=True)
        mu, log_var = encoder(xb).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * log_var) * torch.randn(mu.shape, generator=generator)
        reconstruction = ((decoder(z) - xb) ** 2).sum(dim=1).mean()
        kl = 0.5 * (mu ** 2 + log_var.exp() - 1 - log_var).sum(dim=1).mean()
        loss = reconstruction + kl
        loss.backward()
        optimizer.step()
        total += float(loss.detach()) * len(xb)
    return total / len(X)


def _worker(which):
    """In a fresh process: import, load X, then time one epoch; print JSON."""
    if which == "torch":
        import torch  # noqa: F401
    else:
        import neuroclust  # noqa: F401
    X = _data()
    base = _reset_peak()
    start = time.perf_counter()
    loss = (_torch_epoch if which == "torch" else _neuroclust_epoch)(X)
    seconds = time.perf_counter() - start
    peak = None if base is None else (_status("VmHWM") - base) / 1024
    print(json.dumps({"seconds": seconds, "loss": loss, "peak_mb": peak}))


def _run(which):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", which],
                         capture_output=True, text=True, timeout=1800, check=True,
                         cwd=_common.BENCH_DIR)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(pairs=PAIRS):
    try:
        import torch
        torch_version = torch.__version__
    except ImportError as error:
        return {"rows": [_common.skipped_row("One VAE epoch", "VariationalAutoencoder",
                                             "PyTorch (CPU)", "<= 1.25x PyTorch",
                                             f"PyTorch not importable ({error})")],
                "notes": []}
    monitor = _common.LoadMonitor()
    ours, theirs = [], []
    for _ in range(pairs):
        ours.append(_run("neuroclust"))
        theirs.append(_run("torch"))
        print(f"  neuroclust {ours[-1]['seconds']:.1f} s, PyTorch {theirs[-1]['seconds']:.1f} s",
              file=sys.stderr, flush=True)
    ours_t = [r["seconds"] for r in ours]
    theirs_t = [r["seconds"] for r in theirs]
    ratio = _common.median(ours_t) / _common.median(theirs_t)
    memory = (f"peak memory growth: neuroclust {np.median([r['peak_mb'] for r in ours]):.0f} "
              f"MiB, PyTorch {np.median([r['peak_mb'] for r in theirs]):.0f} MiB (medians); "
              if ours[0]["peak_mb"] is not None else "")
    others = monitor.others_share()
    losses = {name: ", ".join(f"{r['loss']:.2f}" for r in results)
              for name, results in (("ours", ours), ("theirs", theirs))}
    check = (memory + f"epoch losses per sample: neuroclust {losses['ours']}; PyTorch "
             f"{losses['theirs']}; ranges: neuroclust "
             f"{min(ours_t):.1f}-{max(ours_t):.1f} s, PyTorch {min(theirs_t):.1f}-"
             f"{max(theirs_t):.1f} s"
             + ("" if others is None else f"; other processes used {others:.0%} of the cores"))
    row = _common.make_row(
        "One VAE epoch, 784-500-500-2000-(2 x 10) + mirror (ReLU, MSE + KL, Adam, batch 256, "
        "float32), 70,000 x 784 uniform [0, 1), each epoch in a fresh process",
        "`VariationalAutoencoder(hidden=(500, 500, 2000), latent_dim=10, batch_size=256)`",
        f"PyTorch {torch_version} CPU, same model, `torch.set_num_threads(2)`",
        ours_t, theirs_t, speedup=False, target="<= 1.25x PyTorch's time", met=ratio <= 1.25,
        check=check, threads=_common.THREADS_LABEL + ", torch.set_num_threads(2)")
    return {"rows": [row], "notes": []}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _worker(sys.argv[2])
    else:
        _common.print_report("Variational autoencoder",
                             run(int(sys.argv[1]) if len(sys.argv) > 1 else PAIRS))
