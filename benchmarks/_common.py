"""Shared helpers for the benchmarks: thread settings, alternating timing, Markdown tables.

Import this module before NumPy: it fixes the thread counts (OpenMP and OpenBLAS both get two
threads) so that every contender runs under the same settings, and it puts the repository root
on ``sys.path`` so that the benchmarks run from a source checkout with the kernels built in
place (``python setup.py build_ext --inplace``).
"""
import os
import platform
import statistics
import sys
import time

THREADS = 2
THREAD_ENV = {"OMP_NUM_THREADS": str(THREADS), "OPENBLAS_NUM_THREADS": str(THREADS)}
os.environ.update(THREAD_ENV)

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

if "numpy" in sys.modules:  # too late for the variables above: limit the pools directly
    from threadpoolctl import threadpool_limits

    threadpool_limits(THREADS)


def alternate(first, second, pairs, warmup=1):
    """Time two callables as A B A B ...; return (times_a, times_b), warm-up pairs dropped.

    A callable may return a float, which is then taken as its own measured time (for a peer
    that times itself, e.g. in a subprocess); otherwise the wall time of the call is used.
    """
    times_a, times_b = [], []
    for index in range(warmup + pairs):
        pair = []
        for function in (first, second):
            start = time.perf_counter()
            reported = function()
            elapsed = time.perf_counter() - start
            pair.append(reported if isinstance(reported, float) else elapsed)
        if index >= warmup:
            times_a.append(pair[0])
            times_b.append(pair[1])
    return times_a, times_b


def median(values):
    return statistics.median(values)


def pair_ratios(numerators, denominators):
    """The ratio of each A B pair (a measure of the drift inside one run)."""
    return [n / d for n, d in zip(numerators, denominators)]


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"


def fmt_ratio(value):
    return f"{value:.0f}x" if value >= 100 else f"{value:.2f}x"


def cluster_scores(y, labels):
    """ARI, NMI and Hungarian-matched accuracy of ``labels`` against the true classes ``y``."""
    from neuroclust.metrics import (adjusted_rand_score, clustering_accuracy,
                                    normalized_mutual_info_score)

    return {"ari": adjusted_rand_score(y, labels), "nmi": normalized_mutual_info_score(y, labels),
            "acc": clustering_accuracy(y, labels)}


def spread(values):
    """Mean, sample standard deviation (0 for one value), minimum and maximum."""
    return (statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0,
            min(values), max(values))


def fmt_spread(values):
    mean, std, lo, hi = spread(values)
    return f"{mean:.3f} ± {std:.3f} [{lo:.3f}-{hi:.3f}]"


THREADS_LABEL = f"OMP_NUM_THREADS={THREADS}, OPENBLAS_NUM_THREADS={THREADS}"
COLUMNS = ("Benchmark", "Threads", "neuroclust", "reference", "neuroclust (median)", "reference (median)",
           "Ratio", "Pair ratios (min-max)", "Target", "Met", "Check")


def make_row(benchmark, ours, theirs, ours_times, theirs_times, speedup, target, met, check,
             threads=THREADS_LABEL):
    """One table row.

    speedup=False: the ratio is neuroclust time / reference time (lower is better);
    speedup=True: it is reference time / neuroclust time (higher is better).
    """
    if speedup:
        ratios = pair_ratios(theirs_times, ours_times)
        ratio = median(theirs_times) / median(ours_times)
        label = f"{fmt_ratio(ratio)} faster"
    else:
        ratios = pair_ratios(ours_times, theirs_times)
        ratio = median(ours_times) / median(theirs_times)
        label = f"{fmt_ratio(ratio)} the time"
    return {
        "Benchmark": benchmark,
        "Threads": threads,
        "neuroclust": ours,
        "reference": theirs,
        "neuroclust (median)": fmt_time(median(ours_times)),
        "reference (median)": fmt_time(median(theirs_times)),
        "Ratio": label,
        "Pair ratios (min-max)": f"{fmt_ratio(min(ratios))}-{fmt_ratio(max(ratios))}",
        "Target": target,
        "Met": "yes" if met else "**no**",
        "Check": check,
        "ratio_value": ratio,
    }


def skipped_row(benchmark, ours, theirs, target, reason):
    row = {name: "-" for name in COLUMNS}
    row.update({"Benchmark": benchmark, "Threads": THREADS_LABEL, "neuroclust": ours, "reference": theirs,
                "Target": target, "Met": "skipped", "Check": reason})
    return row


def markdown_table(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(row[name]).replace("|", "\\|") for name in COLUMNS)
                     + " |")
    return "\n".join(lines)


def _version(module_name):
    try:
        module = __import__(module_name)
        return getattr(module, "__version__", "?")
    except ImportError:
        return "not installed"


def environment_lines():
    """Machine, thread settings and library versions, one Markdown bullet each."""
    import numpy as np
    from threadpoolctl import threadpool_info

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    blas = sorted({f"{pool.get('internal_api')} {pool.get('version')} "
                   f"({pool.get('architecture')} kernels, {pool.get('prefix')})"
                   for pool in threadpool_info() if pool.get("user_api") == "blas"})
    openmp = sorted({os.path.basename(pool.get("filepath", "?"))
                     for pool in threadpool_info() if pool.get("user_api") == "openmp"})
    return [
        f"Machine: {platform.machine()}, {cores} CPU cores usable, {platform.system()}; "
        f"Python {platform.python_version()}.",
        "Threads: " + ", ".join(f"{k}={v}" for k, v in THREAD_ENV.items())
        + f"; neuroclust kernels use up to {THREADS} OpenMP threads (calls too small to pay "
        "for a second thread stay on one) with single-threaded BLAS inside; "
        "scikit-learn uses 2 OpenMP threads; NumPy's matrix product uses 2 OpenBLAS threads."
        + (f" OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}."
           if os.environ.get("OPENBLAS_CORETYPE") else ""),
        f"Versions: neuroclust {_version('neuroclust')}, numpy {np.__version__}, "
        f"scipy {_version('scipy')}, scikit-learn {_version('sklearn')}, "
        f"threadpoolctl {_version('threadpoolctl')}.",
        "BLAS: " + "; ".join(blas) + ".",
        "OpenMP runtimes loaded in the benchmark process: " + (", ".join(openmp) or "none")
        + (" (scikit-learn ships its own libgomp, so two runtimes with their own thread pools "
           "coexist once it is imported)" if len(openmp) > 1 else "") + ".",
    ]


class LoadMonitor:
    """How busy the machine was with *other* processes while a benchmark ran.

    Reads the kernel's CPU counters (Linux ``/proc/stat``) and subtracts this process's own
    CPU time and its children's. Other processes on two cores distort every timing, so the
    result is reported next to the table (None where ``/proc/stat`` does not exist).
    """

    def __init__(self):
        self._start = self._sample()

    @staticmethod
    def _sample():
        import resource

        try:
            with open("/proc/stat") as handle:
                fields = [int(v) for v in handle.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / ticks  # all but idle and iowait
        own = sum(getattr(resource.getrusage(who), name)
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                  for name in ("ru_utime", "ru_stime"))
        return busy, own, time.perf_counter()

    def others_share(self):
        """Mean fraction of all cores that other processes used since the start."""
        end = self._sample()
        if self._start is None or end is None:
            return None
        busy = end[0] - self._start[0]
        own = end[1] - self._start[1]
        wall = end[2] - self._start[2]
        cores = os.cpu_count() or 1
        return max(0.0, (busy - own) / (wall * cores)) if wall > 0 else None


def print_report(title, result):
    print(f"## {title}\n")
    print(markdown_table(result["rows"]))
    for table_title, table in result.get("tables", ()):
        print(f"\n### {table_title}\n\n{table}")
    if result.get("notes"):
        print()
        for note in result["notes"]:
            print(f"- {note}")
    print()
