"""What feeding the images costs: CPU and wall seconds per epoch of three input layouts.

    python benchmarks/input_pipeline.py              # the tutorials' batch sizes, 5 runs each
    python benchmarks/input_pipeline.py --markdown   # the speed page's lines from the JSON

No model: each layout is iterated over one epoch of 60,000 MNIST-sized images (random
pixels), as ``model.fit`` would iterate it, and timed by the process's CPU time (which a
busy neighbour on a shared machine barely moves) and by the wall clock. On a 2-core CPU
that trains with both cores, the input pipeline's CPU time comes out of training's.

- "one by one": the usual ``tf.data`` recipe: ``from_tensor_slices`` over the images,
  ``shuffle`` with a buffer of all 60,000, ``batch``; every image passes through
  ``tf.data`` on its own.
- "project": ``training.make_dataset`` as the notebooks use it: one vectorised
  permutation per epoch, batches of indices, each batch of images gathered at once.
- "Keras arrays": Keras 3's own array adapter, what ``model.fit(x, y, batch_size)``
  builds; the same layout, but under a fixed seed it repeats its first order every
  epoch (``helpers/training.py``), so it is a reference, not a way to train.

The layouts alternate, and each keeps its best (lowest) run, as ``timeit`` does. Writes
``results/input_pipeline.json`` (``--out``).
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH_SIZES = {200: "T2, T3a, T3b", 128: "T1, notebook 07", 64: "T4", 32: "T5"}
LAYOUTS = ("one by one", "project", "Keras arrays")


def one_by_one(x, y, batch_size, seed):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def layouts(x, y, batch_size):
    from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

    from helpers import config, training

    adapter = ArrayDataAdapter(x, y, batch_size=batch_size, shuffle=True)
    return {
        "one by one": one_by_one(x, y, batch_size, config.SEED),
        "project": training.make_dataset(x, y, batch_size, shuffle=True),
        "Keras arrays": adapter.get_tf_dataset(),
    }


def measure(repeats):
    import keras
    import numpy as np

    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(0)
    x = rng.random((60000, 28, 28, 1), dtype="float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, len(x))]
    report = {}
    for batch_size in BATCH_SIZES:
        datasets = layouts(x, y, batch_size)
        for dataset in datasets.values():  # warm up: trace, allocate
            for _ in dataset:
                pass
        runs = {name: {"cpu": [], "wall": []} for name in datasets}
        for _ in range(repeats):
            for name, dataset in datasets.items():
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in dataset:
                    pass
                runs[name]["wall"].append(time.perf_counter() - wall)
                runs[name]["cpu"].append(time.process_time() - cpu)
        report[str(batch_size)] = {
            name: {
                "cpu_s": round(min(r["cpu"]), 3),
                "wall_s": round(min(r["wall"]), 3),
                "cpu_runs": [round(v, 3) for v in r["cpu"]],
                "wall_runs": [round(v, 3) for v in r["wall"]],
            }
            for name, r in runs.items()
        }
        print(
            f"batch {batch_size}: "
            + ", ".join(
                f"{name} {row['cpu_s']:.3f} s CPU"
                for name, row in report[str(batch_size)].items()
            ),
            flush=True,
        )
    return report


def markdown(report):
    """The speed page's lines from an ``input_pipeline.json`` report."""
    lines = [
        (
            f"On {report['machine']}, one epoch of 60,000 images, best of "
            f"{report['repeats']} (CPU seconds; wall seconds in brackets):"
        ),
        "",
    ]
    for batch_size, users in BATCH_SIZES.items():
        row = report["batches"][str(batch_size)]
        cells = ", ".join(
            f"{name} {row[name]['cpu_s']:.3f} ({row[name]['wall_s']:.3f})"
            for name in LAYOUTS
        )
        lines.append(f"- batch {batch_size} ({users}): {cells}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "results" / "input_pipeline.json"))
    parser.add_argument(
        "--markdown", action="store_true", help="print --out for the speed page"
    )
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.out).read_text())))
        return
    from helpers import config, provenance

    report = {
        "machine": provenance.cpu()["machine"],
        "repeats": args.repeats,
        "note": "one epoch of 60,000 random 28x28x1 images iterated without a model; "
        "best of the repeats; CPU: the process's CPU time",
        "batches": measure(args.repeats),
        "provenance": provenance.start(
            "not applicable (no model; float32 images)", config.SEED, config.mode()
        ).provenance(),
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
