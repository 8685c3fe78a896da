"""The speed benchmark's bookkeeping, without timing anything: the order it measures in,
and how it tells two ways apart (benchmarks/train_speed.py)."""

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def train_speed():
    spec = importlib.util.spec_from_file_location(
        "train_speed", ROOT / "benchmarks" / "train_speed.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_model_every_way_once_per_round(monkeypatch, tmp_path):
    bench = train_speed()
    calls = []

    def child(model_id, way, args, env):
        calls.append((model_id, way))
        return {
            "s_per_epoch": 10.0 + len(calls),
            "cpu_s_per_epoch": 20.0 + len(calls),
            "peak_memory_mb": 100.0,
            "precision": "float32",
            "traced_while_timed": 0,
            "timed_examples": 59392,
        }

    monkeypatch.setattr(bench, "_child", child)
    out = tmp_path / "benchmark.json"
    argv = [
        "train_speed.py",
        "--models",
        "T1",
        "T5",
        "--repeats",
        "2",
        "--out",
        str(out),
    ]
    monkeypatch.setattr(sys, "argv", argv)
    bench.main()
    one_round = [(m, w) for m in ("T1", "T5") for w in bench.WAYS]
    assert calls == one_round * 2  # interleaved: A B A B, not A A B B
    report = json.loads(out.read_text())
    assert report["statistic"] == "median" and report["repeats"] == 2
    t1 = report["T1"]
    assert t1["plain_runs_s_per_epoch"] == [11.0, 19.0]  # round 1, then round 2
    assert t1["plain_s_per_epoch"] == 15.0  # their median
    assert t1["plain_range_s_per_epoch"] == [11.0, 19.0]
    assert t1["plain_cpu_runs_s_per_epoch"] == [21.0, 29.0]  # CPU time kept beside wall
    assert report["minutes"] >= 0  # the run's duration, recorded
    cpu_rows = [r for r in bench.markdown(report).splitlines() if r.startswith("| T1")]
    assert cpu_rows[1].startswith("| T1 | 25.00 [21.00-29.00]")  # the CPU-time table
    # cores busy, plain / project / compute: the median of CPU over wall, run by run
    busy = [(21 / 11 + 29 / 19) / 2, (23 / 13 + 31 / 21) / 2, (24 / 14 + 32 / 22) / 2]
    assert cpu_rows[1].endswith(" | " + " / ".join(f"{b:.1f}" for b in busy) + " |")


def test_overlapping_ways_are_not_distinguishable():
    bench = train_speed()
    runs = {
        "plain": [10.0, 11.0, 14.0],
        "plain_bf16": [10.5, 11.5, 12.0],
        "project": [9.0, 9.5, 10.5],  # overlaps plain: no ratio
        "compute": [5.0, 5.1, 5.3],  # clear of project: a ratio
    }
    report = {
        "machine": "a test CPU",
        "statistic": "median",
        "T3a": {
            **{f"{w}_runs_s_per_epoch": t for w, t in runs.items()},
            **{f"{w}_peak_memory_mb": 1 for w in runs},
            "precision": {w: "float32" for w in runs},
        },
    }
    table = bench.markdown(report)
    (row,) = [line for line in table.splitlines() if line.startswith("| T3a")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[3] == "9.50 [9.00-10.50]"  # project: median [fastest-slowest]
    assert cells[7] == "not distinguishable"  # speedup vs plain
    assert cells[8] == "1.86"  # project / compute: 9.5 / 5.1
    assert bench.distinct(runs["project"], runs["compute"])
    assert not bench.distinct(runs["plain"], runs["project"])


def test_the_floor_of_an_augmented_model_augments_every_batch():
    """The compute floor of T4, T4blog and ours includes their augmentation: work their
    training must do (a counter in the graph counts the batches it transformed)."""
    import keras
    import numpy as np
    import tensorflow as tf

    bench = train_speed()
    counter = tf.Variable(0, dtype="int64")

    def augment(images, seed):
        counter.assign_add(1)
        return images + tf.cast(seed[1] * 0, images.dtype)  # seed: (base, step number)

    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1), dtype="float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, 64)]
    before = model.get_weights()[0].copy()
    bench._compute_only(model, x, y, 16, augment=augment)(64)
    assert int(counter.numpy()) == 4  # every one of the 4 batches
    assert not np.allclose(before, model.get_weights()[0])  # and it trained
    bench._compute_only(model, x, y, 16)(64)
    assert int(counter.numpy()) == 4  # no augmentation where none is given


def test_the_goal_is_told_only_where_every_run_agrees():
    bench = train_speed()

    def row(project, compute):
        return {
            "project_cpu_runs_s_per_epoch": project,
            "compute_cpu_runs_s_per_epoch": compute,
        }

    assert bench.goal_verdict(row([10.4, 10.9], [10.0, 10.2])) == "met"  # 10.9 <= 11.0
    assert (
        bench.goal_verdict(row([11.3, 12.0], [10.0, 10.2])) == "missed"
    )  # 11.3 > 11.22
    assert bench.goal_verdict(row([10.5, 11.5], [10.0, 10.2])) == "not told"
    wall = {
        "project_runs_s_per_epoch": [12.0, 13.0],
        "compute_runs_s_per_epoch": [10.0],
    }
    assert bench.goal_verdict(wall, cpu=False) == "missed"  # wall seconds when asked


def test_the_probe_keeps_every_run_and_names_the_precision_trained_in(
    monkeypatch, tmp_path
):
    bench = train_speed()
    calls = []

    def child(model_id, way, args, env):
        calls.append(way)
        return {"s_per_epoch": 4.0 + len(calls), "cpu_s_per_epoch": 8.0}

    monkeypatch.setattr(bench, "_child", child)
    monkeypatch.delenv("MNIST_PRECISION", raising=False)
    out = tmp_path / "input_paths.json"
    argv = ["train_speed.py", "--probe", "--models", "T3b", "--repeats", "2"]
    monkeypatch.setattr(sys, "argv", argv + ["--out", str(out)])
    bench.main()
    assert calls == list(bench.PROBES) * 2  # the ways alternate, round by round
    report = json.loads(out.read_text())
    assert report["precision"] == report["provenance"]["precision"] == "float32"
    row = report["T3b"]
    first = len(bench.PROBES)
    assert row["pipeline_runs"] == [5.0, 5.0 + first]
    assert row["pipeline_s_per_epoch"] == 5.0 + first / 2  # the median
    assert row["pipeline_cores_busy"] == round((8 / 5 + 8 / (5 + first)) / 2, 2)
