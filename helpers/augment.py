"""Data augmentation as Keras preprocessing layers that run in the ``tf.data`` pipeline.

``Keras20Affine`` is T4's augmentation as T4's code really applied it: Keras 2.0's
``ImageDataGenerator(rotation_range=8, width_shift_range=0.08, shear_range=0.3,
height_shift_range=0.08, zoom_range=0.08)``. For every image that generator drew a
rotation, two shifts, a shear and two independent zooms (units in ``Keras20Affine``),
composed them into one affine matrix centred at ``size / 2 + 0.5`` and resampled the
image once with ``scipy.ndimage.affine_transform(order=0, mode="nearest")``: nearest
neighbour, no blur. Keras 2.1.3 changed the shear from radians to degrees and 2.1.4 the
resampling to bilinear, so a tutorial written on Keras 2.0 and re-run a year later would
already train differently. ``tests/test_augment.py`` checks this layer against that
scipy call pixel for pixel.

``RandomAffine`` is this series' own one-resampling affine layer in the units later
Keras releases used (degrees and fractions, bilinear), not a pixel copy of any release.
Notebook 07 augments with it; notebook 04 trains with ``t4_augmentation``.

Randomness is *stateless*: each call takes a seed (the ``tf.data`` pipeline passes
``(seed, batch number)``), so augmentation is reproducible and can run in a parallel
``map`` even with op determinism on."""

import math

import keras
import tensorflow as tf


class Keras20Affine(keras.layers.Layer):
    """Keras 2.0's ``ImageDataGenerator`` geometric transform, as a preprocessing layer.

    Arguments keep the old generator's names and units: ``rotation_range`` in degrees,
    the angle drawn from U(-rotation_range, rotation_range); ``width_shift_range`` moves
    the *columns* and ``height_shift_range`` the *rows* (fractions of width and height);
    ``shear_range`` is in **radians** (Keras 2.0 passed it to ``sin`` and ``cos`` as it
    came; 0.3 is up to 17.2 degrees); ``zoom_range``: row and column zooms drawn
    independently from U(1 - zoom_range, 1 + zoom_range); ``seed``: the default seed.

    The matrix is composed in float64, as NumPy did; ``apply`` resamples once (nearest
    neighbour; positions outside the image take the nearest edge pixel, the generator's
    default). TensorFlow maps the pixels in float32; against scipy's float64 the test
    finds no pixel that rounds the other way in 320 images."""

    def __init__(
        self,
        rotation_range=0.0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        shear_range=0.0,
        zoom_range=0.0,
        seed=None,
        **kwargs,
    ):
        # Pixels and coordinates stay float32 under a mixed-precision policy.
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.zoom_range = zoom_range
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def random_parameters(self, batch, height, width, seed):
        """One draw per image, as Keras 2.0 drew them: a dict of float64 tensors,
        ``theta`` (radians), ``tx`` (rows, pixels), ``ty`` (columns, pixels), ``shear``
        (radians), ``zx`` (row zoom), ``zy`` (column zoom)."""
        u = tf.random.stateless_uniform(
            (batch, 6),
            seed=tf.cast(seed, "int64"),
            minval=-1.0,
            maxval=1.0,
            dtype="float64",
        )
        return {
            "theta": u[:, 0] * self.rotation_range * math.pi / 180.0,
            "tx": u[:, 1] * self.height_shift_range * tf.cast(height, "float64"),
            "ty": u[:, 2] * self.width_shift_range * tf.cast(width, "float64"),
            "shear": u[:, 3] * self.shear_range,
            "zx": 1.0 + u[:, 4] * self.zoom_range,
            "zy": 1.0 + u[:, 5] * self.zoom_range,
        }

    @staticmethod
    def matrices(params, height, width):
        """The 3x3 matrices (batch, 3, 3) that map an output pixel (row, col, 1) to the
        input pixel read from: C(o) · R · T · S · Z · C(-o), o = size / 2 + 0.5."""
        theta, shear = params["theta"], params["shear"]
        zeros, ones = tf.zeros_like(theta), tf.ones_like(theta)

        def stack(rows):
            return tf.stack([tf.stack(row, axis=-1) for row in rows], axis=-2)

        cos, sin = tf.cos(theta), tf.sin(theta)
        rotation = stack([[cos, -sin, zeros], [sin, cos, zeros], [zeros, zeros, ones]])
        shift = stack(
            [
                [ones, zeros, params["tx"]],
                [zeros, ones, params["ty"]],
                [zeros, zeros, ones],
            ]
        )
        shearing = stack(
            [
                [ones, -tf.sin(shear), zeros],
                [zeros, tf.cos(shear), zeros],
                [zeros, zeros, ones],
            ]
        )
        zoom = stack(
            [
                [params["zx"], zeros, zeros],
                [zeros, params["zy"], zeros],
                [zeros, zeros, ones],
            ]
        )
        o_row = tf.cast(height, "float64") / 2.0 + 0.5
        o_col = tf.cast(width, "float64") / 2.0 + 0.5
        to_centre = stack(
            [
                [ones, zeros, -o_row * ones],
                [zeros, ones, -o_col * ones],
                [zeros, zeros, ones],
            ]
        )
        back = stack(
            [
                [ones, zeros, o_row * ones],
                [zeros, ones, o_col * ones],
                [zeros, zeros, ones],
            ]
        )
        return back @ rotation @ shift @ shearing @ zoom @ to_centre

    def call(self, images, training=True, seed=None):
        if not training:
            return images
        if seed is None:
            seed = self.seed_generator.next()
        images = tf.convert_to_tensor(images)
        shape = tf.shape(images)
        params = self.random_parameters(shape[0], shape[1], shape[2], seed)
        return self.apply(images, params)

    def apply(self, images, params):
        """``images`` transformed with the given draw (``random_parameters``' keys, one
        value per image): one nearest-neighbour resampling, as Keras 2.0 made it."""
        images = tf.convert_to_tensor(images)
        shape = tf.shape(images)
        matrix = self.matrices(params, shape[1], shape[2])
        # Keras wants (x, y) = (column, row) and 8 numbers per image: output pixel ->
        # input pixel, column = a0 x + a1 y + a2, row = b0 x + b1 y + b2.
        m = tf.cast(matrix, "float32")
        transform = tf.stack(
            [
                m[:, 1, 1],
                m[:, 1, 0],
                m[:, 1, 2],
                m[:, 0, 1],
                m[:, 0, 0],
                m[:, 0, 2],
                tf.zeros_like(m[:, 0, 0]),
                tf.zeros_like(m[:, 0, 0]),
            ],
            axis=1,
        )
        return keras.ops.image.affine_transform(
            images, transform, interpolation="nearest", fill_mode="nearest"
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "rotation_range": self.rotation_range,
            "width_shift_range": self.width_shift_range,
            "height_shift_range": self.height_shift_range,
            "shear_range": self.shear_range,
            "zoom_range": self.zoom_range,
            "seed": self.seed,
        }


class RandomAffine(keras.layers.Layer):
    """Random rotation, shift, shear and zoom, composed and applied in one resampling.
    Each draw is uniform: an angle in [-rotation_degrees, +rotation_degrees], a shift in
    each direction of up to ``shift_fraction`` of the image size, a shear of up to
    ``shear_degrees`` and zooms from [1 - zoom_fraction, 1 + zoom_fraction], for width
    and height apart. ``fill_value`` fills pixels from outside the image (0: black
    background); ``seed``: the default seed."""

    def __init__(
        self,
        rotation_degrees=8.0,
        shift_fraction=0.08,
        shear_degrees=0.0,
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
    """T4's ``ImageDataGenerator`` as it ran on Keras 2.0 (shear 0.3 is in radians)."""
    return Keras20Affine(
        rotation_range=8,
        width_shift_range=0.08,
        height_shift_range=0.08,
        shear_range=0.3,
        zoom_range=0.08,
        seed=seed,
        name="t4_augmentation",
    )
