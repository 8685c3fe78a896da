"""The record of each run: one JSON per model in ``results/`` (full runs only).

``record()`` writes it, ``table()`` reads them all back as a pandas DataFrame next to what
the tutorials reported; ``tools/pages.py`` writes the site's tables from them.
"""

import gzip
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import config, provenance

# Test accuracy each tutorial reported (SPEC's targets table), as fractions. T4's is not
# an evaluate on the test set: it is its last epoch's val_acc, on 156 batches from a
# shuffled test iterator that ran on from epoch to epoch (epoch 5's window spanned two
# shuffles, some images counted twice); the same notebook's evaluate printed 99.48 %.
REPORTED = {
    "T1": 0.9904,
    "T2": 0.9927,
    "T3a": 0.9907,
    "T3b": 0.9903,
    "T4": 0.9955,
    "T5": 0.9919,
}
TOPICS = {
    "T1": "two-conv, Adadelta",
    "T2": "three-conv factory, RMSprop",
    "T3a": "baseline 5x5, Adam",
    "T3b": "larger, Adam",
    "T4": "T4's code as it ran: augmentation, Adam, no batch norm",
    "T4blog": "T4's blog model: batch norm + augmentation, Adam",
    "T5": "SGD momentum, he_uniform",
    "ensemble_tutorials": "average of the seven tutorial models",
    "ours_single": "notebook 07: BN + augmentation + LR schedule",
    "ours_ensemble": "notebook 07: ensemble of our models",
    "speedrun": "notebook 09: one epoch, mean of 5 seeds",
}
# Every model trained by notebooks 02-04: the six with a reported figure, and T4's blog
# model, of which T4 published no run (no target; reported with its seed statistics).
TUTORIAL_MODELS = ("T1", "T2", "T3a", "T3b", "T4", "T4blog", "T5")
# A full run reproduces a tutorial when it is within this many points of the reported figure.
TOLERANCE_PP = 0.25
# Every results record has at least these keys.
REQUIRED_KEYS = frozenset(
    {
        "id",
        "test_accuracy",
        "test_loss",
        "params",
        "epochs",
        "batch_size",
        "seconds_per_epoch",
        "mode",
    }
)
# Notebook 07's own goals (a single model at 99.65 %, an ensemble at 99.70 %) and
# notebook 09's (a mean of 99.0 % over five seeds, in at most 3 s of training on average).
GOALS = {"ours_single": 0.9965, "ours_ensemble": 0.9970, "speedrun": 0.99}
# Chris Deotte's README (github.com/cdeotte/MNIST-CNN-99.75) for this architecture: 100
# runs of TensorFlow 1.7.0-rc1 on Tesla K80 GPUs, each training 15 CNNs for 30 epochs and
# ensembling them. Test accuracy, mean and standard deviation.
DEOTTE = {
    "one CNN (1,500 trained)": (0.99641, 0.00047),
    "ensemble of fifteen (100 built)": (0.99745, 0.00020),
}


def target(model_id):
    """The accuracy (fraction) a model has to reach, or None for models without one."""
    if model_id in REPORTED:
        return REPORTED[model_id] - TOLERANCE_PP / 100
    return GOALS.get(model_id)


def reproduces(model_id, accuracy) -> bool:
    """SPEC's rule for tutorials (reported minus 0.25 points); notebook 07's goals else."""
    return round(accuracy * 100, 6) >= round(target(model_id) * 100, 6)


def record(
    model_id,
    model,
    history,
    test_metrics,
    batch_size,
    epoch_seconds=None,
    predictions=None,
    **extra,
) -> dict:
    """Write ``<results>/<model_id>.json`` for this run and return what was written.

    ``epoch_seconds``: each epoch's wall-clock seconds (a ``training.EpochTimer``'s).
    ``predictions``: the model's test-set probabilities, ``(10000, 10)``, saved beside
    the record (``save_predictions``) so that notebook 06 and ensembles need no model.
    """
    seconds = epoch_seconds or getattr(history, "epoch_seconds", None) or []
    result = {
        "id": model_id,
        "test_accuracy": round(float(test_metrics["accuracy"]), 6),
        "test_loss": round(float(test_metrics["loss"]), 6),
        "params": int(model.count_params()) if model is not None else None,
        "epochs": len(history.epoch) if history is not None else None,
        "batch_size": batch_size,
        "seconds_per_epoch": round(sum(seconds) / len(seconds), 2) if seconds else None,
        "train_seconds": round(sum(seconds), 1) if seconds else None,
        "mode": config.mode(),
        "seed": config.SEED,
        **extra,
        "provenance": provenance.current(_precision(model), config.SEED, config.mode()),
    }
    if predictions is not None:
        result["predictions"] = save_predictions(
            model_id, predictions, result["provenance"]["run_id"]
        )
    path = config.results_dir() / f"{model_id}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return result


# Test-set probabilities are kept as 8-bit fractions of 1 (255 steps) plus the class the
# model chose (an eleventh column): gzip'd, about 12 KB per model. Where two classes round
# to the same step, the stored choice still gives back the model's own answer.
PREDICTION_STEPS = np.iinfo(np.uint8).max
PREDICTIONS_FOLDER = "predictions"
CLASSES = 10


def predictions_path(model_id, folder=None) -> Path:
    """``<results>/predictions/<model_id>.npy.gz``."""
    return (folder or config.results_dir()) / PREDICTIONS_FOLDER / f"{model_id}.npy.gz"


def save_predictions(model_id, probabilities, run_id, folder=None) -> dict:
    """Save a model's test-set probabilities; return what its record says of the file.

    ``probabilities``: one row per test image, one column per class, each row summing to 1
    (what ``model.predict`` returns for a softmax output).
    """
    probabilities = np.asarray(probabilities, dtype="float64")
    if probabilities.ndim != 2 or probabilities.shape[1] != CLASSES:
        raise ValueError(
            f"{model_id}: predictions must have one row per test image and {CLASSES} "
            f"columns (model.predict of a softmax output); got shape {probabilities.shape}."
        )
    if not np.allclose(probabilities.sum(axis=1), 1, atol=2e-2):  # bfloat16 rounds
        raise ValueError(
            f"{model_id}: each row of predictions must sum to 1 (probabilities); pass "
            "model.predict's output of a softmax layer, not logits."
        )
    steps = np.round(np.clip(probabilities, 0, 1) * PREDICTION_STEPS).astype("uint8")
    chosen = probabilities.argmax(axis=1).astype("uint8")[:, None]
    steps = np.concatenate([steps, chosen], axis=1)
    path = predictions_path(model_id, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.save(buffer, steps, allow_pickle=False)
    # mtime=0: the same predictions give the same bytes, whenever they are written.
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return {
        "file": f"{PREDICTIONS_FOLDER}/{path.name}",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "shape": list(steps.shape),
        "run_id": run_id,
    }


def load_predictions(model_id, folder=None, seed=None) -> np.ndarray:
    """A model's stored test-set probabilities, ``(10000, 10)`` float32, from ``results/``:
    within half a step (1/510) of the model's, and their argmax is the model's answer.

    ``seed``: another seed's run of a tutorial model (``make seeds`` stores each one's
    predictions and names the file in ``seeds.json``); None or 7 is the model's record.
    Checks that the file is the one its record names (same run): a missing, truncated or
    replaced file raises an error that names it and says how to make it again.
    """
    folder = folder or config.results_dir()
    if seed is not None and seed != config.DEFAULT_SEED:
        return _seed_predictions(model_id, folder, seed)
    record = load(model_id, folder)
    again = f"re-run the notebook that trains {model_id} (see the README's notebook table) in full"
    if record is None or "predictions" not in record:
        raise FileNotFoundError(
            f"{model_id}: {folder / (model_id + '.json')} names no stored predictions; "
            f"{again}, which saves them."
        )
    return read_predictions(model_id, folder, record["predictions"], again)


def _seed_predictions(model_id, folder, seed):
    again = f"train it again with `make seeds SEEDS={seed}` (NB= its notebook)"
    path = folder / "seeds.json"
    table = json.loads(path.read_text()) if path.exists() else {}
    runs = {run["seed"]: run for run in table.get(model_id, {}).get("runs", [])}
    entry = runs.get(seed, {}).get("predictions")
    if entry is None:
        raise FileNotFoundError(
            f"{model_id}: {path} names no stored predictions for seed {seed} (seeds "
            f"with predictions: {sorted(s for s, r in runs.items() if 'predictions' in r)}"
            f"); {again}."
        )
    return read_predictions(f"{model_id} seed {seed}", folder, entry, again)


def read_predictions(label, folder, entry, again) -> np.ndarray:
    """The probabilities in the file a record's ``predictions`` entry names, checked
    against its checksum and shape; ``label`` and ``again`` go into any error."""
    path = folder / entry["file"]
    if not path.exists():
        raise FileNotFoundError(
            f"{label}: predictions file {path} is missing; {again}."
        )
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(
            f"{label}: predictions file {path} is not the one its record names (run "
            f"{entry['run_id']}): truncated, or written by another run. Restore it with "
            f"`git checkout -- {path.name}` in its folder, or {again}."
        )
    try:
        steps = np.load(io.BytesIO(gzip.decompress(data)), allow_pickle=False)
    except (OSError, EOFError, ValueError) as error:
        raise ValueError(
            f"{label}: predictions file {path} cannot be read ({error}); {again}."
        ) from None
    if list(steps.shape) != entry["shape"] or steps.dtype != np.uint8:
        raise ValueError(
            f"{label}: predictions file {path} holds {steps.dtype} {steps.shape}, its "
            f"record says uint8 {tuple(entry['shape'])}; {again}."
        )
    probabilities = (steps[:, :CLASSES] / PREDICTION_STEPS).astype("float32")
    # A nudge far below one step, so that argmax gives back the model's own choice.
    probabilities[np.arange(len(steps)), steps[:, CLASSES]] += 1e-6
    return probabilities


def _precision(model) -> str:
    """The dtype policy ``model`` was built with, else the one in force now."""
    import keras

    policy = (
        getattr(model, "dtype_policy", None) or keras.mixed_precision.global_policy()
    )
    return policy.name


def summary(record) -> str:
    """One line for a notebook: ``T1: test accuracy 99.12 %, test loss 0.0261, ...``.

    The notebooks print it beside ``record()``; ``tests/test_results.py`` checks that
    the committed notebooks show exactly these lines for the records in ``results/``.
    """
    line = (
        f"{record['id']}: test accuracy {record['test_accuracy'] * 100:.2f} %, "
        f"test loss {record['test_loss']:.4f}"
    )
    if record.get("epochs"):
        line += f", {record['epochs']} epoch" + ("s" if record["epochs"] != 1 else "")
    if record.get("seconds_per_epoch"):
        line += (
            f", {record['seconds_per_epoch']:.2f} s per epoch"
            f" ({record['train_seconds']:.1f} s in all)"
        )
    return line + f" [{record['mode']} run]"


def load(model_id, folder=None):
    """One results record as a dict, or None when there is none yet.

    ``folder`` defaults to this run's records (``config.results_dir()``): a quick run reads
    the quick run's records, never the committed full run's.
    """
    path = (folder or config.results_dir()) / f"{model_id}.json"
    return json.loads(path.read_text()) if path.exists() else None


def table(folder=None) -> pd.DataFrame:
    """Every record of this run (or in ``folder``) next to the reported figure.

    The default folder is ``config.results_dir()``: the committed ``results/`` in a full
    run, the quick run's own records in a quick one.
    """
    folder = folder or config.results_dir()
    rows = []
    for model_id, topic in TOPICS.items():
        result = load(model_id, folder)
        if result is None:
            continue
        reported, goal = REPORTED.get(model_id), target(model_id)
        rows.append(
            {
                "id": model_id,
                "model": topic,
                "reported %": round(reported * 100, 2) if reported else None,
                "reproduced %": round(result["test_accuracy"] * 100, 2),
                "target %": round(goal * 100, 2) if goal else None,
                "meets target": reproduces(model_id, result["test_accuracy"])
                if goal
                else None,
                "params": result.get("params"),
                "epochs": result.get("epochs"),
                "batch": result.get("batch_size"),
                "s/epoch": result.get("seconds_per_epoch"),
                "train s": result.get("train_seconds"),
                "ran on": provenance.short(result.get("provenance")),
            }
        )
    return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()


def seeds(folder=None) -> dict | None:
    """``seeds.json`` as written by ``make seeds`` (this run's folder), or None; seed 7
    of each row is the model's record there (see ``_current_row``)."""
    folder = folder or config.results_dir()
    path = folder / "seeds.json"
    if not path.exists():
        return None
    table = json.loads(path.read_text())
    return {
        model_id: _current_row(model_id, row, folder) for model_id, row in table.items()
    }


def seed_summary(accuracies) -> dict:
    """Mean, sample standard deviation, min and max of a list of accuracies."""
    import statistics

    return {
        "mean": round(statistics.mean(accuracies), 6),
        "std": round(statistics.stdev(accuracies), 6) if len(accuracies) > 1 else 0.0,
        "min": min(accuracies),
        "max": max(accuracies),
    }


def comparable(run, seed7) -> bool:
    """Whether ``run`` trained in seed 7's precision: the runs a mean is taken over.

    Another CPU kind moves the last digits about as much as another seed does (``make
    bench WHAT=rerun`` measured one pair), so its runs count, and the "ran on" column names
    each kind; another precision is set apart."""
    mine, theirs = run.get("provenance") or {}, seed7.get("provenance") or {}
    return mine.get("precision") == theirs.get("precision")


def seed_row(runs) -> dict:
    """A model's row of ``seeds.json`` from its runs: statistics over the runs in seed 7's
    precision, the others listed as set apart, never averaged in."""
    runs = sorted(
        runs, key=lambda run: (run["seed"] != config.DEFAULT_SEED, run["seed"])
    )
    seed7 = runs[0]
    if seed7["seed"] != config.DEFAULT_SEED:
        raise ValueError(f"no seed {config.DEFAULT_SEED} run among {runs}")
    counted = [run for run in runs if comparable(run, seed7)]
    accuracies = [run["test_accuracy"] for run in counted]
    return {
        "seeds": [run["seed"] for run in counted],
        "test_accuracy": accuracies,
        **seed_summary(accuracies),
        "set_apart": [run["seed"] for run in runs if run not in counted],
        "runs": runs,
    }


def _current_row(model_id, row, folder):
    """``row`` with seed 7 taken from the model's record in ``folder`` where it has one:
    a notebook that has just written its record shows the statistics it belongs to."""
    record = load(model_id, folder)
    if record is None or "runs" not in row:
        return row
    runs = [run for run in row["runs"] if run["seed"] != config.DEFAULT_SEED]
    seed7 = {
        "seed": config.DEFAULT_SEED,
        "test_accuracy": record["test_accuracy"],
        "provenance": record.get("provenance"),
    }
    return seed_row([seed7, *runs])


def seed_table(folder=None) -> pd.DataFrame | None:
    """``seeds.json`` (written by ``make seeds``) as a table, or None when there is none.

    Per tutorial model: the reported figure, seed 7's accuracy, the mean ± standard
    deviation over all seeds, their range, and SPEC's rule applied to seed 7 and the mean.
    """
    by_id = seeds(folder)
    if by_id is None:
        return None
    rows = []
    for model_id, row in by_id.items():
        seed7 = row["test_accuracy"][row["seeds"].index(config.DEFAULT_SEED)]
        goal = target(model_id)
        rows.append(
            {
                "id": model_id,
                "reported %": round(REPORTED[model_id] * 100, 2) if goal else None,
                "target %": round(goal * 100, 2) if goal else None,
                "seed 7 %": round(seed7 * 100, 2),
                "mean %": round(row["mean"] * 100, 2),
                "std (points)": round(row["std"] * 100, 2),
                "min %": round(row["min"] * 100, 2),
                "max %": round(row["max"] * 100, 2),
                "seeds": len(row["seeds"]),
                "seed 7 meets target": reproduces(model_id, seed7) if goal else None,
                "mean meets target": reproduces(model_id, row["mean"])
                if goal
                else None,
                "ran on": ran_on(row),
            }
        )
    return pd.DataFrame(rows).set_index("id")


def seed_span(seeds) -> str:
    """``[7, 8, 9, 10, 11]`` -> ``"7-11"``; ``[7, 9]`` -> ``"7, 9"``."""
    seeds = sorted(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(str(seed) for seed in seeds)


def ran_on(row) -> str:
    """Where a seed row's runs trained, short, by CPU kind and precision:
    ``7 AVX-512 BF16 float32; 8-11 AVX2 float32``, then any runs set apart."""
    runs = {run["seed"]: run for run in row.get("runs", [])}
    if not runs:
        return "not recorded"
    kinds = {}
    for seed in row["seeds"]:
        kinds.setdefault(provenance.short(runs[seed].get("provenance")), []).append(
            seed
        )
    text = "; ".join(f"{seed_span(seeds)} {kind}" for kind, seeds in kinds.items())
    if row.get("set_apart"):
        apart = ", ".join(
            f"{seed} ({provenance.short(runs[seed].get('provenance'))})"
            for seed in row["set_apart"]
        )
        text += f"; set apart: {apart}"
    return text


def notebook_times(folder=None) -> dict:
    """``notebook_times.json``: per notebook, its last full run's seconds and provenance."""
    path = (folder or config.ROOT / "results") / "notebook_times.json"
    return json.loads(path.read_text())["notebooks"] if path.exists() else {}


# Files in results/ that are not one model's record: benchmarks, seeds, timings.
NOT_MODEL_RECORDS = (
    "benchmark",
    "explorer_latency",
    "input_paths",
    "input_pipeline",
    "kernels",
    "live_overhead",
    "notebook_times",
    "ours_members",
    "rerun_spread",
    "seeds",
)
