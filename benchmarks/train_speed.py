"""Seconds per epoch for every tutorial model and notebook 07's, four ways, in one run.

Each measurement runs in its own process (so peak memory is that measurement's alone):
build the model, warm up (tracing, first allocations) with exactly the call the timed run
makes, then time one epoch of the tutorial's training set.

    python benchmarks/train_speed.py                  # all models, all four ways
    python benchmarks/train_speed.py --models T1 T5 --repeats 1
    python benchmarks/train_speed.py --models T4 T4blog --merge  # keep the other rows
    python benchmarks/train_speed.py --markdown       # the speed page's table from the JSON

The architectures come from the models the notebooks saved (``artifacts/<id>.keras``,
``artifacts/ours_seed7.keras`` for notebook 07's, a full or a quick run's),
re-initialised: run notebooks 02-04 and 07 first (quick runs are enough).

The ways:

- "plain" is what the tutorials did: float32, ``model.fit`` on NumPy arrays, one step per
  call (T4 and T4blog: T4's augmentation layer inside the model, and for T4blog Keras 3's
  own ``BatchNormalization``, the usual Keras 3 way).
- "plain bf16" is plain with one more line,
  ``keras.mixed_precision.set_global_policy("mixed_bfloat16")``: faster on a CPU that
  computes bfloat16 natively, slower on one that emulates it.
- "project" is ``helpers.training`` as the notebooks train: float32 (the notebooks'
  precision; ``MNIST_PRECISION`` changes it), a ``tf.data`` pipeline (T4 and
  T4blog: augmentation in a parallel ``map``), 16 steps per call, and (T4blog) the fused
  batch normalization of ``helpers.layers``.
- "compute" is the floor under the project's way: the same model, precision and
  optimizer, but only the arithmetic of training: a ``tf.function`` loop over batches
  already in memory (forward pass, loss, gradients, ``optimizer.apply``, and for T4,
  T4blog and ours the augmentation of each batch, work their training must do), with no
  input pipeline, no metrics and no callbacks. ``project / compute`` says how much of an
  epoch is spent outside that arithmetic.

Equal costs: every way runs with the same op determinism (on by default, as in the
notebooks; ``--no-deterministic`` turns it off for all), the same seed, and the same
data. The warm-up makes the same call as the timed run, with the same batch size and
steps per call, on two calls' worth of batches, so nothing is traced while the clock
runs; the timed run is one whole epoch (rounded down to whole calls of 16 batches), so
per-epoch costs count once, as in real training.

Shared 2-core machines are noisy: the same run can take up to 2x longer when a neighbour
is busy. So every measurement is interleaved with all the others: each of ``--repeats``
rounds (5 by default) times every model every way once (A B C ... A B C ...), so a slow
spell falls on all of them alike. The table gives each way's median and its range (the
fastest and slowest run); where two ways' ranges overlap, their ratio is "not
distinguishable" rather than a number. Every run is kept in the JSON, which is rewritten
after every round, so a run cut short keeps its whole rounds. The table goes to stdout and
``results/benchmark.json`` (``--out`` to change). The default five rounds of all
eight models took 90 minutes on a 2-core AMD EPYC with AVX-512 (the JSON records each
run's minutes); an AVX2-only CPU is about twice as slow, so about 3 hours there (an
estimate). Each run also records its process's CPU seconds (all its threads), which tell
extra work from a core left idle.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: find helpers/

DEFAULT_OUT = str(ROOT / "results" / "benchmark.json")
PROBE_OUT = str(ROOT / "results" / "input_paths.json")

# The ways each model is timed (see the module docstring).
WAYS = ("plain", "plain_bf16", "project", "compute")

# Where the project's time goes (``--probe``): the project's precision and model, fed
# and called in other ways. "pipeline": ``tools.fit.fit`` (the ``tf.data`` element
# pipeline, 16 steps per call); "arrays": ``model.fit`` on the arrays with
# ``batch_size`` and ``shuffle=True`` (Keras' own array adapter), 16 steps per call;
# "arrays_1": the same, one step per call; "arrays_epoch": the same, a whole epoch per
# call; "arrays_no_metrics": "arrays" compiled without the accuracy metric.
# "arrays" replays one order every epoch under a fixed seed (helpers/training.py says
# why), so it is a speed reference, not a way the notebooks could train.
PROBES = (
    "pipeline",
    "arrays",
    "arrays_1",
    "arrays_epoch",
    "arrays_no_metrics",
)

# Batches per call into TensorFlow in the project's way (training.STEPS_PER_EXECUTION);
# timed and warm-up runs are whole multiples of it.
CALL = 16

# Training examples per epoch in each tutorial (T5 holds out 10 % for validation) and its
# batch size; "ours" is notebook 07's model (5,000 images held out, batch 128).
TUTORIALS = {
    "T1": (60000, 128),
    "T2": (60000, 200),
    "T3a": (60000, 200),
    "T3b": (60000, 200),
    "T4": (60000, 64),
    "T4blog": (60000, 64),
    "T5": (54000, 32),
    "ours": (55000, 128),
}
# The models trained on augmented images: T4's augmentation, and notebook 07's own.
AUGMENTED = ("T4", "T4blog", "ours")
# The file each model's architecture comes from, where it is not artifacts/<id>.keras.
ARTIFACT = {"ours": "ours_seed7"}


def measure(model_id, way, deterministic=True):
    """Run in a child process: seconds per epoch for one model, one way."""
    import keras
    import numpy as np

    from helpers import augment, further, training
    from helpers.layers import fuse_batch_norm
    from tools.fit import fit, saved_path_any_run

    def augmentation():
        return (
            further.augmentation() if model_id == "ours" else augment.t4_augmentation()
        )

    if way not in WAYS + PROBES:
        raise ValueError(f"unknown way {way!r}; use one of {', '.join(WAYS + PROBES)}")
    epoch_examples, batch_size = TUTORIALS[model_id]
    # Whole calls of CALL batches: the same steps per call in warm-up and timed run.
    unit = batch_size * CALL
    samples, warmup_samples = epoch_examples // unit * unit, 2 * unit
    if way == "arrays_epoch":
        warmup_samples = samples  # one call is one epoch: warm up with that call
    # float32 first, the notebooks' precision (MNIST_PRECISION changes it); bfloat16 is
    # the one extra way.
    precision = "mixed_bfloat16" if way == "plain_bf16" else training.choose_precision()
    training.setup(precision=precision, deterministic=deterministic)
    rng = np.random.default_rng(0)
    x = rng.random((samples, 28, 28, 1), dtype="float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, len(x))]
    model = training.fresh_copy(saved_path_any_run(ARTIFACT.get(model_id, model_id)))
    if way.startswith("plain"):
        model.steps_per_execution = 1  # Keras' default, as the tutorials ran
        if model_id in AUGMENTED:
            # The usual Keras 3 way: the augmentation layer inside the model (and, for
            # the blog model, Keras' own BatchNormalization).
            model = keras.Sequential([keras.Input((28, 28, 1)), augmentation(), model])
            model.compile(
                optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"]
            )

        def run(n):
            model.fit(x[:n], y[:n], batch_size=batch_size, epochs=1, verbose=0)

    else:
        fuse_batch_norm(model)  # T4blog: the notebooks' fused batch normalization
    if way == "compute":
        aug = augmentation() if model_id in AUGMENTED else None
        run = _compute_only(model, x, y, batch_size, augment=aug)
    elif way.startswith("arrays"):
        per_call = {"arrays_1": 1, "arrays_epoch": samples // batch_size}.get(way, CALL)
        if way == "arrays_no_metrics":
            model.compile(optimizer=model.optimizer, loss=model.loss)
        model.steps_per_execution = per_call
        model.train_function = None

        def run(n):
            model.fit(
                x[:n], y[:n], batch_size=batch_size, epochs=1, shuffle=True, verbose=0
            )

    elif way in ("project", "pipeline"):
        aug = augmentation() if model_id in AUGMENTED else None

        def run(n):
            fit(
                model,
                x[:n],
                y[:n],
                epochs=1,
                batch_size=batch_size,
                augment=aug,
                verbose=0,
            )

    traces = _count_traces(model) if way != "compute" else run.traces
    run(warmup_samples)
    traced_in_warmup = traces[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    run(samples)
    seconds = time.perf_counter() - start
    # CPU seconds of all this process's threads: a slow spell of the shared host
    # stretches the wall time far more than the work done.
    cpu_seconds = time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "s_per_epoch": seconds * epoch_examples / samples,
        "cpu_s_per_epoch": cpu_seconds * epoch_examples / samples,
        "peak_memory_mb": peak_mb,
        "precision": keras.mixed_precision.global_policy().name,
        "deterministic": deterministic,
        "timed_examples": samples,
        "traced_in_warmup": traced_in_warmup,
        "traced_while_timed": traces[0] - traced_in_warmup,
    }


def _count_traces(model):
    """Count how often TensorFlow traces ``model``'s training step, in a one-item list.

    A traced function runs its Python body only while tracing, so a counter there counts
    traces; a trace during the timed run would be timed and scaled up to a whole epoch.
    """
    traces = [0]
    train_step = model.train_step

    def counted(*args, **kwargs):
        traces[0] += 1
        return train_step(*args, **kwargs)

    model.train_step = counted
    return traces


def _compute_only(model, x, y, batch_size, augment=None):
    """A ``run(n)`` that trains on ``n`` examples with nothing but the training arithmetic:
    for an augmented model (``augment``), that includes transforming each batch, work
    its training must do, seeded as the project's pipeline seeds it."""
    import keras
    import tensorflow as tf

    batches = len(x) // batch_size
    shape = (batches, batch_size)
    images = tf.constant(x[: batches * batch_size].reshape(*shape, *x.shape[1:]))
    labels = tf.constant(y[: batches * batch_size].reshape(*shape, *y.shape[1:]))
    variables = model.trainable_variables
    model.optimizer.build(variables)
    loss_fn = keras.losses.CategoricalCrossentropy()  # what compile() was given

    traces = [0]

    @tf.function
    def train(steps):
        traces[0] += 1  # Python runs here only while tracing
        loss = tf.constant(0.0)
        for i in tf.range(steps):
            batch = images[i]
            if augment is not None:
                batch = augment(
                    batch, seed=tf.stack([tf.constant(7, "int64"), tf.cast(i, "int64")])
                )
            with tf.GradientTape() as tape:
                loss = loss_fn(labels[i], model(batch, training=True))
            model.optimizer.apply(tape.gradient(loss, variables), variables)
        return loss

    def run(n):
        return train(tf.constant(n // batch_size)).numpy()

    run.traces = traces
    return run


def markdown(report):
    """The speed page's table: each way's median seconds per epoch and range, then what
    each step buys (a ratio of medians, or "not distinguishable" where the two ways'
    ranges overlap)."""
    models = [m for m in TUTORIALS if m in report]
    first = report[models[0]]
    runs = {m: {w: report[m][f"{w}_runs_s_per_epoch"] for w in WAYS} for m in models}
    counts = sorted({len(t) for m in models for t in runs[m].values()})
    how = (
        "every model every way once per round, interleaved"
        if report.get("statistic") == "median"
        else "each model's four ways alternated, one model after another"
    )
    lines = [
        (
            f"On {report['machine']}, the project training in "
            f"{first['precision']['project']}: the median of "
            f"{' to '.join(map(str, counts))} runs each way ({how}"
            + (
                f"; {report['minutes']:.0f} minutes in all"
                if "minutes" in report
                else ""
            )
            + "), fastest and slowest in brackets:"
        ),
        "",
        (
            "| id | plain s/epoch | plain bf16 s/epoch | project s/epoch | compute s/epoch "
            "| bf16 alone | project vs plain bf16 | speedup vs plain | project / compute "
            "| peak MB plain / bf16 / project / compute |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def told(a, b):
        if not distinct(a, b):
            return "not distinguishable"
        return f"{statistics.median(a) / statistics.median(b):.2f}x"

    for model_id in models:
        r, t = report[model_id], runs[model_id]
        seconds = " | ".join(
            f"{statistics.median(t[w]):.2f} [{min(t[w]):.2f}-{max(t[w]):.2f}]"
            for w in WAYS
        )
        memory = " / ".join(str(r[f"{way}_peak_memory_mb"]) for way in WAYS)
        over = told(t["project"], t["compute"]).removesuffix("x")
        lines.append(
            f"| {model_id} | {seconds} | {told(t['plain'], t['plain_bf16'])} "
            f"| {told(t['plain_bf16'], t['project'])} | {told(t['plain'], t['project'])} "
            f"| {over} | {memory} |"
        )
    cpu = [
        m for m in models if all(f"{w}_cpu_runs_s_per_epoch" in report[m] for w in WAYS)
    ]
    if cpu:
        lines += [
            "",
            (
                "The same runs in CPU seconds per epoch (all the process's threads), "
                "and how many of the cores each way kept busy:"
            ),
            "",
            (
                "| id | plain | plain bf16 | project | compute | project / compute "
                "| cores busy plain / project / compute |"
            ),
            "|---|---|---|---|---|---|---|",
        ]
    for model_id in cpu:
        t = {w: report[model_id][f"{w}_cpu_runs_s_per_epoch"] for w in WAYS}
        seconds = " | ".join(
            f"{statistics.median(t[w]):.2f} [{min(t[w]):.2f}-{max(t[w]):.2f}]"
            for w in WAYS
        )
        over = told(t["project"], t["compute"]).removesuffix("x")
        busy = " / ".join(
            f"{cores_busy(t[w], runs[model_id][w]):.1f}"
            for w in ("plain", "project", "compute")
        )
        lines.append(f"| {model_id} | {seconds} | {over} | {busy} |")

    def verdicts(of, use_cpu):
        told_ = {m: goal_verdict(report[m], cpu=use_cpu) for m in of}
        return "; ".join(
            f"{v} by {', '.join(m for m in of if told_[m] == v) or 'none'}"
            for v in ("met", "missed", "not told")
        )

    lines += [
        "",
        (
            f"The goal, project / compute at most {GOAL:.2f} (met: even the slowest "
            "project run within it of the fastest compute run; missed: even the fastest "
            f"beyond it of the slowest). In wall seconds, what a learner waits: "
            f"{verdicts(models, False)}."
            + (
                f" In CPU seconds, the work done outside the arithmetic: "
                f"{verdicts(cpu, True)}."
                if cpu
                else ""
            )
        ),
    ]
    missing = [m for m in TUTORIALS if m not in report]
    if missing:
        lines += [
            "",
            (
                f"Not measured in this run: {', '.join(missing)} (`python "
                f"benchmarks/train_speed.py --models {' '.join(missing)} --merge` adds them)."
            ),
        ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=list(TUTORIALS), choices=list(TUTORIALS)
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="runs of each way; the best counts"
    )
    parser.add_argument(
        "--no-deterministic",
        dest="deterministic",
        action="store_false",
        help="turn op determinism off for every way (default: on for every way)",
    )
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument(
        "--probe",
        action="store_true",
        help="time the input ways of PROBES instead (-> results/input_paths.json)",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of --out for models not measured now (each row is one run)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print --out as a Markdown table and exit",
    )
    parser.add_argument(
        "--child", nargs=2, metavar=("ID", "WAY"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    if args.markdown and args.probe:
        out = args.out if args.out != DEFAULT_OUT else PROBE_OUT
        print(probe_markdown(json.loads(Path(out).read_text())))
        return
    if args.markdown:
        print(markdown(json.loads(Path(args.out).read_text())))
        return
    if args.child:
        print(json.dumps(measure(*args.child, deterministic=args.deterministic)))
        return
    if args.probe:
        probe(args)
        return

    from helpers import provenance

    rows, started, machine = {}, time.perf_counter(), provenance.cpu()["machine"]
    earlier = {}
    if args.merge and Path(args.out).exists():
        earlier = json.loads(Path(args.out).read_text())
        if earlier.get("machine") != machine:
            sys.exit(
                f"{args.out} was measured on {earlier.get('machine')}, this is "
                f"{machine}: one table compares one machine. Run without --merge."
            )
        earlier = {m: earlier[m] for m in TUTORIALS if m in earlier}
    # Full mode: fit would otherwise train on a quick subset.
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MNIST_QUICK": "0"}
    runs = {m: {way: [] for way in WAYS} for m in args.models}
    for round_ in range(1, args.repeats + 1):
        for model_id in args.models:  # every model every way, then the next round
            for way in WAYS:
                runs[model_id][way].append(_child(model_id, way, args, env))
            print(f"round {round_}: {line(model_id, row(runs[model_id]))}", flush=True)
        rows = {m: row(runs[m]) for m in args.models}
        # After every round, so a run cut short keeps its whole rounds: run the rest
        # with --merge --models ...
        minutes = (time.perf_counter() - started) / 60
        _write_report(args, {**earlier, **rows}, machine, minutes)
    print(f"\nwritten to {args.out} ({minutes:.0f} min in all)")


def spread(seconds):
    """Median, fastest and slowest of one way's runs (seconds per epoch)."""
    return statistics.median(seconds), min(seconds), max(seconds)


def cores_busy(cpu_seconds, wall_seconds):
    """How many cores one way kept busy: the median over its runs of CPU seconds (all
    threads) over wall seconds. On 2 cores, 2.0 is both all the time; a way whose CPU
    seconds match another's but whose wall seconds are longer left a core idle."""
    return statistics.median(c / w for c, w in zip(cpu_seconds, wall_seconds))


# The series' goal for its training path: within 10 % of the compute floor.
GOAL = 1.10


def goal_verdict(row, cpu=True):
    """Whether one model's project way met the goal against its compute floor, missed
    it, or its runs cannot tell ("not told"): every pair of runs must agree."""
    key = "cpu_runs_s_per_epoch" if cpu else "runs_s_per_epoch"
    project, compute = row[f"project_{key}"], row[f"compute_{key}"]
    if max(project) <= GOAL * min(compute):
        return "met"
    if min(project) > GOAL * max(compute):
        return "missed"
    return "not told"


def distinct(a, b):
    """Whether two ways' runs tell them apart: their ranges (fastest to slowest) do not
    overlap. Where they overlap, a ratio of medians would be noise."""
    return max(a) < min(b) or max(b) < min(a)


def row(runs):
    """One model's row of the report from its runs so far (one list per way)."""
    seconds = {way: [r["s_per_epoch"] for r in runs[way]] for way in WAYS}
    median = {way: spread(seconds[way])[0] for way in WAYS}
    return {
        **{f"{way}_s_per_epoch": round(median[way], 2) for way in WAYS},
        **{
            f"{way}_range_s_per_epoch": [round(min(t), 2), round(max(t), 2)]
            for way, t in seconds.items()
        },
        "speedup": round(median["plain"] / median["project"], 2),
        "speedup_vs_plain_bf16": round(median["plain_bf16"] / median["project"], 2),
        "project_over_compute": round(median["project"] / median["compute"], 2),
        "distinguishable": {
            "speedup": distinct(seconds["plain"], seconds["project"]),
            "speedup_vs_plain_bf16": distinct(
                seconds["plain_bf16"], seconds["project"]
            ),
            "project_over_compute": distinct(seconds["project"], seconds["compute"]),
        },
        **{
            f"{way}_peak_memory_mb": round(max(r["peak_memory_mb"] for r in runs[way]))
            for way in WAYS
        },
        "precision": {way: runs[way][0]["precision"] for way in WAYS},
        "plain_bf16_is_plain": False,
        "traced_while_timed": max(
            r["traced_while_timed"] for way in WAYS for r in runs[way]
        ),
        "timed_examples": runs["project"][0]["timed_examples"],
        **{
            f"{way}_runs_s_per_epoch": [round(t, 2) for t in seconds[way]]
            for way in WAYS
        },
        **{
            f"{way}_cpu_runs_s_per_epoch": [
                round(r["cpu_s_per_epoch"], 2) for r in runs[way]
            ]
            for way in WAYS
            if all("cpu_s_per_epoch" in r for r in runs[way])
        },
    }


def line(model_id, r):
    return (
        f"{model_id:6s} "
        + "  ".join(f"{way} {r[f'{way}_s_per_epoch']:6.2f}" for way in WAYS)
        + f"  s/epoch (medians); speedup x{r['speedup']:.2f}, project/compute "
        f"{r['project_over_compute']:.2f}"
    )


def _write_report(args, rows, machine, minutes):
    from helpers import config, provenance
    from helpers.training import choose_precision

    report = {
        "machine": machine,
        "repeats": args.repeats,
        "statistic": "median",
        "deterministic": args.deterministic,
        "note": (
            "training only (no validation), one epoch of each tutorial's training set "
            "(rounded down to whole calls of 16 batches, scaled to the full epoch); "
            "every model every way once per round, interleaved; the median of the "
            "rounds for each way, and its range; compute: the training arithmetic alone"
        ),
        "minutes": round(minutes, 1),  # so far: a run cut short says how far it got
        **{m: rows[m] for m in TUTORIALS if m in rows},
        "provenance": provenance.start(
            choose_precision(), config.SEED, config.mode()
        ).provenance(),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


def probe_markdown(report):
    """``--probe --markdown``: seconds per epoch each way, and each way over "pipeline"."""
    lines = [
        (
            f"On {report['machine']}, the project's model in {report['precision']}, "
            f"{'the median' if report.get('statistic') == 'median' else 'best'} of "
            f"{report['repeats']} runs each way, fastest and slowest in brackets (in "
            "parentheses: over pipeline, and where recorded how many cores the way kept "
            "busy):"
        ),
        "",
        "| id | " + " | ".join(f"{way} s/epoch" for way in PROBES) + " |",
        "|---|" + "---|" * len(PROBES),
    ]
    for model_id in TUTORIALS:
        if model_id in report:
            row = report[model_id]
            base = row["pipeline_s_per_epoch"]
            cells = []
            for way in PROBES:
                t, ratio = row[f"{way}_runs"], row[f"{way}_s_per_epoch"] / base
                told_ = (  # a ratio only where the two ways' ranges do not overlap
                    f"{ratio:.2f}"
                    if way == "pipeline" or distinct(t, row["pipeline_runs"])
                    else "not distinguishable"
                )
                busy = row.get(f"{way}_cores_busy")
                cells.append(
                    f"{row[f'{way}_s_per_epoch']} [{min(t)}-{max(t)}] ({told_}"
                    + (f"; {busy:.1f} cores)" if busy is not None else ")")
                )
            lines.append(f"| {model_id} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def probe(args):
    """``--probe``: every model fed and called the ways of ``PROBES``, alternating."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MNIST_QUICK": "0"}
    out = Path(
        args.out if args.out != DEFAULT_OUT else ROOT / "results" / "input_paths.json"
    )
    from helpers import config, provenance
    from helpers.training import choose_precision

    report = json.loads(out.read_text()) if args.merge and out.exists() else {}
    # The precision the children train in: the notebooks' (float32 unless
    # MNIST_PRECISION says otherwise), as in measure().
    report.update(
        machine=provenance.cpu()["machine"],
        precision=choose_precision(),
        repeats=args.repeats,
        statistic="median",
    )
    report["provenance"] = provenance.start(
        choose_precision(), config.SEED, config.mode()
    ).provenance()
    for model_id in args.models:
        runs = {way: [] for way in PROBES}
        for _ in range(args.repeats):
            for way, results in runs.items():
                results.append(_child(model_id, way, args, env))
        wall = {w: [r["s_per_epoch"] for r in runs[w]] for w in PROBES}
        cpu = {w: [r["cpu_s_per_epoch"] for r in runs[w]] for w in PROBES}
        report[model_id] = {
            **{
                f"{w}_s_per_epoch": round(statistics.median(wall[w]), 2) for w in PROBES
            },
            **{f"{w}_runs": [round(t, 2) for t in wall[w]] for w in PROBES},
            **{f"{w}_cpu_runs": [round(t, 2) for t in cpu[w]] for w in PROBES},
            **{
                f"{w}_cores_busy": round(cores_busy(cpu[w], wall[w]), 2) for w in PROBES
            },
        }
        print(
            f"{model_id:6s} "
            + "  ".join(
                f"{w} {statistics.median(wall[w]):6.2f} ({cores_busy(cpu[w], wall[w]):.1f})"
                for w in PROBES
            )
            + "  s/epoch (medians; cores busy)",
            flush=True,
        )
        out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {out}")


def _child(model_id, way, args, env):
    """One measurement in a fresh Python process; returns its JSON line as a dict."""
    command = [sys.executable, __file__, "--child", model_id, way]
    if not args.deterministic:
        command.append("--no-deterministic")
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        sys.exit(f"{model_id} ({way}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
