"""Every tutorial runs, start to end, as a plain script.

Each ``tutorials/*.py`` is run in its own Python process, in fast mode
(``NEUROCLUST_FAST=1``: fewer samples and epochs), with the non-interactive Matplotlib backend,
from an empty temporary working directory (so a tutorial that writes files leaves nothing in
the repository, and one that reads a file by a relative path fails here as it would for a
student who runs it from elsewhere).
"""
import os
import re
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


EQUATION = re.compile(r"\beqs?\.\s*\((\d+)\)(?:\s*(?:-|to|and)\s*\((\d+)\))?")
TARGET = re.compile(r":(?:class|func|meth|attr):`~?([\w.]+)`")


def _numbered_in(name):
    """The equation numbers tagged in the docstring of ``name`` and of its members."""
    import importlib
    import inspect

    module_name, obj = name, None
    while module_name:
        try:
            obj = importlib.import_module(module_name)
            break
        except ImportError:
            module_name = module_name.rpartition(".")[0]
    for attribute in name[len(module_name):].strip(".").split(".") if obj else []:
        if attribute:
            obj = getattr(obj, attribute)
    docs = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):
        docs += [inspect.getdoc(member) or "" for member in vars(obj).values()]
    return {int(tag) for doc in docs for tag in re.findall(r"\\tag\{\s*(\d+)\s*\}", doc)}


def equation_reference_problems(text):
    """Plain 'eq. (n)' references that name no docstring holding equation n.

    A reference to a page's equation is written ``:eq:`label``` (the docs build fails on a
    label that does not exist); a plain number must stand next to the class or function whose
    docstring numbers it (named just before or after), or be a paper's ("the paper's eqs. (4)").
    """
    problems = []
    for match in EQUATION.finditer(text):
        before, after = text[max(0, match.start() - 120):match.start()], text[match.end():]
        if "paper" in before[-40:]:
            continue
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        target = TARGET.search(after[:160]) or ([*TARGET.finditer(before)] or [None])[-1]
        if target is None:
            problems.append(f"{match.group(0)!r} names no docstring (…{before}{match.group(0)})")
            continue
        missing = set(range(first, last + 1)) - _numbered_in(target.group(1))
        if missing:
            problems.append(f"{match.group(0)!r}: {target.group(1)} numbers no {sorted(missing)}")
    return problems


def test_the_equation_reference_check_finds_a_reference_to_nowhere():
    assert equation_reference_problems("the squared error, eq. (3) below") != []
    assert equation_reference_problems("eqs. (1) to (5) of :class:`neuroclust.nn.Adam`") == []
    assert equation_reference_problems("eq. (99) of :class:`neuroclust.nn.Adam`") != []


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda path: path.name)
def test_tutorial_equation_references_point_at_numbered_equations(script):
    problems = equation_reference_problems(script.read_text(encoding="utf-8"))
    assert not problems, f"{script.name}: {problems}"
