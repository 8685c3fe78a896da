"""The series' website: the committed notebooks as static HTML (``make site``).

    python -m tools.site                 # builds build/site/html/index.html
    python -m tools.site --out DIR       # builds DIR/html/index.html

Jupyter Book 1.x (Sphinx with MyST-NB; ``pip install -r requirements-site.txt``) turns
README.md and the notebooks into a site with navigation, search and previous/next links,
offline and from the committed outputs (nothing is re-executed). The builder works on a
copy in ``DIR/src``, laid out as the repository is (README.md beside notebooks/), so every
link the README and the notebooks already have works unchanged. On that copy it:

- writes ``_toc.yml`` from the README's notebook table and its links to docs/ and
  CONTRIBUTING.md, so the site's navigation is the
  README's order;
- keeps the folded cells (the exercises' solutions) folded, behind a button;
- replaces each widget's live view (a drawing pad or an explorer needs a running kernel)
  with one line that says so; the static figures beside it stay;
- gives every figure its alt text from the cell's ``mystnb.image.alt`` metadata (set in
  the committed notebooks; a figure without one fails the build).

Warnings are errors: a broken internal link or a missing alt text stops the build.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_LINK = re.compile(
    r"^\|[^|]*\|\s*\[[^\]]+\]\((notebooks/\d\d_\w+\.ipynb)\)", re.MULTILINE
)
# The README's links to the site's other pages (docs/, CONTRIBUTING.md), in its order.
PAGE_LINK = re.compile(r"\]\(((?:docs/[\w-]+|CONTRIBUTING)\.md)\)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNEL_NEEDED = (
    "*Interactive widget: it needs a running Python kernel, so this page shows this line "
    "in its place. Open the notebook in JupyterLab (`make lab`) to use it.*"
)
FOLDED = {"source_hidden": "hide-input", "outputs_hidden": "hide-output"}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class SiteError(RuntimeError):
    """The notebooks or the README are not ready to become a site."""


def notebook_order(readme: str) -> list[str]:
    """The notebooks the README's table links, in its order (``notebooks/NN_x.ipynb``)."""
    order = NOTEBOOK_LINK.findall(readme)
    if not order:
        raise SiteError("README.md has no notebook table linking notebooks/NN_*.ipynb")
    return order


def page_order(readme: str) -> list[str]:
    """The other pages the README links (``docs/x.md``, ``CONTRIBUTING.md``), in order."""
    return list(dict.fromkeys(PAGE_LINK.findall(readme)))


def table_of_contents(order: list[str], pages=()) -> str:
    """Jupyter Book's ``_toc.yml``: the README as home page, the notebooks, the pages."""
    entries = "\n".join(
        f"  - file: {path.removesuffix('.ipynb').removesuffix('.md')}"
        for path in [*order, *pages]
    )
    return f"format: jb-book\nroot: README\nchapters:\n{entries}\n"


def figures_without_alt(notebook) -> list[int]:
    """Indices of the code cells that show a figure but have no alt text."""
    missing = []
    for index, cell in enumerate(notebook["cells"]):
        shows_image = any(
            key in output.get("data", {})
            for output in cell.get("outputs", [])
            for key in IMAGE_TYPES
        )
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        if shows_image and not alt.strip():
            missing.append(index)
    return missing


def for_the_site(notebook):
    """``notebook`` (parsed JSON, changed in place) as the site shows it."""
    notebook["metadata"].pop("widgets", None)  # no widget state, no widget JavaScript
    for cell in notebook["cells"]:
        # Folded cells (the exercises' solutions) stay folded: a "show" button on the site.
        hidden = cell["metadata"].get("jupyter", {})
        tags = cell["metadata"].setdefault("tags", [])
        tags += [tag for key, tag in FOLDED.items() if hidden.get(key)]
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/markdown": KERNEL_NEEDED}
    return notebook


def prepare(out: Path) -> Path:
    """Copy the README, the notebooks, the pages and the book's configuration to ``out/src``."""
    source = out / "src"
    if source.exists():
        shutil.rmtree(source)
    (source / "notebooks").mkdir(parents=True)
    readme = (ROOT / "README.md").read_text()
    order = notebook_order(readme)
    problems = []
    for path in order:
        if not (ROOT / path).exists():
            problems.append(f"the README links {path}, which does not exist")
            continue
        notebook = json.loads((ROOT / path).read_text())
        missing = figures_without_alt(notebook)
        if missing:
            problems.append(
                f"{path}: the figures of cells {missing} have no alt text (set the "
                'cell metadata {"mystnb": {"image": {"alt": "what the figure shows"}}})'
            )
        (source / path).write_text(json.dumps(for_the_site(notebook), indent=1))
    if problems:
        raise SiteError("\n".join(problems))
    pages = page_order(readme)
    for page in pages:
        if not (ROOT / page).exists():
            raise SiteError(f"the README links {page}, which does not exist")
        (source / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / page, source / page)
    (source / "README.md").write_text(readme)
    shutil.copy(ROOT / "book" / "_config.yml", source / "_config.yml")
    (source / "_toc.yml").write_text(table_of_contents(order, pages))
    return source


def build(out: Path) -> Path:
    """Build the site under ``out``; return the folder that holds ``index.html``."""
    source = prepare(out)
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(source),
        *("--path-output", str(out), "--warningiserror", "--nitpick", "--keep-going"),
    ]
    subprocess.run(command, check=True)
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.move(out / "_build" / "html", html)
    shutil.rmtree(out / "_build")
    return html


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        html = build(args.out.resolve())
    except SiteError as error:
        sys.exit(f"make site: {error}")
    print(
        f"site: {html / 'index.html'} ({size_mb(html):.1f} MB, "
        f"built in {time.perf_counter() - start:.0f} s)"
    )


if __name__ == "__main__":
    main()
