"""One record: committed notebook outputs, results/*.json, seeds.json and the README agree;
a quick run reads only its own records."""

import json
import statistics
from pathlib import Path

import numpy as np
import pytest

from helpers import config, predictions, results
from tools import pages, seeds

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TUTORIAL_IDS = results.TUTORIAL_MODELS


def outputs_of(name):
    """All text a committed notebook shows, cell by cell."""
    texts = []
    for cell in json.loads((NOTEBOOKS / name).read_text())["cells"]:
        for output in cell.get("outputs", []):
            texts.append(
                "".join(output.get("text", ""))
                + "".join(output.get("data", {}).get("text/plain", ""))
            )
    return texts


def committed_records():
    return {
        path.stem: json.loads(path.read_text())
        for path in sorted((ROOT / "results").glob("*.json"))
        if path.stem not in pages.NOT_MODEL_RECORDS
    }


@pytest.mark.parametrize("model_id", sorted(committed_records()))
def test_each_record_is_the_line_its_notebook_printed(model_id):
    """Accuracy, loss, epochs and seconds: the committed outputs show exactly the record."""
    record = committed_records()[model_id]
    line = results.summary(record)
    shown = [
        name
        for name in sorted(p.name for p in NOTEBOOKS.glob("0*.ipynb"))
        if any(line in text for text in outputs_of(name))
    ]
    assert shown, f"no committed notebook prints {line!r}: re-run `make notebooks`"


def test_notebook_06_table_shows_the_records():
    table = next(
        text
        for text in outputs_of("06_results_and_errors.ipynb")
        if "reported %" in text
    )
    for model_id in TUTORIAL_IDS:
        record = committed_records()[model_id]
        # pandas wraps a wide table into blocks of columns: a row is its lines in all
        row = " ".join(
            line for line in table.splitlines() if line.startswith(model_id + " ")
        )
        assert f"{record['test_accuracy'] * 100:.2f}" in row, (model_id, row)


def test_seed_statistics_agree_with_the_records_and_notebook_06():
    path = ROOT / "results" / "seeds.json"
    if not path.exists():
        pytest.skip("no seed statistics yet (make seeds)")
    by_id = json.loads(path.read_text())
    assert set(by_id) == set(TUTORIAL_IDS)
    shown = "\n".join(outputs_of("06_results_and_errors.ipynb"))
    for model_id, row in by_id.items():
        accuracies = row["test_accuracy"]
        assert len(row["seeds"]) == len(accuracies) == 5
        seed7 = accuracies[row["seeds"].index(config.DEFAULT_SEED)]
        assert seed7 == committed_records()[model_id]["test_accuracy"], model_id
        assert row["mean"] == pytest.approx(statistics.mean(accuracies), abs=1e-6)
        assert row["std"] == pytest.approx(statistics.stdev(accuracies), abs=1e-6)
        assert f"{row['mean'] * 100:.2f}" in shown, (
            f"06 does not show {model_id}'s mean"
        )


def test_a_quick_run_reads_only_its_own_records(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_QUICK", "1")
    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path))
    assert results.load("T1") is None  # results/T1.json exists, but is a full run's
    assert results.table().empty
    assert results.seeds() is None and results.seed_table() is None
    record = {"id": "T1", "test_accuracy": 0.5, "test_loss": 1.0}
    (config.results_dir() / "T1.json").write_text(json.dumps(record))
    assert results.load("T1")["test_accuracy"] == 0.5
    assert list(results.table().index) == ["T1"]


def test_a_full_run_reads_the_committed_records(monkeypatch):
    monkeypatch.setenv("MNIST_QUICK", "0")
    monkeypatch.delenv("MNIST_RESULTS", raising=False)
    assert results.load("T1") == committed_records()["T1"]


def test_summary_line():
    record = {
        "id": "T9",
        "test_accuracy": 0.991234,
        "test_loss": 0.02607,
        "epochs": 1,
        "seconds_per_epoch": 28.9,
        "train_seconds": 28.9,
        "provenance": {"mode": "full"},
    }
    assert results.summary(record) == (
        "T9: test accuracy 99.12 %, test loss 0.0261, 1 epoch, 28.90 s per epoch "
        "(28.9 s in all) [full run]"
    )


def test_make_seeds_collects_mean_and_spread(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "ROOT", tmp_path)
    accuracy = {7: 0.99, 8: 0.98, 9: 0.97, 10: 0.99, 11: 0.995}
    for seed, value in accuracy.items():
        folder = tmp_path / "results" if seed == 7 else seeds.seed_dir(seed) / "results"
        folder.mkdir(parents=True, exist_ok=True)
        for model_id in TUTORIAL_IDS:
            record = {
                "id": model_id,
                "test_accuracy": value,
                "provenance": {"mode": "full", "seed": seed},
            }
            (folder / f"{model_id}.json").write_text(json.dumps(record))
    table = seeds.collect([7, 8, 9, 10, 11])
    assert table["T4"]["test_accuracy"] == list(accuracy.values())
    assert table["T4"]["mean"] == pytest.approx(0.985)
    assert table["T4"]["min"] == 0.97 and table["T4"]["max"] == 0.995
    written = json.loads((tmp_path / "results" / "seeds.json").read_text())
    assert written == table
    frame = results.seed_table(tmp_path / "results")
    assert frame.loc["T4", "seed 7 %"] == 99.0 and frame.loc["T4", "mean %"] == 98.5
    assert not frame.loc["T4", "mean meets target"]
    # The model nobody published a run of has its statistics but no target.
    assert frame.loc["T4blog", "mean %"] == 98.5
    assert frame.loc["T4blog", "mean meets target"] is None
    # A seed whose records are missing is named, not silently averaged without.
    (seeds.seed_dir(9) / "results" / "T2.json").unlink()
    with pytest.raises(SystemExit, match="9"):
        seeds.collect([7, 8, 9])


def test_make_seeds_accumulates_runs_and_sets_other_arithmetic_apart(
    monkeypatch, tmp_path
):
    """``NB=04 SEEDS="8 9"`` replaces only those runs of T4 and T4blog; every other run
    stays as committed; a run in another precision or on another CPU kind is listed
    apart, never averaged in."""
    monkeypatch.setattr(config, "ROOT", tmp_path)

    def where(precision="float32", extension="AVX2"):
        return {"precision": precision, "vector_extension": extension}

    (tmp_path / "results").mkdir()
    for model_id in TUTORIAL_IDS:  # seed 7, the committed records
        record = {
            "id": model_id,
            "test_accuracy": 0.99,
            "provenance": {**where(), "mode": "full", "seed": 7},
        }
        (tmp_path / "results" / f"{model_id}.json").write_text(json.dumps(record))
    for seed in (8, 9):  # this call's runs
        folder = seeds.seed_dir(seed) / "results"
        folder.mkdir(parents=True)
        for model_id in ("T4", "T4blog"):
            record = {
                "id": model_id,
                "test_accuracy": 0.995,
                "provenance": {**where(), "mode": "full", "seed": seed},
            }
            (folder / f"{model_id}.json").write_text(json.dumps(record))
    committed = {
        model_id: {
            "runs": [
                {"seed": seed, "test_accuracy": 0.98, "provenance": where()}
                for seed in (7, 8, 9, 10, 11)
            ]
        }
        for model_id in TUTORIAL_IDS
    }
    committed["T4"]["runs"][3]["provenance"] = where("mixed_bfloat16")  # seed 10
    committed["T4"]["runs"][4]["provenance"] = where(extension="AVX-512")  # seed 11
    (tmp_path / "results" / "seeds.json").write_text(json.dumps(committed))

    table = seeds.collect([7, 8, 9], retrained=("T4", "T4blog"))
    assert list(table) == list(TUTORIAL_IDS)
    # T1: its committed runs, with seed 7 the committed record.
    assert table["T1"]["seeds"] == [7, 8, 9, 10, 11]
    assert table["T1"]["test_accuracy"] == [0.99, 0.98, 0.98, 0.98, 0.98]
    # T4: seeds 8 and 9 anew; 10 trained in another precision, so it stands apart;
    # 11, on another CPU kind, counts and is named.
    assert table["T4"]["seeds"] == [7, 8, 9, 11] and table["T4"]["set_apart"] == [10]
    assert table["T4"]["test_accuracy"] == [0.99, 0.995, 0.995, 0.98]
    assert [run["seed"] for run in table["T4"]["runs"]] == [7, 8, 9, 10, 11]
    assert table["T4blog"]["test_accuracy"] == [0.99, 0.995, 0.995, 0.98, 0.98]
    assert json.loads((tmp_path / "results" / "seeds.json").read_text()) == table
    frame = results.seed_table(tmp_path / "results")
    assert frame.loc["T4", "seeds"] == 4
    assert frame.loc["T4", "ran on"] == (
        "7-9 AVX2 float32; 11 AVX-512 float32; set apart: 10 (AVX2 bf16)"
    )
    # Seed 7 is the record as it stands: a notebook that has just re-trained it shows
    # the statistics its new record belongs to, before `make seeds` collects them.
    record = json.loads((tmp_path / "results" / "T4.json").read_text())
    record["test_accuracy"] = 0.96
    (tmp_path / "results" / "T4.json").write_text(json.dumps(record))
    assert results.seed_table(tmp_path / "results").loc["T4", "seed 7 %"] == 96.0
    # A re-trained model with a seed missing is named, even where an old run would fit.
    (seeds.seed_dir(9) / "results" / "T4.json").unlink()
    with pytest.raises(SystemExit, match="T4"):
        seeds.collect([7, 8, 9], retrained=("T4", "T4blog"))


def test_the_site_pages_are_generated_from_results():
    """One test for every generated block of docs/: each page is what
    ``python -m tools.pages`` writes from the committed records, and each
    block stands on exactly one page."""
    makers = pages.block_makers()
    seen = []
    for page in pages.PAGES:
        text = (ROOT / page).read_text()
        seen += list(pages.page_blocks(text))
        assert pages.render_page(text, makers) == text, (
            f"{page} is stale: run `python -m tools.pages`"
        )
    assert sorted(seen) == sorted(makers)
    # The check sees a stale page: a block with one number changed is written afresh.
    text = (ROOT / pages.PAGES[0]).read_text()
    _, block = next(iter(pages.page_blocks(text).items()))
    stale = text.replace(block, block.replace("9", "8", 1), 1)
    assert stale != text and pages.render_page(stale, makers) == text


def test_a_page_that_marks_an_unknown_block_is_an_error():
    with pytest.raises(ValueError, match="nothing generates"):
        pages.render_page(
            "<!-- no such table -->\nold\n<!-- end of no such table -->\n"
        )


def test_recipe_line_counts_the_committed_members_and_07s_ensemble(tmp_path):
    def line(members, ensembled):
        committed = {
            str(seed): {
                "test_accuracy": a,
                "provenance": {"machine": f"CPU {seed}", "precision": "float32"},
            }
            for seed, a in members.items()
        }
        (tmp_path / "ours_members.json").write_text(json.dumps({"members": committed}))
        record = {
            "id": "ours_ensemble",
            "test_accuracy": 0.997,
            "provenance": {"mode": "full"},
            "members": [f"ours_seed{seed}" for seed in ensembled],
        }
        (tmp_path / "ours_ensemble.json").write_text(json.dumps(record))
        return pages.recipe_markdown(tmp_path)

    assert pages.recipe_markdown(tmp_path).startswith("No member")
    one = line({7: 0.996}, [7])
    assert (
        "one member so far (seed 7): **99.60 %**" in one and "Their ensemble" not in one
    )
    assert "`make ensemble SEEDS=8`" in one and "seed 7 CPU 7, float32" in one
    two = line({7: 0.996, 8: 0.998}, [7, 8])
    assert "over its 2 committed members (of 5): mean **99.70 % ± 0.14**" in two
    assert "Their ensemble: **99.70 %**" in two
    assert "seed 7 CPU 7, float32; seed 8 CPU 8, float32" in two
    assert "one CNN (1,500 trained) 99.641 % ± 0.047" in one and "0.020" in two
    # A member added after 07's last run: counted, and 07's ensemble told as it was.
    three = line({7: 0.996, 8: 0.998, 10: 0.997}, [7, 8])
    assert "over its 3 committed members" in three and "99.70 % ± 0.10" in three
    assert "07's last run ensembled seeds 7, 8: **99.70 %**" in three
    assert "next run ensembles all 3" in three
    assert "next run ensembles all 2" in line({7: 0.996, 8: 0.998}, [7])
    # Members trained on one CPU are named once, with their seeds.
    (tmp_path / "ours_members.json").write_text(
        json.dumps(
            {
                "members": {
                    str(seed): {
                        "test_accuracy": 0.996,
                        "provenance": {
                            "machine": "CPU A" if seed < 10 else "CPU B",
                            "precision": "float32",
                        },
                    }
                    for seed in (7, 8, 9, 10)
                }
            }
        )
    )
    grouped = pages.recipe_markdown(tmp_path)
    assert "Trained on: seeds 7-9 CPU A, float32; seed 10 CPU B, float32." in grouped


def test_make_seeds_keeps_each_seeds_predictions_and_time(monkeypatch, tmp_path):
    """A seed's test-set predictions are copied into ``results/predictions/`` and named in
    ``seeds.json``, so an ensemble of seeds needs no model file; a damaged one is refused
    before it is copied; the seed's notebook time is kept beside its run."""
    monkeypatch.setattr(config, "ROOT", tmp_path)
    rng = np.random.default_rng(0)
    probabilities = {}
    (tmp_path / "results").mkdir()
    for seed in (7, 8):
        folder = tmp_path / "results" if seed == 7 else seeds.seed_dir(seed) / "results"
        folder.mkdir(parents=True, exist_ok=True)
        for model_id in TUTORIAL_IDS:
            probs = rng.dirichlet(np.ones(10), size=10000)
            probabilities[model_id, seed] = probs
            record = {
                "id": model_id,
                "test_accuracy": 0.99,
                "provenance": {"mode": "full", "seed": seed},
                "train_seconds": 12.5,
                "predictions": predictions.save_predictions(
                    model_id, probs, f"run-{seed}", folder
                ),
            }
            (folder / f"{model_id}.json").write_text(json.dumps(record))
    (seeds.seed_dir(8) / seeds.TIMES).write_text(
        json.dumps({"04_batchnorm_augmentation.ipynb": 287.5})
    )
    table = seeds.collect([7, 8])
    run8 = table["T4"]["runs"][1]
    assert run8["predictions"]["file"] == "predictions/T4_seed8.npy.gz"
    assert run8["predictions"]["run_id"] == "run-8"
    assert run8["notebook_seconds"] == 287.5 and run8["train_seconds"] == 12.5
    assert "notebook_seconds" not in table["T1"]["runs"][1]  # 02's time was not kept
    for seed in (7, 8):
        loaded = predictions.load_predictions("T4", tmp_path / "results", seed=seed)
        assert np.abs(loaded - probabilities["T4", seed]).max() <= 1 / 255
    with pytest.raises(FileNotFoundError, match="seed 9"):
        predictions.load_predictions("T4", tmp_path / "results", seed=9)
    # A truncated seed file is refused by collect, which names it.
    path = seeds.seed_dir(8) / "results" / "predictions" / "T2.npy.gz"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match="T2 seed 8"):
        seeds.collect([7, 8])
    # And a damaged committed copy is named when it is read.
    copy = tmp_path / "results" / "predictions" / "T4_seed8.npy.gz"
    copy.write_bytes(copy.read_bytes()[:100])
    with pytest.raises(ValueError, match="T4 seed 8.*T4_seed8"):
        predictions.load_predictions("T4", tmp_path / "results", seed=8)


def test_notebook_04_shows_the_seed_statistics_of_the_record():
    """04 prints its two models' seed statistics: after `make seeds NB=04` it must be
    re-run (the Makefile's full-run does), or its page shows another record's."""
    path = ROOT / "results" / "seeds.json"
    if not path.exists():
        pytest.skip("no seed statistics yet (make seeds)")
    by_id = json.loads(path.read_text())
    table = next(
        text
        for text in outputs_of("04_batchnorm_augmentation.ipynb")
        if "seed 7 %" in text and "std (points)" in text
    )
    for model_id in ("T4", "T4blog"):
        row = next(
            line for line in table.splitlines() if line.startswith(model_id + " ")
        )
        mean, std = by_id[model_id]["mean"] * 100, by_id[model_id]["std"] * 100
        assert row.split()[2:4] == [f"{mean:.2f}", f"{std:.2f}"], (model_id, row)
