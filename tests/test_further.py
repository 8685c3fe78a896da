"""Notebook 07's recipe: the validation split, the schedule, early stopping."""

import itertools

import keras
import numpy as np

from helpers import further


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
    record = {"seed": 8, "mode": "full", "precision": "float32"}
    monkeypatch.setenv("MNIST_QUICK", "0")
    assert further.is_current(record)
    assert not further.is_current(None)
    assert not further.is_current({**record, "precision": "mixed_bfloat16"})
    assert not further.is_current({k: v for k, v in record.items() if k != "precision"})
    monkeypatch.setenv("MNIST_QUICK", "1")
    assert not further.is_current(record)
