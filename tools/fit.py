"""The notebooks' training recipe in one call, for scripts (``make ensemble``, benchmarks).

The notebooks write it out themselves (``training.train_batches``, ``eval_batches``,
``steps_per_execution``, ``model.fit``): this is the same, for code that trains outside a
notebook.
"""

import keras

from helpers import config
from helpers.training import (
    EpochTimer,
    epoch_steps,
    eval_batches,
    steps_per_execution,
    train_batches,
)


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

    What the notebooks write out by hand (``train_batches``, ``eval_batches``,
    ``steps_per_execution``, an ``EpochTimer``), in one call for scripts.

    In quick mode (``MNIST_QUICK=1``) it trains on the first ``config.QUICK_TRAIN_SAMPLES``
    examples only; ``epochs`` is whatever the caller passes (use ``config.epochs``).
    ``strategy`` (a ``tf.distribute`` strategy, e.g. ``MirroredStrategy()`` for several
    GPUs) trains a replica of the model built inside ``strategy.scope()`` and copies the
    trained weights back. The returned history has each epoch's ``"seconds"``.
    Validation runs in batches of ``EVALUATION_BATCH_SIZE``, whatever ``batch_size`` is.
    """
    if strategy is not None:
        n = config.train_samples(len(x))
        return _fit_distributed(
            model,
            x[:n],
            y[:n],
            strategy,
            epochs=epochs,
            batch_size=batch_size,
            validation_data=validation_data,
            augment=augment,
            callbacks=callbacks,
            verbose=verbose,
        )
    train = train_batches(x, y, batch_size, augment=augment)
    validation = eval_batches(*validation_data) if validation_data else None
    # A repeating (augmented) dataset needs an explicit epoch length: one pass over x.
    steps = epoch_steps(x, batch_size) if augment is not None else None
    per_execution = steps_per_execution(steps)
    if model.steps_per_execution != per_execution:
        model.steps_per_execution = per_execution
        model.train_function = None  # rebuilt for the new setting on the next fit
    return model.fit(
        train,
        epochs=epochs,
        steps_per_epoch=steps,
        validation_data=validation,
        callbacks=[EpochTimer(), *callbacks],
        verbose=verbose,
    )


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


def saved_path_any_run(name):
    """``artifacts/<name>.keras`` from a full run, else from a quick run, else an error.

    For code that needs only a notebook's architecture, which both runs save alike.
    """
    for path in (config.ROOT / "artifacts", config.ROOT / "artifacts" / "quick"):
        if (path / f"{name}.keras").exists():
            return path / f"{name}.keras"
    raise FileNotFoundError(
        f"No saved {name}.keras in artifacts/ or artifacts/quick/: run the notebook that "
        'trains it first (RUN = "quick" is enough for its architecture).'
    )
