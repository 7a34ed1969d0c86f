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
