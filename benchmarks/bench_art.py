"""Fuzzy ART against artlib 0.1.12: the vigilance sweep (plotted) and the speed on the same work.

Two data sets, each min-max scaled to [0, 1] by the benchmark (a constant feature becomes 0):
the UCI digits (``neuroclust.datasets.load_digits``, 1,797 x 64) and the five 3-D Gaussian
clusters (``neuroclust.datasets.make_five_centroids``, 1,000 samples, spread 0.8).

(a) Vigilance sweep: ``FuzzyART(rho, scale=True)`` fitted to convergence for rho = 0, 0.05, ...,
    0.95; the number of categories and the adjusted Rand index against the true classes are
    plotted against rho (``benchmarks/art_vigilance.png``) and listed in the table. The same
    sweep runs through artlib's compiled backend with the same number of passes, and the two
    must give the same categories.
(b) Speed: neuroclust's ``fit`` against ``artlib.FuzzyART`` (numba; the class artlib exports)
    on the same data in the same order with the same rho, alpha and beta, for one pass and for
    a fit to convergence (the number of passes neuroclust needs, for both). Target: at least
    10x faster. artlib's C++ backend (``artlib.optimized.backends.cpp.FuzzyART``, not exported
    at the top level) is timed the same way as extra rows. Every row checks that both end with
    identical categories and weights.

Run: ``python benchmarks/bench_art.py``
"""
import _common  # first: sets the thread counts before NumPy loads

import os
import warnings
from fractions import Fraction

import numpy as np

RHOS = np.round(np.arange(0.0, 1.0, 0.05), 2)  # the vigilance sweep
ALPHA, BETA = 0.001, 1.0                          # neuroclust's defaults: fast learning
SPEED_RHO = {"digits": 0.5, "blobs": 0.75}        # vigilance of the timed fits
TARGET = 10.0                                     # at least this much faster than artlib.FuzzyART
PAIRS = {"python": 3, "c++": 5}                   # alternating pairs after one warm-up pair
SLOT_SECONDS = 0.05                               # a fast call is repeated to fill a timing slot
FIGURE = os.path.join(_common.BENCH_DIR, "art_vigilance.png")


def figure_name():
    """The figure's path as shown in the table: relative to the repository root."""
    return os.path.relpath(FIGURE, _common.REPO_ROOT)


def min_max(X):
    """Each feature scaled to [0, 1] by its range (a constant feature becomes 0)."""
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    return np.ascontiguousarray(np.where(span > 0, (X - low) / np.where(span > 0, span, 1), 0.0))


def load_data():
    import neuroclust

    digits, digit_labels = neuroclust.datasets.load_digits()
    blobs, blob_labels = neuroclust.datasets.make_five_centroids(n_samples=1000, cluster_std=0.8,
                                                                 random_state=0)
    return {
        "digits": (min_max(digits), digit_labels, "digits (1,797 x 64)"),
        "blobs": (min_max(blobs), blob_labels, "five 3-D Gaussian clusters (1,000 x 3)"),
    }


def artlib_version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("artlib")
    except PackageNotFoundError:
        return None


def artlib_cpp():
    """artlib's compiled Fuzzy ART, or the reason it is unavailable."""
    try:
        from artlib.optimized.backends.cpp.FuzzyART import FuzzyART
    except ImportError as error:
        return None, f"{type(error).__name__}: {error}"
    return FuzzyART, None


# ------------------------------------------------------------------------- the contenders
def fit_ours(X, rho, epochs):
    """neuroclust's whole fit: range scaling and complement coding, then the passes."""
    import neuroclust

    return neuroclust.FuzzyART(rho=rho, alpha=ALPHA, beta=BETA, scale=True, epochs=epochs,
                               backend="cython").fit(X)


def fit_artlib(model_class, X, rho, passes):
    """artlib's ``prepare_data`` (range scaling and complement coding), then ``passes`` passes.

    The Python class makes them with ``fit(max_iter=passes)``; the C++ class ignores
    ``max_iter`` (it always makes one), so its further passes are ``partial_fit`` calls on the
    same data, which go on from the categories learned so far. Returns the model and the labels
    of the last pass.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = model_class(rho=float(rho), alpha=ALPHA, beta=BETA)
        prepared = model.prepare_data(X)
        if model_class.__module__.startswith("artlib.optimized"):  # the C++ backend
            model.fit(prepared)
            for _ in range(passes - 1):
                model.partial_fit(prepared)
        else:
            model.fit(prepared, max_iter=passes)
    return model, np.asarray(model.labels_)[-len(X):]


def agreement(ours, theirs, their_labels):
    """Same categories (labels of the last pass) and weights? (bool, text for the check)."""
    W = np.array(theirs.W, dtype=np.float64).reshape(len(theirs.W), -1)
    same_count = ours.n_categories_ == len(W)
    same_labels = same_count and bool(np.array_equal(ours.labels_, their_labels))
    gap = float(np.abs(ours.weights_ - W).max()) if same_count and len(W) else None
    if same_labels and gap == 0.0:
        return True, f"categories identical ({len(W)}), weights bit-identical"
    if same_labels:
        return gap < 1e-12, f"categories identical ({len(W)}), weights to {gap:.0e}"
    if not same_count:
        return False, f"**categories differ**: {ours.n_categories_} vs {len(W)} categories"
    differ = int((ours.labels_ != their_labels).sum())
    return False, (f"**categories differ**: {len(W)} categories in both, {differ} of "
                   f"{len(their_labels)} labels differ")


def timed_slot(call, repeats):
    """A contender's timing slot: ``call`` run ``repeats`` times; the median time of one call."""
    times = []
    for _ in range(repeats):
        start = _common.time.perf_counter()
        call()
        times.append(_common.time.perf_counter() - start)
    return _common.median(times)


def repeats_for(call):
    """How often a call must run to fill a timing slot of about SLOT_SECONDS (also warms up)."""
    start = _common.time.perf_counter()
    call()
    once = _common.time.perf_counter() - start
    return max(1, min(50, int(SLOT_SECONDS / max(once, 1e-6))))


# ------------------------------------------------------------------------------ (b) speed
def speed_rows(name, X, description, contenders):
    rho = SPEED_RHO[name]
    converged = fit_ours(X, rho, epochs=100)
    passes = len(converged.history_["n_changed"])
    assert converged.history_["n_changed"][-1] == 0, "no convergence within 100 passes"
    rows, version = [], artlib_version()
    for label, model_class, reason in contenders:
        for mode, n_passes in (("one pass", 1), (f"to convergence ({passes} passes)", passes)):
            epochs = 1 if n_passes == 1 else 100
            what = (f"Fuzzy ART, {description}, min-max scaled, rho={rho}, {mode}")
            ours_text = (f"`FuzzyART(rho={rho}, scale=True"
                         + (", epochs=1)" if n_passes == 1 else ")") + ".fit(X)`")
            if label == "python":
                theirs_text = (f"artlib {version} `FuzzyART` (numba): `prepare_data` + "
                               + ("`fit`" if n_passes == 1 else f"`fit(max_iter={passes})`"))
                target = f">= {TARGET:.0f}x faster; same categories"
            else:
                theirs_text = (f"artlib {version} C++ backend `artlib.optimized.backends.cpp."
                               "FuzzyART` (extra row): `prepare_data` + `fit`"
                               + ("" if n_passes == 1 else f" + {passes - 1} x `partial_fit`"))
                target = "(extra row) report; same categories"
            if model_class is None:
                rows.append(_common.skipped_row(what, ours_text, theirs_text, target,
                                                f"skipped: artlib's C++ backend: {reason}"))
                continue
            results = {}

            def ours():
                results["ours"] = fit_ours(X, rho, epochs)

            def theirs():
                results["theirs"] = fit_artlib(model_class, X, rho, n_passes)

            ours_repeats, theirs_repeats = repeats_for(ours), repeats_for(theirs)
            ours_times, theirs_times = _common.alternate(
                lambda: timed_slot(ours, ours_repeats), lambda: timed_slot(theirs, theirs_repeats),
                pairs=PAIRS[label], warmup=1)
            same, check = agreement(results["ours"], *results["theirs"])
            speedup = _common.median(theirs_times) / _common.median(ours_times)
            per_sample = lambda t: _common.median(t) / (n_passes * len(X)) * 1e6  # noqa: E731
            check += (f"; per sample and pass: neuroclust {per_sample(ours_times):.2f} us, "
                      f"artlib {per_sample(theirs_times):.2f} us")
            if ours_repeats > 1 or theirs_repeats > 1:
                check += (f"; a slot is the median of {ours_repeats} (neuroclust) and "
                          f"{theirs_repeats} (artlib) calls")
            met = same and (speedup >= TARGET if label == "python" else True)
            rows.append(_common.make_row(what, ours_text, theirs_text, ours_times, theirs_times,
                                         speedup=True, target=target, met=met, check=check))
    return rows, passes


# ---------------------------------------------------------------------- (a) vigilance sweep
def first_difference(X, rho, passes, cpp_labels):
    """Where neuroclust and artlib's C++ backend part, and how close that decision is to a tie.

    Both present the samples in the same order pass after pass, so the first step whose
    category differs is found from artlib's labels of every pass (its ``labels_`` grows with
    each ``partial_fit``). neuroclust's kernel is replayed up to that step (with fast learning,
    equal categories before it mean equal weights); the text gives the sample's match
    |x ^ w_j| / d with the nearest-to-rho category in exact arithmetic on the stored numbers.
    """
    from neuroclust.backend import cython as kernels

    n = len(X)
    # X is already min-max scaled (each feature's range is exactly [0, 1] or it is all 0), so
    # the libraries' own scaling leaves it as it is: complement coding is all that remains.
    inputs = np.ascontiguousarray(np.concatenate([X, 1 - X], axis=1))
    order = np.tile(np.arange(n, dtype=np.int64), passes)
    W = np.zeros((n * passes, inputs.shape[1]))
    ours, _ = kernels.fuzzy_art_online(inputs, W, 0, order, rho, ALPHA, BETA)
    step = int(np.flatnonzero(ours != np.asarray(cpp_labels))[0])
    W = np.zeros_like(W)
    _, count = kernels.fuzzy_art_online(inputs, W, 0, order[:step], rho, ALPHA, BETA)
    x = inputs[order[step]]
    d = X.shape[1]
    best = None
    for j in range(count):
        exact = sum(Fraction(float(v)) for v in np.minimum(x, W[j])) / d - Fraction(rho)
        if best is None or abs(exact) < abs(best[1]):
            best = (j, exact)
    j, exact = best
    left_to_right = sum(np.minimum(x, W[j]).tolist()) / d >= rho
    return (f"they part at pass {step // n + 1}, sample {order[step]} (neuroclust: category "
            f"{ours[step]}, artlib: {cpp_labels[step]}): its match with category {j} is rho "
            f"{'-' if exact < 0 else '+'} {abs(float(exact)):.0e} in exact arithmetic on the "
            f"stored inputs, a tie at the vigilance threshold; summed left to right (as artlib "
            f"does) it {'passes' if left_to_right else 'fails'} the test, summed in "
            "neuroclust's 16 lanes it rounds the other way")


def vigilance_sweep(name, X, y, cpp):
    from sklearn.metrics import adjusted_rand_score

    sweep = []
    start = _common.time.perf_counter()
    for rho in RHOS:
        model = fit_ours(X, float(rho), epochs=100)
        sweep.append({"rho": float(rho), "categories": model.n_categories_,
                      "ari": adjusted_rand_score(y, model.labels_),
                      "passes": len(model.history_["n_changed"]), "model": model})
    elapsed = _common.time.perf_counter() - start
    mismatches = []
    if cpp is not None:
        for entry in sweep:
            theirs, labels = fit_artlib(cpp, X, entry["rho"], entry["passes"])
            same, text = agreement(entry["model"], theirs, labels)
            if not same:
                why = first_difference(X, entry["rho"], entry["passes"], theirs.labels_)
                mismatches.append(f"rho={entry['rho']:.2f}: {text}; {why}")
    for entry in sweep:
        del entry["model"]
    return sweep, elapsed, mismatches


def plot_sweep(sweeps, path):
    """Categories (log scale, left axis) and ARI (right axis) against rho, one panel per data."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(sweeps), figsize=(11, 4.2), constrained_layout=True)
    for ax, (name, (description, sweep)) in zip(np.atleast_1d(axes), sweeps.items()):
        rhos = [s["rho"] for s in sweep]
        ax.plot(rhos, [s["categories"] for s in sweep], "o-", color="tab:blue",
                label="categories")
        ax.set_yscale("log")
        ax.set_xlabel(r"vigilance $\rho$")
        ax.set_ylabel("categories (log scale)", color="tab:blue")
        ax.tick_params(axis="y", labelcolor="tab:blue")
        other = ax.twinx()
        other.plot(rhos, [s["ari"] for s in sweep], "s--", color="tab:red", label="ARI")
        other.set_ylabel("adjusted Rand index vs true classes", color="tab:red")
        other.tick_params(axis="y", labelcolor="tab:red")
        other.set_ylim(-0.05, 1.0)
        ax.axvline(SPEED_RHO[name], color="grey", linestyle=":", linewidth=1)
        ax.set_title(f"Fuzzy ART on {description}, min-max scaled", fontsize=10)
        ax.grid(alpha=0.3)
    figure.suptitle(r"neuroclust FuzzyART: categories and ARI against vigilance $\rho$ "
                    r"($\alpha$=0.001, $\beta$=1, to convergence; dotted: $\rho$ of the "
                    "timed fits)", fontsize=10)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def sweep_row(description, sweep, elapsed, mismatches, cpp_reason, figure_ok):
    best = max(sweep, key=lambda s: s["ari"])
    values = ", ".join(f"{s['rho']:.2f}: {s['categories']} / {s['ari']:.3f}" for s in sweep)
    if cpp_reason:
        agree = f"artlib C++ check skipped ({cpp_reason})"
    elif mismatches:
        agree = (f"artlib C++ backend, same passes: identical categories and weights at "
                 f"{len(sweep) - len(mismatches)} of {len(sweep)} rho; " + "; ".join(mismatches))
    else:
        agree = (f"artlib C++ backend, same passes: identical categories and bit-identical "
                 f"weights at all {len(sweep)} rho")
    row = {name: "-" for name in _common.COLUMNS}
    row.update({
        "Benchmark": f"Fuzzy ART vigilance sweep, {description}, min-max scaled, rho = 0 to "
                     f"0.95 in steps of 0.05, to convergence",
        "Threads": _common.THREADS_LABEL,
        "neuroclust": "`FuzzyART(rho, scale=True).fit(X)`, alpha 0.001, beta 1",
        "reference": f"artlib {artlib_version()} C++ backend, same passes (agreement only)",
        "neuroclust (median)": f"{_common.fmt_time(elapsed)} (whole sweep, once)",
        "Target": f"categories and ARI vs rho, plotted ({figure_name()})",
        "Met": "yes" if figure_ok else "**no**",
        "Check": f"rho: categories / ARI = {values}; best ARI {best['ari']:.3f} at rho "
                 f"{best['rho']:.2f} ({best['categories']} categories). {agree}",
    })
    return row


# ------------------------------------------------------------------------------------- run
def run():
    import artlib

    data = load_data()
    cpp, cpp_reason = artlib_cpp()
    contenders = [("python", artlib.FuzzyART, None), ("c++", cpp, cpp_reason)]
    rows, sweeps, sweep_rows, passes = [], {}, [], {}
    for name, (X, y, description) in data.items():
        case_rows, passes[name] = speed_rows(name, X, description, contenders)
        rows.extend(case_rows)
    for name, (X, y, description) in data.items():
        sweep, elapsed, mismatches = vigilance_sweep(name, X, y, cpp)
        sweeps[name] = (description, sweep)
        sweep_rows.append((description, sweep, elapsed, mismatches))
    try:
        plot_sweep(sweeps, FIGURE)
        figure_ok, figure_note = True, f"written to `{figure_name()}`"
    except ImportError as error:
        figure_ok, figure_note = False, f"not drawn ({error}; `pip install matplotlib`)"
    rows.extend(sweep_row(*entry, cpp_reason, figure_ok) for entry in sweep_rows)

    def extremes(name):
        sweep = sweeps[name][1]
        best = max(sweep, key=lambda s: s["ari"])
        return (f"{sweep[0]['categories']} category at rho {sweep[0]['rho']:g} to "
                f"{sweep[-1]['categories']} at rho {sweep[-1]['rho']:g}; best ARI "
                f"{best['ari']:.3f} at rho {best['rho']:.2f}")

    notes = [
        "Fuzzy ART, data: the UCI digits bundled with neuroclust (raw pixels 0..16) and the five "
        "3-D Gaussian clusters (`make_five_centroids(n_samples=1000, cluster_std=0.8, "
        "random_state=0)`), each min-max scaled to [0, 1] by the benchmark. Both libraries "
        "then apply their own per-feature range scaling (identity on this data up to rounding, "
        "the same arithmetic in both) and complement coding: neuroclust inside `fit` "
        "(`scale=True`), artlib in `prepare_data`, which is therefore inside artlib's timed "
        "call. Each timed call also builds its model; construction is negligible for both.",
        f"Fuzzy ART, settings: alpha {ALPHA}, beta {BETA} (fast learning), artlib's default "
        "match tracking (MT+, epsilon 0, no reset function: a plain vigilance test), samples "
        "presented in the given order every pass (neuroclust `shuffle=False`, artlib has no "
        f"shuffling). Timed at rho {SPEED_RHO['digits']} on the digits and "
        f"{SPEED_RHO['blobs']} (neuroclust's default) on the clusters: the digits at 0.75 give "
        "about 550 categories and artlib's numba class about 3 s per pass, too long for the "
        "alternating pairs.",
        f"Fuzzy ART, passes: neuroclust's `fit` stops after the first pass in which no sample "
        f"changes category ({passes['digits']} passes on the digits, {passes['blobs']} on the "
        "clusters, the last one confirming); artlib has no stopping rule, so it is given "
        "exactly that many passes (`fit(max_iter=k)`), and both do the same work. artlib's C++ "
        "`fit` accepts `max_iter` but always makes one pass, so its further passes are "
        "`partial_fit` calls on the same prepared data (they go on from the categories learned "
        "so far, which is what a further pass of `fit(max_iter=k)` does; the check column "
        "confirms the same categories). The check compares the labels of the last pass, the "
        "number of categories and the weights.",
        "Fuzzy ART, timing: one warm-up pair (it also compiles artlib's numba functions), then "
        f"{PAIRS['python']} (numba class) or {PAIRS['c++']} (C++ backend) alternating pairs; "
        f"a call shorter than {SLOT_SECONDS * 1e3:.0f} ms is repeated within its slot and the "
        "slot's median taken. All three run the presentation loop on one core (it is "
        "sequential: each sample's search depends on the categories left by the previous one); "
        "the thread settings apply to NumPy's work around it.",
        f"Fuzzy ART, vigilance sweep: neuroclust fitted to convergence at each rho; ARI "
        "(scikit-learn's `adjusted_rand_score`) of the categories against the true classes. "
        f"Digits: {extremes('digits')}. Clusters: {extremes('blobs')}. Fuzzy ART's categories "
        "are boxes of at most d(1 - rho) in size, so on the 64-pixel digits they split the "
        "classes into many categories long before they separate them, and the ARI against "
        "ten classes stays low at every rho; on the compact 3-D clusters it peaks where the "
        "number of categories is near five to ten. Figure: " + figure_note + " (two panels, "
        "categories on a log axis and ARI on the right axis).",
    ]
    return {"rows": rows, "notes": notes}


if __name__ == "__main__":
    _common.print_report("Fuzzy ART vs artlib", run())
