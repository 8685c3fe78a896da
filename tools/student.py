"""The student edition: every notebook without its exercises' solutions (``make student``).

    python -m tools.student                  # writes student/NN_*.ipynb
    python -m tools.student --out DIR

A teacher hands these copies to a class. In each notebook with exercises, everything from
the first "### Solution" on (the folded solution cells and the prose that explains them)
is replaced by one empty code cell per exercise, "# your answer here"; the navigation
links stay at the end. Everything before, the lesson and its outputs, stays as committed.
Notebooks without solutions are copied unchanged.

The copies go to the git-ignored ``student/`` folder at the repository root: generated
from the committed notebooks on demand, they cannot drift from them, and the repository
does not carry every notebook's outputs twice. Beside ``notebooks/``, they find
``helpers/`` one folder up and their links reach the README, as the originals do.
"""

import argparse
import copy
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = re.compile(r"^### Solution", re.MULTILINE)
EXERCISES = re.compile(r"^## Exercises", re.MULTILINE)
ANSWER = "# your answer here"
NOTE = (
    "*Student edition: the solutions of the exercises at the end are left out "
    "(`make student` made this copy).*"
)


def source(cell):
    return "".join(cell["source"])


def lines(text):
    """Notebook JSON's list-of-lines form of ``text``."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + [parts[-1]]


def solution_count(notebook) -> int:
    return sum(len(SOLUTION.findall(source(c))) for c in notebook["cells"])


def student_edition(notebook):
    """A copy of ``notebook`` (parsed JSON) without its solutions; unchanged if it has none."""
    student = copy.deepcopy(notebook)
    count = solution_count(notebook)
    if count == 0:
        return student
    cells = student["cells"]
    start = next(i for i, c in enumerate(cells) if EXERCISES.search(source(c)))
    exercises = SOLUTION.split(source(cells[start]))[0]
    # The paragraph that points at the folded solutions goes too.
    paragraphs = [p for p in exercises.split("\n\n") if "solutions are below" not in p]
    exercises = "\n\n".join(paragraphs).rstrip()
    navigation = [
        line for line in source(cells[-1]).splitlines() if "](../README.md)" in line
    ]
    cells[start]["source"] = lines(exercises)
    del cells[start + 1 :]
    for number in range(1, count + 1):
        cells.append(_markdown(f"### Your answer to exercise {number}"))
        cells.append(_code(ANSWER))
    cells.append(_markdown("\n".join(navigation)))
    title = cells[0]
    title["source"] = lines(source(title).replace("\n\n", f"\n\n{NOTE}\n\n", 1))
    for number, cell in enumerate(cells[start + 1 :]):
        cell["id"] = f"student-{number}"  # nbformat 4.5: every cell has a unique id
    return student


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": lines(text)}


def _code(text):
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": lines(text),
    }


def write(out=None) -> list[Path]:
    """Write the student edition of every notebook to ``out``; return the paths."""
    out = Path(out or ROOT / "student")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text())
        target = out / path.name
        target.write_text(
            json.dumps(student_edition(notebook), indent=1, ensure_ascii=False) + "\n"
        )
        written.append(target)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "student"))
    args = parser.parse_args()
    for path in write(args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
