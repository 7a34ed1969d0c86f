"""The ``eqcode`` directive: quote the line(s) of neuroclust that compute an equation.

In MyST Markdown::

    ```{eqcode} neuroclust.backend.reference.wta_online
    :eq: 5
    ```

finds, in the source of the named function, class or method, every line that ends with the
comment ``# eq. (5)`` (or ``# eqs. (..., 5, ...)``) and renders them as a code block captioned
with the object, the file and the line numbers. The equation itself must be numbered
``\tag{5}`` in the docstring of the object, of its class (for a method), or of the object
named by the ``:docstring:`` option (for a private helper that computes an equation of the
class that calls it)::

    ```{eqcode} neuroclust.models.kmeans._lloyd
    :eq: 3
    :docstring: neuroclust.KMeans
    ```
 The lines are read from the code at build
time, so the page cannot drift from the code: if the comment disappears, or the equation is
renumbered, the build stops with an error (and ``sphinx-build -W`` fails).
"""
import importlib
import inspect
import os
import re
import textwrap

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

EQ_COMMENT = re.compile(r"#\s*eqs?\.\s*((?:\([0-9]+[a-z]?\)\s*,?\s*)+)$")
EQ_NUMBER = re.compile(r"\(([0-9]+[a-z]?)\)")
TAG = r"\\tag\{{\s*{}\s*\}}"


def resolve(dotted):
    """Import the longest module prefix of ``dotted`` and walk the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return inspect.unwrap(obj)
    raise ImportError(f"cannot import any part of {dotted!r}")


def equation_lines(obj, number):
    """(file, [(line number, text)]) of the lines in ``obj`` that end with ``# eq. (number)``."""
    source, first = inspect.getsourcelines(obj)
    found = []
    for offset, text in enumerate(source):
        match = EQ_COMMENT.search(text.rstrip())
        if match and number in EQ_NUMBER.findall(match.group(1)):
            found.append((first + offset, text.rstrip("\n")))
    return inspect.getsourcefile(obj), found


class EqCode(SphinxDirective):
    """Render the lines of a neuroclust object that compute one numbered equation."""

    required_arguments = 1
    option_spec = {"eq": directives.unchanged_required,
                   "docstring": directives.unchanged_required}
    has_content = False

    def run(self):
        target, number = self.arguments[0], self.options["eq"].strip("() ")
        try:
            obj = resolve(target)
            path, found = equation_lines(obj, number)
            numbered_in = self.numbering_docstring(target, number)
        except (ImportError, AttributeError, TypeError, OSError) as error:
            raise self.error(f"eqcode: cannot read the source of {target}: {error}")
        if not found:
            raise self.error(f"eqcode: no line of {target} ends with '# eq. ({number})'")
        if numbered_in is None:
            raise self.error(f"eqcode: no docstring numbers equation ({number}) with \\tag "
                             f"for {target} (name it with the :docstring: option)")
        self.env.note_dependency(path)

        root = os.path.dirname(os.path.dirname(inspect.getfile(importlib.import_module(
            target.split(".")[0]))))
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        numbers = ", ".join(str(line) for line, _ in found)
        code = textwrap.dedent("\n".join(text for _, text in found))
        plural = "s" if len(found) > 1 else ""

        caption = nodes.paragraph(classes=["eqcode-caption"])
        caption += nodes.Text("Computed by ")
        caption += self.name_node(target)
        caption += nodes.Text(f" ({relative}, line{plural} {numbers}), the line{plural} "
                              f"marked eq. ({number}) of ")
        if numbered_in == target:
            caption += nodes.Text("its docstring:")
        else:
            caption += nodes.Text("the docstring of ")
            caption += self.name_node(numbered_in)
            caption += nodes.Text(":")
        block = nodes.literal_block(code, code, language="python")
        return [caption, block]

    def numbering_docstring(self, target, number):
        """The object whose docstring tags equation ``number``: the option, else the target,
        else (for a method) its class; None when none of them does."""
        candidates = [self.options["docstring"]] if "docstring" in self.options else [
            target, target.rsplit(".", 1)[0]]
        for name in candidates:
            try:
                doc = inspect.getdoc(resolve(name)) or ""
            except (ImportError, AttributeError):
                continue
            if re.search(TAG.format(re.escape(number)), doc):
                return name
        return None

    @staticmethod
    def name_node(name):
        """A cross-reference to ``name`` in the API pages; plain code for private helpers."""
        if any(part.startswith("_") for part in name.split(".")):   # a private name anywhere
            return nodes.literal(name, name)
        reference = addnodes.pending_xref("", refdomain="py", reftype="obj", reftarget=name,
                                          refexplicit=False, refwarn=True)
        reference += nodes.literal(name, name, classes=["xref", "py", "py-obj"])
        return reference


def setup(app):
    app.add_directive("eqcode", EqCode)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
