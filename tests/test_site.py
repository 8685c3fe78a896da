"""``make site`` and the slides' metadata: the rules, then the built site in Chromium.

The browser part builds the site from the committed notebooks (Jupyter Book 1.x, from
requirements-teach.txt), serves it on 127.0.0.1 and drives Debian's Chromium through
Playwright: the home page, every notebook page it links (title, figures with alt text,
previous/next links), search, and every internal link and anchor of every page. Without
Jupyter Book or Chromium it is skipped on a laptop and fails in CI (``CI`` set).
"""

import copy
import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, launch
from tools import site, slides

ROOT = site.ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text())


def title(notebook):
    """The notebook's title: its first line, without the ``# ``."""
    return slides.source(notebook["cells"][0]).split("\n")[0].removeprefix("# ")


def image_count(notebook):
    return sum(
        key in output.get("data", {})
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        for key in site.IMAGE_TYPES
    )


def test_the_navigation_is_the_readme_table_in_order():
    order = site.notebook_order((ROOT / "README.md").read_text())
    assert order == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    pages = site.page_order((ROOT / "README.md").read_text())
    assert {"docs/results.md", "docs/speed.md", "docs/known_gaps.md"} <= set(pages)
    assert "CONTRIBUTING.md" in pages
    toc = site.table_of_contents(order, pages)
    assert toc.startswith("format: jb-book\nroot: README\n")
    assert toc.count("- file: notebooks/") == len(NOTEBOOKS)
    assert toc.count("- file: docs/") == len(
        [p for p in pages if p.startswith("docs/")]
    )
    with pytest.raises(site.SiteError, match="no notebook table"):
        site.notebook_order("# a README without the table\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_has_alt_text(path):
    notebook = load(path)
    assert site.figures_without_alt(notebook) == []
    if image_count(notebook):  # the check sees a figure whose alt text is gone
        broken = copy.deepcopy(notebook)
        for cell in broken["cells"]:
            cell["metadata"].pop("mystnb", None)
        assert site.figures_without_alt(broken)


def test_widgets_become_a_line_and_solutions_stay_folded():
    notebook = load(ROOT / "notebooks" / "08_use_the_model.ipynb")
    views = [
        output
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if site.WIDGET_VIEW in output.get("data", {})
    ]
    assert len(views) == 2  # the drawing pad and the explorer
    shown = site.for_the_site(copy.deepcopy(notebook))
    assert "widgets" not in shown["metadata"]
    text = json.dumps(shown)
    assert site.WIDGET_VIEW not in text
    assert text.count("needs a running Python kernel") == len(views)
    folded = site.for_the_site(load(ROOT / "notebooks" / "02_baseline_cnn.ipynb"))
    hidden = [c for c in folded["cells"] if c["metadata"].get("jupyter")]
    assert hidden and all("hide-input" in c["metadata"]["tags"] for c in hidden)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_slides_start_at_the_title_each_section_and_each_figure(path):
    notebook = load(path)
    assert slides.missing(notebook) == []
    assert notebook["metadata"]["rise"]["scroll"] is True
    kinds = [slides.slide_type(cell) for cell in notebook["cells"]]
    assert kinds[0] == "slide"
    sections = [
        i
        for i, c in enumerate(notebook["cells"])
        if c["cell_type"] == "markdown" and slides.source(c).startswith("## ")
    ]
    assert sections and all(kinds[i] == "slide" for i in sections)
    for index, cell in enumerate(notebook["cells"]):
        if slides.shows_image(cell):  # on a slide that starts at it or its sentence
            assert kinds[index] != "-" or kinds[index - 1] != "-", index
    # A section whose boundary is gone is reported.
    broken = copy.deepcopy(notebook)
    broken["cells"][sections[-1]]["metadata"].pop("slideshow")
    assert slides.missing(broken) == [sections[-1]]


# The built site, in a real browser.


def _require():
    reasons = []
    if shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) is None:
        reasons.append(
            "Jupyter Book is not installed (pip install -r requirements-teach.txt)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reasons.append("playwright is not installed")
    if not Path(CHROMIUM).exists():
        reasons.append("Debian's chromium is not installed (apt-get install chromium)")
    if reasons and os.environ.get("CI"):
        pytest.fail(f"the site test must run in CI: {'; '.join(reasons)}")
    if reasons:
        pytest.skip("; ".join(reasons))


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """The site built from the committed notebooks, served on 127.0.0.1; yields its URL."""
    _require()
    html = site.build(tmp_path_factory.mktemp("site"))
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(html)
    )
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def page(served_site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        # The site must work offline: any request that leaves 127.0.0.1 fails the test.
        outside = []
        page.on(
            "request",
            lambda r: (
                r.url.startswith("http")
                and "127.0.0.1" not in r.url
                and outside.append(r.url)
            ),
        )
        yield page
        chromium.close()
        assert outside == [], f"the site asked the internet for {outside}"


LINKS = """() => [...document.querySelectorAll("a[href]")].map((a) => a.href)"""
FIGURES = """() => [...document.querySelectorAll("article img")].map((img) => ({
    alt: img.alt, loaded: img.complete && img.naturalWidth > 0}))"""


def internal_links(page, base):
    return {link for link in page.evaluate(LINKS) if link.startswith(base)}


def test_the_site_in_a_browser(served_site, page):
    base = served_site
    page.goto(f"{base}/index.html")  # a redirect to the README's page
    page.wait_for_url(f"{base}/README.html")
    assert (
        page.locator("article h1")
        .first.text_content()
        .startswith("mnist-cnn-notebooks")
    )
    # Every notebook the README's table links: its page, title, figures, prev/next.
    table = page.locator("article table").first
    hrefs = table.locator("a[href*='notebooks/']").evaluate_all(
        "(as) => as.map(a => a.href)"
    )
    assert len(hrefs) == len(NOTEBOOKS)
    seen = set()
    for href, path in zip(hrefs, NOTEBOOKS):
        notebook = load(path)
        page.goto(href)
        heading = page.locator("article h1").first.text_content()
        assert title(notebook) in heading, (path.name, heading)
        page.wait_for_load_state("load")
        figures = page.evaluate(FIGURES)
        assert len(figures) == image_count(notebook), path.name
        assert all(f["loaded"] and f["alt"].strip() for f in figures), path.name
        assert page.locator(".prev-next-area a").count() >= 1
        seen |= internal_links(page, base)
    # Search: Sphinx's index, in the page's JavaScript, finds a word of notebook 02.
    page.goto(f"{base}/search.html?q=Adadelta")
    page.wait_for_selector("ul.search li", timeout=20_000)
    found = page.locator("ul.search li a").evaluate_all("(as) => as.map(a => a.href)")
    assert any("02_baseline_cnn" in link for link in found)
    # No internal link is broken, and every #anchor exists on its page.
    page.goto(f"{base}/README.html")
    seen |= internal_links(page, base)
    broken = []
    for link in sorted(seen):
        url, _, anchor = link.partition("#")
        path = urllib.parse.urlparse(url).path
        try:
            body = (
                urllib.request.urlopen(url, timeout=10).read().decode(errors="replace")
            )
        except OSError as error:
            broken.append(f"{path}: {error}")
            continue
        if anchor and not re.search(rf'id="{re.escape(anchor)}"', body):
            broken.append(f"{path}#{anchor}: no such anchor")
    assert broken == []
    assert len(seen) > 2 * len(NOTEBOOKS)  # the check above did look at links
