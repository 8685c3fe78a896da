"""Notebook 07's recipe settings and its ensemble members' records.

Notebook 07 builds, compiles and trains its model in plain sight; the settings it shares
with ``tools/ensemble.py`` (``make ensemble``, which trains more members) live here. Each
member's record goes to ``results/ours_members.json`` (test accuracy, epochs,
``train_seconds``, provenance) with its test-set predictions in
``results/predictions/ours_seed<seed>.npy.gz``, so 07's ensemble needs no model files; the
model itself goes to the git-ignored ``artifacts/ours_seed<seed>.keras`` (quick runs:
``artifacts/quick/``)."""

import json

import keras
import numpy as np

from helpers import augment, config, predictions

VALIDATION_SIZE = 5000
# At most; early stopping may end sooner (``results/ours_single.json`` has the seconds).
MAX_EPOCHS = 22
# A quick run: 3 epochs of 2,048 images (48 steps of 128).
QUICK_EPOCHS = 3
BATCH_SIZE = 128
INITIAL_LR = 1e-3
LR_DECAY = 0.87  # per epoch: 1e-3 at the start, about 5e-5 by epoch 22
# Epochs without a lower validation loss before early stopping. The loss of 5,000 images
# is noisy; patience 5 stopped a run at epoch 16 with validation accuracy still rising.
PATIENCE = 8
# Trained by `make ensemble`; notebook 07 trains seed 7 itself.
SEEDS_FOR_ENSEMBLE = (8, 9, 10, 11)


def validation_split(x, y, size=VALIDATION_SIZE, seed=config.DEFAULT_SEED):
    """Hold out ``size`` training images (same ones for every member) for validation."""
    order = np.random.default_rng(seed).permutation(len(x))
    held_out, kept = order[:size], order[size:]
    return (x[kept], y[kept]), (x[held_out], y[held_out])


def augmentation():
    """Rotation 10 degrees, shifts and zoom 10 %, no shear, one bilinear resampling.
    Validated without shear; T4's Keras 2.0 sheared up to 0.3 radians (17.2 degrees), so
    this is not stronger than T4's, only different."""
    return augment.RandomAffine(10.0, 0.10, 0.0, 0.10, name="augmentation")


def learning_rate(epoch):
    """Exponential decay per epoch."""
    return INITIAL_LR * LR_DECAY**epoch


def callbacks():
    """The schedule and early stopping (on ``val_loss``, restoring the best weights)."""
    return [
        keras.callbacks.LearningRateScheduler(learning_rate),
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=PATIENCE, restore_best_weights=True
        ),
    ]


MEMBERS_FILE = "ours_members.json"


def member_path(seed):
    """``artifacts/ours_seed<seed>.keras``, the model file (08, ``make ensemble``)."""
    return config.artifacts_dir() / f"ours_seed{seed}.keras"


def members_path(folder=None):
    """``results/ours_members.json`` (quick runs: under ``artifacts/quick/results``)."""
    return (folder or config.results_dir()) / MEMBERS_FILE


def save_member(run, model, history, test, probabilities, folder=None):
    """Save a member's model, record and test-set predictions (``probabilities``:
    ``model.predict`` on the 10,000 test images); ``run`` is ``training.setup()``'s, its
    seed the member's. The record replaces any earlier one of that seed only."""
    model.save(member_path(run.seed))
    folder = folder or config.results_dir()
    record = {
        "test_accuracy": round(float(test["accuracy"]), 6),
        "test_loss": round(float(test["loss"]), 6),
        "epochs": len(history.epoch),
        "train_seconds": round(sum(history.history["seconds"]), 1)
        if history.history.get("seconds")
        else None,
        "provenance": run.provenance(),
        "predictions": predictions.save_predictions(
            f"ours_seed{run.seed}", probabilities, run.id, folder
        ),
    }
    records = member_records(folder)
    records[run.seed] = record
    members_path(folder).write_text(
        json.dumps({"members": {str(s): records[s] for s in sorted(records)}}, indent=2)
        + "\n"
    )
    return record


def member_records(folder=None):
    """Every member's record by seed (``{}`` before the first is saved)."""
    path = members_path(folder)
    if not path.exists():
        return {}
    try:
        members = json.loads(path.read_text())["members"]
    except (ValueError, KeyError) as error:
        raise ValueError(
            f"{path} is not a members file ({error!r}): restore it with "
            f"`git checkout -- {path.name}` in its folder, or delete it and train the "
            "members again (notebook 07, then make ensemble)."
        ) from None
    return {int(seed): record for seed, record in members.items()}


def member_record(seed, folder=None):
    """The record ``save_member`` wrote for ``seed``, or None."""
    return member_records(folder).get(seed)


def member_predictions(seed, folder=None):
    """A member's stored test-set probabilities, checked against its record."""
    folder = folder or config.results_dir()
    record = member_record(seed, folder)
    again = (
        "re-run notebook 07"
        if seed == config.DEFAULT_SEED
        else f"train it again with `python -m tools.ensemble --seeds {seed} --again`"
    )
    if record is None:
        raise FileNotFoundError(
            f"member seed {seed}: {members_path(folder)} has no record of it; {again}."
        )
    return predictions.read_predictions(
        f"member seed {seed}", folder, record["predictions"], again
    )


def is_current(record, precision):
    """Whether a member's record was trained in this mode and in ``precision``."""
    block = (record or {}).get("provenance") or {}
    return block.get("mode") == config.mode() and block.get("precision") == precision
