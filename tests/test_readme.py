"""The README's examples, and the docs index's, run as written and do what their comments say.

The Python blocks run in one namespace each, and the claims in their comments are checked on
the objects they leave behind; the command-line block runs line by line, in order, in an empty
folder holding a ``my_data.csv`` of the student's own (the README says to run it from such a
folder).
"""
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
pytestmark = pytest.mark.skipif(not README.exists(), reason="runs from a source checkout")


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _run_python_block(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_blocks("python")[index], f"README python block {index + 1}", "exec"),
             namespace)
    return namespace, printed.getvalue()


def test_the_first_example_finds_the_five_centres(tmp_path, monkeypatch):
    from neuroclust import metrics

    ns, printed = _run_python_block(0, tmp_path, monkeypatch)
    assert printed
    # "close to the five true centres"
    distances = np.linalg.norm(ns["model"].cluster_centers_[:, None] - ns["centres"][None],
                               axis=2)
    assert distances.min(axis=0).max() < 0.5
    assert metrics.adjusted_rand_score(ns["y"], ns["model"].labels_) > 0.9
    # "the U-matrix: ridges between the five clusters": units on a ridge are far from their
    # neighbours, so the map's distances spread well beyond their smallest values
    u_matrix = ns["som"].distance_map()
    assert u_matrix.max() > 2 * u_matrix.min()
    assert metrics.adjusted_rand_score(ns["y"], ns["som"].labels_) > 0.8


def test_the_autoencoder_example_separates_the_waves(tmp_path, monkeypatch):
    from neuroclust import KMeans, metrics

    ns, _ = _run_python_block(1, tmp_path, monkeypatch)
    assert ns["codes"].shape == (600, 8)      # "(600, 8): what goes to the clusterer"
    labels = KMeans(3, n_init=10, random_state=0).fit_predict(ns["codes"])
    assert metrics.adjusted_rand_score(ns["kinds"], labels) > 0.9   # "near 1"


def _commands():
    for line in _blocks("bash")[-1].splitlines():
        line = line.split("  #", 1)[0].strip()
        if line.startswith("neuroclust "):
            yield shlex.split(line)[1:]


def test_the_command_line_block_runs_in_order(tmp_path):
    rng = np.random.default_rng(0)
    own_data = np.concatenate([rng.normal(centre, 0.3, size=(50, 2))
                               for centre in ([0, 0], [3, 0], [0, 3], [3, 3])])
    np.savetxt(tmp_path / "my_data.csv", own_data, delimiter=",")
    environment = dict(os.environ, MPLBACKEND="Agg")
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p])
    commands = list(_commands())
    assert len(commands) >= 8
    for arguments in commands:
        result = subprocess.run([sys.executable, "-m", "neuroclust", *arguments], cwd=tmp_path,
                                env=environment, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (arguments, result.stderr[-2000:])
    fit_labels = np.loadtxt(tmp_path / "labels.txt", dtype=int)
    assert fit_labels.shape == (500,) and len(np.unique(fit_labels)) == 5
    own_labels = np.loadtxt(tmp_path / "my_labels.txt", dtype=int)
    assert own_labels.shape == (200,)
    assert sorted(np.bincount(own_labels)) == [50, 50, 50, 50]   # the four clouds found


def test_the_docs_index_example_finds_the_five_centres(tmp_path, monkeypatch):
    index = ROOT / "docs" / "index.md"
    if not index.exists():
        pytest.skip("the docs are not in this checkout")
    (block,) = re.findall(r"```python\n(.*?)```", index.read_text(encoding="utf-8"), re.S)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block, "docs/index.md", "exec"), namespace)
    from neuroclust.datasets import make_five_centroids
    _, _, centres = make_five_centroids(n_samples=1000, random_state=0, return_centers=True)
    prototypes = namespace["model"].cluster_centers_
    # "five prototypes, each close to one of the true centres"
    distances = np.linalg.norm(prototypes[:, None] - centres[None], axis=2)
    assert distances.min(axis=1).max() < 0.5 and distances.min(axis=0).max() < 0.5
