"""Asking a trained model about digits, with clear errors for input it cannot take.

``predict_digits(model, images)`` accepts one 28x28 image or a batch of them, with or
without the channel axis, as uint8 (0-255) or float (0-1), and returns the predicted
digits and all ten probabilities.
"""

import numpy as np


class ImageInputError(ValueError):
    """Images a model cannot take: wrong shape, dtype or value range."""


def to_model_input(images) -> np.ndarray:
    """Check ``images`` and return them as float32 (N, 28, 28, 1) in [0, 1]."""
    array = np.asarray(images)
    described = f"got an array of shape {array.shape} and dtype {array.dtype}"
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.floating)
    ):
        raise ImageInputError(
            f"Images must be uint8 (0-255) or float (0-1) numbers; {described}."
        )
    if array.shape[-1:] == (1,) and array.ndim in (3, 4):
        array = array[..., 0]  # drop the channel axis; it is added back below
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (28, 28):
        raise ImageInputError(
            "Expected one 28x28 image or a batch shaped (N, 28, 28) or (N, 28, 28, 1); "
            f"{described}. Resize other images first (see helpers.predict)."
        )
    if len(array) == 0:
        raise ImageInputError(f"The batch is empty; {described}.")
    if np.issubdtype(array.dtype, np.integer):
        if array.dtype != np.uint8 and (array.min() < 0 or array.max() > 255):
            raise ImageInputError(
                f"Integer images must hold values 0-255; {described} with values "
                f"{array.min()} to {array.max()}."
            )
        return (array.astype("float32") / 255.0)[..., None]
    if not np.isfinite(array).all():
        raise ImageInputError(f"Images contain NaN or infinite values; {described}.")
    if array.min() < 0.0 or array.max() > 1.0:
        hint = (
            " Divide by 255 first." if array.max() <= 255 and array.min() >= 0 else ""
        )
        raise ImageInputError(
            f"Float images must hold values in [0, 1]; {described} with values "
            f"{array.min():.3g} to {array.max():.3g}.{hint}"
        )
    return array.astype("float32")[..., None]


def predict_digits(model, images):
    """Return ``(digits, probabilities)`` for one image or a batch (see ``to_model_input``)."""
    batch = to_model_input(images)
    probabilities = np.asarray(model.predict(batch, verbose=0), dtype="float32")
    return probabilities.argmax(axis=1), probabilities


# --- digits from the real world -----------------------------------------------------

MNIST_BOX = 20  # MNIST scaled each digit so its longer side is 20 pixels ...
MNIST_SIZE = 28  # ... and centred it by its centre of mass in a 28x28 frame.


def load_grayscale(image) -> np.ndarray:
    """A path (PNG, JPEG, ...), a PIL image or an array, as a 2-D float array in [0, 1]."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(image, (str, bytes)) or hasattr(image, "__fspath__"):
        try:
            with Image.open(image) as opened:
                image = opened.convert("L")
        except FileNotFoundError:
            raise ImageInputError(f"No image file at {image}.") from None
        except (UnidentifiedImageError, OSError) as error:
            raise ImageInputError(
                f"{image} is not an image PIL can read ({type(error).__name__}); "
                "use a PNG or JPEG file, a PIL image or a NumPy array."
            ) from None
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("L"), dtype="float32") / 255.0
    if not isinstance(image, np.ndarray):
        raise ImageInputError(
            f"Expected a file path, a PIL image or a NumPy array; got {type(image).__name__}."
        )
    array = image
    if array.size == 0:
        raise ImageInputError(f"The image is empty (shape {array.shape}).")
    if not (
        np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.floating)
    ):
        raise ImageInputError(
            f"Image arrays must hold numbers; got dtype {array.dtype}."
        )
    if array.ndim == 3 and array.shape[-1] in (1, 3, 4):
        weights = np.array([0.299, 0.587, 0.114])[: min(array.shape[-1], 3)]
        array = array[..., : len(weights)] @ (weights / weights.sum())  # luminance
    if array.ndim != 2:
        raise ImageInputError(
            f"Expected a 2-D grayscale image or (H, W, 1|3|4) colour; got shape {image.shape}."
        )
    array = array.astype("float32")
    if np.issubdtype(image.dtype, np.integer) or array.max() > 1.0:
        array = array / 255.0  # 0-255 values, integer or float
    if not np.isfinite(array).all() or array.min() < 0.0 or array.max() > 1.0:
        raise ImageInputError("Image values must lie in 0-255 (or 0-1 for floats).")
    return array


def to_mnist(image) -> np.ndarray:
    """Turn a photo or scan of one digit into a 28x28 MNIST-style image (float32, 0-1).

    The steps MNIST's makers took: grayscale; white digit on black (dark-on-light input
    is inverted, judged by the border); crop to the digit's bounding box; scale so the
    longer side is 20 pixels, keeping the aspect ratio; place in a 28x28 frame so that
    the digit's centre of mass sits at the centre. ``preprocessing_steps`` shows each.
    """
    return list(preprocessing_steps(image).values())[-1]


def preprocessing_steps(image) -> dict:
    """Every intermediate image of ``to_mnist``, by step name, in order."""
    from PIL import Image

    steps = {"grayscale": load_grayscale(image)}
    gray = steps["grayscale"]
    if gray.max() - gray.min() < 0.05:
        raise ImageInputError(
            f"The image is a single colour (values {gray.min():.2f} to {gray.max():.2f}); "
            "there is no digit to find."
        )
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    ink = np.abs(gray - np.median(border))  # the digit, bright, whatever its colour was
    ink = np.clip(ink / ink.max(), 0.0, 1.0)
    ink[ink < 0.1] = 0.0  # paper texture and JPEG noise are not part of the digit
    steps["white on black"] = ink
    rows, cols = np.nonzero(ink)
    digit = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    steps["cropped"] = digit
    height, width = digit.shape
    scale = MNIST_BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray((digit * 255).astype("uint8")).resize(size, Image.LANCZOS)
    digit = np.asarray(resized, dtype="float32") / 255.0
    steps["longer side 20 px"] = digit
    frame = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype="float32")
    weights = digit.sum()
    centre_row = (digit.sum(axis=1) @ np.arange(digit.shape[0])) / weights
    centre_col = (digit.sum(axis=0) @ np.arange(digit.shape[1])) / weights
    top = round(float(MNIST_SIZE / 2 - 0.5 - centre_row))
    left = round(float(MNIST_SIZE / 2 - 0.5 - centre_col))
    top = min(max(top, 0), MNIST_SIZE - digit.shape[0])  # keep the whole digit in frame
    left = min(max(left, 0), MNIST_SIZE - digit.shape[1])
    frame[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    steps["28x28, centred by mass"] = frame
    return steps


def classify(model, image):
    """Classify a real-world digit image: returns ``(digit, probabilities)``.

    ``image`` is a PNG/JPEG path, a PIL image or an array of any size, dark-on-light or
    light-on-dark; it is converted with ``to_mnist`` first.
    """
    digits, probabilities = predict_digits(model, to_mnist(image))
    return int(digits[0]), probabilities[0]
