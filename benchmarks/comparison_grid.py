"""The comparison grid: every neuroclust method on six small 2-D data sets, in one figure.

In the style of scikit-learn's example "Comparing different clustering algorithms on toy
datasets": one row per data set, one column per method, each cell the points coloured by the
method's labels (noise grey). A picture of one seed would let a lucky or unlucky run speak for
the method, so every cell runs 5 seeds (each seed draws the data and seeds the method) and
prints the mean ARI (± the standard deviation over the seeds) and the median fit time; the
points drawn are seed 0's. The data set with no structure has no true clusters to score
against (every ARI there is 0 or undefined): its cells print how many clusters the method
found instead (the range over the seeds). Noise (label -1, DBSCAN and OPTICS) counts as one
more cluster in the ARI, as in scikit-learn.

The data (``make_sets``): the six sets of scikit-learn's example, 500 points each, each
standardised (every feature to mean 0 and standard deviation 1): noisy circles
(``datasets.make_circles``, factor 0.5, noise 0.05), noisy moons (``datasets.make_moons``,
noise 0.05), blobs (``datasets.make_blobs``, three centres), anisotropic blobs (the blobs
times scikit-learn's matrix ``[[0.6, -0.6], [-0.4, 0.8]]``), blobs of unequal variance
(standard deviations 1, 2.5 and 0.5) and no structure (uniform on the unit square, NumPy).

The settings (``METHODS``, each with its rule in words, which the table repeats): the true
number of clusters goes to the methods that need one, as in scikit-learn's example; every other
setting is the estimator's default, or follows from a rule that reads no label:

* Fuzzy ART scales each feature to [0, 1] (``scale=True``): its inputs must lie there;
* DBSCAN (and OPTICS' ``min_samples``) keep the default ``min_samples=5``; DBSCAN's ``eps``
  is the knee of the sorted distances to the 5th nearest neighbour (``knee_eps``: the
  point of the curve farthest below the chord between its ends, Satopaa et al.'s
  "Kneedle", 2011), the rule ``docs/algorithms/density.md`` gives;
* the deep models get small fixed budgets, so that the whole grid runs in a few minutes on
  two cores (``BUDGETS``): the same hidden layers (64, 32) for all of them; a 2-D code for
  the autoencoders, the VAE and DEC (no wider than the data they rebuild); 100 epochs (200
  Adam steps of 256 samples) of autoencoder training; DEC's clustering phase at most 280
  steps (two target updates at its default interval of 140); the contrastive model its
  default 100 epochs and representation (64 wide: it clusters directions, which a 2-D code
  would reduce to one angle); CNNI its defaults.

None of these was chosen by looking at an ARI. The time of a cell is that of the setting rule
(DBSCAN's knee), the construction and ``fit`` with its labels, in this process, one method
after the other, after one untimed warm-up fit of each method. The grid runs with one BLAS
and OpenMP thread (``--threads``): its products are tiny (500 rows, layers of 64), and
splitting them over two threads costs more than it saves; on a busy two-core machine the
contrastive fit took 1.7-2.0 s with one thread and 21 s with two. Times of a few
milliseconds are dominated by Python's overhead: read them as orders of magnitude.

Run (from the repository root, kernels built in place)::

    python benchmarks/comparison_grid.py            # about 3 minutes on two cores
    python benchmarks/comparison_grid.py --fast     # 100 points, 2 seeds, tiny budgets: seconds

It writes ``comparison_grid.png`` and ``comparison_grid.md`` (the tables of ARI and time, the
settings, and the warnings the fits raised) into ``--out`` (default ``docs/_static``, where
``docs/comparison.md``, ``docs/index.md`` and the README show them) and prints the tables.
``NEUROCLUST_FAST=1`` in the environment means ``--fast``; ``tests/benchmarks/`` runs that.
"""
import _common  # first: sets the thread counts before NumPy loads

import argparse
import io
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
from matplotlib.figure import Figure
from PIL import Image
from threadpoolctl import threadpool_limits

import neuroclust
from neuroclust import (CNNI, DBSCAN, DEC, SOM, Autoencoder, CompetitiveLearning,
                        ContrastiveClustering, FuzzyART, GrowingNeuralGas, KMeans,
                        LatentClustering, VariationalAutoencoder, datasets)
from neuroclust.metrics import adjusted_rand_score

DEFAULT_OUT = os.path.join(_common.REPO_ROOT, "docs", "_static")
NAME = "comparison_grid"

#: The deep models' budgets: the full grid, and the --fast one the tests run.
BUDGETS = {
    "full": {"hidden": (64, 32), "epochs": 100, "dec_max_iter": 280, "contrastive_epochs": 100,
             "cnni_epochs": 100},
    "fast": {"hidden": (16,), "epochs": 3, "dec_max_iter": 10, "contrastive_epochs": 3,
             "cnni_epochs": 3},
}
MIN_SAMPLES = 5  # DBSCAN's and OPTICS' default
THREADS = 1  # BLAS and OpenMP threads of the whole grid (see the module's docstring)

ANISOTROPY = np.array([[0.6, -0.6], [-0.4, 0.8]])  # scikit-learn's example's matrix


# -- the data -------------------------------------------------------------------------------
def _no_structure(n, seed):
    return np.random.default_rng(seed).random((n, 2)), np.zeros(n, dtype=np.int64)


def _anisotropic(n, seed):
    X, y = datasets.make_blobs(n, centers=3, random_state=seed)
    return X @ ANISOTROPY, y


#: (name, generator(n, seed) -> (X, y), true number of clusters), in the order of the rows.
SETS = [
    ("noisy circles",
     lambda n, seed: datasets.make_circles(n, noise=0.05, factor=0.5, random_state=seed), 2),
    ("noisy moons", lambda n, seed: datasets.make_moons(n, noise=0.05, random_state=seed), 2),
    ("blobs", lambda n, seed: datasets.make_blobs(n, centers=3, random_state=seed), 3),
    ("anisotropic", _anisotropic, 3),
    ("unequal variance",
     lambda n, seed: datasets.make_blobs(n, centers=3, cluster_std=[1.0, 2.5, 0.5],
                                         random_state=seed), 3),
    ("no structure", _no_structure, None),  # one true class: no ARI, the clusters found
]


def make_sets(n_samples, seed):
    """The six data sets of one seed, standardised: a list of (name, X, y, n_clusters)."""
    sets = []
    for name, generate, n_clusters in SETS:
        X, y = generate(n_samples, seed)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        sets.append((name, X, y, n_clusters))
    return sets


# -- the settings ---------------------------------------------------------------------------
def knee_eps(X, min_samples=MIN_SAMPLES):
    """DBSCAN's ``eps`` from the data alone: the knee of the sorted k-distance curve.

    Each sample's distance to its ``min_samples``-th nearest neighbour (itself counted, as
    DBSCAN counts it), sorted; both axes scaled to [0, 1]; the knee is the point farthest
    below the chord from the first point to the last (Kneedle, for a convex rising curve).
    """
    squared = np.sum(X ** 2, axis=1)
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * X @ X.T, 0))
    kth = np.sort(np.partition(distances, min_samples - 1, axis=1)[:, min_samples - 1])
    rise = kth[-1] - kth[0]
    if rise == 0:
        return float(max(kth[0], 1e-12))
    gap = np.linspace(0, 1, len(kth)) - (kth - kth[0]) / rise
    return float(max(kth[np.argmax(gap)], 1e-12))


def _latent(autoencoder_class, k, seed, X, budget):
    autoencoder = autoencoder_class(hidden=budget["hidden"], latent_dim=2,
                                    epochs=budget["epochs"], random_state=seed)
    return LatentClustering(autoencoder, KMeans(n_clusters=k, random_state=seed),
                            random_state=seed)


#: (column title, factory(k, seed, X, budget) -> estimator, the rule for its settings).
METHODS = [
    ("Competitive", lambda k, seed, X, b: CompetitiveLearning(n_clusters=k, random_state=seed),
     "n_clusters given; the rest default (learning rate 0.01, 20 epochs)"),
    ("k-means", lambda k, seed, X, b: KMeans(n_clusters=k, random_state=seed),
     "n_clusters given; the rest default (k-means++)"),
    ("SOM", lambda k, seed, X, b: SOM(n_clusters=k, random_state=seed),
     "default 10 x 10 map and schedule; n_clusters given (k-means on the prototypes)"),
    ("GNG", lambda k, seed, X, b: GrowingNeuralGas(random_state=seed),
     "defaults; the clusters are the graph's connected pieces (no n_clusters)"),
    ("Fuzzy ART", lambda k, seed, X, b: FuzzyART(scale=True, random_state=seed),
     "defaults (rho 0.75); scale=True, as its inputs must lie in [0, 1] (no n_clusters)"),
    ("AE +\nk-means", lambda k, seed, X, b: _latent(Autoencoder, k, seed, X, b),
     ("LatentClustering(Autoencoder, KMeans): hidden and epochs from the budget, 2-D code; "
      "n_clusters given")),
    ("VAE +\nk-means", lambda k, seed, X, b: _latent(VariationalAutoencoder, k, seed, X, b),
     ("LatentClustering(VariationalAutoencoder, KMeans) on the means: hidden and epochs from "
      "the budget, 2-D code; n_clusters given")),
    ("DEC", lambda k, seed, X, b: DEC(Autoencoder(hidden=b["hidden"], latent_dim=2,
                                                  epochs=b["epochs"]),
                                      n_clusters=k, max_iter=b["dec_max_iter"],
                                      random_state=seed),
     ("the autoencoder above pretrained, then at most the budget's steps of the clustering "
      "phase; the rest default; n_clusters given")),
    ("Contrastive", lambda k, seed, X, b: ContrastiveClustering(
        n_clusters=k, hidden=b["hidden"], epochs=b["contrastive_epochs"], random_state=seed),
     ("hidden layers and epochs from the budget (its default 100 epochs in the full grid); "
      "default augmentations and representation; n_clusters given")),
    ("CNNI", lambda k, seed, X, b: CNNI(n_clusters=k, epochs=b["cnni_epochs"],
                                        random_state=seed),
     ("defaults (one hidden layer of 64, soft silhouette); epochs from the budget (its "
      "default 100 in the full grid); n_clusters given")),
    ("DBSCAN", lambda k, seed, X, b: DBSCAN(eps=knee_eps(X), min_samples=MIN_SAMPLES),
     "min_samples 5 (default); eps the knee of the 5-distance curve (knee_eps)"),
]

# OPTICS (issue 15): this entry joins the grid once neuroclust.OPTICS exists; its planned
# defaults, min_samples=5, xi=0.05 and no min_cluster_size, are used as they are.
if hasattr(neuroclust, "OPTICS"):
    METHODS.append(("OPTICS", lambda k, seed, X, b: neuroclust.OPTICS(min_samples=MIN_SAMPLES),
                    "defaults (min_samples 5, xi 0.05, cluster_method 'xi'); no n_clusters"))


# -- the runs -------------------------------------------------------------------------------
def _warm_up():
    """One untimed fit of every method on a small set, so that no cell's time includes the
    first call's imports and set-up."""
    _, X, _, k = make_sets(60, seed=1000)[2]
    for _, factory, _ in METHODS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                factory(k, 0, X, BUDGETS["fast"]).fit(X)
            except Exception:  # the timed fits report it
                pass


def run(n_samples, seeds, budget, log=print):
    """Fit every method on every set for every seed.

    Returns ``(sets, cells, raised)``: the sets of seed 0 (name, X, y, k), a dict
    ``cells[(set name, method title)]`` with lists ``"ari"``, ``"time"``, ``"found"`` (clusters
    found, noise excluded), the ``"labels"`` of seed 0 and ``"failed"`` (an error message or
    None), and the warnings raised, as a dict (method title, category, message) -> count.
    """
    _warm_up()
    cells, raised, first_sets = {}, {}, None
    for seed in seeds:
        sets = make_sets(n_samples, seed)
        first_sets = first_sets or sets
        for set_name, X, y, n_clusters in sets:
            k = n_clusters or 3  # no structure: the methods that need a number get 3
            for title, factory, _ in METHODS:
                cell = cells.setdefault((set_name, title), {"ari": [], "time": [], "found": [],
                                                            "labels": None, "failed": None})
                if cell["failed"]:
                    continue
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    start = time.perf_counter()
                    try:
                        labels = np.asarray(factory(k, seed, X, budget).fit(X).labels_)
                    except Exception as error:  # a failed cell is reported, the grid goes on
                        cell["failed"] = f"{type(error).__name__}: {error}"
                        log(f"  {set_name}, {title.replace(chr(10), ' ')}: {cell['failed']}")
                        continue
                    elapsed = time.perf_counter() - start
                for warning in caught:
                    key = (title, warning.category.__name__, str(warning.message).split("\n")[0])
                    raised[key] = raised.get(key, 0) + 1
                cell["time"].append(elapsed)
                cell["found"].append(len(np.unique(labels[labels >= 0])))
                if n_clusters is not None:
                    cell["ari"].append(adjusted_rand_score(y, labels))
                if seed == seeds[0]:
                    cell["labels"] = labels
        log(f"seed {seed} done")
    return first_sets, cells, raised


# -- the words of a cell --------------------------------------------------------------------
def fmt_seconds(seconds):
    if seconds >= 0.995:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.0f} ms" if seconds >= 0.00995 else f"{seconds * 1e3:.1f} ms"


def ari_text(cell, compact=False):
    """The mean ARI ± its standard deviation over the seeds; compact: ".98±.02" (figure)."""
    mean = statistics.fmean(cell["ari"])
    mean = 0.0 if round(mean, 2) == 0 else mean  # no "-0.00"
    std = statistics.stdev(cell["ari"]) if len(cell["ari"]) > 1 else 0.0
    if not compact:
        return f"{mean:.2f} ± {std:.2f}"
    return f"{mean:.2f}±{std:.2f}".replace("0.", ".")


def found_text(cell):
    low, high = min(cell["found"]), max(cell["found"])
    return f"k = {low}" if low == high else f"k = {low}-{high}"


def score_text(cell, scored, compact=False):
    if cell["failed"]:
        return "failed"
    return ari_text(cell, compact) if scored else found_text(cell)


# -- the figure -----------------------------------------------------------------------------
NOISE = "#b0b0b0"
PALETTE = ["#377eb8", "#ff7f00", "#4daf4a", "#f781bf", "#a65628", "#984ea3", "#e41a1c",
           "#dede00", "#17becf", "#1a1a1a"]  # scikit-learn's example's colours, then more


def colours(labels):
    palette = np.array(PALETTE)
    return np.where(labels < 0, NOISE, palette[np.maximum(labels, 0) % len(palette)])


def draw(sets, cells, path, cell_inches=1.45, left=0.62, top=0.68):
    """Rows = data sets, columns = methods; each cell seed 0's labels, mean ARI, median time."""
    n_rows, n_cols = len(sets), len(METHODS)
    width, height = cell_inches * n_cols + left, cell_inches * n_rows + top
    figure = Figure(figsize=(width, height))
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    figure.subplots_adjust(left=left / width, right=0.998, bottom=0.005, top=1 - top / height,
                           wspace=0.04, hspace=0.04)
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75,
           "edgecolor": "none"}
    for row, (set_name, X, _, n_clusters) in enumerate(sets):
        low, high = X.min(axis=0), X.max(axis=0)
        margin = 0.08 * (high - low)
        for col, (title, _, _) in enumerate(METHODS):
            ax = axes[row, col]
            cell = cells[(set_name, title)]
            if cell["labels"] is not None:
                ax.scatter(X[:, 0], X[:, 1], s=4, c=colours(cell["labels"]), linewidths=0)
            ax.set_xlim(low[0] - margin[0], high[0] + margin[0])
            ax.set_ylim(low[1] - margin[1], high[1] + margin[1])
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(title, fontsize=15, pad=4)
            if col == 0:
                ax.set_ylabel(set_name.replace(" ", "\n", 1) if len(set_name) > 12 else set_name,
                              fontsize=15)
            ax.text(0.03, 0.97, score_text(cell, n_clusters is not None, compact=True),
                    fontsize=14,
                    fontweight="bold", ha="left", va="top", transform=ax.transAxes, bbox=box)
            if cell["time"]:
                ax.text(0.97, 0.03, fmt_seconds(statistics.median(cell["time"])), fontsize=12.5,
                        ha="right", va="bottom", transform=ax.transAxes, bbox=box)
    rendered = io.BytesIO()
    figure.savefig(rendered, format="png", dpi=100)
    # 128 colours keep every label's colour and the text, at a quarter of the file's size
    image = Image.open(rendered).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT,
                   dither=Image.Dither.NONE).save(path, optimize=True)


# -- the tables -----------------------------------------------------------------------------
def markdown(sets, cells, raised, meta):
    """The Markdown page: the run, the ARI and time tables, the settings and the warnings."""
    names = [name for name, *_ in sets]
    header = "| Method | " + " | ".join(names) + " |\n|---|" + "---|" * len(names)

    def table(text):
        lines = [header]
        for title, _, _ in METHODS:
            lines.append(f"| {title.replace(chr(10), ' ')} | "
                         + " | ".join(text(cells[(name, title)], k is not None)
                                      for name, _, _, k in sets) + " |")
        return "\n".join(lines)

    def time_text(cell, scored):
        return fmt_seconds(statistics.median(cell["time"])) if cell["time"] else "failed"

    best = []
    for name, _, _, k in sets:
        scored = [(statistics.fmean(cells[(name, t)]["ari"]), t.replace("\n", " "))
                  for t, _, _ in METHODS if k is not None and cells[(name, t)]["ari"]]
        if scored:
            top = max(value for value, _ in scored)
            leaders = [t for value, t in scored if value >= top - 0.005]
            best.append(f"{name}: {', '.join(leaders)} ({top:.2f})")
    lines = [
        "## The run",
        "",
        (f"`{meta['command']}`: {meta['n_samples']} points per set, seeds "
         f"{meta['seeds'][0]}-{meta['seeds'][-1]} (each draws the data and seeds the method), "
         f"the {meta['budget']} budget; neuroclust {neuroclust.__version__}, Python "
         f"{platform.python_version()}, NumPy {np.__version__}, on {meta['cpus']} CPU cores "
         f"with {meta['threads']} BLAS/OpenMP thread(s), no GPU; {meta['minutes']:.1f} "
         "minutes in all."),
        "",
        "## Adjusted Rand index",
        "",
        ("Mean ± standard deviation over the seeds (noise counts as one cluster); for the set "
         "with no structure, the number of clusters found (noise excluded; the range over the "
         "seeds). The highest mean per set (ties within 0.005): " + "; ".join(best) + "."),
        "",
        table(score_text),
        "",
        "## Fit time",
        "",
        ("The median over the seeds: the setting rule, the construction and `fit`, labels "
         "included."),
        "",
        table(time_text),
        "",
        "## Settings",
        "",
        ("The true number of clusters goes to the methods that take one (3 on the set with no "
         "structure); nothing else was chosen by looking at labels or at an ARI. The deep "
         f"models' budget: {meta['budget_text']}."),
        "",
    ]
    lines += [f"- **{title.replace(chr(10), ' ')}**: {rule}." for title, _, rule in METHODS]
    lines += ["", "DBSCAN's `eps` on the data of seed 0: "
              + "; ".join(f"{name} {knee_eps(X):.3f}" for name, X, _, _ in sets) + "."]
    lines += ["", "## Warnings raised", ""]
    if raised:
        lines += [f"- {title.replace(chr(10), ' ')}: {category}, {count} fit(s): {message}"
                  for (title, category, message), count in sorted(raised.items())]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="100 points, 2 seeds, tiny budgets (also NEUROCLUST_FAST=1)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="folder of the figure and table")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="BLAS and OpenMP threads (default 1)")
    args = parser.parse_args(argv)
    fast = args.fast or os.environ.get("NEUROCLUST_FAST") == "1"
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}.")
    n_samples, seeds = (100, [0, 1]) if fast else (500, [0, 1, 2, 3, 4])
    budget_name = "fast" if fast else "full"
    budget = BUDGETS[budget_name]
    os.makedirs(args.out, exist_ok=True)
    start = time.perf_counter()
    with threadpool_limits(args.threads):
        sets, cells, raised = run(n_samples, seeds, budget,
                                  log=lambda text: print(text, file=sys.stderr, flush=True))
    minutes = (time.perf_counter() - start) / 60
    budget_text = (f"hidden layers {budget['hidden']}, {budget['epochs']} epochs of "
                   f"autoencoder training, at most {budget['dec_max_iter']} DEC steps, "
                   f"{budget['contrastive_epochs']} contrastive and {budget['cnni_epochs']} "
                   "CNNI epochs")
    command = "python benchmarks/comparison_grid.py" + (" --fast" if fast else "")
    if args.threads != THREADS:
        command += f" --threads {args.threads}"
    meta = {"command": command, "n_samples": n_samples, "seeds": seeds, "budget": budget_name,
            "budget_text": budget_text, "cpus": os.cpu_count(), "threads": args.threads,
            "minutes": minutes}
    draw(sets, cells, os.path.join(args.out, NAME + ".png"))
    text = markdown(sets, cells, raised, meta)
    with open(os.path.join(args.out, NAME + ".md"), "w", encoding="utf-8") as handle:
        handle.write(text)
    print(text)
    failed = [key for key, cell in cells.items() if cell["failed"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
