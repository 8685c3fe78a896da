"""Seed statistics for the tutorial models: ``make seeds``.

    python -m tools.seeds                          # seeds 8-11 of every tutorial model
    python -m tools.seeds --notebooks 04 --seeds 8 9   # only 04's models (T4, T4blog), seeds 8, 9
    python -m tools.seeds --collect-only           # only write results/seeds.json

(``make seeds NB=04 SEEDS="8 9"`` runs the second.) Each extra seed re-runs the notebooks
that train the tutorial models (02, 03 and 04) top to bottom in full mode, in fresh
kernels, with ``MNIST_SEED`` set: the same code and settings as the committed run, only
the seed differs (weights, shuffling, dropout, augmentation and T5's validation split all
follow it). A seed's executed notebooks, models and records go to
``artifacts/seeds/seed<N>/``; a notebook whose records for that seed are already there is
not run again, so an interrupted run resumes. Seed 7 is the committed run itself
(``results/<id>.json``, written by ``make notebooks``).

Seeds accumulate, over days and machines: ``results/seeds.json`` keeps every run as its
own row with its provenance, its test-set predictions (copied to
``results/predictions/<id>_seed<N>.npy.gz``) and the seconds its notebook took, and a
call replaces only the runs it trained. A model's mean and spread are over the runs in
the precision of its seed-7 record; the others are listed as set apart, never averaged
in. Before it starts, it prints how long each chosen notebook took in its last committed
full run, and on which CPU.
"""

import argparse
import json
import os
import shutil
import time

from helpers import config, predictions, provenance, results
from tools import pages
from tools.execute_notebooks import execute

EXTRA_SEEDS = (8, 9, 10, 11)
# Which tutorial models each notebook trains.
NOTEBOOK_MODELS = {
    "02_baseline_cnn.ipynb": ("T3a", "T1"),
    "03_larger_cnn.ipynb": ("T3b", "T2", "T5"),
    "04_batchnorm_augmentation.ipynb": ("T4", "T4blog"),
}
NOTEBOOKS = tuple(NOTEBOOK_MODELS)
MODEL_IDS = results.TUTORIAL_MODELS


TIMES = "notebook_seconds.json"  # per seed folder: each notebook's seconds


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
        block = (record or {}).get("provenance") or {}
        if block.get("mode") == "full" and block.get("seed") == seed:
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
        # How long this seed's notebook took, for the speed page's planning figures.
        times_path = folder / TIMES
        times = json.loads(times_path.read_text()) if times_path.exists() else {}
        times[name] = round(seconds, 1)
        times_path.write_text(json.dumps(times, indent=2) + "\n")


summary = results.seed_summary
row = results.seed_row


def as_run(record):
    return {
        "seed": (record.get("provenance") or {}).get("seed", config.DEFAULT_SEED),
        "test_accuracy": record["test_accuracy"],
        "provenance": record.get("provenance"),
    }


def notebook_of(model_id):
    return next(name for name, ids in NOTEBOOK_MODELS.items() if model_id in ids)


def seed_run(model_id, seed, record):
    """A seed's run as ``seeds.json`` keeps it, its predictions copied into ``results/``.

    The file (``results/predictions/<id>_seed<N>.npy.gz``) is checked against the seed's
    record before it is copied, so a damaged one is an error here, not a wrong figure later.
    """
    run = as_run(record)
    name = notebook_of(model_id)
    times_path = seed_dir(seed) / TIMES
    seconds = (
        json.loads(times_path.read_text()).get(name) if times_path.exists() else None
    )
    if seconds is not None:
        run["notebook"], run["notebook_seconds"] = name, seconds
    if record.get("train_seconds") is not None:
        run["train_seconds"] = record["train_seconds"]
    entry = record.get("predictions")
    if entry is None:
        return run  # a run made before predictions were stored
    source = seed_dir(seed) / "results"
    predictions.read_predictions(
        f"{model_id} seed {seed}", source, entry, "run it again"
    )
    target = predictions.predictions_path(
        f"{model_id}_seed{seed}", config.ROOT / "results"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / entry["file"], target)
    run["predictions"] = {
        **entry,
        "file": f"{predictions.PREDICTIONS_FOLDER}/{target.name}",
    }
    return run


def committed_runs():
    """The runs in the committed ``results/seeds.json``, by model id and seed."""
    path = config.ROOT / "results" / "seeds.json"
    table = json.loads(path.read_text()) if path.exists() else {}
    return {
        model_id: {run["seed"]: run for run in model_row.get("runs", [])}
        for model_id, model_row in table.items()
    }


def collect(seeds, retrained=MODEL_IDS):
    """Write ``results/seeds.json``; return what was written.

    Seeds accumulate: each run is its own row with its provenance. The models in
    ``retrained`` take this call's records of ``seeds`` (under ``artifacts/seeds/``; a
    missing one is an error that names it); every other run stays as committed. Seed 7
    is always the committed record (``results/<id>.json``).
    """
    kept, table, missing = committed_runs(), {}, {}
    for model_id in MODEL_IDS:
        runs = dict(kept.get(model_id, {}))
        seed7 = results.load(model_id, config.ROOT / "results")
        if seed7 is None:
            missing[model_id] = [config.DEFAULT_SEED]
            continue
        runs[config.DEFAULT_SEED] = as_run(seed7)
        if model_id in retrained:
            for seed in seeds:
                if seed == config.DEFAULT_SEED:
                    continue
                record = seed_records(seed).get(model_id)
                if record is None:
                    missing.setdefault(model_id, []).append(seed)
                else:
                    runs[seed] = seed_run(model_id, seed, record)
        table[model_id] = row(runs.values())
    if missing:
        raise SystemExit(
            f"No full-run record for {missing} (model id: seeds). Seed 7 comes from "
            "`make notebooks`; run `make seeds` for the others."
        )
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
        chosen = {number.zfill(2) for number in args.notebooks}
        notebooks = tuple(n for n in NOTEBOOKS if n[:2] in chosen)
        if len(notebooks) != len(chosen):
            parser.error(
                f"NB={' '.join(args.notebooks)}: seeds are trained by notebooks "
                f"{' '.join(n[:2] for n in NOTEBOOKS)} only (e.g. make seeds NB=04)"
            )
    retrained = tuple(m for n in notebooks for m in NOTEBOOK_MODELS[n])
    if config.DEFAULT_SEED in args.seeds:
        parser.error(
            f"seed {config.DEFAULT_SEED} is the committed run: use `make notebooks`"
        )
    if not args.collect_only:
        print(f"seeds {' '.join(map(str, args.seeds))}, each running:", flush=True)
        for line in pages.plan_lines(notebooks):
            print(f"  {line}", flush=True)
    start = time.perf_counter()
    if not args.collect_only:
        for seed in args.seeds:
            train_seed(seed, notebooks)
    # --collect-only takes what `artifacts/seeds/` holds and keeps every other committed
    # run: it refreshes seed 7 from the records after a notebook's re-run.
    if args.collect_only:
        retrained = tuple(
            m for m in retrained if all(m in seed_records(seed) for seed in args.seeds)
        )
    table = collect([config.DEFAULT_SEED, *args.seeds], retrained)
    for model_id, row in table.items():
        print(
            f"{model_id}: mean {row['mean']:.2%} ± {row['std']:.2%}, "
            f"min {row['min']:.2%}, max {row['max']:.2%}"
        )
    if not args.collect_only:
        print(
            f"make seeds took {(time.perf_counter() - start) / 60:.1f} min on "
            f"{provenance.cpu()['machine']}"
        )


if __name__ == "__main__":
    main()
