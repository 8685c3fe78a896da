"""Where every number came from: provenance on every record, stored test-set predictions."""

import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest

from helpers import config, predictions, provenance, results
from tools import pages

ROOT = Path(__file__).resolve().parent.parent

# How a notebook shows the run its setup() started (provenance.Run.__str__), and the
# settings dict that notebooks printed before (until each one is re-run).
PRINTED_RUN = re.compile(
    r"run (\d{8}T\d{6}Z-[0-9a-f]{4}): (full|quick), (\w+), seed (\d+)"
)
PRINTED_SETTINGS = re.compile(
    r"'precision': '(\w+)'.*?'run_id': '(\d{8}T\d{6}Z-[0-9a-f]{4})'"
)


def printed_runs(text):
    """(run id, precision) for each run a notebook's text shows."""
    return [(m[0], m[2]) for m in PRINTED_RUN.findall(text)] + [
        (run_id, precision) for precision, run_id in PRINTED_SETTINGS.findall(text)
    ]


def provenance_blocks(path):
    """Every provenance block a file under results/ holds (seeds.json: one per seed)."""
    record = json.loads(path.read_text())
    if path.name == "seeds.json":
        return {
            f"{model_id} seed {run['seed']}": run.get("provenance")
            for model_id, row in record.items()
            for run in row["runs"]
        }
    if path.name == "ours_members.json":
        return {
            f"ours seed {seed}": member.get("provenance")
            for seed, member in record["members"].items()
        }
    if path.name == "notebook_times.json":
        return {
            name: entry.get("provenance") for name, entry in record["notebooks"].items()
        }
    return {path.stem: record.get("provenance")}


@pytest.mark.parametrize(
    "path", sorted((ROOT / "results").glob("*.json")), ids=lambda p: p.name
)
def test_every_record_says_where_it_came_from(path):
    for name, block in provenance_blocks(path).items():
        assert not missing(block), f"{name}: no {missing(block)}"
        assert block["recorded"] in ("at run time", "afterwards")
        unknown = set(block.get("unknown", []))
        known = [f for f in provenance.FIELDS if f not in unknown]
        assert all(block[f] is not None for f in known), f"{name}: a field is None"
        if block["recorded"] == "at run time":
            assert not unknown, f"{name}: a record made at run time knows everything"


def missing(block) -> list:
    """The ``provenance.FIELDS`` a provenance block lacks (empty when it is complete)."""
    if not isinstance(block, dict):
        return list(provenance.FIELDS)
    return [field for field in provenance.FIELDS if field not in block]


def test_a_missing_field_is_found():
    block = json.loads((ROOT / "results" / "T1.json").read_text())["provenance"]
    assert missing(block) == []
    del block["precision"]
    assert missing(block) == ["precision"]
    assert missing(None) == list(provenance.FIELDS)


def test_two_records_of_one_run_share_its_provenance(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_RESULTS", str(tmp_path))
    monkeypatch.setenv("MNIST_QUICK", "0")
    run = provenance.start("float32", config.SEED, "full")
    scores = {"accuracy": 0.5, "loss": 1.0}
    first = results.record(run, "T9", None, None, scores, batch_size=32)
    second = results.record(run, "T8", None, None, scores, batch_size=64)
    block = first["provenance"]
    assert block == second["provenance"] == run.provenance()
    assert not missing(block) and block["recorded"] == "at run time"
    assert block["run_id"] == run.id and block["seed"] == config.SEED
    assert block["precision"] == "float32" and block["mode"] == "full"
    assert block["tensorflow"].startswith("2.") and block["keras"].startswith("3.")
    # Nothing of the provenance outside its block.
    assert not set(provenance.FIELDS) & (set(first) - {"provenance"})
    # The next run (setup() starts one per notebook) has another id.
    assert provenance.start("float32", config.SEED, "full").id != run.id


def test_a_record_needs_the_run_first(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_RESULTS", str(tmp_path))
    with pytest.raises(TypeError, match=r"results\.record\(run, 'T9'"):
        results.record("T9", None, None, {"accuracy": 0.5, "loss": 1.0}, batch_size=32)
    assert not (tmp_path / "T9.json").exists()


def test_no_committed_record_keeps_provenance_outside_its_block():
    from helpers import further

    records = [
        json.loads(path.read_text())
        for path in sorted((ROOT / "results").glob("*.json"))
        if path.stem not in pages.NOT_MODEL_RECORDS
    ]
    records += list(further.member_records(ROOT / "results").values())
    assert len(records) >= 15
    for record in records:
        assert not set(provenance.FIELDS) & (set(record) - {"provenance"}), record


def test_short_form_for_tables():
    assert provenance.short({"vector_extension": "AVX2", "precision": "float32"}) == (
        "AVX2 float32"
    )
    assert provenance.short(
        {"vector_extension": "AVX-512 BF16", "precision": "mixed_bfloat16"}
    ) == ("AVX-512 BF16 bf16")


EPYC = "model name\t: AMD EPYC\nflags\t\t: fpu sse4_1 avx avx2 avx512f avx512_bf16\n"


@pytest.mark.parametrize(
    "environ, machine, extension, bf16",
    [
        ({}, "AVX-512 BF16", "AVX-512 BF16", True),
        ({"ONEDNN_MAX_CPU_ISA": "ALL"}, "AVX-512 BF16", "AVX-512 BF16", True),
        (
            {"ONEDNN_MAX_CPU_ISA": "avx2"},
            "AVX-512 BF16 held to AVX2 (ONEDNN_MAX_CPU_ISA)",
            "AVX2",
            False,
        ),
        (
            {"DNNL_MAX_CPU_ISA": "AVX512_CORE"},
            "AVX-512 BF16 held to AVX-512 (DNNL_MAX_CPU_ISA)",
            "AVX-512",
            False,
        ),
        (
            {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_AMX"},
            "AVX-512 BF16",
            "AVX-512 BF16",
            True,
        ),
    ],
)
def test_a_cpu_held_to_a_narrower_isa_is_recorded_as_held(
    environ, machine, extension, bf16
):
    """The AVX2 stand-in (an AVX-512 machine under ONEDNN_MAX_CPU_ISA=AVX2) records
    itself as held, not as the machine it stands in for nor as its own full width."""
    cpu = provenance.cpu(EPYC, environ)
    assert cpu["machine"].endswith(", " + machine), cpu["machine"]
    assert (cpu["vector_extension"], cpu["native_bfloat16"]) == (extension, bf16)


def softmax_rows(n=10_000, seed=0):
    logits = np.random.default_rng(seed).normal(size=(n, 10)) * 4
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def test_predictions_round_trip_small_and_exact_in_argmax(tmp_path):
    probabilities = softmax_rows()
    # Two classes a hair apart round to the same step (127 of 255): the model's answer,
    # the later class, must survive.
    probabilities[1, :] = 0
    probabilities[1, [2, 4, 9]] = 0.4990, 0.4992, 0.0018
    entry = predictions.save_predictions("T9", probabilities, "run-1", folder=tmp_path)
    (tmp_path / "T9.json").write_text(json.dumps({"id": "T9", "predictions": entry}))
    loaded = predictions.load_predictions("T9", tmp_path)
    assert loaded.shape == (10_000, 10) and loaded.dtype == np.float32
    assert (
        np.abs(loaded - probabilities).max()
        <= 0.5 / predictions.PREDICTION_STEPS + 1e-5
    )
    assert (loaded.argmax(axis=1) == probabilities.argmax(axis=1)).all()
    assert (tmp_path / entry["file"]).stat().st_size < 100_000
    # The same predictions give the same bytes (and the same checksum) every time.
    again = predictions.save_predictions("T9", probabilities, "run-2", folder=tmp_path)
    assert again["sha256"] == entry["sha256"]


def test_predictions_that_are_not_probabilities_are_refused(tmp_path):
    with pytest.raises(ValueError, match="10 columns"):
        predictions.save_predictions("T9", np.ones((5, 3)) / 3, "r", folder=tmp_path)
    with pytest.raises(ValueError, match="sum to 1"):
        predictions.save_predictions("T9", np.ones((5, 10)), "r", folder=tmp_path)


@pytest.fixture
def stored(tmp_path):
    entry = predictions.save_predictions(
        "T9", softmax_rows(100), "run-1", folder=tmp_path
    )
    (tmp_path / "T9.json").write_text(json.dumps({"id": "T9", "predictions": entry}))
    return tmp_path, tmp_path / entry["file"]


def test_a_truncated_predictions_file_is_named(stored):
    folder, path = stored
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(
        ValueError, match=r"T9\.npy\.gz.*truncated, or written by another run"
    ):
        predictions.load_predictions("T9", folder)


def test_predictions_of_another_run_are_named(stored):
    folder, path = stored
    other = np.round(softmax_rows(100, seed=1) * predictions.PREDICTION_STEPS).astype(
        "uint16"
    )
    import io

    buffer = io.BytesIO()
    np.save(buffer, other)
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    with pytest.raises(ValueError, match="not the one its record names.*run-1"):
        predictions.load_predictions("T9", folder)


def test_missing_predictions_are_named(stored):
    folder, path = stored
    path.unlink()
    with pytest.raises(FileNotFoundError, match=r"T9\.npy\.gz is missing"):
        predictions.load_predictions("T9", folder)
    (folder / "T9.json").write_text(json.dumps({"id": "T9"}))
    with pytest.raises(FileNotFoundError, match="names no stored predictions"):
        predictions.load_predictions("T9", folder)


def test_record_saves_the_predictions_it_is_given(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_RESULTS", str(tmp_path))
    monkeypatch.setenv("MNIST_QUICK", "0")
    probabilities = softmax_rows(50)

    class Model:  # what record() asks of a model: its predictions on the test data
        def predict(self, data, verbose=0):
            return data

        def count_params(self):
            return 0

    run = provenance.start("float32", config.SEED, "full")
    written = results.record(
        run,
        "T9",
        Model(),
        None,
        {"accuracy": 0.5, "loss": 1.0},
        probabilities,
        batch_size=32,
    )
    assert written["predictions"]["run_id"] == written["provenance"]["run_id"]
    assert np.allclose(
        predictions.load_predictions("T9", tmp_path), probabilities, atol=1 / 255
    )


NOTEBOOK_MODELS = {
    "02": ("T3a", "T1"),
    "03": ("T3b", "T2", "T5"),
    "04": ("T4", "T4blog"),
}


def printed_run_ids(number):
    path = next((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    return {run_id for run_id, _ in printed_runs(path.read_text())}


@pytest.mark.parametrize("number", sorted(NOTEBOOK_MODELS))
def test_a_notebooks_records_carry_the_run_id_it_printed(number):
    records = {m: results.load(m, ROOT / "results") for m in NOTEBOOK_MODELS[number]}
    recorded = {r["provenance"]["recorded"] for r in records.values()}
    if recorded == {"afterwards"}:
        pytest.skip(f"notebook {number}'s records predate run ids")
    (printed,) = printed_run_ids(number)  # one run, one id, printed once by setup()
    for model_id, record in records.items():
        assert record["provenance"]["run_id"] == printed, model_id
        assert record["predictions"]["run_id"] == printed, model_id


def test_notebook_05_names_the_run_of_the_model_it_opened():
    record = results.load("T4", ROOT / "results")
    if record["provenance"]["recorded"] == "afterwards":
        pytest.skip("T4's record predates run ids")
    shown = (ROOT / "notebooks" / "05_filter_visualization.ipynb").read_text()
    assert f"the record of its run {record['provenance']['run_id']}" in shown


def test_each_notebook_time_carries_the_precision_its_notebook_printed():
    """Notebook 09 trains in ``best_precision()``: its time's record must say so, not
    assume the float32 of the other notebooks."""
    times = json.loads((ROOT / "results" / "notebook_times.json").read_text())
    checked = 0
    for name, entry in times["notebooks"].items():
        runs = printed_runs((ROOT / "notebooks" / name).read_text())
        if runs and entry["provenance"].get("recorded") != "afterwards":
            assert entry["provenance"]["precision"] == runs[0][1], name
            checked += 1
    assert checked >= 8
