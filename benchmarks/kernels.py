"""What the speed page says about kernels, measured: ``make bench WHAT=kernels``.

1. Multiply-adds per second (GMAC/s) of training steps for single convolutions of T1's
   sizes, in float32 and bfloat16: its first (1 input channel, 32 filters of 3x3 on 28x28)
   and its second (32 to 64 channels, 3x3 on 26x26). A training step of a convolution
   costs about three times its forward pass (forward, gradient for the input, gradient
   for the kernel; the first layer needs no input gradient, so two).
2. Fused batch normalization (``helpers.layers.fuse_batch_norm``) against Keras' own
   layer: seconds per training step of T4's blog model and notebook 07's, same precision,
   same batches, in one process, alternating.

Each figure is the best of several timed loops after a warm-up, as ``timeit`` does. The
lines go to stdout and to ``results/kernels.json``; ``--markdown`` prints them again from
there, for the speed page.

    python benchmarks/kernels.py
    python benchmarks/kernels.py --markdown
"""

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: find helpers/


def best_seconds(function, repeats=5):
    """The fastest of ``repeats`` calls of ``function`` (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def convolution_rate(precision, in_channels, filters, size, batch=128, steps=20):
    """GMAC/s of training steps (forward and backward) of one 3x3 convolution."""
    import keras
    import tensorflow as tf

    keras.mixed_precision.set_global_policy(precision)
    layer = keras.layers.Conv2D(filters, 3)
    images = tf.random.uniform((batch, size, size, in_channels))
    layer.build(images.shape)
    first_layer = in_channels == 1  # no gradient for the input image

    sources = [layer.kernel] if first_layer else [layer.kernel, images]
    # Every gradient goes into this sum, so TensorFlow cannot skip computing one.
    sink = tf.Variable(0.0)

    @tf.function
    def train(steps):
        for _ in tf.range(steps):
            with tf.GradientTape() as tape:
                tape.watch(images)
                total = tf.reduce_sum(tf.cast(layer(images), "float32"))
            gradients = tape.gradient(total, sources)
            sink.assign_add(
                tf.add_n([tf.reduce_sum(tf.cast(g, "float32")) for g in gradients])
            )

    out = size - 2
    macs = batch * out * out * filters * 9 * in_channels * (2 if first_layer else 3)
    seconds = best_seconds(lambda: train(tf.constant(steps)))
    return macs * steps / seconds / 1e9


def fused_gain(model_id, batch, steps=30):
    """Seconds per training step with Keras' batch normalization and with the fused one."""
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers import training
    from helpers.layers import fuse_batch_norm
    from tools.fit import saved_path_any_run

    path = saved_path_any_run(model_id)
    rng = np.random.default_rng(0)
    images = tf.constant(rng.random((batch, 28, 28, 1), dtype="float32"))
    labels = tf.constant(np.eye(10, dtype="float32")[rng.integers(0, 10, batch)])
    loss_fn = keras.losses.CategoricalCrossentropy()
    per_step = {}
    for name in ("keras", "fused", "keras", "fused"):  # alternate: noise hits both
        model = training.fresh_copy(path)
        if name == "fused":
            fuse_batch_norm(model)
        train = _training_loop(model, images, labels, loss_fn)
        seconds = best_seconds(functools.partial(train, tf.constant(steps))) / steps
        per_step[name] = min(per_step.get(name, seconds), seconds)
    return per_step


def markdown(report):
    """The speed page's lines from a ``kernels.json`` report."""
    lines = [f"On {report['machine']}, training steps at batch 128 (GMAC/s):", ""]
    for row in report["convolutions"]:
        lines.append(
            f"- {row['name']}: float32 {row['float32']:.0f} GMAC/s, bfloat16 "
            f"{row['mixed_bfloat16']:.0f} ({row['mixed_bfloat16'] / row['float32']:.2f}x)"
        )
    precision = report["precision"]
    lines += ["", f"Fused batch normalization, {precision}, ms per training step:", ""]
    for row in report["batch_norm"]:
        lines.append(
            f"- {row['model']} (batch {row['batch']}): Keras {row['keras_ms']:.1f}, fused "
            f"{row['fused_ms']:.1f} ({row['keras_ms'] / row['fused_ms']:.2f}x faster)"
        )
    return "\n".join(lines)


def _training_loop(model, images, labels, loss_fn):
    """A traced function that runs ``count`` training steps on one batch."""
    import tensorflow as tf

    variables = model.trainable_variables
    model.optimizer.build(variables)

    @tf.function
    def train(count):
        for _ in tf.range(count):
            with tf.GradientTape() as tape:
                loss = loss_fn(labels, model(images, training=True))
            model.optimizer.apply(tape.gradient(loss, variables), variables)

    return train


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "results" / "kernels.json"))
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print --out for the speed page and exit",
    )
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.out).read_text())))
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from helpers import provenance, training

    training.setup()
    report = {
        "machine": provenance.cpu()["machine"],
        "convolutions": [],
        "batch_norm": [],
    }
    for name, shape in (
        ("T1's first convolution, 1 -> 32 channels, 28x28", (1, 32, 28)),
        ("T1's second convolution, 32 -> 64 channels, 26x26", (32, 64, 26)),
    ):
        rates = {p: convolution_rate(p, *shape) for p in ("float32", "mixed_bfloat16")}
        report["convolutions"].append({"name": name, **rates})
    run = training.setup()  # the notebooks' precision (float32)
    report["precision"] = run.precision
    for model_id, batch in (("T4blog", 64), ("ours_seed7", 128)):
        try:
            step = fused_gain(model_id, batch)
        except FileNotFoundError as error:
            print(f"{model_id}: skipped ({error})")
            continue
        report["batch_norm"].append(
            {
                "model": "notebook 07's model"
                if model_id.startswith("ours")
                else "T4's blog model",
                "batch": batch,
                "keras_ms": step["keras"] * 1000,
                "fused_ms": step["fused"] * 1000,
            }
        )
    report["provenance"] = run.provenance()
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
