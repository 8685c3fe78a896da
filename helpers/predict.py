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
