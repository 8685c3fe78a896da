"""Settings: quick or full run, the seed and where files go.

A quick run (``RUN = "quick"`` or ``MNIST_QUICK=1``) only trains less (fewer epochs, a
subset of the training images); data shapes, models and everything a checked cell prints
stay the same, so the same notebooks serve as tests."""

import os
from pathlib import Path


def _root() -> Path:
    """The checkout this package sits in; for a ``pip install .`` copy (a notebook run
    outside the repository) the working directory, so ``artifacts/`` and ``results/``
    land beside the notebook, not in site-packages."""
    package_parent = Path(__file__).resolve().parent.parent
    in_checkout = (package_parent / "notebooks").is_dir()
    return package_parent if in_checkout else Path.cwd()


ROOT = _root()

# T3 fixed NumPy's seed at 7; the whole series uses that one seed. `make seeds` re-runs
# the tutorial notebooks with others through MNIST_SEED (see tools/seeds.py).
DEFAULT_SEED = 7


def _seed_from_environment() -> int:
    value = os.environ.get("MNIST_SEED", "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"MNIST_SEED={value!r} is not a whole number: set e.g. MNIST_SEED=8, "
            f"or leave it unset for the series' seed {DEFAULT_SEED}."
        ) from None


SEED = _seed_from_environment()

QUICK_EPOCHS = 1
QUICK_TRAIN_SAMPLES = 2048

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


RUNS = ("full", "quick")
_chosen_run = None  # what a notebook's RUN setting chose, if it chose


def choose_run(run: str) -> str:
    """Apply a notebook's ``RUN`` (``"full"`` or ``"quick"``); returns the run that
    applies. ``MNIST_QUICK`` (set by CI and the Makefile) overrides it, so one notebook
    serves a learner, ``make notebooks`` and the tests."""
    global _chosen_run
    if run not in RUNS:
        raise ValueError(f"RUN = {run!r} is not a run: choose 'full' or 'quick'.")
    _chosen_run = run
    return mode()


def quick_mode() -> bool:
    """True for a quick run: ``MNIST_QUICK=1``, else a notebook's ``RUN = "quick"``."""
    value = os.environ.get("MNIST_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE - {""}:
        return False
    if value:
        raise ValueError(
            f"MNIST_QUICK={value!r} is not understood: set MNIST_QUICK=1 for a quick run, "
            "or MNIST_QUICK=0 for a full run (unset: the notebook's RUN setting decides)."
        )
    return _chosen_run == "quick"


def mode() -> str:
    """``"quick"`` or ``"full"``, as recorded in the results files."""
    return "quick" if quick_mode() else "full"


def epochs(full_epochs: int, quick: int = QUICK_EPOCHS) -> int:
    """The tutorial's epoch count in a full run, ``quick`` in a quick run."""
    return min(full_epochs, quick) if quick_mode() else full_epochs


def train_samples(n_available: int) -> int:
    """How many training images to train on: all of them, or a subset in quick mode."""
    return min(n_available, QUICK_TRAIN_SAMPLES) if quick_mode() else n_available


def artifacts_dir(run=None) -> Path:
    """Git-ignored folder for models and logs (created on use): ``artifacts/quick`` in a
    quick run, so it never replaces a full run's model. ``run="full"``/``"quick"`` picks
    that run's folder always (notebook 08 wants full-run models even in quick runs)."""
    if run is not None and run not in RUNS:
        raise ValueError(f"run={run!r} is not a run: choose 'full' or 'quick'.")
    path = _artifacts_root()
    if (run == "quick") if run is not None else quick_mode():
        path = path / "quick"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _artifacts_root() -> Path:
    return Path(os.environ.get("MNIST_ARTIFACTS", ROOT / "artifacts"))


def results_dir() -> Path:
    """Where run records go: ``results/`` (the committed record of the last full run) in
    a full run; ``artifacts/quick/results`` in a quick run, which never writes there."""
    if quick_mode():
        path = artifacts_dir() / "results"
    else:
        path = Path(os.environ.get("MNIST_RESULTS", ROOT / "results"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def native_logs_to_file(path=None) -> Path | None:
    """In Jupyter, send what C++ libraries print to ``artifacts/native.log`` (file
    descriptor 2), not the notebook: TensorFlow 2.21's C++ runtime writes notes and
    warnings straight to standard error, regardless of ``TF_CPP_MIN_LOG_LEVEL``, and
    Jupyter shows each as a red box. Python's warnings and tracebacks still reach the
    notebook (Jupyter sends ``sys.stderr`` there directly). ``training.setup()`` calls it.
    Returns the log's path, or None outside a kernel, where nothing changes."""
    import sys

    if "ipykernel" not in sys.modules:
        return None
    if path is None:
        _artifacts_root().mkdir(parents=True, exist_ok=True)
        path = _artifacts_root() / "native.log"  # quick and full runs alike
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 2)
    os.close(log)
    return path
