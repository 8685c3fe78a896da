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
