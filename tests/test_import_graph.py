"""The package's import graph, read from the source with ``ast`` (nothing is imported to walk it).

Four rules keep the layers readable from the bottom up (issue 11):

* nothing under ``neuroclust/backend/`` or ``neuroclust/nn/``, and not ``neuroclust/grid.py``,
  imports ``neuroclust.models``: the estimators are built on the kernels, the layers and the
  grid, never the other way round (an upward import is also an import loop waiting for the
  wrong import order);
* a library module imports no private module or private name (one starting with ``_``) of
  another package: ``neuroclust._validation`` belongs to the whole library, but
  ``neuroclust.nn._checks`` belongs to ``neuroclust.nn`` only. Whatever two packages share
  moves down into a module both may use;
* no module under ``neuroclust/models/`` imports ``neuroclust.backend.reference`` (or a module
  or name in it): a model reaches its kernels only through ``get_kernels(backend)``, the
  kernel module of the backend ``fit`` (and every query) chose;
* imports sit at the top of files. An import inside a function is allowed only where it is
  listed below with its reason: an import cycle it avoids, or an optional or slow dependency
  loaded on first use.

Every ``import`` and ``from ... import`` counts, at the top of a file or inside a function;
relative imports are resolved against the importing module's package.

Finally, the import order must not matter: ``import neuroclust.nn`` first, in a fresh
interpreter, works, and so does ``import neuroclust.grid`` alone.
"""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import neuroclust

PACKAGE_DIR = Path(neuroclust.__file__).resolve().parent
ROOT = PACKAGE_DIR.name  # "neuroclust"

#: Packages and modules that must not import ``neuroclust.models``.
BELOW_MODELS = ("neuroclust.backend", "neuroclust.nn", "neuroclust.grid",
                "neuroclust.augment")

#: Imports of another package's private module or name that are still to be fixed, as
#: (importing module, imported module or name); each is a step of issue 11. Keep this short:
#: a test below fails once an entry is fixed, so that it is removed from the list.
KNOWN_PRIVATE_IMPORTS = set()

#: The imports of a neuroclust module that stay inside a function, as (importing module,
#: imported module or name): each avoids an import cycle or a slow import.
ALLOWED_LOCAL_IMPORTS = {
    # neuroclust.persistence imports neuroclust.base (BaseEstimator, _REGISTRY).
    ("neuroclust.base", "neuroclust.persistence.save_model"),
    # matplotlib is slow to import and must be told to draw off-screen (Agg) before
    # neuroclust.plotting loads pyplot: only a command that draws imports it.
    ("neuroclust.cli._fit", "neuroclust.plotting"),
    # python -m neuroclust: Ctrl-C while the command line is imported is one line, code 130.
    ("neuroclust.__main__", "neuroclust.cli.main"),
}

#: Other packages that may be imported inside a function, and why: optional dependencies,
#: and required ones that are slow to import and needed by few calls.
ALLOWED_LAZY_PACKAGES = {
    "cupy": "optional (the GPU backend)",
    "cupyx": "optional (the GPU backend)",
    "sklearn": "optional (only scikit-learn asks for the estimator tags)",
    "matplotlib": "slow to import; only figures need it (outside neuroclust.plotting)",
    "scipy": "slow to import; only the Hungarian matching of the metrics needs it",
    "tqdm": "tqdm.auto is slow to import (it loads asyncio); only a model that trains needs it",
    "resource": "POSIX only; the memory estimate does without it elsewhere",
    "dask": "optional (neuroclust[distributed]): only a fit or query on a Dask array",
}


def module_name(path):
    """``neuroclust/nn/som.py`` -> ``neuroclust.nn.som``; a package's ``__init__.py`` -> the package."""
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_modules():
    """{module name: source path} for every ``.py`` file of the package."""
    return {module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))
            if "__pycache__" not in path.parts}


MODULES = library_modules()
PACKAGES = {name for name, path in MODULES.items() if path.name == "__init__.py"}
# Compiled extensions (neuroclust._kernels) are modules too, when they are built.
EXTENSIONS = {module_name(path.with_name(path.name.split(".")[0] + ".py"))
              for suffix in ("*.so", "*.pyd") for path in PACKAGE_DIR.rglob(suffix)}
KNOWN = set(MODULES) | EXTENSIONS


def package_of(module):
    """The package a module belongs to (a package belongs to itself)."""
    return module if module in PACKAGES else module.rpartition(".")[0]


def imported(module, path):
    """Every (line, target) that ``module`` imports, targets as absolute dotted names.

    ``from a import b`` gives ``a.b`` (a module, or a name defined in ``a``); ``import a.b``
    gives ``a.b``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_of(module).split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                yield node.lineno, source if alias.name == "*" else f"{source}.{alias.name}"


def function_level_imports(path):
    """(line, target, importing function's name) for every import inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, getattr(child, "name", "<lambda>"))
            elif isinstance(child, (ast.Import, ast.ImportFrom)) and function is not None:
                found.append((child.lineno, child, function))
            else:
                visit(child, function)

    visit(tree, None)
    return found


def local_imports():
    """(importer, line, target) for every import inside a function, targets resolved as in
    :func:`imported`."""
    result = []
    for module, path in MODULES.items():
        lines = {line for line, _, _ in function_level_imports(path)}
        result += [(module, line, target) for line, target in imported(module, path)
                   if line in lines]
    return result


def edges():
    """(importer, line, target) for every import of a ``neuroclust`` module in the package."""
    return [(module, line, target) for module, path in MODULES.items()
            for line, target in imported(module, path)
            if target == ROOT or target.startswith(ROOT + ".")]


EDGES = edges()


def is_within(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def private_owner(target):
    """The package that owns the first private part of ``target``, or None if it has none.

    ``neuroclust.nn._checks`` and ``neuroclust.nn.conv._windows`` both belong to
    ``neuroclust.nn``; ``neuroclust._validation`` belongs to ``neuroclust``. Dunder names
    (``__version__``) are public.
    """
    parts = target.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not (part.startswith("__") and part.endswith("__")):
            prefix = ".".join(parts[:i])
            return prefix if prefix in PACKAGES else package_of(prefix)
    return None


def private_imports():
    """(importer, line, target) for every import of a private part of another package."""
    found = []
    for module, line, target in EDGES:
        owner = private_owner(target)
        if owner is not None and not is_within(package_of(module), owner):
            found.append((module, line, target))
    return found


# --- the walk itself ------------------------------------------------------------------------

def test_the_walk_finds_the_modules_and_resolves_relative_imports():
    assert {"neuroclust", "neuroclust.grid", "neuroclust.models.som", "neuroclust.nn.som",
            "neuroclust.backend.reference"} <= set(MODULES)
    assert {"neuroclust.models", "neuroclust.nn", "neuroclust.backend"} <= PACKAGES
    found = {(module, target) for module, _, target in EDGES}
    # from .. import grid (nn/som.py), from .._validation import ... (models/som.py),
    # from . import datasets (__init__.py), from . import _checks (backend/cython.py)
    assert ("neuroclust.nn.som", "neuroclust.grid") in found
    assert ("neuroclust.models.som", "neuroclust._validation.check_array") in found
    assert ("neuroclust", "neuroclust.datasets") in found
    assert ("neuroclust.backend.cython", "neuroclust.backend._checks") in found
    # Imports inside functions count as well.
    assert ("neuroclust.base", "neuroclust.persistence.save_model") in found


def test_private_owner():
    assert private_owner("neuroclust.grid.decay") is None
    assert private_owner("neuroclust._validation.check_array") == "neuroclust"
    assert private_owner("neuroclust.nn._checks") == "neuroclust.nn"
    assert private_owner("neuroclust.nn._checks.check_input") == "neuroclust.nn"
    assert private_owner("neuroclust.nn.conv._windows") == "neuroclust.nn"
    assert private_owner("neuroclust.models._resources") == "neuroclust.models"
    assert private_owner("neuroclust.__version__") is None


# --- the rules ------------------------------------------------------------------------------

def test_backend_nn_and_grid_do_not_import_models():
    upward = [f"{module} (line {line}) imports {target}" for module, line, target in EDGES
              if any(is_within(module, low) for low in BELOW_MODELS)
              and is_within(target, "neuroclust.models")]
    assert upward == [], ("backend/, nn/ and grid.py must not import neuroclust.models; move "
                          "what they share down:\n" + "\n".join(upward))


def test_models_reach_the_reference_only_through_get_kernels():
    direct = [f"{module} (line {line}) imports {target}" for module, line, target in EDGES
              if is_within(module, "neuroclust.models")
              and is_within(target, "neuroclust.backend.reference")]
    assert direct == [], ("a model calls get_kernels(self.backend_).<kernel> (or the kernels "
                          "its _validate_for_fit / _validate_for_predict returned), never the "
                          "NumPy reference directly:\n" + "\n".join(direct))


def test_the_local_import_walk_sees_only_imports_inside_functions():
    found = {(module, target) for module, _, target in local_imports()}
    assert ("neuroclust.base", "neuroclust.persistence.save_model") in found
    assert ("neuroclust.models.som", "neuroclust.grid") not in found      # at the top


def allowed_locally(module, target):
    """Whether ``module`` may import ``target`` inside a function (the lists above)."""
    if is_within(target, ROOT):
        return (module, target) in ALLOWED_LOCAL_IMPORTS
    return target.split(".")[0] in ALLOWED_LAZY_PACKAGES


def test_imports_sit_at_the_top_of_files():
    local = [f"{module} (line {line}) imports {target}" for module, line, target in
             local_imports() if not allowed_locally(module, target)]
    assert local == [], ("import at the top of the file; where a real import cycle forces a "
                         "local import, break the cycle by moving code, or add the import to "
                         "ALLOWED_LOCAL_IMPORTS with the cycle it avoids:\n" + "\n".join(local))


def test_the_allowed_local_imports_still_exist():
    found = {(module, target) for module, _, target in local_imports()}
    gone = ALLOWED_LOCAL_IMPORTS - found
    assert gone == set(), f"no longer local, so remove them from ALLOWED_LOCAL_IMPORTS: {gone}"


def test_grid_needs_numpy_only():
    outside = sorted(target for _, target in imported("neuroclust.grid", MODULES["neuroclust.grid"])
                     if target.split(".")[0] not in sys.stdlib_module_names | {"numpy"})
    assert outside == []


def test_no_module_imports_a_private_part_of_another_package():
    found = private_imports()
    new = [f"{module} (line {line}) imports {target}" for module, line, target in found
           if (module, target) not in KNOWN_PRIVATE_IMPORTS]
    assert new == [], ("a private module or name belongs to its own package; move what two "
                       "packages share into a module both may import:\n" + "\n".join(new))


def test_the_known_exceptions_still_exist():
    fixed = KNOWN_PRIVATE_IMPORTS - {(module, target) for module, _, target in private_imports()}
    assert fixed == set(), f"fixed, so remove them from KNOWN_PRIVATE_IMPORTS: {sorted(fixed)}"


# --- a fresh interpreter --------------------------------------------------------------------

@pytest.mark.parametrize("statement", ["import neuroclust.nn; import neuroclust",
                                       "import neuroclust.grid"])
def test_imports_work_in_any_order_in_a_fresh_interpreter(statement, tmp_path):
    env = dict(os.environ)
    # The package under test, wherever it is installed; the cwd is an empty folder.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PACKAGE_DIR.parent)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    result = subprocess.run([sys.executable, "-c", statement], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_numpy_reference_imports_no_compiled_or_gpu_kernels():
    """backend/reference/ is the plain-NumPy oracle: it runs, and reads, without the compiled
    kernels or the other backends."""
    faster = ("neuroclust._kernels", "neuroclust.backend.cython", "neuroclust.backend.cupy")
    found = [f"{module} (line {line}) imports {target}" for module, line, target in EDGES
             if is_within(module, "neuroclust.backend.reference")
             and any(is_within(target, name) for name in faster)]
    assert found == []
