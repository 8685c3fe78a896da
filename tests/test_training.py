"""Seeded training is repeatable; the input pipeline and augmentation behave."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers import augment, config, provenance, results, training
from tools.fit import fit


def small_model():
    """A small CNN (T3's larger model's layout) for training tests."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(30, (5, 5), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(15, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(50, activation="relu"),
            layers.Dense(10, activation="softmax", dtype="float32"),
        ]
    )


def small_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]
    return x, y


def train_once(augmented=False, precision="float32"):
    training.setup(precision=precision)
    augment_layer = augment.t4_augmentation() if augmented else None
    model = small_model()
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    x, y = small_data()
    history = fit(
        model,
        x,
        y,
        epochs=2,
        batch_size=64,
        validation_data=small_data(64, 1),
        augment=augment_layer,
        verbose=0,
    )
    logs = {k: v for k, v in history.history.items() if k != "seconds"}  # wall clock
    return logs, [w.copy() for w in model.get_weights()]


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_same_seed_same_numbers(precision):
    first_logs, first_weights = train_once(precision=precision)
    second_logs, second_weights = train_once(precision=precision)
    assert first_logs == second_logs
    assert all(np.array_equal(a, b) for a, b in zip(first_weights, second_weights))


def test_same_seed_same_numbers_with_augmentation():
    first_logs, first_weights = train_once(augmented=True, precision="mixed_bfloat16")
    second_logs, second_weights = train_once(augmented=True, precision="mixed_bfloat16")
    assert first_logs == second_logs
    assert all(np.array_equal(a, b) for a, b in zip(first_weights, second_weights))


def test_another_seed_other_numbers():
    _, seed7 = train_once()
    training.setup(seed=8, precision="float32")
    assert not np.array_equal(seed7[0], small_model().get_weights()[0])


def test_fit_trains_on_a_subset_in_quick_mode(monkeypatch):
    monkeypatch.setenv("MNIST_QUICK", "1")
    monkeypatch.setattr(config, "QUICK_TRAIN_SAMPLES", 128)
    training.setup(precision="float32")
    model = small_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    x, y = small_data(512)
    fit(model, x, y, epochs=1, batch_size=64, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 128 // 64


def test_fit_with_augmentation_takes_one_pass_per_epoch():
    training.setup(precision="float32")
    model = small_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    x, y = small_data(1100)
    history = fit(
        model,
        x,
        y,
        epochs=2,
        batch_size=64,
        verbose=0,
        augment=augment.t4_augmentation(),
    )
    assert len(history.epoch) == 2
    assert (
        int(model.optimizer.iterations.numpy()) == 2 * 18
    )  # ceil(1100 / 64) per epoch


def test_validation_covers_every_example_whatever_the_batch_size():
    # Validation runs in EVALUATION_BATCH_SIZE batches; 1,234 examples leave a remainder.
    training.setup(precision="float32")
    model = small_model()
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    x, y = small_data(256)
    x_val, y_val = small_data(1234, seed=1)
    history = fit(
        model, x, y, epochs=1, batch_size=32, validation_data=(x_val, y_val), verbose=0
    )
    # Validation happens after the epoch's last step, so it saw these very weights.
    expected = training.evaluate(model, x_val, y_val, batch_size=len(x_val))
    assert history.history["val_loss"][0] == pytest.approx(expected["loss"], rel=1e-5)
    assert history.history["val_accuracy"][0] == pytest.approx(expected["accuracy"])


def test_dataset_reshuffles_every_epoch_and_keeps_every_example():
    x = np.arange(10, dtype=np.float32)[:, None]
    dataset = training.make_dataset(x, x, batch_size=4, shuffle=True)
    first = np.concatenate([batch[0].numpy() for batch in dataset]).ravel()
    second = np.concatenate([batch[0].numpy() for batch in dataset]).ravel()
    assert sorted(first) == sorted(second) == list(range(10))
    assert first.tolist() != second.tolist()


class OrderSpy(keras.Model):
    """Trains nothing; records the order in which ``fit`` hands it the examples (each
    example's input is its own index)."""

    def __init__(self, n):
        inputs = keras.Input((1,))
        super().__init__(inputs, layers.Dense(1)(inputs))
        self.seen = tf.Variable(tf.zeros(n, "int64"))
        self.position = tf.Variable(0, dtype="int64")

    def train_step(self, data):
        batch = tf.cast(tf.reshape(data[0], [-1]), "int64")
        size = tf.size(batch, out_type="int64")
        self.seen.scatter_nd_update(
            tf.range(self.position, self.position + size)[:, None]
            % tf.size(self.seen, out_type="int64"),
            batch,
        )
        self.position.assign_add(size)
        return {"examples": tf.cast(self.position, "float32")}


def epoch_orders(n, epochs, fit):
    """The order of the ``n`` examples in each of ``epochs`` epochs of
    ``fit(spy, x, y, epochs, callbacks)``, seeded as the notebooks seed
    (``keras.utils.set_random_seed``)."""
    keras.utils.set_random_seed(config.SEED)
    x = np.arange(n, dtype="float32")[:, None]
    spy = OrderSpy(n)
    spy.compile(loss="mse", steps_per_execution=2)
    orders = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda *_: orders.append(spy.seen.numpy().tolist())
    )
    fit(spy, x, np.zeros_like(x), epochs, [record])
    return orders


def test_train_batches_give_fit_a_fresh_order_every_epoch():
    def fit(model, x, y, epochs, callbacks):
        data = training.make_dataset(x, y, batch_size=4, shuffle=True)
        model.fit(data, epochs=epochs, shuffle=False, callbacks=callbacks, verbose=0)

    orders = epoch_orders(12, 3, fit)
    assert all(sorted(order) == list(range(12)) for order in orders)
    assert len({tuple(order) for order in orders}) == 3, orders


def test_keras_fit_on_arrays_repeats_its_order_when_seeded():
    """Why the notebooks do not use the tutorials' ``model.fit(x, y, batch_size)``.

    If this fails, Keras reshuffles arrays every epoch again under a fixed seed: the
    notebooks could then use the tutorials' own line (see ``helpers/training.py``).
    """

    def fit(model, x, y, epochs, callbacks):
        model.fit(
            x,
            y,
            batch_size=4,
            epochs=epochs,
            shuffle=True,
            callbacks=callbacks,
            verbose=0,
        )

    orders = epoch_orders(12, 3, fit)
    assert sorted(orders[0]) == list(range(12))
    assert orders[0] != list(range(12))  # it does shuffle, once
    assert orders[0] == orders[1] == orders[2]


def test_augmentation_is_reproducible_and_varies_per_batch():
    x, y = small_data(128)
    layer = augment.t4_augmentation()

    def two_passes():
        data = training.make_dataset(x, y, batch_size=64, augment=layer)
        return [batch[0].numpy() for batch in data.take(4)]  # it repeats forever

    first, second = two_passes(), two_passes()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[0], x[:64])
    # The second pass over the same images gets other transforms.
    assert not np.array_equal(first[0], first[2])


def test_augmentation_stays_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        layer = augment.t4_augmentation()
        x, _ = small_data(2)
        assert layer.compute_dtype == "float32"
        assert layer(x, seed=tf.constant([1, 2])).dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_random_affine_with_zero_ranges_is_the_identity():
    x, _ = small_data(4)
    layer = augment.RandomAffine(0.0, 0.0, 0.0, 0.0)
    np.testing.assert_allclose(layer(x, seed=tf.constant([1, 2])), x, atol=1e-6)
    assert np.array_equal(layer(x, training=False), x)


def test_random_affine_stays_within_its_ranges():
    layer = augment.RandomAffine(8.0, 0.08, 0.0, 0.08)
    matrices = layer.random_matrices(
        tf.constant([5000, 28, 28, 1]), tf.constant([3, 4])
    ).numpy()
    # Without shear, |det| = zoom_x * zoom_y, within 0.92^2 .. 1.08^2.
    det = matrices[:, 0] * matrices[:, 4] - matrices[:, 1] * matrices[:, 3]
    assert 0.92**2 - 1e-3 < det.min() and det.max() < 1.08**2 + 1e-3
    angle = np.degrees(np.arctan2(matrices[:, 3], matrices[:, 0]))
    assert np.abs(angle).max() <= 8.0 + 1e-3 and np.abs(angle).max() > 7.0


def test_strategy_trains_and_returns_the_weights():
    training.setup(precision="float32")
    model = small_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    before = model.get_weights()[0].copy()
    x, y = small_data(128)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    history = fit(model, x, y, epochs=1, batch_size=64, strategy=strategy, verbose=0)
    assert len(history.epoch) == 1
    assert not np.array_equal(before, model.get_weights()[0])


def test_strategy_needs_a_compiled_model():
    with pytest.raises(ValueError, match="Compile the model"):
        fit(
            small_model(),
            *small_data(64),
            epochs=1,
            batch_size=64,
            strategy=tf.distribute.get_strategy(),
            verbose=0,
        )


def test_precision_setting(monkeypatch):
    monkeypatch.setenv("MNIST_PRECISION", "float32")
    assert training.best_precision() == "float32"
    monkeypatch.setenv("MNIST_PRECISION", "mixed_bfloat16")
    assert training.choose_precision() == "mixed_bfloat16"
    monkeypatch.setenv("MNIST_PRECISION", "float16")
    for choose in (training.best_precision, training.choose_precision):
        with pytest.raises(
            ValueError, match="MNIST_PRECISION='float16' is not supported"
        ):
            choose()


def test_a_notebooks_precision_line(monkeypatch):
    monkeypatch.delenv("MNIST_PRECISION", raising=False)
    assert training.choose_precision("float32") == "float32"
    assert training.choose_precision("mixed_bfloat16") == "mixed_bfloat16"
    monkeypatch.setenv("MNIST_PRECISION", "mixed_bfloat16")  # overrides, as MNIST_QUICK
    assert training.choose_precision("float32") == "mixed_bfloat16"
    with pytest.raises(ValueError, match="precision='bf16' is not a precision"):
        training.choose_precision("bf16")


@pytest.mark.parametrize("native_bf16", [True, False])
def test_the_notebooks_precision_does_not_depend_on_the_cpu(monkeypatch, native_bf16):
    # The reproductions train the same arithmetic on every CPU: float32, as the
    # tutorials did. Only notebook 09 and the benchmarks ask for the fastest.
    monkeypatch.delenv("MNIST_PRECISION", raising=False)
    monkeypatch.setattr(training, "_cpu_has_native_bf16", lambda: native_bf16)
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda *kind: [])
    assert training.best_precision() == ("mixed_bfloat16" if native_bf16 else "float32")
    try:
        run = training.setup()
        assert run.precision == "float32" and run.provenance()["precision"] == "float32"
        assert keras.mixed_precision.global_policy().name == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse2 avx fma avx2 {extra}
"""


@pytest.mark.parametrize(
    "extra, extension",
    [("", "AVX2"), ("avx512f", "AVX-512"), ("avx512f avx512_bf16", "AVX-512 BF16")],
)
def test_cpu_name_tells_apart_the_machine_kinds(extra, extension):
    # The same model name came with and without AVX-512 BF16: records must say which.
    name = provenance.cpu(CPUINFO.format(extra=extra))["machine"]
    assert name == f"AMD EPYC, {os.cpu_count()} cores, {extension}"


def test_record_writes_the_agreed_keys(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_QUICK", "1")
    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path))
    run = training.setup(precision="float32")
    model = small_model()
    model.compile(
        loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    x, y = small_data(64)
    history = fit(model, x, y, epochs=2, batch_size=32, verbose=0)
    test = model.evaluate(x, y, return_dict=True, verbose=0)
    written = results.record(
        run, "T3b", model, history, test, training.eval_batches(x, y), batch_size=32
    )
    on_disk = json.loads((tmp_path / "quick" / "results" / "T3b.json").read_text())
    assert on_disk == written
    assert results.REQUIRED_KEYS <= set(on_disk)
    assert on_disk["provenance"]["mode"] == "quick" and on_disk["params"] == 59_933
    # The epoch timer's seconds reached the record through the history.
    assert on_disk["epochs"] == 2 and len(history.history["seconds"]) == 2
    assert on_disk["train_seconds"] == round(sum(history.history["seconds"]), 1) > 0
    # One call: the predictions beside the record, the model in artifacts/.
    assert on_disk["predictions"]["run_id"] == run.id
    assert (tmp_path / "quick" / "T3b.keras").exists()


def test_reproduction_rule():
    assert results.reproduces("T1", 0.9904 - 0.0025)
    assert not results.reproduces("T1", 0.9904 - 0.0026)


def teardown_module():
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.skipif(not os.environ.get("MNIST_PATH"), reason="needs MNIST (MNIST_PATH)")
@pytest.mark.parametrize("learning_rate, expected", [(1e-3, True), (0.0, False)])
def test_the_learned_check_fails_when_training_is_broken(learning_rate, expected):
    """The notebooks' `learned:` lines: a quick run clears the floor, a broken one not."""
    from helpers import data

    training.setup(precision="float32")
    (x_train, y_train), (x_test, y_test) = data.load_prepared()
    model = small_model()
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate),
        metrics=["accuracy"],
    )
    n = config.QUICK_TRAIN_SAMPLES
    model.fit(x_train[:n], y_train[:n], batch_size=200, epochs=1, verbose=0)
    test = model.evaluate(
        training.eval_batches(x_test, y_test), return_dict=True, verbose=0
    )
    assert training.learned(test["accuracy"]) is expected


def test_fresh_copy_keeps_architecture_and_compile_but_not_weights(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        keras.utils.set_random_seed(1)
        model = small_model()
        model.compile(
            loss="categorical_crossentropy",
            optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
            metrics=["accuracy"],
            steps_per_execution=4,
        )
        model.save(tmp_path / "saved.keras")
        keras.mixed_precision.set_global_policy(
            "float32"
        )  # e.g. the benchmark's plain way
        copy = training.fresh_copy(tmp_path / "saved.keras")
        assert [type(a) for a in copy.layers] == [type(b) for b in model.layers]
        assert copy.count_params() == model.count_params()
        assert not np.array_equal(copy.get_weights()[0], model.get_weights()[0])
        assert copy.optimizer.get_config()["momentum"] == 0.9
        assert copy.layers[0].compute_dtype == "float32"  # today's policy
        assert copy.layers[-1].dtype_policy.name == "float32"  # the pinned softmax
    finally:
        keras.mixed_precision.set_global_policy("float32")
    with pytest.raises(FileNotFoundError, match="run the notebook that saves it"):
        training.fresh_copy(tmp_path / "missing.keras")


def test_expected_time_names_the_run_it_comes_from(monkeypatch, tmp_path):
    """The forecast printed before a training cell says which earlier run measured it:
    in a saved notebook, "the committed run" would be read as the run below it."""
    monkeypatch.setattr(config, "ROOT", tmp_path)
    (tmp_path / "results").mkdir()
    record = {
        "id": "T1",
        "mode": "full",
        "epochs": 12,
        "train_seconds": 600.0,
        "seconds_per_epoch": 50.0,
        "provenance": {"machine": "CPU X, 2 cores, AVX2", "date": "2026-01-02"},
    }
    (tmp_path / "results" / "T1.json").write_text(json.dumps(record))
    text = training.expected_time("T1")
    assert text.startswith(
        "Full run: 12 epochs, about 10 min on CPU X, 2 cores, AVX2 (50 s"
    )
    assert "measured in the full run of 2026-01-02 committed before this one" in text
    del record["provenance"]
    (tmp_path / "results" / "T1.json").write_text(json.dumps(record))
    assert "about 10 min on a 2-core CPU" in training.expected_time("T1")
