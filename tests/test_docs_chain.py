"""Each algorithm page ends with the files a reader opens, in order; they must exist, and each
module among them must name the page, so that the chain can be walked in both directions."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs" / "algorithms").glob("*.md"))


def chain(page):
    text = page.read_text(encoding="utf-8")
    section = text.split("## Reading the code", 1)
    assert len(section) == 2, f"{page.name} has no 'Reading the code' section"
    body = section[1].split("\n## ", 1)[0]
    return re.findall(r"^\d+\. `([^`]+)`", body, flags=re.M)


@pytest.mark.skipif(not PAGES, reason="the docs are not in this checkout")
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_every_file_of_the_chain_exists(page):
    files = chain(page)
    assert len(files) >= 4
    missing = [name for name in files if not (ROOT / name).is_file()]
    assert not missing, f"{page.name} names files that do not exist: {missing}"


@pytest.mark.skipif(not PAGES, reason="the docs are not in this checkout")
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_the_estimator_module_names_its_page(page):
    first = ROOT / chain(page)[0]
    assert first.suffix == ".py"
    docstring = first.read_text(encoding="utf-8").split('"""', 2)[1]
    assert f"docs/algorithms/{page.name}" in docstring, (
        f"{first.name}'s docstring does not name docs/algorithms/{page.name}")
