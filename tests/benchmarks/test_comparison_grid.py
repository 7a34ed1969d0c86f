"""The comparison grid's fast mode runs, and writes its figure and its table.

``benchmarks/comparison_grid.py --fast`` (100 points, 2 seeds, tiny budgets) runs in its own
Python process, as a user runs it, with this checkout first on the path and the output in a
temporary folder (the committed figure in ``docs/_static`` stays untouched). Only that the run
ends well and writes what it should is checked here: the numbers of the fast mode mean nothing.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import neuroclust

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "benchmarks" / "comparison_grid.py"
TIME_LIMIT_S = 180  # the fast mode takes seconds; this only stops a hang

SETS = ("noisy circles", "noisy moons", "blobs", "anisotropic", "unequal variance",
        "no structure")
METHODS = ("Competitive", "k-means", "SOM", "GNG", "Fuzzy ART", "AE + k-means",
           "VAE + k-means", "DEC", "Contrastive", "CNNI", "DBSCAN")
if hasattr(neuroclust, "OPTICS"):  # the grid adds its column once OPTICS exists
    METHODS += ("OPTICS",)


def _run(out, *arguments):
    environment = dict(os.environ)
    environment.update(MPLBACKEND="Agg")
    environment.pop("NEUROCLUST_FAST", None)
    # the checkout first, then the benchmarks' folder (for _common: the test suite sets
    # PYTHONSAFEPATH, which keeps a script's own folder off sys.path)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(ROOT / "benchmarks")]
        + [p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p])
    return subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *arguments],
                          check=False, cwd=out, env=environment, capture_output=True,
                          text=True, timeout=TIME_LIMIT_S)


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    return out, _run(out, "--fast")


def test_fast_mode_runs(fast_run):
    _, result = fast_run
    assert result.returncode == 0, (f"exit {result.returncode}\n--- stdout ---\n"
                                    f"{result.stdout[-3000:]}\n--- stderr ---\n"
                                    f"{result.stderr[-5000:]}")


def test_figure_is_written(fast_run):
    out, _ = fast_run
    figure = out / "comparison_grid.png"
    assert figure.is_file()
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_names_every_set_and_method(fast_run):
    out, result = fast_run
    text = (out / "comparison_grid.md").read_text(encoding="utf-8")
    assert text in result.stdout  # the same tables are printed
    for heading in ("## Adjusted Rand index", "## Fit time", "## Settings"):
        assert heading in text
    header = next(line for line in text.splitlines() if line.startswith("| Method |"))
    for name in SETS:
        assert name in header
    for method in METHODS:
        assert f"| {method} |" in text
        assert f"- **{method}**:" in text
    assert "failed" not in text
    assert "--fast" in text


def test_bad_threads_is_one_sentence(tmp_path):
    result = _run(tmp_path, "--fast", "--threads", "0")
    assert result.returncode == 2
    assert "--threads must be at least 1, got 0." in result.stderr
    assert not (tmp_path / "comparison_grid.png").exists()
