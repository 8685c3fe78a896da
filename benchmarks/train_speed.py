"""Seconds per epoch for every tutorial model: plain ``model.fit`` vs the project's path.

Each measurement runs in its own process (so peak memory is that measurement's alone):
build the model, warm up (tracing, first allocations), then time training on a fixed
number of examples and scale to one epoch of the tutorial's training set.

    python benchmarks/train_speed.py                  # all models, both ways
    python benchmarks/train_speed.py --models T1 T5 --samples 6400 --repeats 1

The architectures come from the models the notebooks saved (``artifacts/<id>.keras``, a
full or a quick run's), re-initialised: run notebooks 02-04 first.

"plain" is what the tutorials did: float32, ``model.fit`` on NumPy arrays (T4: Keras 3's
own ``BatchNormalization`` and its augmentation layer inside the model, the usual Keras 3
way). "project" is ``helpers.training``: ``setup()`` (deterministic ops, the precision it
picks for this machine), then ``training.fit``: a ``tf.data`` pipeline (T4: augmentation in
a parallel ``map``), several steps per execution, and (T4) the fused batch normalization
of ``helpers.layers``.

"compute" is the floor under the project's way: the same model, precision and optimizer,
but only the arithmetic of training: a ``tf.function`` loop over batches already in memory
(forward pass, loss, gradients, ``optimizer.apply``), with no input pipeline, no metrics,
no callbacks and (T4) no augmentation. ``project / compute`` says how much of an epoch
is spent outside that arithmetic; a value near 1 means the time left is the arithmetic
itself (mostly convolution kernels), which only fewer operations or a faster CPU shorten.

Shared 2-core machines are noisy: the same run can take up to 2x longer when a neighbour
is busy. So the three ways alternate, ``--repeats`` times each, and the table reports the best
(fastest) run of each, as ``timeit`` does; every run is kept in the JSON. The table goes to
stdout and ``results/benchmark.json`` (``--out`` to change).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: find helpers/

# The ways each model is timed (see the module docstring).
WAYS = ("plain", "project", "compute")

# Training examples per epoch in each tutorial (T5 holds out 10 % for validation) and its
# batch size.
TUTORIALS = {
    "T1": (60000, 128),
    "T2": (60000, 200),
    "T3a": (60000, 200),
    "T3b": (60000, 200),
    "T4": (60000, 64),
    "T5": (54000, 32),
}


def measure(model_id, way, samples, warmup_samples):
    """Run in a child process: seconds per epoch for one model, one way."""
    import keras
    import numpy as np

    from helpers import augment, training
    from helpers.layers import fuse_batch_norm

    epoch_examples, batch_size = TUTORIALS[model_id]
    if way not in WAYS:
        raise ValueError(f"unknown way {way!r}; use one of {', '.join(WAYS)}")
    if way == "plain":
        keras.utils.set_random_seed(7)
        keras.mixed_precision.set_global_policy("float32")
    else:
        training.setup()  # seed, deterministic ops, the precision this machine runs best
    if way == "compute":  # whole batches only: round to a multiple of the batch size
        samples = max(batch_size, samples - samples % batch_size)
        warmup_samples = max(batch_size, warmup_samples)
    rng = np.random.default_rng(0)
    x = rng.random((max(samples, warmup_samples), 28, 28, 1), dtype="float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, len(x))]
    model = training.fresh_copy(training.saved_path_any_run(model_id))
    if way == "plain":
        model.steps_per_execution = 1  # Keras' default, as the tutorials ran
        if model_id == "T4":
            # The usual Keras 3 way: Keras' own BatchNormalization, augmentation layer
            # inside the model.
            model = keras.Sequential(
                [keras.Input((28, 28, 1)), augment.t4_augmentation(), model]
            )
            model.compile(
                optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"]
            )

        def run(n):
            model.fit(x[:n], y[:n], batch_size=batch_size, epochs=1, verbose=0)

    else:
        fuse_batch_norm(model)  # T4: the notebooks' fused batch normalization
    if way == "compute":
        run = _compute_only(model, x, y, batch_size)
    elif way == "project":
        aug = augment.t4_augmentation() if model_id == "T4" else None

        def run(n):
            training.fit(
                model,
                x[:n],
                y[:n],
                epochs=1,
                batch_size=batch_size,
                augment=aug,
                verbose=0,
            )

    run(warmup_samples)
    start = time.perf_counter()
    run(samples)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "s_per_epoch": seconds * epoch_examples / samples,
        "peak_memory_mb": peak_mb,
        "precision": keras.mixed_precision.global_policy().name,
    }


def _compute_only(model, x, y, batch_size):
    """A ``run(n)`` that trains on ``n`` examples with nothing but the training arithmetic."""
    import keras
    import tensorflow as tf

    batches = len(x) // batch_size
    shape = (batches, batch_size)
    images = tf.constant(x[: batches * batch_size].reshape(*shape, *x.shape[1:]))
    labels = tf.constant(y[: batches * batch_size].reshape(*shape, *y.shape[1:]))
    variables = model.trainable_variables
    model.optimizer.build(variables)
    loss_fn = keras.losses.CategoricalCrossentropy()  # what compile() was given

    @tf.function
    def train(steps):
        loss = tf.constant(0.0)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = loss_fn(labels[i], model(images[i], training=True))
            model.optimizer.apply(tape.gradient(loss, variables), variables)
        return loss

    return lambda n: train(tf.constant(n // batch_size)).numpy()


def markdown(report):
    """The README's speed table."""
    lines = [
        (
            "| id | plain s/epoch | project s/epoch | speedup | peak memory MB "
            "| compute only s/epoch | project / compute |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for model_id in TUTORIALS:
        if model_id in report:
            r = report[model_id]
            lines.append(
                f"| {model_id} | {r['plain_s_per_epoch']} | {r['project_s_per_epoch']} | "
                f"{r['speedup']}x | {r['peak_memory_mb']} | {r['compute_s_per_epoch']} | "
                f"{r['project_over_compute']} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=list(TUTORIALS), choices=list(TUTORIALS)
    )
    parser.add_argument(
        "--samples", type=int, default=12800, help="timed examples per run"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each way; the best counts"
    )
    parser.add_argument(
        "--warmup", type=int, default=1600, help="untimed examples first"
    )
    parser.add_argument("--out", default=str(ROOT / "results" / "benchmark.json"))
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print --out as a Markdown table and exit",
    )
    parser.add_argument(
        "--child", nargs=2, metavar=("ID", "WAY"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.samples < 1 or args.warmup < 1 or args.repeats < 1:
        parser.error("--samples, --warmup and --repeats must be at least 1")

    if args.markdown:
        print(markdown(json.loads(Path(args.out).read_text())))
        return
    if args.child:
        print(json.dumps(measure(*args.child, args.samples, args.warmup)))
        return

    from helpers.training import cpu_name

    rows = {}
    # Full mode: training.fit would otherwise train on a quick subset.
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MNIST_QUICK": "0"}
    for model_id in args.models:
        runs = {way: [] for way in WAYS}
        for _ in range(args.repeats):
            for way, results in runs.items():  # alternate: a slow spell hits all
                results.append(_child(model_id, way, args, env))
        best = {
            way: min(results, key=lambda r: r["s_per_epoch"])
            for way, results in runs.items()
        }
        rows[model_id] = {
            "plain_s_per_epoch": round(best["plain"]["s_per_epoch"], 2),
            "project_s_per_epoch": round(best["project"]["s_per_epoch"], 2),
            "speedup": round(
                best["plain"]["s_per_epoch"] / best["project"]["s_per_epoch"], 2
            ),
            "compute_s_per_epoch": round(best["compute"]["s_per_epoch"], 2),
            "project_over_compute": round(
                best["project"]["s_per_epoch"] / best["compute"]["s_per_epoch"], 2
            ),
            "peak_memory_mb": round(
                max(
                    r["peak_memory_mb"]
                    for way in ("plain", "project")
                    for r in runs[way]
                )
            ),
            "plain_peak_memory_mb": round(best["plain"]["peak_memory_mb"]),
            "project_peak_memory_mb": round(best["project"]["peak_memory_mb"]),
            "project_precision": best["project"]["precision"],
            "plain_runs_s_per_epoch": [
                round(r["s_per_epoch"], 2) for r in runs["plain"]
            ],
            "project_runs_s_per_epoch": [
                round(r["s_per_epoch"], 2) for r in runs["project"]
            ],
            "compute_runs_s_per_epoch": [
                round(r["s_per_epoch"], 2) for r in runs["compute"]
            ],
        }
        r = rows[model_id]
        print(
            f"{model_id:4s} plain {r['plain_s_per_epoch']:7.2f} s/epoch  project "
            f"{r['project_s_per_epoch']:7.2f} s/epoch  x{r['speedup']:.2f}  compute "
            f"{r['compute_s_per_epoch']:7.2f} s/epoch  "
            f"peak {r['plain_peak_memory_mb']}/{r['project_peak_memory_mb']} MB",
            flush=True,
        )

    report = {
        "machine": cpu_name(),
        "samples_timed": args.samples,
        "repeats": args.repeats,
        "note": (
            "training only (no validation), scaled from the timed examples to one epoch; "
            "best of the repeats for each way; compute: the training arithmetic alone"
        ),
        **rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {args.out}")


def _child(model_id, way, args, env):
    """One measurement in a fresh Python process; returns its JSON line as a dict."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            model_id,
            way,
            "--samples",
            str(args.samples),
            "--warmup",
            str(args.warmup),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"{model_id} ({way}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
