"""Shared fixtures: small fake MNIST files, an isolated HOME and clean settings."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def fake_mnist(n_train=12, n_test=6, seed=0):
    """Arrays in Keras' MNIST layout, small enough for unit tests."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No MNIST_PATH, an empty HOME, no quick mode: each test sets what it needs."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.delenv("MNIST_QUICK", raising=False)
    return tmp_path


@pytest.fixture
def write_npz(tmp_path):
    """Write arrays to an .npz under tmp_path and return its path."""

    def write(name="mnist.npz", arrays=None, **overrides):
        arrays = {**(arrays or fake_mnist()), **overrides}
        arrays = {key: value for key, value in arrays.items() if value is not None}
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **arrays)
        return path

    return write
