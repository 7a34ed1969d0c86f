"""Every tutorial runs, start to end, as a plain script.

Each ``tutorials/*.py`` is run in its own Python process, in fast mode
(``NEUROCLUST_FAST=1``: fewer samples and epochs), with the non-interactive Matplotlib backend,
from an empty temporary working directory (so a tutorial that writes files leaves nothing in
the repository, and one that reads a file by a relative path fails here as it would for a
student who runs it from elsewhere).
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = sorted((ROOT / "tutorials").glob("*.py"))
TIME_LIMIT_S = 900  # fast mode takes seconds; this only stops a hang, even on a loaded machine


def test_there_are_tutorials():
    assert TUTORIALS, "no tutorials/*.py found"


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda path: path.name)
def test_tutorial_runs(script, tmp_path):
    environment = dict(os.environ)
    environment.update(NEUROCLUST_FAST="1", MPLBACKEND="Agg")
    # the checkout first, so the tutorial uses this neuroclust, as the docs build does
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p])
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=TIME_LIMIT_S)
    assert result.returncode == 0, (
        f"{script.name} exited with {result.returncode}\n"
        f"--- stdout (last 3000 characters) ---\n{result.stdout[-3000:]}\n"
        f"--- stderr (last 5000 characters) ---\n{result.stderr[-5000:]}")



def _neuroclust_names(script):
    """Every dotted neuroclust name a script imports, or reaches as an attribute of a name it
    imported from neuroclust (``nn._x`` after ``from neuroclust import nn``)."""
    import ast

    tree = ast.parse(script.read_text(encoding="utf-8"))
    bound = {}                                     # local name -> the neuroclust name it is
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "neuroclust":
                    bound[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else "neuroclust")
                    yield alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "neuroclust":
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                yield f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound):
            yield f"{bound[node.value.id]}.{node.attr}"


def _is_private(name):
    return any(part.startswith("_") and not part.startswith("__") for part in name.split("."))


def test_the_private_name_check_sees_through_aliases(tmp_path):
    script = tmp_path / "t.py"
    script.write_text("import neuroclust as nc\nfrom neuroclust import nn\n"
                      "from neuroclust.models import _resources\nnc._x; nn._checks.y; nn.Dense\n")
    assert sorted(filter(_is_private, _neuroclust_names(script))) == [
        "neuroclust._x", "neuroclust.models._resources", "neuroclust.nn._checks"]


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda path: path.name)
def test_tutorials_use_no_private_name_of_neuroclust(script):
    """A student copies what a tutorial does: it must use only the public library."""
    private = sorted(set(filter(_is_private, _neuroclust_names(script))))
    assert not private, f"{script.name} uses private names of neuroclust: {private}"
