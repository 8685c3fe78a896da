"""Training and evaluation glue: one set-up call, a fast input pipeline, timed ``fit``.

``setup()`` fixes the seed, turns on deterministic ops and picks the number format the
machine runs fastest (bfloat16 where the CPU or GPU supports it natively). ``fit()`` trains
exactly what ``model.fit(x, y, ...)`` would train (same data, batch size, epochs and
shuffling every epoch) but feeds it through a ``tf.data`` pipeline, which is faster on CPU
(see ``benchmarks/train_speed.py`` for the numbers).
"""

import os
import platform
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import helpers.layers  # noqa: F401  (registers FusedBatchNormalization for load_model)
from helpers import config

PRECISIONS = ("float32", "mixed_bfloat16")

# Training steps run per call into TensorFlow. Measured on the 2-core CPU: T1 went from
# 21-36 s to 19 s per epoch with identical numbers (the same steps, fewer Python round
# trips). Per-batch callbacks then fire every STEPS_PER_EXECUTION batches; per-epoch
# logs are unchanged.
STEPS_PER_EXECUTION = 16

# Batch size for validation, evaluation and prediction. Nothing is trained on these
# batches, so their size changes no result (the test metrics agree to 6 decimals at 128,
# 500 and 2,000), but bigger batches run faster: a validation pass of T5 took 1.3 s at its
# training batch of 32 and 0.5 s at 500, T1's 1.05 s at 128 and 0.83 s at 500.
EVALUATION_BATCH_SIZE = 500

# Versions this project was tested with; setup() warns outside them.
TESTED = {"tensorflow": ("2.21", "2.22"), "keras": ("3.13", "3.16")}


def cpu_name() -> str:
    """The CPU's model name and core count, for results records."""
    name = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    return f"{name}, {os.cpu_count()} cores"


def _cpu_has_native_bf16() -> bool:
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return False
    flags = set(cpuinfo.read_text().split())
    return bool({"avx512_bf16", "amx_bf16"} & flags)


def best_precision() -> str:
    """The Keras dtype policy this machine trains fastest with.

    ``MNIST_PRECISION=float32`` (or ``mixed_bfloat16``) overrides the choice.
    """
    chosen = os.environ.get("MNIST_PRECISION", "").strip()
    if chosen:
        if chosen not in PRECISIONS:
            raise ValueError(
                f"MNIST_PRECISION={chosen!r} is not supported; use one of {', '.join(PRECISIONS)}."
            )
        return chosen
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get(
            "compute_capability"
        )
        return "mixed_bfloat16" if capability and capability >= (8, 0) else "float32"
    return "mixed_bfloat16" if _cpu_has_native_bf16() else "float32"


def setup(seed=config.SEED, precision=None, deterministic=True) -> dict:
    """Seed Python, NumPy and TensorFlow; make ops deterministic; set the dtype policy.

    Call it once at the top of a notebook, before building models. Returns what it chose.
    """
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    precision = precision or best_precision()
    keras.mixed_precision.set_global_policy(precision)
    _warn_if_untested()
    devices = [
        d.device_type
        for d in tf.config.list_physical_devices()
        if d.device_type != "CPU"
    ]
    return {
        "seed": seed,
        "precision": precision,
        "deterministic": deterministic,
        "accelerators": devices or ["none (CPU)"],
        "mode": config.mode(),
    }


def _warn_if_untested():
    import warnings

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

    ``shuffle=True`` reshuffles all examples every pass, as ``model.fit`` does.
    ``augment`` (e.g. ``RandomAffine``) is applied to whole batches in a parallel ``map``.
    Each batch gets its own stateless seed, ``(seed, running batch number)``, so the
    augmentation is reproducible however the ``map`` is scheduled. With ``augment`` the
    dataset repeats forever (every pass reshuffled): give ``fit`` a ``steps_per_epoch``
    (``training.fit`` does).
    """
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if augment is not None:
        base_seed = tf.constant(seed, dtype="int64")
        dataset = (
            dataset.repeat()
            .enumerate()
            .map(
                lambda step, batch: (
                    augment(batch[0], seed=tf.stack([base_seed, step])),
                    batch[1],
                ),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        )
    return dataset.prefetch(tf.data.AUTOTUNE)


def _steps_per_execution(steps_per_epoch=None):
    """``STEPS_PER_EXECUTION``, or with a fixed ``steps_per_epoch`` its largest divisor
    up to that: Keras runs whole executions, so on a repeating dataset a remainder
    would add steps to the epoch."""
    if steps_per_epoch is None:
        return STEPS_PER_EXECUTION
    return max(d for d in range(1, STEPS_PER_EXECUTION + 1) if steps_per_epoch % d == 0)


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of every epoch (validation included)."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def fit(
    model,
    x,
    y,
    *,
    epochs,
    batch_size,
    validation_data=None,
    augment=None,
    callbacks=(),
    strategy=None,
    verbose=2,
):
    """Train ``model`` like ``model.fit(x, y, batch_size, epochs, validation_data)``.

    In quick mode (``MNIST_QUICK=1``) it trains on the first ``config.QUICK_TRAIN_SAMPLES``
    examples only; ``epochs`` is whatever the caller passes (use ``config.epochs``).
    ``strategy`` (a ``tf.distribute`` strategy, e.g. ``MirroredStrategy()`` for several
    GPUs) trains a replica of the model built inside ``strategy.scope()`` and copies the
    trained weights back. The returned ``History`` also carries ``epoch_seconds``.
    Validation runs in batches of ``EVALUATION_BATCH_SIZE``, whatever ``batch_size`` is.
    """
    n = config.train_samples(len(x))
    x, y = x[:n], y[:n]
    if strategy is not None:
        return _fit_distributed(
            model,
            x,
            y,
            strategy,
            epochs=epochs,
            batch_size=batch_size,
            validation_data=validation_data,
            augment=augment,
            callbacks=callbacks,
            verbose=verbose,
        )
    train = make_dataset(x, y, batch_size, shuffle=True, augment=augment)
    validation = (
        make_dataset(*validation_data, EVALUATION_BATCH_SIZE)
        if validation_data
        else None
    )
    # A repeating (augmented) dataset needs an explicit epoch length: one pass over x.
    steps = -(-len(x) // batch_size) if augment is not None else None
    per_execution = _steps_per_execution(steps)
    if model.steps_per_execution != per_execution:
        model.steps_per_execution = per_execution
        model.train_function = None  # rebuilt for the new setting on the next fit
    timer = EpochTimer()
    # shuffle=False: the dataset already reshuffles every epoch.
    history = model.fit(
        train,
        epochs=epochs,
        steps_per_epoch=steps,
        validation_data=validation,
        shuffle=False,
        callbacks=[timer, *callbacks],
        verbose=verbose,
    )
    history.epoch_seconds = timer.seconds
    return history


def _fit_distributed(model, x, y, strategy, **kwargs):
    if not model.compiled:
        raise ValueError("Compile the model before calling fit(..., strategy=...).")
    with strategy.scope():
        replica = keras.models.clone_model(model)
        replica.compile_from_config(model.get_compile_config())
        replica.set_weights(model.get_weights())
    history = fit(replica, x, y, **kwargs)
    model.set_weights(replica.get_weights())
    return history


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


def load_or_train(model_id, x_train, y_train):
    """The model a tutorial notebook saved, or, if there is none, a quick stand-in.

    Returns ``(model, how)`` where ``how`` says which it was. The stand-in is trained for
    one epoch on ``config.QUICK_TRAIN_SAMPLES`` images: enough to run a notebook, far from
    the tutorial's accuracy.
    """
    from helpers import augment, models

    path = saved_model_path(model_id)
    if path.exists():
        return keras.models.load_model(path), "loaded"
    model = models.compiled(model_id)
    _, batch_size = models.SCHEDULES[model_id]
    n = config.QUICK_TRAIN_SAMPLES
    augmentation = augment.t4_augmentation() if model_id == "T4" else None
    fit(
        model,
        x_train[:n],
        y_train[:n],
        epochs=1,
        batch_size=batch_size,
        augment=augmentation,
        verbose=0,
    )
    return model, "trained here in quick form (no saved model)"
