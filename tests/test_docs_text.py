"""The text a reader sees holds no control characters.

A LaTeX command in a docstring or page that is not a raw string turns into one: ``"\\text"``
is a tab and ``"ext"``, ``"\\rVert"`` a carriage return and ``"Vert"``, ``"\\frac"`` a form
feed; the formula then fails to render without any error at build time.
"""
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import neuroclust

ROOT = Path(__file__).resolve().parent.parent
CONTROL = {"\t": "a tab", "\r": "a carriage return", "\f": "a form feed", "\b": "a backspace",
           "\v": "a vertical tab", "\a": "a bell"}
PAGES = sorted((ROOT / "docs").glob("**/*.md")) + sorted((ROOT / "tutorials").glob("*.py"))
PAGES = [page for page in PAGES if "_build" not in page.parts and "auto_tutorials" not in page.parts]


def _control_characters(text):
    return sorted({name for char, name in CONTROL.items() if char in text})


def _docstrings():
    """(qualified name, docstring) of every module, class, function and method of the package."""
    seen = set()
    for info in pkgutil.walk_packages(neuroclust.__path__, "neuroclust."):
        if info.name.endswith("__main__"):          # importing it runs the command line
            continue
        module = importlib.import_module(info.name)
        yield info.name, module.__doc__ or ""
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) != module.__name__ or id(value) in seen:
                continue
            seen.add(id(value))
            yield f"{info.name}.{name}", inspect.getdoc(value) or ""
            if inspect.isclass(value):
                for member_name, member in vars(value).items():
                    target = member.fget if isinstance(member, property) else member
                    yield f"{info.name}.{name}.{member_name}", getattr(target, "__doc__", "") or ""


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_pages_hold_no_control_characters(page):
    found = _control_characters(page.read_text(encoding="utf-8"))
    assert not found, f"{page.relative_to(ROOT)} holds {', '.join(found)}"


def test_docstrings_hold_no_control_characters():
    bad = {name: _control_characters(doc) for name, doc in _docstrings()}
    bad = {name: found for name, found in bad.items() if found}
    assert not bad, f"docstrings with control characters (write them as raw strings): {bad}"
