"""Settings read from the environment: quick mode, the seed and where files go.

``MNIST_QUICK=1`` selects quick mode, which only trains less (fewer epochs on a subset of
the training images). Data shapes, model definitions and everything a checked notebook
cell prints stay the same, so the same notebooks serve as tests.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# T3 fixed NumPy's seed at 7; the whole series uses that one seed.
SEED = 7

QUICK_EPOCHS = 1
QUICK_TRAIN_SAMPLES = 2048

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def quick_mode() -> bool:
    """Return True when ``MNIST_QUICK`` asks for a quick run."""
    value = os.environ.get("MNIST_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"MNIST_QUICK={value!r} is not understood: set MNIST_QUICK=1 for a quick run, "
        "or MNIST_QUICK=0 (or leave it unset) for a full run."
    )


def mode() -> str:
    """``"quick"`` or ``"full"``, as recorded in the results files."""
    return "quick" if quick_mode() else "full"


def epochs(full_epochs: int) -> int:
    """The tutorial's epoch count in a full run, ``QUICK_EPOCHS`` in a quick run."""
    return min(full_epochs, QUICK_EPOCHS) if quick_mode() else full_epochs


def train_samples(n_available: int) -> int:
    """How many training images to train on: all of them, or a subset in quick mode."""
    return min(n_available, QUICK_TRAIN_SAMPLES) if quick_mode() else n_available


def artifacts_dir() -> Path:
    """Git-ignored folder for trained models and logs (created on use).

    Quick runs get their own subfolder, ``artifacts/quick``, so a quick run never replaces
    a model a full run trained.
    """
    path = Path(os.environ.get("MNIST_ARTIFACTS", ROOT / "artifacts"))
    if quick_mode():
        path = path / "quick"
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir() -> Path:
    """Where run records go: ``results/`` for full runs, ``artifacts/quick/results`` else.

    A quick run never writes into ``results/``, which holds the committed record of the
    last full run.
    """
    if quick_mode():
        path = artifacts_dir() / "results"
    else:
        path = Path(os.environ.get("MNIST_RESULTS", ROOT / "results"))
    path.mkdir(parents=True, exist_ok=True)
    return path
