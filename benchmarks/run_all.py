"""Run every benchmark, print one Markdown table of ratios and write it to results.md.

Run from the repository root after building the kernels in place:

    python setup.py build_ext --inplace
    python benchmarks/run_all.py

Takes about forty minutes on two cores (the defaults section, in fresh processes, about
seven, the growing neural gas section about two and a half, the autoencoder section about six,
the variational autoencoder and DEC sections about three each, contrastive clustering about
six, CNNI about two, Fuzzy ART about one).
The neurolab comparison creates its own virtual environment (benchmarks/.venv-neurolab,
NumPy < 2) on first use and is skipped, with the reason in the table, when that is impossible
(e.g. no network for pip). The SOM comparisons need MiniSom, somoclu and XPySom installed,
the growing neural gas comparison MDP, the Fuzzy ART comparison artlib, the autoencoder, VAE and DEC speed rows PyTorch (see README.md); a
missing peer fails or skips its rows.
"""
import _common  # first: sets the thread counts before NumPy loads

import datetime
import os
import time
import traceback

import bench_art
import bench_autoencoder
import bench_bmu
import bench_cnni
import bench_competitive
import bench_dec
import bench_contrastive
import bench_deep_quality
import bench_defaults
import bench_gng
import bench_kmeans
import bench_som_batch
import bench_som_digits
import bench_som_online
import bench_vae

RESULTS = os.path.join(_common.BENCH_DIR, "results.md")

SECTIONS = [
    ("The defaults, as a user calls them", bench_defaults.run),
    ("BMU search vs GEMM", bench_bmu.run),
    ("k-means vs scikit-learn", bench_kmeans.run),
    ("Competitive learning vs neurolab", bench_competitive.run),
    ("Online SOM vs MiniSom", bench_som_online.run),
    ("Batch SOM vs somoclu, XPySom and MiniSom", bench_som_batch.run),
    ("SOM on digits vs MiniSom", bench_som_digits.run),
    ("Growing neural gas", bench_gng.run),
    ("Fuzzy ART vs artlib", bench_art.run),
    ("Autoencoder", bench_autoencoder.run),
    ("Variational autoencoder", bench_vae.run),
    ("DEC", bench_dec.run),
    ("Contrastive clustering", bench_contrastive.run),
    ("CNNI and the MMJ distance", bench_cnni.run),
    ("Deep clustering quality", bench_deep_quality.run),
]


def main():
    rows, notes, loads, tables = [], [], [], []
    started = time.perf_counter()
    for title, run in SECTIONS:
        print(f"running: {title} ...", flush=True)
        monitor = _common.LoadMonitor()
        section_start = time.perf_counter()
        try:
            result = run()
        except Exception as error:  # report and go on with the other benchmarks
            traceback.print_exc()
            result = {"rows": [_common.skipped_row(title, "-", "-", "-",
                                                   f"failed: {type(error).__name__}: {error}")],
                      "notes": []}
        elapsed = time.perf_counter() - section_start
        share = monitor.others_share()
        loads.append(f"{title}: {elapsed:.0f} s"
                     + ("" if share is None
                        else f", other processes used {share:.0%} of the cores meanwhile"))
        rows.extend(result["rows"])
        notes.extend(result.get("notes", []))
        tables.extend(result.get("tables", []))
        print(_common.markdown_table(result["rows"]), flush=True)

    total = time.perf_counter() - started
    lines = [
        "# neuroclust benchmarks",
        "",
        f"Measured {datetime.date.today().isoformat()} with `python benchmarks/run_all.py` "
        f"({total:.0f} s). Every contender runs with {_common.THREADS_LABEL} (set by the "
        "scripts before NumPy loads). Ratios are the result: absolute times drift on this "
        "two-core machine and are shown only for scale. Each ratio is the ratio of the "
        "medians of alternating runs (A B A B ...); the pair-ratio range shows the drift "
        "inside the run.",
        "",
        _common.markdown_table(rows),
        "",
        *(line for table_title, table in tables for line in (f"### {table_title}", "", table, "")),
        "## Notes",
        "",
        *(f"- {note}" for note in notes),
        "",
        "## Machine and run",
        "",
        *(f"- {line}" for line in _common.environment_lines()),
        *(f"- Load during {line}." for line in loads),
        "",
    ]
    text = "\n".join(lines)
    with open(RESULTS, "w") as handle:
        handle.write(text)
    print()
    print(text)
    print(f"written to {os.path.relpath(RESULTS)}")


if __name__ == "__main__":
    main()
