"""Repair the ``[docs]`` links of the highlighted source pages (``_modules/``).

``sphinx.ext.viewcode`` builds every ``[docs]`` link of a module's source page from one prefix:
the module path under which the *first* object of that module was documented. Our classes are
documented under ``neuroclust`` (``neuroclust.GrowingNeuralGas``) and some functions of the same
modules under their own module (``neuroclust.models.gng.connected_components``), so the links of
the latter pointed at ids that do not exist (``api.html#neuroclust.connected_components``).
After the build, each such link is pointed at the id that does exist: the object's name under
the source page's own module, else the one documented id that ends with its name;
``docs/check_site.py`` checks every link afterwards.
"""
import re
from pathlib import Path

BACKLINK = re.compile(r'(<a class="viewcode-back" href=")([^"#]*)#([^"]*)(")')
ID = re.compile(r'\bid="([^"]+)"')


def _ids(page, cache):
    if page not in cache:
        cache[page] = set(ID.findall(page.read_text(encoding="utf-8"))) if page.exists() else set()
    return cache[page]


def repair(outdir):
    """Rewrite the broken backlinks of every source page under ``outdir/_modules``."""
    modules, cache, repaired = Path(outdir) / "_modules", {}, 0
    for source in modules.rglob("*.html"):
        modname = ".".join(source.relative_to(modules).with_suffix("").parts)
        text = source.read_text(encoding="utf-8")

        def fix(match):
            nonlocal repaired
            start, target, anchor, end = match.groups()
            ids = _ids((source.parent / target).resolve(), cache)
            if anchor in ids:
                return match.group(0)
            parts = anchor.split(".")        # the wrong prefix, then the (dotted) name
            for cut in range(1, len(parts)):
                candidate = ".".join([modname, *parts[cut:]])
                if candidate in ids:
                    repaired += 1
                    return f"{start}{target}#{candidate}{end}"
            # documented under a third path (a private module's function re-exported by a
            # public package): the one id that ends with the name, if there is only one
            for cut in range(1, len(parts)):
                tail = "." + ".".join(parts[cut:])
                found = [name for name in ids if name.endswith(tail)]
                if len(found) == 1:
                    repaired += 1
                    return f"{start}{target}#{found[0]}{end}"
            return match.group(0)

        fixed = BACKLINK.sub(fix, text)
        if fixed != text:
            source.write_text(fixed, encoding="utf-8")
    return repaired


def _on_build_finished(app, exception):
    if exception is None and app.builder.format == "html":
        repair(app.outdir)


def setup(app):
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
