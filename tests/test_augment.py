"""T4's augmentation against Keras 2.0's own arithmetic, pixel for pixel.

The reference below is written from Keras 2.0's ``ImageDataGenerator.random_transform``
and ``apply_transform`` (keras/preprocessing/image.py of that release): the four
matrices multiplied in the generator's order, centred at ``size / 2 + 0.5``, handed to
``scipy.ndimage.affine_transform(order=0, mode="nearest")``. It shares nothing with
``helpers.augment`` except the drawn parameters.
"""

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from helpers import augment, data


def keras20_reference(image, theta, tx, ty, shear, zx, zy):
    """One (rows, cols, 1) image transformed as Keras 2.0 did it."""
    rotation = np.array(
        [
            [np.cos(theta), -np.sin(theta), 0],
            [np.sin(theta), np.cos(theta), 0],
            [0, 0, 1],
        ]
    )
    shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    shearing = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
    zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    matrix = rotation @ shift @ shearing @ zoom
    h, w = image.shape[0], image.shape[1]
    o_x, o_y = float(h) / 2 + 0.5, float(w) / 2 + 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    matrix = offset @ matrix @ reset
    return ndimage.affine_transform(
        image[..., 0], matrix[:2, :2], matrix[:2, 2], order=0, mode="nearest", cval=0.0
    )[..., None]


def draws(layer, images, seed):
    params = layer.random_parameters(len(images), 28, 28, tf.constant(seed))
    return {name: value.numpy() for name, value in params.items()}


@pytest.fixture(scope="module")
def digits():
    (x_train, _), _ = data.load_prepared()
    return x_train[:160]


@pytest.mark.parametrize("kind", ["digits", "noise"])
def test_t4_augmentation_matches_keras_2_0_pixel_for_pixel(digits, kind):
    # 160 images, each with its own random draw: real digits, and noise where every
    # pixel differs from its neighbours, so any one-pixel slip in the sampling shows.
    rng = np.random.default_rng(0)
    images = (
        digits if kind == "digits" else rng.random((160, 28, 28, 1), dtype=np.float32)
    )
    layer = augment.t4_augmentation()
    seed = [7, 3]
    ours = layer(images, seed=tf.constant(seed)).numpy()
    params = draws(layer, images, seed)
    mismatched = []
    for i, image in enumerate(images):
        reference = keras20_reference(
            image, *(params[k][i] for k in ("theta", "tx", "ty", "shear", "zx", "zy"))
        )
        if not np.array_equal(ours[i], reference):
            mismatched.append(i)
    assert not mismatched, (
        f"{len(mismatched)} of {len(images)} images differ: {mismatched[:10]}"
    )


def test_t4_draws_span_keras_2_0s_ranges_in_its_units():
    layer = augment.t4_augmentation()
    p = draws(layer, np.zeros((20000, 28, 28, 1)), [1, 2])
    checks = {
        "theta": np.radians(8),  # degrees in, radians used
        "tx": 0.08 * 28,  # pixels, rows
        "ty": 0.08 * 28,
        "shear": 0.3,  # radians: up to 17.2 degrees
    }
    for name, bound in checks.items():
        assert np.abs(p[name]).max() <= bound
        assert np.abs(p[name]).max() > 0.99 * bound, name
    for name in ("zx", "zy"):
        assert 0.92 <= p[name].min() < 0.921 and 1.079 < p[name].max() <= 1.08
    # The two zooms are drawn independently, not one factor for both axes.
    assert abs(np.corrcoef(p["zx"], p["zy"])[0, 1]) < 0.05


def test_t4_augmentation_resamples_nearest_neighbour():
    # Every output pixel is a copy of an input pixel: bilinear resampling would mix
    # neighbours and make new values.
    values = np.random.default_rng(1).permutation(28 * 28).astype(np.float32)
    image = values.reshape(1, 28, 28, 1)
    layer = augment.t4_augmentation()
    out = layer(np.repeat(image, 32, axis=0), seed=tf.constant([5, 6])).numpy()
    assert set(np.unique(out)) <= set(values)
    assert not np.array_equal(out[0], image[0])


def test_keras20_affine_with_zero_ranges_is_the_identity_and_off_at_inference():
    x = np.random.default_rng(2).random((4, 28, 28, 1), dtype=np.float32)
    layer = augment.Keras20Affine()
    assert np.array_equal(layer(x, seed=tf.constant([1, 2])).numpy(), x)
    assert np.array_equal(augment.t4_augmentation()(x, training=False), x)
