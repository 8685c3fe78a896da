"""The tutorials' architectures, layer for layer (see ``../shared/SPEC.md``).

Each function returns a new, uncompiled ``keras.Sequential`` except T2's
``make_classifier``, which compiles, as the tutorial's factory did. The notebooks compile
the others themselves so the optimizer settings stay in view.

Every output layer is declared with ``dtype="float32"``. With the default float32 policy
that changes nothing; under mixed precision it keeps the softmax (and therefore the loss)
in float32, as the Keras mixed-precision guide recommends.
"""

import keras
from keras import layers

from helpers.layers import FusedBatchNormalization

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def t1_two_conv():
    """T1: two 3x3 convolutions, max pooling, two dropouts (1,199,882 parameters)."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32"),
        ],
        name="t1_two_conv",
    )


def make_classifier(optimizer="rmsprop"):
    """T2's factory: three 'same' convolutions, compiled with ``optimizer`` (257,162 params).

    The original passed the string ``'optimizer'`` instead of the argument; this one
    passes the argument, which is what the tutorial meant (RMSprop).
    """
    model = keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, (3, 3), activation="relu", padding="same"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32"),
        ],
        name="t2_make_classifier",
    )
    model.compile(
        optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def t3_baseline():
    """T3a: one 5x5 convolution, pooling, dropout, a dense layer (592,074 parameters)."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, (5, 5), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32"),
        ],
        name="t3a_baseline",
    )


def t3_larger():
    """T3b: two convolutions with pooling, then 128 and 50 dense units (59,933 parameters)."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(30, (5, 5), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(15, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(50, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32"),
        ],
        name="t3b_larger",
    )


def _batch_norm(fused):
    # Same layer either way; the fused one trains faster (see helpers/layers.py).
    return FusedBatchNormalization() if fused else layers.BatchNormalization()


def t4_batchnorm(fused=True):
    """T4: four conv-BN-ReLU blocks and a BN dense layer (597,738 parameters).

    ``fused=False`` uses Keras 3's own ``BatchNormalization`` (the benchmark's plain run).
    """

    def conv_bn_relu(filters):
        # T4 puts batch normalization between each convolution and its ReLU.
        return [layers.Conv2D(filters, (3, 3)), _batch_norm(fused), layers.ReLU()]

    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            *conv_bn_relu(32),
            *conv_bn_relu(32),
            layers.MaxPooling2D((2, 2)),
            *conv_bn_relu(64),
            *conv_bn_relu(64),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(512),
            _batch_norm(fused),
            layers.ReLU(),
            layers.Dropout(0.2),
            layers.Dense(NUM_CLASSES),
            layers.Activation("softmax", dtype="float32"),
        ],
        name="t4_batchnorm",
    )


def t5_sgd():
    """T5: three he_uniform convolutions and a 100-unit dense layer (159,254 parameters)."""
    init = "he_uniform"
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, (3, 3), activation="relu", kernel_initializer=init),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu", kernel_initializer=init),
            layers.Conv2D(64, (3, 3), activation="relu", kernel_initializer=init),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(100, activation="relu", kernel_initializer=init),
            layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32"),
        ],
        name="t5_sgd",
    )


# The parameter counts SPEC gives for each tutorial; the tests hold the builders to them.
PARAMS = {
    "T1": 1_199_882,
    "T2": 257_162,
    "T3a": 592_074,
    "T3b": 59_933,
    "T4": 597_738,
    "T5": 159_254,
}

BUILDERS = {
    "T1": t1_two_conv,
    "T2": make_classifier,
    "T3a": t3_baseline,
    "T3b": t3_larger,
    "T4": t4_batchnorm,
    "T5": t5_sgd,
}


def _optimizer(model_id):
    # The tutorials' optimizers, with T1's Keras 2 defaults spelled out (see notebook 02).
    if model_id == "T1":
        return keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95)
    if model_id == "T2":
        return keras.optimizers.RMSprop()
    if model_id == "T5":
        return keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    return keras.optimizers.Adam()


def compiled(model_id):
    """A new tutorial model compiled as its tutorial did (for benchmarks and notebook 06).

    The tutorial notebooks compile in plain sight instead; this is the same recipe.
    """
    if model_id == "T2":
        return make_classifier(_optimizer("T2"))
    model = BUILDERS[model_id]()
    model.compile(
        loss="categorical_crossentropy",
        optimizer=_optimizer(model_id),
        metrics=["accuracy"],
    )
    return model


# Each tutorial's training schedule: (epochs, batch size).
SCHEDULES = {
    "T1": (10, 128),
    "T2": (10, 200),
    "T3a": (10, 200),
    "T3b": (10, 200),
    "T4": (5, 64),
    "T5": (10, 32),
}


def ours(fused=True):
    """Notebook 07's model: three conv blocks with batch normalization (327,242 parameters).

    The layout follows the strongest simple Kaggle MNIST CNNs: pairs of 3x3 convolutions,
    a strided 5x5 convolution instead of max pooling (it learns how to downsample),
    batch normalization after every convolution and 40 % dropout between blocks.
    """

    def conv(filters, size, **kwargs):
        return [
            layers.Conv2D(filters, size, activation="relu", **kwargs),
            _batch_norm(fused),
        ]

    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            *conv(32, 3),
            *conv(32, 3),
            *conv(32, 5, strides=2, padding="same"),
            layers.Dropout(0.4),
            *conv(64, 3),
            *conv(64, 3),
            *conv(64, 5, strides=2, padding="same"),
            layers.Dropout(0.4),
            *conv(128, 4),
            layers.Flatten(),
            layers.Dropout(0.4),
            layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32"),
        ],
        name="ours",
    )
