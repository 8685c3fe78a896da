"""The prediction helper takes what a learner is likely to pass, and explains the rest."""

import numpy as np
import pytest

from helpers import predict


class FakeModel:
    """Returns probabilities that peak at each image's mean brightness * 9."""

    def predict(self, batch, verbose=0):
        assert batch.shape[1:] == (28, 28, 1) and batch.dtype == np.float32
        digits = np.rint(batch.mean(axis=(1, 2, 3)) * 9).astype(int)
        return np.eye(10, dtype=np.float32)[digits]


@pytest.mark.parametrize(
    "images, n",
    [
        (np.full((28, 28), 255, np.uint8), 1),
        (np.full((28, 28, 1), 1.0, np.float32), 1),
        (np.full((3, 28, 28), 255, np.uint8), 3),
        (np.ones((3, 28, 28, 1)), 3),
        (np.full((2, 28, 28), 255, np.int64), 2),
    ],
)
def test_accepted_inputs(images, n):
    digits, probabilities = predict.predict_digits(FakeModel(), images)
    assert digits.tolist() == [9] * n
    assert probabilities.shape == (n, 10)


def test_uint8_and_float_give_the_same_input():
    image = np.arange(784, dtype=np.uint16).reshape(28, 28) % 256
    np.testing.assert_allclose(
        predict.to_model_input(image.astype(np.uint8)),
        predict.to_model_input(image / 255.0),
        atol=1e-6,
    )


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((32, 32)), "Expected one 28x28 image or a batch"),
        (np.zeros((28, 28, 3)), "got an array of shape (28, 28, 3)"),
        (np.zeros((2, 28, 28, 3)), "Expected one 28x28 image"),
        (np.zeros(784), "shape (784,)"),
        (np.zeros((0, 28, 28)), "The batch is empty"),
        (np.full((28, 28), 255.0), "Float images must hold values in [0, 1]"),
        (np.full((28, 28), 255.0), "Divide by 255 first"),
        (np.full((28, 28), -0.5), "values -0.5 to -0.5"),
        (np.full((28, 28), 300, np.int32), "Integer images must hold values 0-255"),
        (np.full((28, 28), np.nan), "NaN or infinite"),
        (np.zeros((28, 28), bool), "must be uint8 (0-255) or float (0-1)"),
        (np.array([["a"] * 28] * 28), "must be uint8"),
    ],
)
def test_rejected_inputs_say_what_they_got(images, message):
    with pytest.raises(predict.ImageInputError) as error:
        predict.to_model_input(images)
    assert message in str(error.value)
