"""Notebook 06 from the records alone: in a fresh clone, with nothing in artifacts/, it
runs top to bottom in full mode and shows what the committed notebook shows."""

import json
import shutil
from pathlib import Path

import pytest

from helpers import results

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_results_and_errors.ipynb"
# Cells whose text depends on the run or on this machine's artifacts, not on the records:
# the setup cell (a new run id) and the cell that predicts with a model of your own.
RUN_DEPENDENT = ("run = training.setup(", 'saved_model_path("T3b")')


def shown_text(notebook):
    """Each code cell's text outputs (figures aside), keyed by its position."""
    shown = {}
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        if any(marker in "".join(cell["source"]) for marker in RUN_DEPENDENT):
            continue
        shown[index] = [
            "".join(o.get("text", ""))
            + "".join(o.get("data", {}).get("text/plain", ""))
            for o in cell.get("outputs", [])
        ]
    return shown


def stored_everywhere():
    return all(
        (results.load(m, ROOT / "results") or {}).get("predictions")
        for m in results.TUTORIAL_MODELS
    )


@pytest.mark.skipif(
    not stored_everywhere(), reason="02-04 have not stored predictions yet"
)
def test_notebook_06_runs_from_the_records_alone(tmp_path, monkeypatch):
    from tools.execute_notebooks import execute

    # The committed records, copied so the ensemble record 06 writes lands in the copy.
    shutil.copytree(ROOT / "results", tmp_path / "results")
    monkeypatch.setenv("MNIST_QUICK", "0")
    monkeypatch.setenv("MNIST_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv(
        "MNIST_ARTIFACTS", str(tmp_path / "artifacts")
    )  # empty: no models
    monkeypatch.setenv("MNIST_LIVE", "0")
    copy = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    execute(copy, workdir=ROOT / "notebooks")
    ran, committed = (shown_text(json.loads(p.read_text())) for p in (copy, NOTEBOOK))
    assert ran.keys() == committed.keys()
    for index in committed:
        assert ran[index] == committed[index], f"cell {index} shows something else"
    assert not (tmp_path / "artifacts").exists() or not any(
        (tmp_path / "artifacts").rglob("*.keras")
    )
    # The ensemble record it wrote is the committed one, but for when and where it ran.
    written = json.loads((tmp_path / "results" / "ensemble_tutorials.json").read_text())
    kept = json.loads((ROOT / "results" / "ensemble_tutorials.json").read_text())
    assert {k: v for k, v in written.items() if k != "provenance"} == {
        k: v for k, v in kept.items() if k != "provenance"
    }


def test_a_damaged_predictions_file_stops_06_with_its_name(tmp_path, monkeypatch):
    if not stored_everywhere():
        pytest.skip("02-04 have not stored predictions yet")
    from nbclient.exceptions import CellExecutionError

    from tools.execute_notebooks import execute

    shutil.copytree(ROOT / "results", tmp_path / "results")
    damaged = tmp_path / "results" / "predictions" / "T2.npy.gz"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    monkeypatch.setenv("MNIST_QUICK", "0")
    monkeypatch.setenv("MNIST_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path / "artifacts"))
    copy = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    with pytest.raises(
        CellExecutionError, match=r"T2\.npy\.gz is not the one its record names"
    ):
        execute(copy, workdir=ROOT / "notebooks")
