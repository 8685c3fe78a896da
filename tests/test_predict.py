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
        (lambda tmp: np.full((5, 5), -3.0), "must lie in 0-1 (or 0-255); got -3 to -3"),
        (lambda tmp: np.full((5, 5), 300, np.int16), "must lie in 0-255; got 300"),
    ],
)
def test_bad_real_world_images(tmp_path, make_image, message):
    with pytest.raises(predict.ImageInputError) as error:
        predict.to_mnist(make_image(tmp_path))
    assert message in str(error.value)


# --- images people actually have ----------------------------------------------------


def close_to(prepared, expected, tolerance=0.05):
    """Mean absolute difference of two 28x28 MNIST-style images below ``tolerance``."""
    return float(np.abs(prepared - expected).mean()) < tolerance


def test_transparent_background_is_paper(tmp_path):
    from PIL import Image

    reference = predict.to_mnist(drawn_digit())
    for ink in (0, 255):  # black ink and white ink, each on a transparent background
        mask = np.asarray(drawn_digit()) < 128
        rgba = np.zeros((*mask.shape, 4), np.uint8)
        rgba[..., :3] = ink
        rgba[..., 3] = np.where(mask, 255, 0)
        path = tmp_path / f"ink{ink}.png"
        Image.fromarray(rgba, "RGBA").save(path)
        assert close_to(predict.to_mnist(path), reference)
        assert close_to(predict.to_mnist(rgba), reference)


def test_exif_orientation_turns_a_phone_photo_upright(tmp_path):
    from PIL import Image

    upright = drawn_digit(size=(120, 160)).convert("RGB")
    reference = predict.to_mnist(upright)
    # A phone held sideways stores the pixels turned and says how to turn them back.
    for orientation, stored in (
        (6, upright.rotate(90, expand=True)),
        (8, upright.rotate(-90, expand=True)),
        (3, upright.rotate(180)),
    ):
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = tmp_path / f"photo{orientation}.jpg"
        stored.save(path, quality=95, exif=exif)
        assert close_to(predict.to_mnist(path), reference), orientation
        assert not close_to(predict.to_mnist(stored), reference)  # without the tag


def test_a_speck_away_from_the_digit_is_dropped(tmp_path):
    from PIL import ImageDraw

    clean = drawn_digit(size=(200, 200), offset=(60, 60))
    specked = clean.copy()
    ImageDraw.Draw(specked).ellipse([185, 185, 190, 190], fill=0)  # a dark dot of dirt
    path = tmp_path / "specked.png"
    specked.save(path)
    np.testing.assert_allclose(
        predict.to_mnist(path), predict.to_mnist(clean), atol=1e-6
    )


def test_every_stroke_of_a_digit_is_kept():
    from PIL import Image, ImageDraw

    five = Image.new("L", (100, 120), 255)
    draw = ImageDraw.Draw(five)
    draw.line([(30, 20), (30, 55)], fill=0, width=7)  # the 5's stem ...
    draw.arc([22, 45, 78, 100], 200, 160, fill=0, width=7)  # ... its belly ...
    draw.line([(38, 20), (75, 20)], fill=0, width=7)  # ... and its flag, lifted apart
    ink = predict.preprocessing_steps(five)
    np.testing.assert_array_equal(ink["specks removed"], ink["white on black"])


def test_bytes_and_binary_files(tmp_path):
    path = tmp_path / "seven.png"
    drawn_digit().save(path)
    expected = predict.to_mnist(path)
    raw = path.read_bytes()
    with open(path, "rb") as opened:
        from_file = predict.to_mnist(opened)
    for image in (raw, bytearray(raw), memoryview(raw)):
        np.testing.assert_allclose(predict.to_mnist(image), expected, atol=1e-6)
    np.testing.assert_allclose(from_file, expected, atol=1e-6)
    with pytest.raises(predict.ImageInputError, match="bytes are empty"):
        predict.to_mnist(b"")
    with pytest.raises(predict.ImageInputError, match="not an image PIL can read"):
        predict.to_mnist(b"\x00\x01 not an image")


def test_a_200_megapixel_photo_is_scaled_down_not_refused(tmp_path):
    from PIL import Image

    big = drawn_digit(size=(150, 100)).resize((16000, 12500), Image.NEAREST)
    path = tmp_path / "big.jpg"
    big.save(path, quality=90)
    del big
    prepared = predict.to_mnist(path)
    assert close_to(prepared, predict.to_mnist(drawn_digit(size=(150, 100))), 0.06)


def test_images_over_the_limit_get_a_clear_error(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(predict, "MAX_MEGAPIXELS", 1)
    path = tmp_path / "large.png"
    Image.new("L", (1500, 1000), 255).save(path)  # 1.5 megapixels: over our limit
    with pytest.raises(predict.ImageInputError, match=r"1500 x 1000 pixels \(2 mega"):
        predict.to_mnist(path)
    Image.new("L", (2500, 1000), 255).save(path)  # over twice the limit: Pillow refuses
    with pytest.raises(predict.ImageInputError, match="too large to open"):
        predict.to_mnist(path)
    assert Image.MAX_IMAGE_PIXELS == 89478485  # Pillow's own setting is left as it was


def test_float_images_slightly_outside_zero_to_one_are_clipped(tmp_path):
    from PIL import Image

    image = np.asarray(drawn_digit(), dtype="float32") / 255.0
    overshoot = image.copy()
    overshoot[0, 0] = 1.5
    # Ink a little below 0, as resampling can leave it.
    overshoot[overshoot < 0.5] -= 0.2
    np.testing.assert_allclose(
        predict.to_mnist(overshoot), predict.to_mnist(image), atol=1e-6
    )
    path = tmp_path / "overshoot.tiff"  # a real float image file (32-bit TIFF)
    Image.fromarray(overshoot, mode="F").save(path)
    np.testing.assert_allclose(
        predict.to_mnist(path), predict.to_mnist(image), atol=1e-6
    )
    wild = image.copy()
    wild[0, 0] = 7.0
    with pytest.raises(predict.ImageInputError, match="almost all lie in 0-1"):
        predict.to_mnist(wild)


def test_animated_images_are_refused_with_the_way_out(tmp_path):
    from PIL import Image

    frames = [drawn_digit(offset=(10 + 5 * i, 5)) for i in range(3)]
    path = tmp_path / "moving.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(predict.ImageInputError, match="has 3 frames") as error:
        predict.to_mnist(path)
    assert "seek" in str(error.value)
    with Image.open(path) as animation:
        animation.seek(1)
        assert predict.to_mnist(animation.copy()).shape == (28, 28)


def test_16_bit_scans(tmp_path):
    from PIL import Image

    eight_bit = np.asarray(drawn_digit(), dtype=np.uint16)
    path = tmp_path / "scan16.png"
    Image.fromarray(eight_bit * 257).save(path)  # 0-65535
    with Image.open(path) as opened:
        assert opened.mode.startswith("I")
    np.testing.assert_allclose(
        predict.to_mnist(path), predict.to_mnist(drawn_digit()), atol=1e-6
    )


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_cut_off_file_gets_a_clear_error(tmp_path, fmt):
    """Only the header is read when a file is opened: a file cut off mid-way (an upload
    that stopped) fails while decoding, and that is an ImageInputError too."""
    path = tmp_path / f"seven.{fmt.lower()}"
    drawn_digit(size=(300, 300)).save(path, format=fmt)
    raw = path.read_bytes()
    with pytest.raises(predict.ImageInputError, match="damaged or cut off"):
        predict.to_mnist(raw[: len(raw) // 2])
    (tmp_path / "half").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(predict.ImageInputError, match=r"half.*damaged or cut off"):
        predict.to_mnist(tmp_path / "half")
