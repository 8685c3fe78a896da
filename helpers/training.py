"""Training glue the notebooks share: one set-up call and a fast input pipeline.

``train_batches()`` and ``eval_batches()`` feed ``model.fit`` what the tutorials'
``model.fit(x, y, batch_size=..., shuffle=True)`` did: the same images and batch size,
in a fresh order every epoch. That call no longer does so: with a fixed seed
(``keras.utils.set_random_seed``, which ``setup()`` calls), Keras 3's ``fit`` on arrays
draws its permutation inside a ``tf.data`` function that restarts every epoch, so every
epoch repeats the first one's order (``tests/test_training.py`` shows it; TensorFlow
issue 35682 explains why). The notebooks call ``model.fit`` themselves; ``tools/fit.py``
holds the same recipe for scripts (``make ensemble``, benchmarks).
"""

import os
import time
import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from helpers import config, provenance

PRECISIONS = ("float32", "mixed_bfloat16")

# Steps per TensorFlow call: the same numbers, fewer Python round trips (`make bench`
# times it against `fit`). Per-batch callbacks fire once per call; epoch logs unchanged.
STEPS_PER_EXECUTION = 16

# Batch size for validation, evaluation and prediction: nothing trains on it, so it
# changes no result beyond float32 rounding (test metrics agree to 6 decimals at 128,
# 500 and 2,000), and bigger batches run faster.
EVALUATION_BATCH_SIZE = 500

# Versions this project was tested with; setup() warns outside them.
TESTED = {"tensorflow": ("2.21", "2.22"), "keras": ("3.13", "3.16")}


def _cpu_has_native_bf16() -> bool:
    return provenance.cpu()["native_bfloat16"]


# What the reproductions train in, whatever the CPU: what the tutorials trained in.
DEFAULT_PRECISION = "float32"


def _chosen_precision() -> str | None:
    """``MNIST_PRECISION`` when it is set (checked), else None."""
    chosen = os.environ.get("MNIST_PRECISION", "").strip()
    if chosen and chosen not in PRECISIONS:
        raise ValueError(
            f"MNIST_PRECISION={chosen!r} is not supported: set it to one of "
            f"{', '.join(PRECISIONS)}, or leave it unset for {DEFAULT_PRECISION}."
        )
    return chosen or None


def choose_precision(chosen=DEFAULT_PRECISION) -> str:
    """The precision a run trains in: ``chosen`` unless ``MNIST_PRECISION`` overrides
    it. Float32 by default, as the tutorials did, so every CPU does the same arithmetic
    (bfloat16 is emulated and slow on CPUs without it: ``make bench WHAT=kernels``)."""
    if chosen not in PRECISIONS:
        raise ValueError(
            f"precision={chosen!r} is not a precision: choose one of "
            f"{', '.join(repr(p) for p in PRECISIONS)}."
        )
    return _chosen_precision() or chosen


def best_precision() -> str:
    """The Keras dtype policy that trains fastest here (notebook 09, benchmarks):
    ``mixed_bfloat16`` where the CPU or GPU computes bfloat16 natively, else float32;
    ``MNIST_PRECISION`` overrides it."""
    chosen = _chosen_precision()
    if chosen:
        return chosen
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get(
            "compute_capability"
        )
        return "mixed_bfloat16" if capability and capability >= (8, 0) else "float32"
    return "mixed_bfloat16" if _cpu_has_native_bf16() else "float32"


def setup(run=None, precision=DEFAULT_PRECISION, seed=config.SEED, deterministic=True):
    """Start a run: seed Python, NumPy and TensorFlow, make ops deterministic, set the
    precision (``MNIST_PRECISION`` overrides it) and the figures' style; returns the
    ``provenance.Run`` that records take. ``run``: ``"full"`` or ``"quick"``
    (``MNIST_QUICK`` overrides it; None: the environment decides). In a Jupyter kernel,
    TensorFlow's C++ output goes to ``artifacts/native.log`` and the lines its import
    printed (oneDNN, no CUDA driver) are cleared, so the cell shows only the run."""
    from helpers import plots

    if run is not None:
        config.choose_run(run)
    precision = choose_precision(precision)
    plots.use_style()  # every figure in the series' one style
    if config.native_logs_to_file() is not None:
        from IPython.display import clear_output

        clear_output(wait=True)  # the import's C++ lines go when the run's line comes
    keras.utils.set_random_seed(seed)
    # Several models per notebook each trace functions: "retracing" warnings are noise.
    tf.get_logger().setLevel("ERROR")
    # Keras warns fit's shuffle=True skips tf.data; train_batches() reshuffles itself.
    warnings.filterwarnings(
        "ignore", message="`shuffle=True` was passed", category=UserWarning
    )
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.mixed_precision.set_global_policy(precision)
    _warn_if_untested()
    started = provenance.start(precision, seed, config.mode())
    if os.environ.get(provenance.RUN_FILE_VARIABLE):  # the notebook runner's
        started.save(Path(os.environ[provenance.RUN_FILE_VARIABLE]))
    return started


def _warn_if_untested():
    for name, version in (("tensorflow", tf.__version__), ("keras", keras.__version__)):
        low, high = TESTED[name]
        numbers = tuple(int(p) for p in version.split(".")[:2])
        if not (_parse(low) <= numbers < _parse(high)):
            warnings.warn(
                f"{name} {version} is outside the tested range >={low},<{high}; "
                "results may differ. `make test` recreates the tested environment.",
                stacklevel=3,
            )


def _parse(version):
    return tuple(int(p) for p in version.split("."))


def make_dataset(x, y, batch_size, *, shuffle=False, augment=None, seed=config.SEED):
    """A ``tf.data`` pipeline over in-memory arrays: shuffle, batch, augment, prefetch.
    ``shuffle=True`` draws a fresh permutation every pass (see the module docstring).
    As in Keras' array adapter, each pass cuts one vectorised index permutation into
    batches and gathers each batch's images at once (half the CPU time per epoch of
    going image by image at batch 200: ``make bench WHAT=input``); all batches are full
    but a pass's last. ``augment`` (e.g. ``RandomAffine``) runs on whole batches in a
    parallel ``map``, each seeded statelessly by ``(seed, running batch number)``, so it
    is reproducible however the ``map`` is scheduled; the dataset then repeats forever
    (reshuffled every pass): give ``fit`` a ``steps_per_epoch``."""
    n, full = len(x), len(x) // batch_size * batch_size

    def batches_of_indices(draw):
        order = tf.range(n, dtype="int64")
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(order, tf.stack([draw, 0]))
        batches = tf.data.Dataset.from_tensor_slices(
            tf.reshape(order[:full], [-1, batch_size])
        )
        if full < n:  # the pass's last, smaller batch
            batches = batches.concatenate(tf.data.Dataset.from_tensors(order[full:]))
        return batches

    # One seed per pass, from a seeded stream that moves on every time fit starts an
    # epoch: a fresh order every epoch, the same orders in every run.
    passes = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    if augment is None:
        passes = passes.take(1)
    indices = passes.map(batches_of_indices).flat_map(lambda batches: batches)
    if augment is None:  # fit shows an epoch's length from its first step on
        indices = indices.apply(
            tf.data.experimental.assert_cardinality(-(-n // batch_size))
        )
    # The arrays travel as one dataset element, repeated: no copy into the graph.
    arrays = tf.data.Dataset.from_tensors((x, y)).repeat()
    dataset = tf.data.Dataset.zip(indices, arrays).map(
        lambda batch, data: (tf.gather(data[0], batch), tf.gather(data[1], batch)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if augment is not None:
        base_seed = tf.constant(seed, dtype="int64")
        dataset = dataset.enumerate().map(
            lambda step, batch: (
                augment(batch[0], seed=tf.stack([base_seed, step])),
                batch[1],
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return dataset.prefetch(tf.data.AUTOTUNE)


def train_batches(x, y, batch_size, *, augment=None, seed=config.SEED):
    """Training batches for ``model.fit``, reshuffled every epoch: all of ``x``, or the
    first ``config.QUICK_TRAIN_SAMPLES`` in a quick run. With ``augment`` they never run
    out: give ``fit`` ``steps_per_epoch=epoch_steps(x, batch_size)``."""
    n = config.train_samples(len(x))
    return make_dataset(
        x[:n], y[:n], batch_size, shuffle=True, augment=augment, seed=seed
    )


def eval_batches(x, y):
    """Validation or test images for ``fit`` and ``evaluate``, in batches of 500."""
    return make_dataset(x, y, EVALUATION_BATCH_SIZE)


def epoch_steps(x, batch_size) -> int:
    """Batches in one pass over the training images ``train_batches`` uses."""
    return -(-config.train_samples(len(x)) // batch_size)


def steps_per_execution(steps_per_epoch=None) -> int:
    """``STEPS_PER_EXECUTION``, or the largest divisor of ``steps_per_epoch`` up to it:
    Keras runs whole executions: on a repeating dataset a remainder adds steps."""
    if steps_per_epoch is None:
        return STEPS_PER_EXECUTION
    return max(d for d in range(1, STEPS_PER_EXECUTION + 1) if steps_per_epoch % d == 0)


class EpochTimer(keras.callbacks.Callback):
    """Each epoch's wall-clock seconds (validation included), in ``seconds`` and, when
    training ends, in the history ``fit`` returns: ``history.history["seconds"]``."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    def on_train_end(self, logs=None):
        # Not in the epoch's logs: Keras' printed epoch line would show them too.
        history = getattr(self.model, "history", None)  # the History that fit returns
        if isinstance(history, keras.callbacks.History):
            history.history["seconds"] = list(self.seconds)


def evaluate(model, x, y, batch_size=EVALUATION_BATCH_SIZE) -> dict:
    """Test loss and accuracy as a dict: ``{"loss": ..., "accuracy": ...}``."""
    metrics = model.evaluate(
        make_dataset(x, y, batch_size), verbose=0, return_dict=True
    )
    return {"loss": float(metrics["loss"]), "accuracy": float(metrics["accuracy"])}


def predict_proba(model, x, batch_size=EVALUATION_BATCH_SIZE) -> np.ndarray:
    """Class probabilities (N, 10) for prepared images, as float32 NumPy."""
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(batch_size)
    return np.asarray(model.predict(dataset, verbose=0), dtype="float32")


def saved_model_path(model_id):
    """Where the notebooks save a trained tutorial model: ``artifacts/<id>.keras``."""
    return config.artifacts_dir() / f"{model_id}.keras"


# A model has learned above this floor: three times chance (10 %), well below even a
# quick run (1 epoch, 2,048 images). Measured quick-run test accuracies, 2-core CPU,
# bfloat16: T3b 46 %, T1 75 %, T2 72 %, T3a 80 %, T5 92 %; T1 at Keras 3's default
# Adadelta learning rate 9.9 %. Batch-normalized models are judged on training accuracy
# after a quick run (T4's 75 %: notebook 04).
LEARNED_FLOOR = 0.3


def learned(accuracy) -> bool:
    """True when ``accuracy`` (a fraction) clears ``LEARNED_FLOOR``."""
    return float(accuracy) > LEARNED_FLOOR


def expected_time(model_id, quick_epochs=config.QUICK_EPOCHS) -> str:
    """How long training ``model_id`` takes: a forecast from ``results/<model_id>.json``
    (the committed full run ``make notebooks`` last measured), whatever this run is.
    ``quick_epochs``: what a quick run of this model trains."""
    from helpers import results

    record = results.load(model_id, config.ROOT / "results")
    if record is None or not record.get("train_seconds"):
        return f"{model_id}: no measured time yet (results/{model_id}.json is missing)."
    per_epoch = record["seconds_per_epoch"]
    quick = quick_epochs * per_epoch * config.QUICK_TRAIN_SAMPLES / 60_000
    epochs = f"{quick_epochs} epoch" + ("s" if quick_epochs != 1 else "")
    # Name the forecast's run: a saved notebook printed this before the run below it.
    provenance = record.get("provenance") or {}
    machine = provenance.get("machine", "a 2-core CPU")
    when = f" of {provenance['date']}" if provenance.get("date") else ""
    return (
        f"Full run: {record['epochs']} epochs, about {record['train_seconds'] / 60:.0f} min "
        f"on {machine} ({per_epoch:.0f} s per epoch, measured in the full run{when} "
        "committed before this one). "
        f"Quick run: {epochs} on {config.QUICK_TRAIN_SAMPLES:,} images, about "
        f"{max(quick, 1):.0f} s plus a few seconds to start."
    )


def fresh_copy(path):
    """The model saved at ``path`` with new random weights, compiled as it was saved:
    how code outside the notebooks (07's ensemble members, benchmarks, tests) takes an
    architecture that is written once, in its notebook. Mixed-precision layers get the
    current global policy; layers pinned to ``float32`` (the softmax) stay float32."""
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: run the notebook that saves it first (RUN = "
            '"quick" is enough for the architecture).'
        )
    saved = keras.models.load_model(path)
    policy = keras.mixed_precision.global_policy().name

    def rebuilt(layer):
        layer_config = layer.get_config()
        dtype = layer_config.get("dtype")
        name = dtype.get("config", {}).get("name") if isinstance(dtype, dict) else dtype
        if isinstance(name, str) and name.startswith("mixed_"):
            layer_config["dtype"] = policy
        return layer.__class__.from_config(layer_config)

    model = keras.models.clone_model(saved, clone_function=rebuilt)
    model.compile_from_config(saved.get_compile_config())
    return model
