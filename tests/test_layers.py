"""``fuse_batch_norm``: the same batch normalization, trained with the fused kernel, and
saved models that load anywhere."""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers.layers import _fused_call, fuse_batch_norm


def is_fused(layer) -> bool:
    """True for a ``BatchNormalization`` layer that ``fuse_batch_norm`` changed."""
    return getattr(layer.call, "__func__", None) is _fused_call


def bn_model():
    """A small model with batch normalization after a convolution and a dense layer."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(8, 3),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Flatten(),
            layers.Dense(16),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Dense(10, activation="softmax", dtype="float32"),
        ]
    )


def test_fuse_batch_norm_changes_every_batch_normalization_and_nothing_else():
    keras.mixed_precision.set_global_policy("float32")
    model = fuse_batch_norm(bn_model())
    fused = [is_fused(layer) for layer in model.layers]
    kinds = [isinstance(layer, layers.BatchNormalization) for layer in model.layers]
    assert fused == kinds and sum(fused) == 2
    assert not any(is_fused(layer) for layer in bn_model().layers)


@pytest.mark.parametrize("shape", [(16, 6, 6, 8), (16, 12)], ids=["images", "dense"])
def test_fused_batch_normalization_matches_keras(shape):
    """Same outputs, gradients and moving statistics as Keras' layer, to float32 rounding."""
    keras.mixed_precision.set_global_policy("float32")
    rng = np.random.default_rng(0)
    inputs = tf.constant(rng.normal(2.0, 3.0, shape).astype("float32"))
    plain = layers.BatchNormalization()
    fused = layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape[1:]), fused])
    fuse_batch_norm(model)
    assert is_fused(fused) and not is_fused(plain)
    plain.build(shape)
    gamma = rng.uniform(0.5, 1.5, shape[-1]).astype("float32")
    beta = rng.normal(0.0, 1.0, shape[-1]).astype("float32")
    for layer in (plain, fused):
        layer.gamma.assign(gamma)
        layer.beta.assign(beta)
    results = []
    for layer in (plain, fused):
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = layer(inputs, training=True)
            # Squared, so no gradient cancels out to (rounding around) zero.
            loss = tf.reduce_sum(
                tf.square(outputs) * tf.range(shape[-1], dtype="float32")
            )
        grads = tape.gradient(loss, [inputs, layer.gamma.value, layer.beta.value])
        results.append([outputs, *grads, layer.moving_mean, layer.moving_variance])
    for expected, got in zip(*results):
        np.testing.assert_allclose(
            np.asarray(got), np.asarray(expected), rtol=1e-4, atol=1e-4
        )
    # The fused kernel really ran: its float32 rounding differs from Keras' chain of ops.
    assert not np.array_equal(np.asarray(results[0][0]), np.asarray(results[1][0]))
    # Outside training both use their moving statistics, through Keras' own code.
    np.testing.assert_allclose(
        fused(inputs, training=False).numpy(),
        plain(inputs, training=False).numpy(),
        rtol=1e-5,
        atol=1e-5,
    )


LOAD_IN_PLAIN_PYTHON = textwrap.dedent(
    """
    import sys
    import keras
    import numpy as np
    model = keras.models.load_model(sys.argv[1])  # no custom_objects, no project code
    assert not any(name.startswith("helpers") for name in sys.modules), "helpers imported"
    images = np.load(sys.argv[2])
    np.save(sys.argv[3], model.predict(images, verbose=0))
    """
)


def test_a_trained_model_loads_in_a_python_that_never_imported_helpers(tmp_path):
    """What the README promises: plain `keras.models.load_model`, same predictions."""
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        keras.utils.set_random_seed(0)
        model = fuse_batch_norm(bn_model())
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        rng = np.random.default_rng(0)
        x = rng.random((64, 28, 28, 1), dtype=np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
        model.fit(x, y, batch_size=16, epochs=1, verbose=0)
        model.save(tmp_path / "model.keras")
        np.save(tmp_path / "images.npy", x[:8])
        subprocess.run(
            [
                sys.executable,
                "-c",
                LOAD_IN_PLAIN_PYTHON,
                str(tmp_path / "model.keras"),
                str(tmp_path / "images.npy"),
                str(tmp_path / "predictions.npy"),
            ],
            cwd=tmp_path,  # not the repository: `helpers` cannot be imported by accident
            check=True,
            capture_output=True,
        )
        np.testing.assert_array_equal(
            np.load(tmp_path / "predictions.npy"), model.predict(x[:8], verbose=0)
        )
    finally:
        keras.mixed_precision.set_global_policy("float32")
