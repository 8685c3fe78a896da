"""One JSON record per model in ``results/`` (full runs only): ``record()`` writes it,
``table()`` reads them all back as a DataFrame next to what the tutorials reported, and
``tools/pages.py`` writes the site's tables from them."""

import json

import pandas as pd

from helpers import config, provenance
from helpers.predictions import (  # the codec of the test-set predictions beside records
    save_predictions,
)

# Test accuracy each tutorial reported (SPEC's targets table), as fractions. T4's is its
# last val_acc, not its evaluate (99.48 %): 156 batches of a shuffled test iterator run
# on across epochs (epoch 5's spanned two shuffles, some images counted twice).
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
TOLERANCE_PP = 0.25  # a full run may fall this many points short of the reported figure
REQUIRED_KEYS = frozenset(
    {
        "id",
        "test_accuracy",
        "test_loss",
        "params",
        "epochs",
        "batch_size",
        "seconds_per_epoch",
        "provenance",
    }
)
# Notebook 07's goals and 09's: a mean over 5 seeds (09: in at most 3 s of training on
# average in float32 on an AVX2 CPU, 1.5 s in bfloat16 where the CPU computes it).
GOALS = {"ours_single": 0.9965, "ours_ensemble": 0.9970, "speedrun": 0.99}
# Chris Deotte's README (github.com/cdeotte/MNIST-CNN-99.75) for this architecture, test
# accuracy (mean, std): TensorFlow 1.7.0-rc1 on Tesla K80 GPUs, 30 epochs per CNN.
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
    run,
    model_id,
    model,
    history,
    test_metrics=None,
    test_data=None,
    *,
    batch_size,
    seconds=None,
    **extra,
) -> dict:
    """Write ``<results>/<model_id>.json`` with ``run``'s provenance, print its summary
    line and return it. The probabilities on ``test_data`` are saved beside it, so
    notebook 06 and ensembles need no model file; a model with a ``history`` is saved to
    ``artifacts/<model_id>.keras`` (for the benchmarks and notebook 05). ``seconds``:
    each epoch's wall-clock seconds, by default ``live.TrainingMonitor``'s."""
    if not isinstance(run, provenance.Run):
        raise TypeError(
            f"record() takes the run first (what training.setup() returned), got "
            f"{type(run).__name__}: call results.record(run, "
            f"{run if isinstance(run, str) else model_id!r}, ...)."
        )
    if test_metrics is None:
        raise TypeError(
            f"record({model_id!r}) needs the test metrics: model.evaluate(test_data, "
            "return_dict=True), or a dict with 'accuracy' and 'loss'."
        )
    if seconds is None and history is not None:
        seconds = history.history.get("seconds")
    result = {
        "id": model_id,
        "test_accuracy": round(float(test_metrics["accuracy"]), 6),
        "test_loss": round(float(test_metrics["loss"]), 6),
        "params": int(model.count_params()) if model is not None else None,
        "epochs": len(history.epoch) if history is not None else None,
        "batch_size": batch_size,
        "seconds_per_epoch": round(sum(seconds) / len(seconds), 2) if seconds else None,
        "train_seconds": round(sum(seconds), 1) if seconds else None,
        **extra,
        "provenance": run.provenance(),
    }
    if test_data is not None:
        result["predictions"] = save_predictions(
            model_id, model.predict(test_data, verbose=0), run.id
        )
    path = config.results_dir() / f"{model_id}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    if model is not None and history is not None:
        model.save(config.artifacts_dir() / f"{model_id}.keras")
    print(summary(result))
    return result


def summary(record) -> str:
    """One line for a notebook: ``T1: test accuracy 99.12 %, test loss 0.0261, ...``;
    ``tests/test_results.py`` checks the committed notebooks show them exactly."""
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
    return line + f" [{record['provenance']['mode']} run]"


def load(model_id, folder=None):
    """One results record as a dict, or None. ``folder`` defaults to this run's records
    (``config.results_dir()``): a quick run reads its own, never the committed ones."""
    path = (folder or config.results_dir()) / f"{model_id}.json"
    return json.loads(path.read_text()) if path.exists() else None


def table(folder=None) -> pd.DataFrame:
    """Every record in ``folder`` (this run's by default) beside the reported figure."""
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
    """``seeds.json`` (``make seeds``) of this run, or None; see ``_current_row``."""
    folder = folder or config.results_dir()
    path = folder / "seeds.json"
    if not path.exists():
        return None
    table = json.loads(path.read_text())
    return {
        model_id: _current_row(model_id, row, folder) for model_id, row in table.items()
    }


def seed_summary(accuracies) -> dict:
    import statistics

    return {
        "mean": round(statistics.mean(accuracies), 6),
        "std": round(statistics.stdev(accuracies), 6) if len(accuracies) > 1 else 0.0,
        "min": min(accuracies),
        "max": max(accuracies),
    }


def comparable(run, seed7) -> bool:
    """Whether ``run`` counts in the mean: trained in seed 7's precision. Another CPU
    kind moves results about as much as another seed (``make bench WHAT=rerun`` measured
    one pair), so they count ("ran on" names each); another precision is set apart."""
    mine, theirs = run.get("provenance") or {}, seed7.get("provenance") or {}
    return mine.get("precision") == theirs.get("precision")


def seed_row(runs) -> dict:
    """A model's ``seeds.json`` row: statistics over its ``comparable`` runs alone."""
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
    """``seeds()`` as a table per tutorial model, or None: the reported figure, seed 7,
    the mean ± std and range over the seeds, and SPEC's rule on seed 7 and the mean."""
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
