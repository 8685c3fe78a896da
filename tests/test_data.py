"""Finding MNIST, refusing broken files with a clear message, preparing the arrays."""

import hashlib
import os
import re

import numpy as np
import pytest

from helpers import data
from tests.conftest import fake_mnist


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


# --- where MNIST is looked for ------------------------------------------------------


def test_mnist_path_setting_is_used_first(isolated, write_npz, monkeypatch):
    setting = write_npz("setting/mnist.npz", fake_mnist(n_train=7))
    cache = data.keras_cache_path()
    cache.parent.mkdir(parents=True)
    np.savez(cache, **fake_mnist(n_train=9))
    monkeypatch.setenv("MNIST_PATH", str(setting))
    (x_train, _), _ = data.load_mnist()
    assert len(x_train) == 7


def test_keras_cache_is_used_when_setting_is_absent(isolated):
    cache = data.keras_cache_path()
    assert str(cache).startswith(os.environ["HOME"])
    cache.parent.mkdir(parents=True)
    np.savez(cache, **fake_mnist(n_train=9))
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert (x_train.shape, y_train.shape, x_test.shape) == (
        (9, 28, 28),
        (9,),
        (6, 28, 28),
    )
    assert x_train.dtype == y_test.dtype == np.uint8


def test_download_is_the_last_resort(isolated, monkeypatch):
    import keras

    expected = ((np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8)),) * 2
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: expected)
    assert data.load_mnist() is expected


def test_missing_everywhere_lists_every_place_and_the_fix(isolated, monkeypatch):
    import keras

    def no_network():
        raise OSError("URL fetch failure: network is unreachable")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_network)
    with pytest.raises(data.MnistDataError) as error:
        data.load_mnist()
    message = str(error.value)
    assert "MNIST_PATH (not set)" in message
    assert str(data.keras_cache_path()) in message
    assert "Keras download: failed" in message and "network is unreachable" in message
    assert "export MNIST_PATH=" in message


def test_explicit_path_argument_beats_the_setting(isolated, write_npz, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(isolated / "nowhere.npz"))
    (x_train, _), _ = data.load_mnist(write_npz(arrays=fake_mnist(n_train=5)))
    assert len(x_train) == 5


# --- files that are not MNIST -------------------------------------------------------


def load_error(path, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(path))
    with pytest.raises(data.MnistDataError) as error:
        data.load_mnist()
    message = str(error.value)
    assert str(path) in message, "the message must name the file"
    return message


def test_setting_pointing_nowhere(isolated, monkeypatch):
    message = load_error(isolated / "missing.npz", monkeypatch)
    assert "does not exist" in message and "MNIST_PATH" in message


def test_setting_pointing_at_a_folder(isolated, monkeypatch):
    folder = isolated / "data"
    folder.mkdir()
    message = load_error(folder, monkeypatch)
    assert "is a folder" in message and "mnist.npz" in message


def test_empty_file(isolated, monkeypatch):
    empty = isolated / "mnist.npz"
    empty.write_bytes(b"")
    assert "is empty (0 bytes)" in load_error(empty, monkeypatch)


def test_truncated_file(isolated, write_npz, monkeypatch):
    path = write_npz()
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    message = load_error(path, monkeypatch)
    assert "truncated" in message and "could not be read as an .npz" in message


def test_not_an_npz_at_all(isolated, monkeypatch):
    path = isolated / "mnist.npz"
    path.write_text("<html>404 Not Found</html>")
    assert "could not be read as an .npz" in load_error(path, monkeypatch)


def test_missing_and_misnamed_keys(isolated, write_npz, monkeypatch):
    arrays = fake_mnist()
    arrays["X_test"] = arrays.pop("x_test")
    message = load_error(write_npz(arrays=arrays), monkeypatch)
    assert "lacks the key(s) x_test" in message and "X_test" in message


@pytest.mark.parametrize(
    "override, expected",
    [
        (
            {"x_train": np.zeros((12, 784), np.uint8)},
            "x_train has shape (12, 784), expected (N, 28, 28)",
        ),
        (
            {"x_test": np.zeros((6, 28, 28), np.float64)},
            "x_test has dtype float64, expected uint8",
        ),
        (
            {"y_train": np.full(12, 10, np.uint8)},
            "y_train has labels from 10 to 10, expected 0-9",
        ),
        (
            {"y_test": np.full(6, -1, np.int64)},
            "y_test has labels from -1 to -1, expected 0-9",
        ),
        ({"y_train": np.zeros(11, np.uint8)}, "y_train has 11 labels for 12 images"),
        (
            {"y_test": np.zeros(6, np.float32)},
            "y_test has dtype float32, expected integer labels",
        ),
        (
            {"y_train": np.zeros((12, 10), np.uint8)},
            "y_train has shape (12, 10), expected (N,)",
        ),
    ],
)
def test_wrong_shapes_dtypes_and_labels(
    isolated, write_npz, monkeypatch, override, expected
):
    message = load_error(write_npz(**override), monkeypatch)
    assert expected in message
    assert "not in Keras' MNIST layout" in message


def test_object_arrays_are_refused_not_unpickled(isolated, write_npz, monkeypatch):
    arrays = fake_mnist()
    arrays["y_test"] = np.array([object()] * 6)
    message = load_error(write_npz(arrays=arrays), monkeypatch)
    assert "arrays of Python objects" in message and "not unpickled" in message


def test_a_npy_file_is_named_as_such(isolated, monkeypatch):
    path = isolated / "mnist.npy"
    np.save(path, np.zeros((60000, 28, 28), np.uint8))
    message = load_error(path, monkeypatch)
    assert "is a .npy file holding one array (shape (60000, 28, 28)" in message
    assert "not an .npz archive" in message and "MNIST_PATH" in message


@pytest.mark.parametrize("key", ["x_train", "y_test"])
def test_zero_dimensional_arrays(isolated, write_npz, monkeypatch, key):
    message = load_error(write_npz(**{key: np.array(3, np.uint8)}), monkeypatch)
    assert f"{key} is a single value (a 0-d array)" in message


def test_permission_denied_is_not_called_truncated(isolated, write_npz, monkeypatch):
    path = write_npz()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data.np, "load", refuse)
    message = load_error(path, monkeypatch)
    assert "permission denied" in message and "chmod u+r" in message
    assert "truncated" not in message


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads files whatever their permissions",
)
def test_permission_denied_on_a_real_file(isolated, write_npz, monkeypatch):
    path = write_npz()
    path.chmod(0)
    try:
        assert "permission denied" in load_error(path, monkeypatch)
    finally:
        path.chmod(0o644)


def test_empty_setting_is_an_error_not_ignored(isolated, write_npz, monkeypatch):
    cache = data.keras_cache_path()
    cache.parent.mkdir(parents=True)
    np.savez(cache, **fake_mnist())  # a cache that must not be used silently
    monkeypatch.setenv("MNIST_PATH", "  ")
    with pytest.raises(data.MnistDataError) as error:
        data.load_mnist()
    assert "MNIST_PATH is set but empty" in str(error.value)
    assert "unset MNIST_PATH" in str(error.value)


def test_a_users_file_is_never_modified(isolated, write_npz, monkeypatch):
    good = write_npz("good.npz")
    bad = write_npz("bad.npz", x_train=np.zeros((12, 784), np.uint8))
    before = {path: digest(path) for path in (good, bad)}
    data.load_mnist(good)
    with pytest.raises(data.MnistDataError):
        data.load_mnist(bad)
    assert {path: digest(path) for path in (good, bad)} == before
    assert sorted(p.name for p in isolated.iterdir()) == ["bad.npz", "good.npz", "home"]


@pytest.mark.skipif(
    not os.environ.get("MNIST_PATH"), reason="needs the real MNIST (MNIST_PATH)"
)
def test_the_real_mnist(monkeypatch):
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (60000, 28, 28),
        (60000,),
        (10000, 28, 28),
        (10000,),
    )
    assert np.bincount(y_train).tolist()[:2] == [5923, 6742]


# --- preparation ------------------------------------------------------------------


def test_prepare_images_shape_dtype_range():
    images = fake_mnist()["x_train"]
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    prepared = data.prepare_images(images)
    assert prepared.shape == (12, 28, 28, 1) and prepared.dtype == np.float32
    assert prepared.min() == 0.0 and prepared.max() == 1.0
    np.testing.assert_allclose(prepared[..., 0] * 255, images, atol=1e-4)


def test_one_hot():
    encoded = data.one_hot(np.array([5, 0, 9], np.uint8))
    assert encoded.shape == (3, 10) and encoded.dtype == np.float32
    assert encoded.argmax(axis=1).tolist() == [5, 0, 9]
    assert encoded.sum(axis=1).tolist() == [1.0, 1.0, 1.0]


def test_load_prepared(isolated, write_npz):
    (x_train, y_train), (x_test, y_test) = data.load_prepared(write_npz())
    assert x_train.shape == (12, 28, 28, 1) and y_train.shape == (12, 10)
    assert x_test.shape == (6, 28, 28, 1) and y_test.shape == (6, 10)


def test_error_messages_say_how_to_fix(isolated, monkeypatch):
    message = load_error(isolated / "missing.npz", monkeypatch)
    assert re.search(r"export MNIST_PATH=|~/.keras/datasets/mnist.npz", message)
