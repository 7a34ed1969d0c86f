r"""Every numbered equation in a docstring has its line of code, and every line has its equation.

The convention (DESIGN.md, "Tutorials and docs"): a docstring numbers an equation with
``\tag{n}`` inside a ``.. math::`` block, and the line of code that computes it ends with a
comment ``# eq. (n)`` (or ``# eqs. (n), (m)`` when one line computes several).

The rule this test enforces, module by module, for every ``.py`` file under ``neuroclust/``:

*Units.* Each top-level ``class`` or ``def`` of the module is a unit; the module docstring and
any code outside a top-level definition form one more unit, the module unit. A unit's *tags*
are the ``\tag{n}`` of its own docstring and of every docstring nested in it (a class shares
one numbering with its methods). A unit's *comments* are the ``# eq.`` comments on lines
between its first line (decorators included) and its last.

*Uses.* Unit A uses unit B when B's name appears as a name in A's code. ``reach(A)`` is every
unit A uses directly or through other units. This is how a class whose docstring states an
equation can have it computed in a module-level private helper it calls (``KMeans`` and
``_lloyd``, ``CompetitiveLearning`` and ``_batch_step``).

*Ownership.* A comment ``# eq. (n)`` in unit B belongs to B when B tags ``n``; otherwise it
belongs to every unit that tags ``n`` and reaches B, and failing that to the module
docstring when it tags ``n``.

The checks:

1. every tag ``n`` of a unit is owned by at least one comment ``# eq. (n)`` (in the unit
   itself, or in a unit it reaches that does not number its own equation ``n``; for the
   module docstring, anywhere in the module);
2. every ``# eq. (n)`` comment has an owner: some docstring in scope numbers equation ``n``;
3. a unit numbers each equation once (two ``\tag{2}`` in one class would be ambiguous);
4. an equation comment is written ``# eq. (n)`` or ``# eqs. (n), (m)``, at the end of a line of
   code (not on a line of its own);
5. a docstring holding ``\tag`` is a raw string (in a plain string ``\t`` is a TAB, and the
   tag would silently vanish from both the rendered docs and this check).
"""
import ast
import io
import re
import textwrap
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "neuroclust"

TAG = re.compile(r"\\tag\{\s*([0-9]+[a-z]?)\s*\}")
BROKEN_TAG = re.compile(r"\tag\{")  # what "\tag{" becomes in a non-raw string: TAB + "ag{"
LOOKS_LIKE_EQ_COMMENT = re.compile(r"^#\s*eqs?\b", re.IGNORECASE)
EQ_COMMENT = re.compile(r"^#\s*eqs?\.\s*(\([0-9]+[a-z]?\)(?:\s*,\s*\([0-9]+[a-z]?\))*)\s*$")
EQ_NUMBER = re.compile(r"\(([0-9]+[a-z]?)\)")

MODULE = "<module>"


class Unit:
    """A top-level class or function (or the module itself) with its tags and comments."""

    def __init__(self, name, first, last):
        self.name, self.first, self.last = name, first, last
        self.tags = {}        # equation number -> line of the docstring that tags it
        self.comments = {}    # equation number -> lines of "# eq." comments
        self.uses = set()


DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstring_tags(holders, problems, where):
    """Tags in the docstrings of the nodes ``holders``: list of (number, line)."""
    found = []
    for holder in holders:
        body = getattr(holder, "body", None)
        if not body or not isinstance(body[0], ast.Expr):
            continue
        constant = body[0].value
        if not (isinstance(constant, ast.Constant) and isinstance(constant.value, str)):
            continue
        text, line = constant.value, constant.lineno
        if BROKEN_TAG.search(text):
            problems.append(f"{where}:{line}: this docstring holds \\tag but is not a raw "
                            "string (r\"\"\"...\"\"\"), so '\\t' became a TAB.")
        for match in TAG.finditer(text):
            found.append((match.group(1), line + text.count("\n", 0, match.start())))
    return found


def _comments(source, problems, where):
    """The equation comments of a source: list of (line, [numbers])."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT or not LOOKS_LIKE_EQ_COMMENT.match(token.string):
            continue
        line, column = token.start
        match = EQ_COMMENT.match(token.string)
        if match is None:
            problems.append(f"{where}:{line}: equation comment {token.string!r} is not written "
                            "'# eq. (n)' or '# eqs. (n), (m)'.")
            continue
        if not token.line[:column].strip():
            problems.append(f"{where}:{line}: {token.string!r} stands on a line of its own; it "
                            "must end the line of code that computes the equation.")
            continue
        found.append((line, EQ_NUMBER.findall(match.group(1))))
    return found


def check_source(source, where="<source>"):
    """Apply the rule of this module's docstring to one module's source; return the problems."""
    problems = []
    tree = ast.parse(source)
    lines = source.splitlines()
    units = {}
    module = units[MODULE] = Unit(MODULE, 1, max(len(lines), 1))
    for node in tree.body:
        if isinstance(node, DEFINITIONS):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            units[node.name] = Unit(node.name, first, node.end_lineno)

    # tags: the module docstring alone for the module unit; every docstring inside a
    # top-level class or function for that unit
    definitions = [node for node in tree.body if isinstance(node, DEFINITIONS)]
    holders = [(MODULE, [tree])] + [(node.name, [n for n in ast.walk(node)
                                                 if isinstance(n, DEFINITIONS)])
                                    for node in definitions]
    for unit_name, nodes in holders:
        unit = units[unit_name]
        for number, line in _docstring_tags(nodes, problems, where):
            if number in unit.tags:
                problems.append(f"{where}:{line}: equation ({number}) is numbered twice in "
                                f"{unit_name} (first at line {unit.tags[number]}).")
            unit.tags.setdefault(number, line)

    # uses: which top-level units each unit's code names
    for node in definitions:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in units and inner.id != node.name:
                units[node.name].uses.add(inner.id)

    # comments, each in the innermost (i.e. the only) top-level unit that spans its line
    for line, numbers in _comments(source, problems, where):
        owner = next((u for name, u in units.items()
                      if name != MODULE and u.first <= line <= u.last), module)
        for number in numbers:
            owner.comments.setdefault(number, []).append(line)

    def reach(name):
        seen, todo = set(), [name]
        while todo:
            for used in units[todo.pop()].uses:
                if used not in seen:
                    seen.add(used)
                    todo.append(used)
        seen.discard(name)
        return seen

    reaches = {name: reach(name) for name in units if name != MODULE}

    # check 1: every tag has its line
    for name, unit in units.items():
        for number, line in sorted(unit.tags.items(), key=lambda item: item[1]):
            if name == MODULE:
                candidates = units.values()
            else:
                candidates = [unit] + [units[u] for u in reaches[name]
                                       if number not in units[u].tags]
            if not any(number in u.comments for u in candidates):
                label = "the module docstring" if name == MODULE else name
                problems.append(f"{where}:{line}: equation ({number}) of {label} has no line "
                                f"ending in '# eq. ({number})'.")

    # check 2: every comment has its equation
    for name, unit in units.items():
        for number, comment_lines in unit.comments.items():
            if number in unit.tags or number in module.tags:
                continue
            callers = [c for c in reaches if name in reaches[c] and number in units[c].tags]
            if not callers:
                for line in comment_lines:
                    label = "module-level code" if name == MODULE else name
                    problems.append(f"{where}:{line}: '# eq. ({number})' in {label}, but no "
                                    f"docstring in its scope numbers an equation ({number}).")
    return sorted(set(problems))


MODULES = sorted(PACKAGE.rglob("*.py"))


def _relative(path):
    return path.relative_to(PACKAGE.parent).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_equations_match_code(path):
    problems = check_source(path.read_text(encoding="utf-8"), _relative(path))
    assert not problems, "\n" + "\n".join(problems)


def test_the_package_numbers_equations():
    """Guard against a vacuous pass (e.g. the glob finding nothing)."""
    tagged = [p for p in MODULES if TAG.search(p.read_text(encoding="utf-8"))]
    assert len(tagged) >= 3, [str(p) for p in tagged]


# ------------------------------------------------------------------ the checker itself


def _check(text):
    return check_source(textwrap.dedent(text).lstrip())


def test_checker_accepts_matching_tags_and_comments():
    assert _check(r'''
        def rate(a, b):
            r"""Two equations.

            .. math:: r = a / b                 \tag{1}
            .. math:: s = 2 r                   \tag{2}
            """
            r = a / b  # eq. (1)
            return 2 * r, r + 0  # eqs. (1), (2)
        ''') == []


def test_checker_finds_a_tag_without_its_line():
    problems = _check(r'''
        def rate(a, b):
            r"""
            .. math:: r = a / b                 \tag{1}
            .. math:: s = 2 r                   \tag{2}
            """
            return a / b  # eq. (1)
        ''')
    assert len(problems) == 1 and "equation (2) of rate has no line" in problems[0]


def test_checker_finds_a_comment_without_its_equation():
    problems = _check(r'''
        def rate(a, b):
            r"""
            .. math:: r = a / b                 \tag{1}
            """
            r = a / b  # eq. (1)
            return 2 * r  # eq. (3)
        ''')
    assert len(problems) == 1 and "'# eq. (3)' in rate" in problems[0]


def test_checker_follows_a_class_into_its_private_helper():
    source = r'''
        class Model:
            r"""
            .. math:: m = \bar x                \tag{1}
            """

            def fit(self, x):
                self.m = _mean(x)


        def _mean(x):
            return sum(x) / len(x)  # eq. (1)
        '''
    assert _check(source) == []
    # the same helper, called by nobody who numbers equation (1), is an orphan
    orphan = _check(source.replace("self.m = _mean(x)", "self.m = x"))
    assert any("has no line" in p for p in orphan)
    assert any("'# eq. (1)' in _mean" in p for p in orphan)


def test_checker_does_not_borrow_a_line_from_a_function_with_its_own_numbering():
    problems = _check(r'''
        def outer(x):
            r"""
            .. math:: y = f(x)                  \tag{1}
            """
            return inner(x)


        def inner(x):
            r"""
            .. math:: z = x + 1                 \tag{1}
            """
            return x + 1  # eq. (1)
        ''')
    assert len(problems) == 1 and "equation (1) of outer has no line" in problems[0]


def test_checker_rejects_a_tag_in_a_plain_string():
    problems = _check('''
        def rate(a, b):
            """
            .. math:: r = a / b                 \\tag{1}
            """
            return a / b  # eq. (1)
        ''')
    assert any("not a raw string" in p for p in problems)


def test_checker_rejects_badly_written_or_detached_comments():
    problems = _check(r'''
        def rate(a, b):
            r"""
            .. math:: r = a / b                 \tag{1}
            """
            # eq. (1)
            r = a / b  # eq 1
            return r
        ''')
    assert any("stands on a line of its own" in p for p in problems)
    assert any("is not written" in p for p in problems)


def test_checker_rejects_a_number_tagged_twice_in_one_class():
    problems = _check(r'''
        class Model:
            r"""
            .. math:: a = 1                     \tag{1}
            """

            def step(self):
                r"""
                .. math:: b = 2                 \tag{1}
                """
                return 2  # eq. (1)
        ''')
    assert any("numbered twice" in p for p in problems)
