"""The tutorial architectures: SPEC's parameter counts, shapes and settings."""

import keras
import pytest

from helpers import models

# ../shared/SPEC.md, copied here so that a change to models.PARAMS cannot hide a wrong model.
SPEC_PARAMS = {
    "T1": 1_199_882,
    "T2": 257_162,
    "T3a": 592_074,
    "T3b": 59_933,
    "T4": 597_738,
    "T5": 159_254,
}


@pytest.mark.parametrize("model_id", sorted(SPEC_PARAMS))
def test_parameter_counts_match_spec(model_id):
    model = models.BUILDERS[model_id]()
    assert model.count_params() == SPEC_PARAMS[model_id] == models.PARAMS[model_id]
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)


def test_t5_layer_by_layer():
    counts = [layer.count_params() for layer in models.t5_sgd().layers]
    assert [c for c in counts if c] == [320, 18_496, 36_928, 102_500, 1_010]


def test_t4_non_trainable_batchnorm_statistics():
    model = models.t4_batchnorm()
    non_trainable = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    assert non_trainable == 2 * (32 + 32 + 64 + 64 + 512)


def test_make_classifier_uses_the_optimizer_it_is_given():
    optimizer = keras.optimizers.SGD(learning_rate=0.123)
    model = models.make_classifier(optimizer)
    assert model.optimizer is optimizer
    assert models.make_classifier().optimizer.__class__.__name__ == "RMSprop"


def test_outputs_stay_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        for build in models.BUILDERS.values():
            model = build()
            assert model.layers[0].compute_dtype == "bfloat16"
            assert model.layers[-1].compute_dtype == "float32", model.name
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_every_builder_returns_a_new_model():
    assert models.t1_two_conv() is not models.t1_two_conv()


@pytest.mark.parametrize("shape", [(16, 6, 6, 8), (16, 12)], ids=["images", "dense"])
def test_fused_batch_normalization_matches_keras(shape):
    """Same outputs, gradients and moving statistics as Keras' layer, to float32 rounding."""
    import numpy as np
    import tensorflow as tf

    from helpers.layers import FusedBatchNormalization

    keras.mixed_precision.set_global_policy("float32")
    rng = np.random.default_rng(0)
    inputs = tf.constant(rng.normal(2.0, 3.0, shape).astype("float32"))
    plain, fused = keras.layers.BatchNormalization(), FusedBatchNormalization()
    for layer in (plain, fused):
        layer.build(shape)
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
    # Outside training both use their moving statistics, through Keras' own code.
    np.testing.assert_allclose(
        fused(inputs, training=False).numpy(),
        plain(inputs, training=False).numpy(),
        rtol=1e-5,
        atol=1e-5,
    )


def test_models_with_fused_batch_normalization_save_and_load(tmp_path):
    import numpy as np

    from helpers.layers import FusedBatchNormalization

    keras.mixed_precision.set_global_policy("float32")
    model = models.t4_batchnorm()
    assert any(isinstance(layer, FusedBatchNormalization) for layer in model.layers)
    assert not any(
        isinstance(layer, FusedBatchNormalization)
        for layer in models.t4_batchnorm(fused=False).layers
    )
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype="float32")
    model.save(tmp_path / "t4.keras")
    loaded = keras.models.load_model(tmp_path / "t4.keras")
    assert type(loaded.layers[1]) is FusedBatchNormalization
    np.testing.assert_array_equal(
        loaded.predict(images, verbose=0), model.predict(images, verbose=0)
    )
