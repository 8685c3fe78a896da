"""Test-set predictions kept beside the records, so that notebook 06 and the ensembles
need no model file; ``results.record()`` saves, ``load_predictions()`` reads them."""

import gzip
import hashlib
import io
import json
from pathlib import Path

import numpy as np

from helpers import config

# Test-set probabilities as 8-bit fractions of 1 (255 steps) plus the model's chosen
# class (an eleventh column: it settles ties after rounding); gzip'd, about 12 KB each.
PREDICTION_STEPS = np.iinfo(np.uint8).max
PREDICTIONS_FOLDER = "predictions"
CLASSES = 10


def predictions_path(model_id, folder=None) -> Path:
    return (folder or config.results_dir()) / PREDICTIONS_FOLDER / f"{model_id}.npy.gz"


def save_predictions(model_id, probabilities, run_id, folder=None) -> dict:
    """Save a model's test-set probabilities; return the record's entry for them."""
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
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))  # same data, same bytes
    return {
        "file": f"{PREDICTIONS_FOLDER}/{path.name}",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "shape": list(steps.shape),
        "run_id": run_id,
    }


def load_predictions(model_id, folder=None, seed=None) -> np.ndarray:
    """A model's stored test-set probabilities, ``(10000, 10)`` float32: within half a
    step (1/510) of the model's, their argmax the model's answer. ``seed``: another
    seed's run, from ``seeds.json`` (``make seeds``); None or 7 is the model's record.
    Errors name a missing or wrong file and say how to make it again."""
    folder = folder or config.results_dir()
    if seed is not None and seed != config.DEFAULT_SEED:
        return _seed_predictions(model_id, folder, seed)
    path = folder / f"{model_id}.json"
    record = json.loads(path.read_text()) if path.exists() else None
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
    """A ``predictions`` entry's probabilities, its file checked on sha256 and shape."""
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
