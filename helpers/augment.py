"""T4's data augmentation as one Keras preprocessing layer.

T4 used ``ImageDataGenerator``, which Keras 3 removed. It drew a rotation, a shift, a shear
and a zoom for every image, composed them into *one* affine transform and interpolated the
image once. Keras 3 ships those four as separate layers (``RandomRotation``,
``RandomTranslation``, ``RandomShear``, ``RandomZoom``); chained, each one resamples the
28x28 digit again and the training images come out visibly blurred. ``RandomAffine`` keeps
the generator's behaviour: same parameter ranges, same units, one interpolation.

Randomness is *stateless*: each call takes a seed (the ``tf.data`` pipeline passes a fresh
one per batch from ``tf.data.Dataset.random``), so augmentation stays reproducible and can
run in a parallel ``map`` even with op determinism on.
"""

import math

import keras
import tensorflow as tf


class RandomAffine(keras.layers.Layer):
    """Random rotation, shift, shear and zoom, composed and applied in one resampling.

    Args (the units of T4's ``ImageDataGenerator`` arguments):
        rotation_degrees: angle drawn uniformly from [-rotation_degrees, +rotation_degrees].
        shift_fraction: shift in each direction, a fraction of the image size.
        shear_degrees: shear angle in degrees (the old API read ``shear_range`` in degrees).
        zoom_fraction: zoom factors drawn from [1 - zoom_fraction, 1 + zoom_fraction],
            separately for width and height, as the old generator did.
        fill_value: value for pixels that come from outside the image (0: black background).
        seed: seed used when a call gives none.
    """

    def __init__(
        self,
        rotation_degrees=8.0,
        shift_fraction=0.08,
        shear_degrees=0.3,
        zoom_fraction=0.08,
        fill_value=0.0,
        seed=None,
        **kwargs,
    ):
        # Resampling needs float32 coordinates even under a mixed-precision policy:
        # bfloat16 would round a pixel position like 27.3 to the nearest 0.125.
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.rotation_degrees = rotation_degrees
        self.shift_fraction = shift_fraction
        self.shear_degrees = shear_degrees
        self.zoom_fraction = zoom_fraction
        self.fill_value = fill_value
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=True, seed=None):
        if not training:
            return images
        if seed is None:
            seed = self.seed_generator.next()
        images = tf.convert_to_tensor(images)
        matrices = self.random_matrices(tf.shape(images), seed)
        return keras.ops.image.affine_transform(
            images,
            tf.cast(matrices, images.dtype),
            interpolation="bilinear",
            fill_mode="constant",
            fill_value=self.fill_value,
        )

    def random_matrices(self, shape, seed):
        """One 8-number projective transform per image (output pixel -> input pixel)."""
        batch, height, width = (
            shape[0],
            tf.cast(shape[1], "float32"),
            tf.cast(shape[2], "float32"),
        )
        u = tf.random.stateless_uniform(
            (batch, 6), seed=tf.cast(seed, "int64"), minval=-1.0, maxval=1.0
        )
        angle = u[:, 0] * self.rotation_degrees * math.pi / 180.0
        shift_x = u[:, 1] * self.shift_fraction * width
        shift_y = u[:, 2] * self.shift_fraction * height
        shear = u[:, 3] * self.shear_degrees * math.pi / 180.0
        zoom_x = 1.0 + u[:, 4] * self.zoom_fraction
        zoom_y = 1.0 + u[:, 5] * self.zoom_fraction
        cos, sin = tf.cos(angle), tf.sin(angle)
        # rotation @ shear @ zoom, written out; (x, y) = (column, row).
        a0 = cos * zoom_x
        a1 = (-cos * tf.sin(shear) - sin * tf.cos(shear)) * zoom_y
        b0 = sin * zoom_x
        b1 = (-sin * tf.sin(shear) + cos * tf.cos(shear)) * zoom_y
        # Keep the image centre fixed, then shift.
        cx, cy = (width - 1.0) / 2.0, (height - 1.0) / 2.0
        a2 = cx - a0 * cx - a1 * cy - shift_x
        b2 = cy - b0 * cx - b1 * cy - shift_y
        zeros = tf.zeros_like(a0)
        return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "rotation_degrees": self.rotation_degrees,
            "shift_fraction": self.shift_fraction,
            "shear_degrees": self.shear_degrees,
            "zoom_fraction": self.zoom_fraction,
            "fill_value": self.fill_value,
            "seed": self.seed,
        }


def t4_augmentation(seed=None):
    """T4's settings: rotation 8 degrees, shifts 8 %, shear 0.3 degrees, zoom 8 %."""
    return RandomAffine(8.0, 0.08, 0.3, 0.08, seed=seed, name="t4_augmentation")
