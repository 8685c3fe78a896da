"""Train extra ensemble members for notebook 07: ``make ensemble SEEDS="8 9"``.

    python -m tools.ensemble --seeds 8 9 [--again]

Each member is notebook 07's model, its architecture taken from the file 07 saved
(``artifacts/ours_seed7.keras``, or ``artifacts/quick/ours_seed7.keras``: the same layers),
so run 07 first on the machine that trains (a quick run is enough); freshly initialised
with the member's seed, trained by the same recipe (``helpers/further.py``) in a run of its
own, and recorded by ``helpers.further.save_member``. Members are built one by one, on any
day and machine; each takes roughly as long as 07's own model there. A member already
recorded in this mode and precision, with its model file on this machine, is skipped
(``--again`` retrains it), so an interrupted run resumes; in a fresh clone every member
asked for is trained again and its committed record replaced.
"""

import argparse
import json

from helpers import config, data, training
from helpers.further import (
    BATCH_SIZE,
    MAX_EPOCHS,
    QUICK_EPOCHS,
    SEEDS_FOR_ENSEMBLE,
    augmentation,
    callbacks,
    is_current,
    member_path,
    member_record,
    save_member,
    validation_split,
)
from helpers.layers import fuse_batch_norm
from tools.fit import fit


def architecture_file():
    """The model file whose architecture every member copies: notebook 07's own model,
    from its full run if this machine has one, else from its quick run (the same layers:
    a quick run changes only how much is trained). A machine that only trains members
    needs nothing more than ``MNIST_QUICK=1`` and notebook 07, a minute's run."""
    name = f"ours_seed{config.DEFAULT_SEED}.keras"
    places = [config.artifacts_dir(run=run) / name for run in ("full", "quick")]
    for path in places:
        if path.exists():
            return path
    raise FileNotFoundError(
        "No notebook 07 model to take the members' architecture from (looked for "
        + " and ".join(str(p) for p in places)
        + '): run notebook 07 first; a quick run is enough: RUN = "quick" in '
        "JupyterLab, or `MNIST_QUICK=1 .venv/bin/jupyter nbconvert --to notebook "
        "--execute --output-dir /tmp notebooks/07_going_further.ipynb`."
    )


def fresh_member():
    """Notebook 07's model, freshly initialised and compiled, from the file 07 saved."""
    return fuse_batch_norm(training.fresh_copy(architecture_file()))


def train_member(run, x_train, y_train, verbose=2):
    """Train one model of the recipe in ``run`` (its seed); return ``(model, history)``."""
    (x_fit, y_fit), validation = validation_split(x_train, y_train)
    model = fresh_member()
    history = fit(
        model,
        x_fit,
        y_fit,
        epochs=config.epochs(MAX_EPOCHS, quick=QUICK_EPOCHS),
        batch_size=BATCH_SIZE,
        validation_data=validation,
        augment=augmentation(),
        callbacks=callbacks(),
        verbose=verbose,
    )
    return model, history


def main():
    parser = argparse.ArgumentParser(
        description="Train ensemble members for notebook 07."
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=list(SEEDS_FOR_ENSEMBLE)
    )
    parser.add_argument(
        "--again", action="store_true", help="retrain members that have a record"
    )
    args = parser.parse_args()
    (x_train, y_train), (x_test, y_test) = data.load_prepared()
    fresh_member()  # fails early, with what to do, when notebook 07 has not run
    for seed in args.seeds:
        precision = training.choose_precision()  # the notebooks': float32 unless set
        current = member_path(seed).exists() and is_current(
            member_record(seed), precision
        )
        if current and not args.again:
            print(f"member seed {seed}: has its record, not trained again", flush=True)
            continue
        print(f"member seed {seed}", flush=True)
        run = training.setup(seed=seed)  # each member is a run of its own
        model, history = train_member(run, x_train, y_train)
        test = training.evaluate(model, x_test, y_test)
        probabilities = training.predict_proba(model, x_test)
        record = save_member(run, model, history, test, probabilities)
        record = {
            k: v for k, v in record.items() if k not in ("provenance", "predictions")
        }
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
