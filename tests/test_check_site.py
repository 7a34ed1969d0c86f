"""docs/check_site.py finds what it promises to find, on a small site made here."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_site", ROOT / "docs" / "check_site.py")
check_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_site)

PAGE = """<!DOCTYPE html><html><head><title>t</title></head><body>
<p id="top">An equation left as TeX: <span class="math notranslate">\\(x^2\\)</span></p>
<pre>code may hold \\(x\\) freely</pre>
<img src="missing.png">
<a href="other.html#nowhere">a link to a missing id</a>
<a href="gone.html">a link to a missing page</a>
<a href="#top">a good link</a>
<a href="https://example.org">an external link, not followed</a>
</body></html>"""


@pytest.fixture()
def site(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "other.html").write_text('<html><body><p id="here">x</p></body></html>')
    return tmp_path


def test_links_to_missing_pages_ids_and_files_are_found(site):
    defects = check_site.link_defects(site, check_site.pages(site))
    assert len(defects) == 3, defects
    assert any("gone.html" in d for d in defects)
    assert any("#nowhere" in d for d in defects)
    assert any("missing.png" in d for d in defects)


@pytest.mark.skipif(check_site.find_browser() is None, reason="needs Chromium")
def test_the_browser_finds_raw_tex_and_broken_images_but_not_code(site):
    defects = check_site.browser_defects(check_site.find_browser(), site, check_site.pages(site))
    assert any("raw TeX" in d and "x^2" in d for d in defects), defects
    assert any("missing.png did not load" in d for d in defects), defects
    assert any("MathJax did not start" in d for d in defects), defects
    assert not any("freely" in d for d in defects), defects
    assert not list(site.glob(".check-*")), "the instrumented copies must be removed"


def _fake_browser(tmp_path, body):
    script = tmp_path / "fake-browser"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_a_browser_that_hangs_is_killed_and_reported_not_raised(site, tmp_path, monkeypatch):
    monkeypatch.setattr(check_site, "BROWSER_TIMEOUT_S", 1)
    hanging = _fake_browser(tmp_path, "sleep 30 & sleep 30")   # a child holds the pipe too
    assert check_site._run_browser(hanging, ["--dump-dom", "x"]) is None
    defects = check_site.browser_defects(hanging, site, check_site.pages(site))
    assert any("did not finish the page" in d for d in defects), defects


def test_pages_the_browser_could_not_draw_are_named(site, tmp_path, monkeypatch):
    monkeypatch.setattr(check_site, "BROWSER_TIMEOUT_S", 1)
    draws_nothing = _fake_browser(tmp_path, "exit 0")
    not_drawn = check_site.screenshots(draws_nothing, site, check_site.pages(site),
                                       tmp_path / "shots")
    assert sorted(not_drawn) == ["index.html", "other.html"]
