"""Check the built docs as a reader sees them: in a real browser, offline.

Run after the build (``.ci/run`` does)::

    python docs/check_site.py docs/_build/html

Three checks, and the first defect of each kind fails the run with a list of all of them:

1. **Links** (read from the HTML): every internal link (``href`` without a scheme) points at a
   file of the build, and its ``#fragment`` at an ``id`` on that page; every local image,
   script and stylesheet exists.
2. **In the browser**: headless Chromium opens every page from the disk, with no network. A
   script added to a temporary copy of the page waits for MathJax to typeset, then records
   each image that did not load and each piece of text outside code that still holds raw TeX
   (``\\(``, ``\\[``, ``$$``, ``\\begin{``, ``\\frac``, ``\\tag{``): an equation that did not
   render.
   The source listings (``_modules/``) get the link check only.
3. **Screenshots** of every page (not the source listings nor the indices) in
   ``<build>/../screenshots``, the build artefact a person looks at. A page the browser could not
   draw in time is named in a warning; it is not a defect, since check 2 loaded it.

A browser that does not finish a page in ``BROWSER_TIMEOUT_S`` is killed with its renderers and
tried once more.

Chromium is a Debian package (``apt-get install chromium``). Without it the link check still
runs, and the run says loudly that the browser checks were skipped.
"""
import argparse
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

SKIPPED_DIRS = {"_static", "_sources", "_downloads", "_images"}
NOT_SHOT = {"genindex.html", "search.html", "py-modindex.html"}
BROWSER_TIMEOUT_S = 120
BROWSER_TRIES = 2
CHECK_ID = "neuroclust-site-check"
CHECK_SCRIPT = r"""
<script>
window.addEventListener("load", async () => {
  const result = {mathjax: false, broken_images: [], raw_tex: []};
  try {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      await MathJax.startup.promise;
      result.mathjax = true;
    }
  } catch (error) { result.mathjax_error = String(error); }
  for (const img of document.images) {
    if (!(img.complete && img.naturalWidth > 0)) result.broken_images.push(img.getAttribute("src"));
  }
  const tex = /\\\(|\\\[|\$\$|\\begin\{|\\frac|\\tag\{/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest("pre, code, script, style, textarea, mjx-container, .highlight")) continue;
    if (tex.test(node.nodeValue)) result.raw_tex.push(node.nodeValue.trim().slice(0, 100));
  }
  const out = document.createElement("pre");
  out.id = "CHECK_ID";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>
""".replace("CHECK_ID", CHECK_ID)


class _PageParser(html.parser.HTMLParser):
    """The ids a page defines and the local URLs it refers to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.resources = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag in ("img", "script") and attrs.get("src"):
            self.resources.append(attrs["src"])
        elif tag == "link" and attrs.get("href") and attrs.get("rel") != "canonical":
            self.resources.append(attrs["href"])


def pages(root):
    """Every HTML page of the build, outside the folders of static files."""
    return sorted(path for path in root.rglob("*.html")
                  if not SKIPPED_DIRS.intersection(path.relative_to(root).parts))


def _parse(path):
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def link_defects(root, all_pages):
    """Internal links to missing files or missing ids; local resources that do not exist."""
    parsed = {path: _parse(path) for path in all_pages}
    defects = []
    for page, parser in parsed.items():
        for url in parser.links + parser.resources:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            name = page.relative_to(root)
            if not target.exists():
                defects.append(f"{name}: {url} points at a file that does not exist")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    defects.append(f"{name}: {url} points at an id its page does not have")
    return defects


def _read_pages(root, all_pages):
    """The pages a reader reads: not the highlighted source listings (no math, no images)."""
    return [page for page in all_pages if page.relative_to(root).parts[0] != "_modules"]


def find_browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _run_browser(browser, args, tries=BROWSER_TRIES):
    """What headless Chromium printed, or ``None`` if it did not finish within the time limit.

    Each try gets a profile folder of its own (a profile locked by an earlier, killed browser
    can stall the next) and, on timeout, the whole process group is killed, renderers
    included, so that nothing holds the output pipe open.
    """
    for _ in range(tries):
        with tempfile.TemporaryDirectory(prefix="check-site-profile-") as profile:
            command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                       "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                       "--hide-scrollbars", "--virtual-time-budget=20000",
                       f"--user-data-dir={profile}", *args]
            with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, start_new_session=True) as process:
                try:
                    return process.communicate(timeout=BROWSER_TIMEOUT_S)[0]
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.communicate()
    return None


def browser_defects(browser, root, all_pages):
    """Broken images and untypeset TeX, as Chromium renders each page."""
    defects = []
    for page in _read_pages(root, all_pages):
        name = page.relative_to(root)
        text = page.read_text(encoding="utf-8")
        if "</body>" not in text:
            continue
        checked = page.with_name(f".check-{page.name}")       # beside it: relative URLs hold
        checked.write_text(text.replace("</body>", CHECK_SCRIPT + "</body>", 1),
                           encoding="utf-8")
        try:
            dom = _run_browser(browser, ["--dump-dom", checked.as_uri()])
        finally:
            checked.unlink()
        if dom is None:
            defects.append(f"{name}: the browser did not finish the page in {BROWSER_TRIES} "
                           f"tries of {BROWSER_TIMEOUT_S} s")
            continue
        found = re.search(f'<pre id="{CHECK_ID}"[^>]*>(.*?)</pre>', dom, re.S)
        if found is None:
            defects.append(f"{name}: the page never finished loading in the browser")
            continue
        result = json.loads(html.unescape(found.group(1)))
        if "math notranslate" in text and not result["mathjax"]:
            defects.append(f"{name}: the page has equations but MathJax did not start "
                           f"({result.get('mathjax_error', 'not loaded')})")
        defects += [f"{name}: image {src} did not load" for src in result["broken_images"]]
        defects += [f"{name}: raw TeX left on the page: {snippet!r}"
                    for snippet in result["raw_tex"]]
    return defects


def screenshots(browser, root, all_pages, folder):
    """A picture of every page a reader reads; the pages the browser could not draw in time.

    A missing picture is reported, not a defect: the browser check above has already loaded
    every page, and a screenshot is an artefact for a person to look at.
    """
    folder.mkdir(parents=True, exist_ok=True)
    not_drawn = []
    for page in _read_pages(root, all_pages):
        relative = page.relative_to(root)
        if page.name in NOT_SHOT:
            continue
        shot = folder / (str(relative.with_suffix("")).replace(os.sep, "__") + ".png")
        shot.unlink(missing_ok=True)
        _run_browser(browser, ["--window-size=1280,1800", f"--screenshot={shot}", page.as_uri()])
        if not shot.exists():
            not_drawn.append(str(relative))
    return not_drawn


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="the HTML build folder, e.g. docs/_build/html")
    root = parser.parse_args(argv).build.resolve()
    if not (root / "index.html").exists():
        parser.error(f"{root} holds no index.html: build the docs first")
    all_pages = pages(root)
    defects = link_defects(root, all_pages)
    browser = find_browser()
    if browser is None:
        print("WARNING: no Chromium found (apt-get install chromium): the browser checks "
              "(equations typeset, images loaded) and the screenshots were SKIPPED",
              file=sys.stderr)
    else:
        defects += browser_defects(browser, root, all_pages)
        folder = root.parent / "screenshots"
        not_drawn = screenshots(browser, root, all_pages, folder)
        print(f"screenshots of the pages in {folder.name}/")
        for name in not_drawn:
            print(f"WARNING: no screenshot of {name}: the browser did not draw it in "
                  f"{BROWSER_TRIES} tries of {BROWSER_TIMEOUT_S} s", file=sys.stderr)
    for defect in defects:
        print(defect, file=sys.stderr)
    print(f"{len(all_pages)} pages checked: {len(defects)} defects")
    return 1 if defects else 0


if __name__ == "__main__":
    sys.exit(main())
