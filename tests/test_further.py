"""Notebook 07's recipe: the validation split, the schedule, early stopping."""

import itertools

import keras
import numpy as np

from helpers import further, provenance
from tools import ensemble


def test_validation_split_is_disjoint_fixed_and_the_right_size():
    x = np.arange(100).reshape(100, 1)
    y = np.arange(100) % 10
    (x_fit, y_fit), (x_val, y_val) = further.validation_split(x, y, size=20)
    assert len(x_val) == len(y_val) == 20 and len(x_fit) == len(y_fit) == 80
    assert not set(x_fit.ravel()) & set(x_val.ravel())
    assert sorted(np.concatenate([x_fit, x_val]).ravel()) == list(range(100))
    # Labels travel with their images.
    assert (y_val == x_val.ravel() % 10).all() and (y_fit == x_fit.ravel() % 10).all()
    (_, _), (again, _) = further.validation_split(x, y, size=20)
    assert (again == x_val).all()


def test_learning_rate_decays_from_adams_default_to_a_small_rate():
    rates = [further.learning_rate(epoch) for epoch in range(further.MAX_EPOCHS)]
    assert rates[0] == further.INITIAL_LR == 1e-3
    assert all(later < earlier for earlier, later in itertools.pairwise(rates))
    assert 2e-5 < rates[-1] < 1e-4


def test_early_stopping_watches_validation_loss_and_restores_the_best_weights():
    stopping = [
        c for c in further.callbacks() if isinstance(c, keras.callbacks.EarlyStopping)
    ]
    assert len(stopping) == 1
    assert stopping[0].monitor == "val_loss"
    assert stopping[0].patience == further.PATIENCE >= 8
    assert stopping[0].restore_best_weights


def test_ensemble_members_do_not_reuse_the_notebooks_seed():
    assert further.SEEDS_FOR_ENSEMBLE
    assert 7 not in further.SEEDS_FOR_ENSEMBLE
    assert len(set(further.SEEDS_FOR_ENSEMBLE)) == len(further.SEEDS_FOR_ENSEMBLE)


def test_a_member_is_trained_again_unless_its_record_matches_mode_and_precision(
    monkeypatch,
):
    from helpers import training

    monkeypatch.delenv("MNIST_PRECISION", raising=False)
    monkeypatch.setattr(training, "_cpu_has_native_bf16", lambda: True)  # no matter
    block = {"seed": 8, "mode": "full", "precision": "float32"}
    record = {"provenance": block}
    monkeypatch.setenv("MNIST_QUICK", "0")
    assert further.is_current(record, "float32")
    assert not further.is_current(record, "mixed_bfloat16")
    assert not further.is_current(None, "float32")
    assert not further.is_current(
        {"provenance": {**block, "precision": "mixed_bfloat16"}}, "float32"
    )
    assert not further.is_current(
        {"provenance": {"seed": 8, "mode": "full"}}, "float32"
    )
    monkeypatch.setenv("MNIST_QUICK", "1")
    assert not further.is_current(record, "float32")


def _tiny_member(seed):
    """A trained-looking member: a small model, a one-epoch history, its predictions."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    history = keras.callbacks.History()
    history.epoch, history.history = [0, 1], {"seconds": [6.0, 6.3]}
    probabilities = np.random.default_rng(seed).dirichlet(np.ones(10), size=10000)
    return model, history, probabilities


def test_members_accumulate_one_by_one_with_their_predictions(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("MNIST_QUICK", "1")
    folder = tmp_path / "results"
    folder.mkdir()
    saved = {}
    for seed, accuracy in [(7, 0.99), (8, 0.98), (7, 0.97)]:  # seed 7 trained again
        model, history, saved[seed] = _tiny_member(seed * 10 + int(accuracy * 100))
        further.save_member(
            provenance.start("float32", seed, "quick"),
            model,
            history,
            {"accuracy": accuracy, "loss": 0.1},
            saved[seed],
            folder=folder,
        )
    records = further.member_records(folder)
    assert sorted(records) == [7, 8]
    assert records[7]["test_accuracy"] == 0.97 and records[8]["test_accuracy"] == 0.98
    assert records[8]["provenance"]["seed"] == 8 and records[8]["provenance"]["machine"]
    assert records[8]["train_seconds"] == 12.3  # the epochs' seconds in its history
    assert further.member_path(8).exists()  # the model file, for notebook 08
    for seed in (7, 8):
        stored = further.member_predictions(seed, folder)
        assert np.abs(stored - saved[seed]).max() < 1 / 255
        assert (stored.argmax(1) == saved[seed].argmax(1)).all()


def test_a_damaged_member_says_which_file_and_what_to_do(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("MNIST_QUICK", "1")
    folder = tmp_path / "results"
    folder.mkdir()
    model, history, probabilities = _tiny_member(8)
    further.save_member(
        provenance.start("float32", 8, "quick"),
        model,
        history,
        {"accuracy": 0.9, "loss": 0.3},
        probabilities,
        folder=folder,
    )
    with pytest.raises(FileNotFoundError, match="seed 9.*no record.*--seeds 9"):
        further.member_predictions(9, folder)
    (folder / "predictions" / "ours_seed8.npy.gz").write_bytes(b"truncated")
    with pytest.raises(ValueError, match="ours_seed8.npy.gz is not the one its record"):
        further.member_predictions(8, folder)
    further.members_path(folder).write_text("{not json")
    with pytest.raises(ValueError, match="ours_members.json is not a members file"):
        further.member_records(folder)


def test_members_take_07s_architecture_from_its_full_or_its_quick_run(
    tmp_path, monkeypatch
):
    import pytest

    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("MNIST_QUICK", "0")
    with pytest.raises(FileNotFoundError, match="a quick run is enough"):
        ensemble.architecture_file()
    quick = tmp_path / "artifacts" / "quick" / "ours_seed7.keras"
    quick.write_bytes(b"")  # only its existence is looked at here
    assert ensemble.architecture_file() == quick
    full = tmp_path / "artifacts" / "ours_seed7.keras"
    full.write_bytes(b"")
    assert ensemble.architecture_file() == full  # the full run's, where there is one
