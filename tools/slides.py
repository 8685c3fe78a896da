"""Slide boundaries for presenting a notebook with RISE in JupyterLab (``make lab``, then Alt+R).

    python -m tools.slides           # writes the slide metadata into notebooks/*.ipynb
    python -m tools.slides --check   # fails if a notebook's boundaries are missing

A teacher opens a notebook in JupyterLab (with ``jupyterlab-rise`` from
requirements-teach.txt) and presses Alt+R, or opens ``/rise/notebooks/NN_x.ipynb``.
Where each slide starts is cell metadata (``slideshow.slide_type``), the same as the
classic notebook's slideshow used; this tool sets it by one rule for every lesson:

- the title cell starts the first slide;
- every section (a markdown cell that starts with ``## ``) starts a new slide;
- every smaller heading (``### ``, as each exercise's solution) starts a subslide;
- every key figure (a code cell that shows an image) gets a subslide of its own, which
  begins at the prose cell just before it, so the figure comes with its sentence.

Every other cell continues the slide before it. A teacher may change any boundary in
JupyterLab's property inspector; ``--check`` only asks that the rule's boundaries exist.
Long slides scroll (``rise.scroll`` in the notebook metadata).
"""

import argparse
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
RISE = {"scroll": True, "enable_chalkboard": False, "transition": "none"}


def source(cell) -> str:
    return "".join(cell["source"])


def shows_image(cell) -> bool:
    return any(
        key in output.get("data", {})
        for output in cell.get("outputs", [])
        for key in IMAGE_TYPES
    )


def boundaries(notebook) -> list[str]:
    """The slide type the rule gives each cell: "slide", "subslide" or "-"."""
    cells = notebook["cells"]
    kinds = ["-"] * len(cells)
    for index, cell in enumerate(cells):
        text = source(cell).lstrip()
        if index == 0 or (cell["cell_type"] == "markdown" and text.startswith("## ")):
            kinds[index] = "slide"
        elif cell["cell_type"] == "markdown" and text.startswith("### "):
            kinds[index] = "subslide"
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code" or not shows_image(cell):
            continue
        before = index - 1
        start = before if cells[before]["cell_type"] == "markdown" else index
        if kinds[start] == "-" and kinds[index] == "-":
            kinds[start] = "subslide"
    return kinds


def slide_type(cell) -> str:
    return cell["metadata"].get("slideshow", {}).get("slide_type", "-")


def missing(notebook) -> list[int]:
    """Cells where the rule starts a slide or subslide but the notebook does not."""
    return [
        index
        for index, (cell, kind) in enumerate(
            zip(notebook["cells"], boundaries(notebook))
        )
        if kind != "-" and slide_type(cell) == "-"
    ]


def with_slides(notebook):
    """``notebook`` (parsed JSON, changed in place) with the rule's slide metadata."""
    for cell, kind in zip(notebook["cells"], boundaries(notebook)):
        if kind == "-":  # continues the slide: RISE's default, no metadata needed
            cell["metadata"].pop("slideshow", None)
        else:
            cell["metadata"]["slideshow"] = {"slide_type": kind}
    notebook["metadata"]["rise"] = RISE
    return notebook


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing, report")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    problems = []
    for path in paths:
        text = path.read_text()
        notebook = json.loads(text)
        if args.check:
            if missing(notebook) or "rise" not in notebook["metadata"]:
                problems.append(
                    f"{path.name}: no slide boundary at cells {missing(notebook)}"
                )
            continue
        # Written as JupyterLab writes notebooks, so the diff is the metadata alone.
        new = nbformat.writes(nbformat.from_dict(with_slides(notebook))) + "\n"
        if new != text:
            path.write_text(new)
            print(f"{path.name}: slide boundaries written")
    if problems:
        sys.exit("run `python -m tools.slides` to set them:\n" + "\n".join(problems))


if __name__ == "__main__":
    main()
