"""Sphinx configuration for the neuroclust documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` from the repository root.
The tutorials in ``tutorials/`` are executed by sphinx-gallery during the build, with their
full settings: that build is the one published. ``NEUROCLUST_FAST=1 sphinx-build ...`` runs
them in fast mode (smaller data, fewer epochs and seeds), as CI does to check that every page
builds; each page says which mode drew it.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "_ext"))
try:  # the installed package, with its compiled kernels
    import neuroclust  # noqa: F401
except ImportError:  # a source checkout built in place (python setup.py build_ext --inplace)
    sys.path.insert(0, ROOT)

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import neuroclust  # noqa: E402


# -- project -----------------------------------------------------------------------------
project = "neuroclust"
author = "the neuroclust authors"
copyright = "the neuroclust authors"
release = neuroclust.__version__
version = ".".join(release.split(".")[:2])

# -- extensions --------------------------------------------------------------------------
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",                  # MathJax 3 copied into the build: no network
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",                           # dropdowns: the exercises' worked solutions
    "eqcode",                                  # docs/_ext/eqcode.py
    "viewcode_backlinks",                      # docs/_ext/viewcode_backlinks.py
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints",
                    "auto_tutorials/*.ipynb", "auto_tutorials/*.py", "auto_tutorials/*.zip",
                    "_static/*.md"]  # generated tables, included by the pages that show them

# MyST: $...$ and $$...$$ math (dollarmath), $$...$$ (label) numbers an equation that
# {eq}`label` refers to; amsmath lets align/cases environments stand on their own.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_dmath_double_inline = True
myst_heading_anchors = 3
math_number_all = False
math_numfig = True
math_eqref_format = "({number})"

# autodoc + napoleon: numpydoc-style docstrings
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True
napoleon_preprocess_types = False
# napoleon escapes a trailing underscore only with this set: without it reST reads `labels_` in
# an Attributes entry as a link and the page shows `labels`
strip_signature_backslash = True

# -- sphinx-gallery: every script in tutorials/ is executed and rendered ------------------
sphinx_gallery_conf = {
    "examples_dirs": "../tutorials",
    "gallery_dirs": "auto_tutorials",
    "filename_pattern": r".*\.py$",            # execute every tutorial, not only plot_*
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": True,
    "abort_on_example_error": True,            # a failing tutorial fails the build
    "remove_config_comments": True,
    "capture_repr": (),                        # a cell ending in a plot call prints no <Figure>
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML --------------------------------------------------------------------------------
# The PyData theme: the one readers of NumPy's and scikit-learn's docs know, with a page-wide
# layout for long equations and code, and a local table of contents on every page.
html_theme = "pydata_sphinx_theme"
html_title = f"neuroclust {release}"
html_static_path = []
html_sidebars = {"**": []}       # the toctree is flat: a left sidebar would stand empty
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}


# -- every tutorial page says which mode drew it ----------------------------------------------
FAST_MODE = os.environ.get("NEUROCLUST_FAST") == "1"
MODE_NOTE = (
    ".. admonition:: Drawn in fast mode\n   :class: warning\n\n"
    "   This page was built with ``NEUROCLUST_FAST=1``: smaller data, fewer epochs and fewer\n"
    "   seeds, so that the documentation builds in minutes. Its numbers are rough and may\n"
    "   differ from a full run; download the script and run it without that variable for the\n"
    "   full settings.\n\n"
    if FAST_MODE else
    ".. admonition:: Drawn with the full settings\n   :class: note\n\n"
    "   This page was built without ``NEUROCLUST_FAST``: every number and figure on it comes\n"
    "   from the script below run with its full settings.\n\n")


def _add_mode_note(app, docname, source):
    """Put the mode note under the title of each executed tutorial page."""
    if not docname.startswith("auto_tutorials/plot_"):
        return
    lines = source[0].split("\n")
    for i in range(1, len(lines)):
        underline = lines[i].strip()
        if underline and set(underline) == {"="} and lines[i - 1].strip():
            lines.insert(i + 1, "\n" + MODE_NOTE)
            source[0] = "\n".join(lines)
            return


def setup(app):
    app.connect("source-read", _add_mode_note)
