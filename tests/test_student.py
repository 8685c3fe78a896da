"""``make student``: no solution survives, the lesson does, and the copies run."""

import json

import pytest

from tools import student
from tools.execute_notebooks import execute

NOTEBOOKS = sorted((student.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def solution_sources(notebook):
    """The code of the folded solution cells, the part a student must not get."""
    return [
        student.source(cell).strip()
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        and cell["metadata"].get("jupyter", {}).get("source_hidden")
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_solution_survives_and_the_lesson_stays(path):
    original = json.loads(path.read_text())
    copy = student.student_edition(original)
    texts = [student.source(cell) for cell in copy["cells"]]
    for solution in solution_sources(original):
        assert not any(solution in text for text in texts), solution[:60]
    assert not any(student.SOLUTION.search(text) for text in texts)
    assert not any("solutions are below" in text for text in texts)
    answers = [text for text in texts if text == student.ANSWER]
    assert len(answers) == student.solution_count(original)
    if not answers:
        assert copy == original  # nothing to take out: an unchanged copy
        return
    # The lesson up to the exercises, outputs included, is the committed one.
    start = next(
        i
        for i, c in enumerate(original["cells"])
        if student.EXERCISES.search(student.source(c))
    )
    assert copy["cells"][1:start] == original["cells"][1:start]
    assert len({cell.get("id") for cell in copy["cells"]}) == len(copy["cells"])
    assert "](../README.md)" in texts[-1]


def test_make_student_writes_every_notebook(tmp_path):
    written = student.write(tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]


def test_student_notebooks_run_top_to_bottom_in_quick_mode(monkeypatch, tmp_path):
    """The copies that differ from the originals (those with exercises), executed where
    ``make student`` puts them, in order (05 opens the model 04 saved)."""
    monkeypatch.setenv("MNIST_QUICK", "1")
    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path / "artifacts"))
    folder = student.ROOT / "student"
    student.write(folder)
    changed = [
        folder / path.name
        for path in NOTEBOOKS
        if student.solution_count(json.loads(path.read_text()))
    ]
    assert changed, "no notebook has exercises with solutions"
    for path in changed:
        execute(path, workdir=folder)
        cells = json.loads(path.read_text())["cells"]
        errors = [
            o
            for c in cells
            for o in c.get("outputs", [])
            if o["output_type"] == "error"
        ]
        assert not errors, f"{path.name}: {errors[:1]}"
        answers = [c for c in cells if student.source(c) == student.ANSWER]
        assert all(c["execution_count"] for c in answers), "answer cells run too"
