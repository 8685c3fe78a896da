"""Finding, checking and preparing MNIST.

``load_mnist()`` looks, in order, at the ``MNIST_PATH`` file (an ``.npz`` in Keras'
layout), Keras' cache ``~/.keras/datasets/mnist.npz``, then Keras' download (needs the
internet). Local files are read with NumPy, not Keras: its hash check rejects copies
whose zip metadata differ from its download. They are checked (keys, shapes, dtypes,
label range) before being returned; Keras checks its download's file hash. Files are
only ever read: nothing here writes, moves or deletes a user's file."""

import os
import zipfile
from pathlib import Path

import numpy as np

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)
KEYS = ("x_train", "y_train", "x_test", "y_test")

HOW_TO_FIX = (
    "Download mnist.npz (the file keras.datasets.mnist.load_data() uses) on a machine with "
    "internet access and point MNIST_PATH at it, e.g. `export MNIST_PATH=/path/to/mnist.npz`, "
    "or copy it to ~/.keras/datasets/mnist.npz."
)


class MnistDataError(RuntimeError):
    """MNIST could not be found, or a file that claims to be MNIST is not usable."""


def keras_cache_path() -> Path:
    return Path.home() / ".keras" / "datasets" / "mnist.npz"


def load_mnist(path=None):
    """MNIST as Keras returns it: ``(x_train, y_train), (x_test, y_test)``, all uint8.
    ``path`` overrides ``MNIST_PATH``; a bad named file raises, never falls back."""
    if path is not None:
        return read_npz(path, source="path")
    if "MNIST_PATH" in os.environ:
        setting = os.environ["MNIST_PATH"].strip()
        if not setting:
            raise MnistDataError(
                "MNIST_PATH is set but empty. Point it at the file "
                "(`export MNIST_PATH=/path/to/mnist.npz`), or remove it "
                "(`unset MNIST_PATH`) to use Keras' cache or download."
            )
        return read_npz(setting, source="MNIST_PATH")
    cache = keras_cache_path()
    if cache.exists():
        return read_npz(cache, source="the Keras cache")
    return _download(looked_in=["MNIST_PATH (not set)", f"{cache} (no such file)"])


def _download(looked_in):
    import keras  # imported here so that reading a local file never starts TensorFlow

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # noqa: BLE001 - Keras raises a bare Exception when offline
        places = "\n".join(f"  - {place}" for place in looked_in)
        raise MnistDataError(
            f"MNIST was not found. Looked in:\n{places}\n"
            f"  - Keras download: failed ({type(error).__name__}: {error})\n"
            f"{HOW_TO_FIX}"
        ) from None


def read_npz(path, source="path"):
    """Read and check an ``.npz`` in Keras' MNIST layout; see ``load_mnist``."""
    path = Path(path).expanduser()
    where = f"{path} (from {source})"
    if not path.exists():
        raise MnistDataError(f"MNIST file {where} does not exist. {HOW_TO_FIX}")
    if path.is_dir():
        raise MnistDataError(
            f"MNIST file {where} is a folder, not a file. Point it at the mnist.npz file "
            f"itself (is {path / 'mnist.npz'} what you meant?)."
        )
    if path.stat().st_size == 0:
        raise MnistDataError(f"MNIST file {where} is empty (0 bytes). {HOW_TO_FIX}")
    try:
        with open(path, "rb") as handle:  # not by NumPy: closed whatever goes wrong
            loaded = np.load(handle, allow_pickle=False)
            if isinstance(loaded, np.ndarray):
                raise MnistDataError(
                    f"MNIST file {where} is a .npy file holding one array (shape "
                    f"{loaded.shape}, dtype {loaded.dtype}), not an .npz archive of the "
                    f"four arrays {', '.join(KEYS)}. {HOW_TO_FIX}"
                )
            with loaded as npz:
                missing = [key for key in KEYS if key not in npz.files]
                if missing:
                    raise MnistDataError(
                        f"MNIST file {where} lacks the key(s) {', '.join(missing)}; it "
                        f"has {', '.join(sorted(npz.files)) or 'no arrays'}. Expected "
                        f"Keras' layout with keys {', '.join(KEYS)}."
                    )
                arrays = {key: npz[key] for key in KEYS}
    except MnistDataError:
        raise
    except PermissionError:
        raise MnistDataError(
            f"MNIST file {where} cannot be read: permission denied. Give yourself read "
            f"access (`chmod u+r {path}`) or point MNIST_PATH at a copy you can read."
        ) from None
    except ValueError as error:
        if "Object arrays" not in str(error):  # not a zip, not .npy: NumPy tried pickle
            raise _unreadable(where, error) from None
        raise MnistDataError(
            f"MNIST file {where} holds arrays of Python objects, which are not unpickled "
            f"for safety ({error}). Keras' mnist.npz holds plain arrays. {HOW_TO_FIX}"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise _unreadable(where, error) from None
    check_arrays(arrays, where)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _unreadable(where, error):
    return MnistDataError(
        f"MNIST file {where} could not be read as an .npz archive; it is probably "
        f"truncated or not an .npz at all ({type(error).__name__}: {error}). "
        f"Replace it with a complete copy. {HOW_TO_FIX}"
    )


def check_arrays(arrays, where="MNIST"):
    """Raise ``MnistDataError`` unless the four arrays look like MNIST."""
    problems = []
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim == 0 or labels.ndim == 0:
            for name, array in ((f"x_{split}", images), (f"y_{split}", labels)):
                if array.ndim == 0:
                    problems.append(
                        f"{name} is a single value (a 0-d array), not an array"
                    )
            continue
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            problems.append(f"x_{split} has shape {images.shape}, expected (N, 28, 28)")
        if images.dtype != np.uint8:
            problems.append(
                f"x_{split} has dtype {images.dtype}, expected uint8 (0-255)"
            )
        if labels.ndim != 1:
            problems.append(f"y_{split} has shape {labels.shape}, expected (N,)")
        elif len(labels) != len(images):
            problems.append(
                f"y_{split} has {len(labels)} labels for {len(images)} images"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            problems.append(
                f"y_{split} has dtype {labels.dtype}, expected integer labels"
            )
        elif labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
            problems.append(
                f"y_{split} has labels from {labels.min()} to {labels.max()}, expected 0-9"
            )
    if problems:
        raise MnistDataError(
            f"MNIST file {where} is not in Keras' MNIST layout: "
            + "; ".join(problems)
            + "."
        )


def prepare_images(images):
    """uint8 images (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1], channels last."""
    images = np.asarray(images)
    return images.reshape(len(images), *IMAGE_SHAPE, 1).astype("float32") / 255.0


def one_hot(labels, num_classes=NUM_CLASSES):
    """Integer labels (N,) -> float32 one-hot rows (N, num_classes)."""
    labels = np.asarray(labels)
    return np.eye(num_classes, dtype="float32")[labels]


def load_prepared(path=None):
    """``(x_train, y_train), (x_test, y_test)`` prepared as every tutorial did: images
    float32 (N, 28, 28, 1) in [0, 1], labels one-hot (N, 10)."""
    (x_train, y_train), (x_test, y_test) = load_mnist(path)
    return (
        (prepare_images(x_train), one_hot(y_train)),
        (prepare_images(x_test), one_hot(y_test)),
    )
