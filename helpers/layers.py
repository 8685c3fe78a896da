"""Train Keras' batch normalization with TensorFlow's fused kernel: ``fuse_batch_norm``.

Keras 3's ``BatchNormalization`` trains from separate operations (casts to float32,
mean, variance, subtract, scale, cast back); TensorFlow's kernel ``FusedBatchNormV3``
does it all at once, and ``tf.keras`` used it by default (``fused=None``). Standalone
Keras 2.0, which T4 ran, had no fused path (later 2.x added one for 4-D inputs), and
T4's run had no batch normalization at all (notebook 04). Fused layers use the kernel
for training steps on 2-D and 4-D inputs on a CPU-only machine and leave the rest
(inference, masks, renormalization, synchronized statistics) to Keras. GPUs keep Keras'
path: the speed problem is the CPU's, and there the fused kernel has no deterministic
gradient in inference mode, which op determinism refuses. Weights, moving averages and
formula are Keras': outputs and gradients match to float32 rounding
(``tests/test_layers.py``); ``make bench WHAT=kernels`` times a training step of T4's
blog model and of notebook 07's. Only how a layer *trains* changes, not what it *is*: a
saved ``.keras`` file holds plain ``keras.layers.BatchNormalization`` layers and loads
with ``keras.models.load_model`` in any Python, without this module.
"""

import types

import keras
import tensorflow as tf


def fuse_batch_norm(model):
    """Make ``model``'s ``BatchNormalization`` layers train with the fused kernel (call
    before ``fit``); returns it. For this session only: saving and loading undo it."""
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if type(layer) is keras.layers.BatchNormalization:
            layer.call = types.MethodType(_fused_call, layer)
    return model


def _fused_call(self, inputs, training=None, mask=None):
    rank = len(inputs.shape)
    fusable = (
        training
        and self.trainable
        and mask is None
        and rank in (2, 4)
        and self.axis in (-1, rank - 1)
        and not self.renorm
        and not self.synchronized
        and not tf.config.list_physical_devices("GPU")
    )
    if not fusable:
        return keras.layers.BatchNormalization.call(self, inputs, training, mask)
    channels = inputs.shape[-1]
    # The kernel wants NHWC images: a dense layer's (batch, units) becomes 1x1 images.
    images = tf.reshape(inputs, (-1, 1, 1, channels)) if rank == 2 else inputs
    scale = self.gamma.value if self.scale else tf.ones((channels,), "float32")
    offset = self.beta.value if self.center else tf.zeros((channels,), "float32")
    outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
        images,
        scale,
        offset,
        epsilon=self.epsilon,
        data_format="NHWC",
        is_training=True,
    )
    # The kernel returns the unbiased (n - 1) batch variance for the moving average;
    # Keras 3 averages the biased one. Convert, so the moving statistics agree.
    count = tf.cast(tf.size(images) // channels, "float32")
    variance = variance * (count - 1.0) / count
    momentum = self.momentum
    self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
    self.moving_variance.assign(
        self.moving_variance * momentum + variance * (1.0 - momentum)
    )
    if rank == 2:
        outputs = tf.reshape(outputs, tf.shape(inputs))
    return tf.cast(outputs, self.compute_dtype)
