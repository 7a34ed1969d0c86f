"""Every example in a docstring of the package runs, and prints what the docstring shows.

The examples are collected from the installed package (whichever ``neuroclust`` the tests
import, a checkout or a wheel), module by module, with the standard library's doctest.
"""
import doctest
import importlib
import pkgutil

import pytest

import neuroclust

MODULES = sorted(info.name for info in pkgutil.walk_packages(neuroclust.__path__, "neuroclust.")
                 if not info.name.startswith("neuroclust._kernels.")
                 and not info.name.endswith(".__main__"))      # importing it runs the CLI


def _examples(module_name):
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:       # an optional backend (CuPy) not installed
        pytest.skip(f"{module_name} does not import here: {error}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module, module_name) if test.examples]


def test_there_are_examples():
    assert sum(len(_examples(name)) for name in MODULES) >= 15


def test_a_wrong_example_fails(tmp_path, monkeypatch):
    (tmp_path / "wrong_example.py").write_text('"""\n>>> 1 + 1\n3\n"""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    runner = doctest.DocTestRunner()
    for test in _examples("wrong_example"):
        runner.run(test, out=lambda text: None)
    assert runner.summarize(verbose=False).failed == 1


@pytest.mark.parametrize("module_name", ["neuroclust"] + MODULES)
def test_the_docstring_examples_of_a_module_run(module_name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in _examples(module_name):
        runner.run(test, out=lambda text: None)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, (f"{results.failed} of {results.attempted} examples in "
                                 f"{module_name} fail; run python -m doctest on it to see them")
