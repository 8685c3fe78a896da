"""Seed statistics for the six tutorial models: ``make seeds``.

    python -m tests.seeds                 # train the missing seeds, then write results/seeds.json
    python -m tests.seeds --collect-only  # only write results/seeds.json

Each extra seed re-runs the notebooks that train the tutorial models (02, 03 and 04) top to
bottom in full mode, in fresh kernels, with ``MNIST_SEED`` set: the same code and settings
as the committed run, only the seed differs (weights, shuffling, dropout, augmentation and
T5's validation split all follow it). A seed's executed notebooks, models and records go to
``artifacts/seeds/seed<N>/``; a seed whose six records are already there is not trained
again, so an interrupted run resumes. Seed 7 is the committed run itself (``results/<id>.json``,
written by ``make notebooks``). About 15 minutes per seed on the 2-core CPU.
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
NOTEBOOKS = (
    "02_baseline_cnn.ipynb",
    "03_larger_cnn.ipynb",
    "04_batchnorm_augmentation.ipynb",
)
MODEL_IDS = tuple(results.REPORTED)


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


def train_seed(seed):
    """Run the tutorial notebooks in full mode with ``MNIST_SEED=seed``."""
    folder = seed_dir(seed)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        MNIST_SEED=str(seed),
        MNIST_QUICK="0",
        MNIST_ARTIFACTS=str(folder),
        MNIST_RESULTS=str(folder / "results"),
    )
    for name in NOTEBOOKS:
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


def collect(seeds):
    """Write ``results/seeds.json`` from the records of ``seeds``; return what was written."""
    per_seed = {seed: seed_records(seed) for seed in seeds}
    missing = {
        seed: sorted(set(MODEL_IDS) - set(found)) for seed, found in per_seed.items()
    }
    missing = {seed: ids for seed, ids in missing.items() if ids}
    if missing:
        raise SystemExit(
            f"No full-run record for {missing} (seed: model ids). Seed 7 comes from "
            "`make notebooks`; run `make seeds` for the others."
        )
    table = {}
    for model_id in MODEL_IDS:
        accuracies = [per_seed[seed][model_id]["test_accuracy"] for seed in seeds]
        table[model_id] = {
            "seeds": list(seeds),
            "test_accuracy": accuracies,
            **summary(accuracies),
        }
    path = config.ROOT / "results" / "seeds.json"
    path.write_text(json.dumps(table, indent=2) + "\n")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(EXTRA_SEEDS))
    parser.add_argument("--collect-only", action="store_true")
    args = parser.parse_args()
    if config.DEFAULT_SEED in args.seeds:
        parser.error(
            f"seed {config.DEFAULT_SEED} is the committed run: use `make notebooks`"
        )
    start = time.perf_counter()
    if not args.collect_only:
        for seed in args.seeds:
            if len(seed_records(seed)) == len(MODEL_IDS):
                print(
                    f"seed {seed}: all records present, not trained again", flush=True
                )
                continue
            train_seed(seed)
    table = collect([config.DEFAULT_SEED, *args.seeds])
    for model_id, row in table.items():
        print(
            f"{model_id}: mean {row['mean']:.2%} ± {row['std']:.2%}, "
            f"min {row['min']:.2%}, max {row['max']:.2%}"
        )
    if not args.collect_only:
        print(f"make seeds took {(time.perf_counter() - start) / 60:.1f} min")


if __name__ == "__main__":
    main()
