"""Asking a trained model about digits, with clear errors for input it cannot take.
``predict_digits(model, images)`` takes one 28x28 image or a batch, channel axis or not,
uint8 (0-255) or float (0-1), and returns the digits and all ten probabilities;
``classify(model, image)`` takes a photo or scan of one digit."""

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
    """``(digits, probabilities)`` for one image or a batch (see ``to_model_input``)."""
    batch = to_model_input(images)
    probabilities = np.asarray(model.predict(batch, verbose=0), dtype="float32")
    return probabilities.argmax(axis=1), probabilities


# --- digits from the real world -----------------------------------------------------

MNIST_BOX = 20  # MNIST scaled each digit so its longer side is 20 pixels ...
MNIST_SIZE = 28  # ... and centred it by its centre of mass in a 28x28 frame.

MAX_MEGAPIXELS = 250  # larger images are refused undecoded; a 200-MP phone photo fits
# Larger images first shrink to this longer side (the digit ends up 20 px anyway).
WORKING_SIDE = 1024
SPECK_FRACTION = 0.1  # of the heaviest blob's ink; less is a speck (``without_specks``)
# Floats may overshoot [0, 1] a little (resampling): this much is clipped, more refused.
FLOAT_TOLERANCE = 0.5

_EXIF_ORIENTATION = 0x0112  # which way up the camera was held


def load_grayscale(image) -> np.ndarray:
    """An image as a 2-D float32 array in [0, 1] (0 black, 1 white), from a path (PNG,
    JPEG, ...), image bytes, a binary file, a PIL image or an array (2-D or H x W x 1, 3
    or 4; uint8 0-255 or float 0-1). Photos are turned upright by their EXIF orientation
    and scaled down to ``WORKING_SIDE``; transparent pixels count as paper."""
    from PIL import Image

    if isinstance(image, np.ndarray):
        return _array_to_grayscale(image)
    if isinstance(image, Image.Image):
        return _pil_to_grayscale(image)
    with _open(image) as opened:  # closes the file, also when it is refused
        try:
            return _pil_to_grayscale(opened, may_draft=True)
        except OSError as error:  # decoded only now: a file cut off or damaged mid-way
            raise ImageInputError(
                f"{_source_name(image)} is damaged or cut off: its header reads as an "
                f"image, but decoding failed ({error}). Save or upload the file again."
            ) from None


def _source_name(source) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "the image bytes"
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        return str(source)
    return "the file object"


def _open(source):
    """Open a path, bytes or a binary file as a PIL image (header only, not decoded)."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise ImageInputError("The image bytes are empty (0 bytes).")
        name, opened = _source_name(source), io.BytesIO(bytes(source))
    elif (
        isinstance(source, str)
        or hasattr(source, "__fspath__")
        or hasattr(source, "read")
    ):
        name, opened = _source_name(source), source
    else:
        raise ImageInputError(
            "Expected a file path, image bytes, a binary file, a PIL image or a NumPy "
            f"array; got {type(source).__name__}."
        )
    limit = Image.MAX_IMAGE_PIXELS
    try:
        # Pillow refuses images over twice its own limit; ours is checked below.
        Image.MAX_IMAGE_PIXELS = MAX_MEGAPIXELS * 1_000_000
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(opened)
    except FileNotFoundError:
        raise ImageInputError(f"No image file at {name}.") from None
    except IsADirectoryError:
        raise ImageInputError(f"{name} is a folder, not an image file.") from None
    except PermissionError:
        raise ImageInputError(
            f"{name} cannot be read: permission denied. Check the file's permissions "
            "or copy it somewhere you can read."
        ) from None
    except Image.DecompressionBombError as error:
        raise ImageInputError(
            f"{name} is too large to open ({error}); scale it down below "
            f"{MAX_MEGAPIXELS} megapixels first."
        ) from None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageInputError(
            f"{name} is not an image PIL can read ({type(error).__name__}); use a PNG "
            "or JPEG file, its bytes, a PIL image or a NumPy array."
        ) from None
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    width, height = image.size
    if width * height > MAX_MEGAPIXELS * 1_000_000:
        image.close()
        raise ImageInputError(
            f"{name} is {width} x {height} pixels ({width * height / 1e6:.0f} "
            f"megapixels); the limit is {MAX_MEGAPIXELS}. Scale it down first."
        )
    return image


def _pil_to_grayscale(image, may_draft=False) -> np.ndarray:
    """Upright, at most ``WORKING_SIDE`` pixels, transparency resolved, as floats."""
    from PIL import Image

    if getattr(image, "n_frames", 1) > 1:
        raise ImageInputError(
            f"The image has {image.n_frames} frames (an animation); pick one, e.g. "
            "`frame = PIL.Image.open(path); frame.seek(0); classify(model, frame.copy())`."
        )
    orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    if max(image.size) > WORKING_SIDE:
        scale = WORKING_SIDE / max(image.size)
        size = tuple(max(1, round(side * scale)) for side in image.size)
        if may_draft and image.format == "JPEG":
            image.draft(image.mode, size)  # decode JPEGs at 1/2, 1/4 or 1/8 directly
        image = image.resize(size, Image.LANCZOS, reducing_gap=3.0)
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    if method is not None:
        image = image.transpose(method)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype="float32")
        return array / (65535.0 if array.max() > 255 else 255.0)  # 16-bit scans
    if image.mode == "F":
        return _array_to_grayscale(np.asarray(image))
    if "A" in image.getbands() or "transparency" in image.info:
        return _array_to_grayscale(np.asarray(image.convert("RGBA")))
    return np.asarray(image.convert("L"), dtype="float32") / 255.0


def _array_to_grayscale(array: np.ndarray) -> np.ndarray:
    if array.size == 0:
        raise ImageInputError(f"The image is empty (shape {array.shape}).")
    if array.dtype == bool or not (
        np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.floating)
    ):
        raise ImageInputError(
            f"Image arrays must hold numbers; got dtype {array.dtype}."
        )
    shape = array.shape
    if array.ndim == 3 and shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and shape[-1] not in (3, 4)):
        raise ImageInputError(
            f"Expected a 2-D grayscale image or (H, W, 1|3|4) colour; got shape {shape}."
        )
    array = _to_unit_range(array)
    if array.ndim == 2:
        return array
    gray = array[..., :3] @ np.array([0.299, 0.587, 0.114], dtype="float32")
    if shape[-1] == 3:
        return gray
    alpha = array[..., 3]
    if alpha.min() >= 0.999:
        return gray
    # Transparent pixels are paper: white behind dark ink, black behind light ink.
    ink = (gray * alpha).sum() / max(alpha.sum(), 1e-6)
    paper = 1.0 if ink < 0.5 else 0.0
    return (gray * alpha + paper * (1.0 - alpha)).astype("float32")


def _to_unit_range(array: np.ndarray) -> np.ndarray:
    """uint8/integers 0-255 or floats 0-1 (or 0-255) as float32 in [0, 1]."""
    if np.issubdtype(array.dtype, np.integer):
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > 255:
            raise ImageInputError(
                f"Integer image values must lie in 0-255; got {low} to {high}."
            )
        return array.astype("float32") / 255.0
    if not np.isfinite(array).all():
        raise ImageInputError("The image contains NaN or infinite values.")
    low, high = float(array.min()), float(array.max())
    scale = 1.0 if high <= 1.0 + FLOAT_TOLERANCE else 255.0  # 0-1 or 0-255 floats
    if scale == 255.0 and np.mean(array <= 1.0) > 0.99:
        raise ImageInputError(
            f"Float image values run from {low:.3g} to {high:.3g}, but almost all lie in "
            "0-1: a 0-1 image with a few values far outside it? Clip or rescale it first."
        )
    if low / scale < -FLOAT_TOLERANCE or high / scale > 1.0 + FLOAT_TOLERANCE:
        raise ImageInputError(
            f"Float image values must lie in 0-1 (or 0-255); got {low:.3g} to {high:.3g}, "
            f"more than {FLOAT_TOLERANCE} outside. Rescale the image first."
        )
    return np.clip(array.astype("float32") / scale, 0.0, 1.0)


def to_mnist(image) -> np.ndarray:
    """Turn a photo or scan of one digit into a 28x28 MNIST-style image (float32, 0-1).
    MNIST's steps, after grayscale and white on black (dark-on-light input is inverted,
    judged by the border): crop to the digit's bounding box; scale the longer side to 20
    pixels, keeping the aspect ratio (anti-aliased); place in a 28x28 frame with the
    digit's centre of mass at the centre. Before cropping, this module (not MNIST) drops
    specks away from the digit (``without_specks``), as photos and scans bring dust.
    ``preprocessing_steps`` shows each step."""
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
    ink = without_specks(ink)
    steps["specks removed"] = ink
    rows, cols = np.nonzero(ink)
    digit = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    digit = digit / digit.max()  # the brightest stroke is white again, specks gone
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


def without_specks(ink: np.ndarray) -> np.ndarray:
    """Keep the digit's strokes, drop small blobs of ink away from them. A blob is
    touching ink pixels (diagonals too); one with under ``SPECK_FRACTION`` of the
    heaviest blob's ink is a speck (dust, a paper mark, JPEG noise): left in, one far
    off would stretch the bounding box and shrink the digit. A digit's separate strokes
    (a 5's flag, a 4 with a gap) stay: each holds far more ink than a speck."""
    from scipy import ndimage

    labels, count = ndimage.label(ink > 0, structure=np.ones((3, 3)))
    if count <= 1:
        return ink
    mass = ndimage.sum(ink, labels, index=np.arange(1, count + 1))
    keep = np.flatnonzero(mass >= SPECK_FRACTION * mass.max()) + 1
    return np.where(np.isin(labels, keep), ink, 0.0).astype("float32")


def classify(model, image):
    """Classify a real-world digit image: returns ``(digit, probabilities)``. ``image``:
    anything ``load_grayscale`` takes, of any size, dark-on-light or light-on-dark;
    ``to_mnist`` converts it first."""
    digits, probabilities = predict_digits(model, to_mnist(image))
    return int(digits[0]), probabilities[0]
