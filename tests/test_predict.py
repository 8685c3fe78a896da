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


# --- real-world digits -------------------------------------------------------------


def drawn_digit(size=(90, 60), dark_on_light=True, offset=(10, 5)):
    """A thick '7'-like stroke drawn with PIL, off-centre, on a large canvas."""
    from PIL import Image, ImageDraw

    paper, ink = (255, 0) if dark_on_light else (0, 255)
    image = Image.new("L", size, paper)
    draw = ImageDraw.Draw(image)
    x, y = offset
    draw.line([(x, y), (x + 30, y), (x + 12, y + 60)], fill=ink, width=6)
    return image


def test_to_mnist_matches_mnists_conventions():
    digit = predict.to_mnist(drawn_digit())
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.max() == pytest.approx(1.0, abs=0.02) and digit.min() == 0.0
    rows, cols = np.nonzero(digit > 0.05)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 in (
        20,
        21,
    )  # longer side 20 (+ antialiasing)
    weights = digit.sum()
    centre = (
        digit.sum(1) @ np.arange(28) / weights,
        digit.sum(0) @ np.arange(28) / weights,
    )
    assert centre == pytest.approx((13.5, 13.5), abs=0.6)
    assert digit[0].sum() == digit[-1].sum() == 0  # background black


def test_polarity_path_pil_and_array_agree(tmp_path):
    dark_on_light = drawn_digit(dark_on_light=True)
    light_on_dark = drawn_digit(dark_on_light=False)
    path = tmp_path / "seven.png"
    dark_on_light.save(path)
    rgb = np.stack([np.asarray(dark_on_light)] * 3, axis=-1)
    expected = predict.to_mnist(light_on_dark)
    for image in (
        dark_on_light,
        path,
        str(path),
        rgb,
        np.asarray(dark_on_light) / 255.0,
    ):
        np.testing.assert_allclose(predict.to_mnist(image), expected, atol=1e-6)


def test_classify_returns_digit_and_ten_probabilities():
    digit, probabilities = predict.classify(FakeModel(), drawn_digit())
    assert isinstance(digit, int) and 0 <= digit <= 9
    assert probabilities.shape == (10,) and probabilities[digit] == probabilities.max()


@pytest.mark.parametrize(
    "make_image, message",
    [
        (lambda tmp: tmp / "missing.png", "No image file at"),
        (
            lambda tmp: (
                (tmp / "notes.png").write_text("not a picture") and tmp / "notes.png"
            ),
            "is not an image PIL can read",
        ),
        (lambda tmp: np.zeros((0, 0)), "The image is empty"),
        (lambda tmp: np.full((40, 40), 200, np.uint8), "single colour"),
        (lambda tmp: np.zeros((10, 10, 2)), "Expected a 2-D grayscale image"),
        (lambda tmp: {"pixels": 1}, "got dict"),
        (lambda tmp: np.full((5, 5), -3.0), "must lie in 0-255"),
    ],
)
def test_bad_real_world_images(tmp_path, make_image, message):
    with pytest.raises(predict.ImageInputError) as error:
        predict.to_mnist(make_image(tmp_path))
    assert message in str(error.value)
