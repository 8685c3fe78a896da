"""The record of each run: one JSON per model in ``results/`` (full runs only).

``record()`` writes it, ``table()`` reads them all back as a pandas DataFrame next to what
the tutorials reported, and ``python -m helpers.results`` prints the README's table.
"""

import json
import sys

import pandas as pd

from helpers import config

# Test accuracy each tutorial reported (SPEC's targets table), as fractions.
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
    "T4": "batchnorm + augmentation, Adam",
    "T5": "SGD momentum, he_uniform",
    "ensemble_tutorials": "average of the six tutorial models",
    "ours_single": "notebook 07: BN + augmentation + LR schedule",
    "ours_ensemble": "notebook 07: ensemble of our models",
}
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
# Notebook 07's own goals (issue: a single model at 99.65 %, an ensemble at 99.70 %).
GOALS = {"ours_single": 0.9965, "ours_ensemble": 0.9970}


def target(model_id):
    """The accuracy (fraction) a model has to reach, or None for models without one."""
    if model_id in REPORTED:
        return REPORTED[model_id] - TOLERANCE_PP / 100
    return GOALS.get(model_id)


def reproduces(model_id, accuracy) -> bool:
    """SPEC's rule for tutorials (reported minus 0.25 points); notebook 07's goals else."""
    return round(accuracy * 100, 6) >= round(target(model_id) * 100, 6)


def record(model_id, model, history, test_metrics, batch_size, **extra) -> dict:
    """Write ``<results>/<model_id>.json`` for this run and return what was written."""
    seconds = getattr(history, "epoch_seconds", None) or []
    result = {
        "id": model_id,
        "test_accuracy": round(test_metrics["accuracy"], 6),
        "test_loss": round(test_metrics["loss"], 6),
        "params": int(model.count_params()) if model is not None else None,
        "epochs": len(history.epoch) if history is not None else None,
        "batch_size": batch_size,
        "seconds_per_epoch": round(sum(seconds) / len(seconds), 2) if seconds else None,
        "train_seconds": round(sum(seconds), 1) if seconds else None,
        "mode": config.mode(),
        "seed": config.SEED,
        **extra,
    }
    path = config.results_dir() / f"{model_id}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return result


def load(model_id, folder=None):
    """One results record as a dict, or None when there is none yet."""
    path = (folder or config.ROOT / "results") / f"{model_id}.json"
    return json.loads(path.read_text()) if path.exists() else None


def table(folder=None, stand_ins=None) -> pd.DataFrame:
    """Every results record in ``folder`` (default ``results/``) next to the reported figure.

    ``stand_ins`` maps a model id that has no record to test metrics measured some other
    way (e.g. a quick stand-in model); such rows are marked in the "model" column.
    """
    folder = folder or config.ROOT / "results"
    rows = []
    for model_id, topic in TOPICS.items():
        result = load(model_id, folder)
        if result is None and stand_ins and model_id in stand_ins:
            metrics = stand_ins[model_id]
            result = {
                "test_accuracy": metrics["accuracy"],
                "test_loss": metrics["loss"],
            }
            topic += " (quick stand-in: no results file)"
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
            }
        )
    return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()


def markdown(folder=None) -> str:
    """The results table as Markdown, for the README."""
    frame = table(folder).reset_index()

    def cell(column, value):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, bool):
            return "yes" if value else "**no**"
        if column.endswith("%"):
            return f"{value:.2f}"
        if column in ("params", "epochs", "batch"):
            return f"{int(value):,}"
        return str(value)

    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "|".join("---" for _ in frame.columns) + "|",
    ]
    for row in frame.itertuples(index=False):
        lines.append(
            "| " + " | ".join(cell(c, v) for c, v in zip(frame.columns, row)) + " |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(sys.argv[1] if len(sys.argv) > 1 else None))
