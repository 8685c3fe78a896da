"""Seed statistics for the tutorial models: ``make seeds``.

    python -m tests.seeds                 # train the missing seeds, then write results/seeds.json
    python -m tests.seeds --notebooks 04  # re-train only notebook 04's models (T4, T4blog)
    python -m tests.seeds --collect-only  # only write results/seeds.json

Each extra seed re-runs the notebooks that train the tutorial models (02, 03 and 04) top to
bottom in full mode, in fresh kernels, with ``MNIST_SEED`` set: the same code and settings
as the committed run, only the seed differs (weights, shuffling, dropout, augmentation and
T5's validation split all follow it). A seed's executed notebooks, models and records go to
``artifacts/seeds/seed<N>/``; a notebook whose records for that seed are already there is
not run again, so an interrupted run resumes. Seed 7 is the committed run itself
(``results/<id>.json``, written by ``make notebooks``). About 15 minutes per seed on the
2-core CPU of the committed run while notebook 04 trained one model; its second model,
the blog's, trained in about 2 minutes there (``results/T4.json`` before the switch).

With ``--notebooks``, only those notebooks are re-run; the other models keep their rows of
the committed ``results/seeds.json``, and only while their seed-7 figure there is still
the committed run's (``results/<id>.json``): a row from another run is refused, never
mixed in.
"""

import argparse
import json
import os
import shutil
import statistics
import time

from helpers import config, results
from tests.execute_notebooks import execute

EXTRA_SEEDS = (8, 9, 10, 11)
# Which tutorial models each notebook trains.
NOTEBOOK_MODELS = {
    "02_baseline_cnn.ipynb": ("T3a", "T1"),
    "03_larger_cnn.ipynb": ("T3b", "T2", "T5"),
    "04_batchnorm_augmentation.ipynb": ("T4", "T4blog"),
}
NOTEBOOKS = tuple(NOTEBOOK_MODELS)
MODEL_IDS = results.TUTORIAL_MODELS


def seed_dir(seed):
    return config.ROOT / "artifacts" / "seeds" / f"seed{seed}"


def seed_records(seed):
    """The full-run records of ``seed`` by model id (seed 7: the committed ``results/``)."""
    folder = (
        config.ROOT / "results"
        if seed == config.DEFAULT_SEED
        else seed_dir(seed) / "results"
    )
    found = {}
    for model_id in MODEL_IDS:
        record = results.load(model_id, folder)
        if record and record.get("mode") == "full" and record.get("seed", seed) == seed:
            found[model_id] = record
    return found


def train_seed(seed, notebooks=NOTEBOOKS):
    """Run ``notebooks`` in full mode with ``MNIST_SEED=seed``, skipping any whose
    records for that seed are all there already."""
    folder = seed_dir(seed)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        MNIST_SEED=str(seed),
        MNIST_QUICK="0",
        MNIST_ARTIFACTS=str(folder),
        MNIST_RESULTS=str(folder / "results"),
    )
    for name in notebooks:
        if set(NOTEBOOK_MODELS[name]) <= set(seed_records(seed)):
            print(f"seed {seed}: {name} has its records, not run again", flush=True)
            continue
        copy = folder / name  # the executed copy stays there; notebooks/ is untouched
        shutil.copyfile(config.ROOT / "notebooks" / name, copy)
        print(f"seed {seed}: {name} ...", flush=True)
        seconds = execute(copy, workdir=config.ROOT / "notebooks")
        print(f"  {seconds:6.1f} s", flush=True)


def summary(accuracies):
    """Mean, sample standard deviation, min and max of a list of accuracies."""
    return {
        "mean": round(statistics.mean(accuracies), 6),
        "std": round(statistics.stdev(accuracies), 6),
        "min": min(accuracies),
        "max": max(accuracies),
    }


def kept_row(model_id, seeds):
    """``model_id``'s row of the committed ``seeds.json`` when it can stand: same seeds,
    and its seed-7 accuracy is the committed run's. Else None."""
    path = config.ROOT / "results" / "seeds.json"
    row = json.loads(path.read_text()).get(model_id) if path.exists() else None
    committed = results.load(model_id, config.ROOT / "results")
    if not row or not committed or row["seeds"] != list(seeds):
        return None
    seed7 = row["test_accuracy"][row["seeds"].index(config.DEFAULT_SEED)]
    return row if seed7 == committed["test_accuracy"] else None


def collect(seeds, retrained=MODEL_IDS):
    """Write ``results/seeds.json`` from the records of ``seeds``; return what was written.

    Models not in ``retrained`` keep their committed row (see ``kept_row``)."""
    per_seed = {seed: seed_records(seed) for seed in seeds}
    table, missing = {}, {}
    for model_id in MODEL_IDS:
        lacking = [seed for seed in seeds if model_id not in per_seed[seed]]
        if not lacking:
            continue
        kept = None if model_id in retrained else kept_row(model_id, seeds)
        if kept is None:
            missing[model_id] = lacking
        else:
            table[model_id] = kept
    if missing:
        raise SystemExit(
            f"No full-run record for {missing} (model id: seeds). Seed 7 comes from "
            "`make notebooks`; run `make seeds` for the others."
        )
    for model_id in MODEL_IDS:
        if model_id in table:
            continue
        accuracies = [per_seed[seed][model_id]["test_accuracy"] for seed in seeds]
        table[model_id] = {
            "seeds": list(seeds),
            "test_accuracy": accuracies,
            **summary(accuracies),
        }
    table = {model_id: table[model_id] for model_id in MODEL_IDS}
    path = config.ROOT / "results" / "seeds.json"
    path.write_text(json.dumps(table, indent=2) + "\n")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(EXTRA_SEEDS))
    parser.add_argument("--collect-only", action="store_true")
    parser.add_argument(
        "--notebooks", nargs="+", metavar="NN", help="re-run only these (e.g. 04)"
    )
    args = parser.parse_args()
    notebooks = NOTEBOOKS
    if args.notebooks:
        notebooks = tuple(n for n in NOTEBOOKS if n[:2] in args.notebooks)
        if len(notebooks) != len(args.notebooks):
            parser.error(
                f"--notebooks takes numbers among {[n[:2] for n in NOTEBOOKS]}"
            )
    retrained = tuple(m for n in notebooks for m in NOTEBOOK_MODELS[n])
    if config.DEFAULT_SEED in args.seeds:
        parser.error(
            f"seed {config.DEFAULT_SEED} is the committed run: use `make notebooks`"
        )
    start = time.perf_counter()
    if not args.collect_only:
        for seed in args.seeds:
            train_seed(seed, notebooks)
    table = collect([config.DEFAULT_SEED, *args.seeds], retrained)
    for model_id, row in table.items():
        print(
            f"{model_id}: mean {row['mean']:.2%} ± {row['std']:.2%}, "
            f"min {row['min']:.2%}, max {row['max']:.2%}"
        )
    if not args.collect_only:
        print(f"make seeds took {(time.perf_counter() - start) / 60:.1f} min")


if __name__ == "__main__":
    main()
