"""What watching costs: seconds per epoch with and without ``helpers.live``, in one run.

    python benchmarks/live_overhead.py                 # T1 and T3b, 2 fits of 2 epochs each way
    python benchmarks/live_overhead.py --models T3b --repeats 4

The monitor only works in a Jupyter kernel, so the measurement runs in one, started by
nbclient as ``make notebooks`` starts it: the kernel does everything JupyterLab would ask
of it (tqdm's bar updates, the curves drawn after every epoch, the widget messages). A
browser drawing them runs in its own process and is not counted here.

Per model: the architecture from the notebook's saved ``.keras`` (run notebooks 02 and 03
first; a quick run is enough), fresh weights, the notebooks' input pipeline, precision
and batch size; a short fit traces the training step and one whole untimed epoch warms
the input pipeline up. Then fits of ``--epochs`` epochs of the 60,000 training images,
``--repeats`` each way in ABBA order (without, with, with, without, ...), so a machine
that speeds up or slows down during the run favours neither. An ``EpochTimer`` placed
after the monitor times each epoch (the monitor's end-of-epoch work included); what a fit
spends outside its epochs (the monitor's set-up and tidy-up) is reported apart. Medians,
since shared 2-core machines are noisy. Prints the speed page's lines and writes
``results/live_overhead.json`` (``--out``); ``--markdown`` prints the speed page's lines from it.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH_SIZES = {"T1": 128, "T2": 200, "T3a": 200, "T3b": 200, "T5": 32}

SETUP = """\
import json, sys, time
sys.path.insert(0, {root!r})
from helpers import data, live, training
from tools.fit import saved_path_any_run
run = training.setup()
(x_train, y_train), _ = data.load_prepared()
import os, threading
seconds, per_fit, direct, iopub_cpu = {{}}, {{}}, {{}}, {{}}


def thread_cpu(name):
    # CPU seconds so far of this process's thread called name (Linux /proc): the kernel's
    # "IOPub" thread sends every message to the browser.
    for thread in threading.enumerate():
        if thread.name == name and thread.native_id:
            with open(f"/proc/self/task/{{thread.native_id}}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return float("nan")


def costed(monitor):
    # What the monitor itself spends: wall time inside its callbacks (on the training
    # thread) and the CPU time of its refresher thread.
    spent = {{"callbacks": 0.0, "refresher_cpu": 0.0}}
    for name in ("on_epoch_begin", "on_train_batch_end", "on_epoch_end"):
        def timed(*args, _method=getattr(monitor, name), **kwargs):
            start = time.perf_counter()
            _method(*args, **kwargs)
            spent["callbacks"] += time.perf_counter() - start
        setattr(monitor, name, timed)
    refresh = monitor._refresh_bar
    def refresher():
        refresh()
        spent["refresher_cpu"] += time.thread_time()  # this thread's CPU seconds
    monitor._refresh_bar = refresher
    return spent"""

MODEL = """\
model = training.fresh_copy(saved_path_any_run({model_id!r}))
batches = training.train_batches(x_train, y_train, batch_size={batch_size})
_ = model.fit(batches.take(32), epochs=1, verbose=0)  # traces the step: not timed
_ = model.fit(batches, epochs=1, verbose=0)  # one whole epoch, untimed: the pipeline warms up"""

EPOCHS = """\
timer = training.EpochTimer()  # last: the monitor's end-of-epoch work is inside its span
monitor = live.TrainingMonitor()
spent = costed(monitor)
callbacks = ([monitor] if {watched} else []) + [timer]
start, sent = time.perf_counter(), thread_cpu("IOPub")
_ = model.fit(batches, epochs={epochs}, callbacks=callbacks, verbose=2)
whole = time.perf_counter() - start
iopub_cpu.setdefault({key!r}, []).append((thread_cpu("IOPub") - sent) / {epochs})
seconds.setdefault({key!r}, []).extend(timer.seconds)
per_fit.setdefault({key!r}, []).append(whole - sum(timer.seconds))
if {watched}:
    direct.setdefault({key!r}, []).append(
        (spent["callbacks"] + spent["refresher_cpu"]) / {epochs}
    )"""

REPORT = """\
print(json.dumps({"seconds": seconds, "per_fit": per_fit, "direct": direct,
                  "iopub_cpu": iopub_cpu,
                  "provenance": run.provenance()}))"""


def notebook(models, repeats, epochs):
    import nbformat

    sources = [SETUP.format(root=str(ROOT))]
    for model_id in models:
        sources.append(
            MODEL.format(model_id=model_id, batch_size=BATCH_SIZES[model_id])
        )
        for repeat in range(repeats):
            # ABBA order: a machine that slows down or speeds up during the run favours
            # neither way.
            for watched in (False, True) if repeat % 2 == 0 else (True, False):
                key = f"{model_id} {'watched' if watched else 'plain'}"
                sources.append(EPOCHS.format(watched=watched, key=key, epochs=epochs))
    sources.append(REPORT)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def run(models, repeats, epochs):
    from nbclient import NotebookClient

    nb = notebook(models, repeats, epochs)
    NotebookClient(
        nb,
        timeout=None,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
        extra_arguments=["--IPKernelApp.capture_fd_output=False"],
    ).execute()
    # The monitor removes its widgets when an epoch ends; the cells keep Keras' lines.
    leftovers = [
        output.output_type
        for cell in nb.cells
        for output in cell.outputs
        if output.output_type != "stream"
    ]
    if leftovers:
        raise RuntimeError(f"the monitor left outputs behind: {leftovers}")
    return json.loads(nb.cells[-1].outputs[0].text)


def markdown(report):
    """The speed page's lines from a ``live_overhead.json`` report."""
    heading = (
        f"On {report['machine']} ({report['precision']}), {report['epochs_measured']} "
        f"epochs of 60,000 images each way (median seconds per epoch), and what a fit "
        f"pays once for the monitor's set-up and tidy-up:"
    )
    lines = [heading, ""]
    for model_id, row in report["models"].items():
        epochs = (
            report["runs"][f"{model_id} plain"] + report["runs"][f"{model_id} watched"]
        )
        lines.append(
            f"- {model_id}: {row['plain']:.2f} s per epoch without the monitor, "
            f"{row['watched']:.2f} s with it ({(row['ratio'] - 1) * 100:+.1f} %); "
            f"once per fit {row['once_per_fit_watched']:.2f} s with it, "
            f"{row['once_per_fit_plain']:.2f} s without; its single epochs ranged from "
            f"{min(epochs):.1f} to {max(epochs):.1f} s. The monitor's own work "
            f"(its callbacks on the training thread, its refresher thread's CPU time and "
            f"the kernel's CPU time to send its messages) "
            f"came to {row['direct_s_per_epoch'] * 1000:.0f} ms per epoch, "
            f"{row['direct_share'] * 100:.2f} % of an epoch"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=["T1", "T3b"], choices=BATCH_SIZES
    )
    parser.add_argument("--repeats", type=int, default=2, help="fits each way (ABBA)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per fit")
    parser.add_argument("--out", default=str(ROOT / "results" / "live_overhead.json"))
    parser.add_argument(
        "--markdown", action="store_true", help="print --out for the speed page"
    )
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.out).read_text())))
        return

    measured = run(args.models, args.repeats, args.epochs)
    rows = {}
    for model_id in args.models:
        plain, watched = (
            statistics.median(measured["seconds"][f"{model_id} {way}"])
            for way in ("plain", "watched")
        )
        # The monitor's messages: the IOPub thread's CPU time with it minus without.
        messages = max(
            0.0,
            statistics.median(measured["iopub_cpu"][f"{model_id} watched"])
            - statistics.median(measured["iopub_cpu"][f"{model_id} plain"]),
        )
        direct = statistics.median(measured["direct"][f"{model_id} watched"]) + messages
        rows[model_id] = {
            "plain": round(plain, 2),
            "watched": round(watched, 2),
            "ratio": round(watched / plain, 3),
            # What the monitor itself spent per epoch (its callbacks' wall time and its
            # thread's CPU time): an upper bound on what it can take from training,
            # free of the machine's noise.
            "direct_s_per_epoch": round(direct, 4),
            "direct_share": round(direct / plain, 5),
            **{
                f"once_per_fit_{way}": round(
                    statistics.median(measured["per_fit"][f"{model_id} {way}"]), 2
                )
                for way in ("plain", "watched")
            },
        }
    report = {
        "machine": measured["provenance"]["machine"],
        "precision": measured["provenance"]["precision"],
        "repeats": args.repeats,
        "epochs_per_fit": args.epochs,
        "epochs_measured": args.repeats * args.epochs,
        "note": "per-epoch seconds from an EpochTimer placed after the monitor; once per "
        "fit: the fit's wall time minus its epochs; direct: the monitor's callbacks' wall "
        "time plus its refresher thread's CPU time plus the IOPub thread's extra CPU time, per "
        "epoch; in a Jupyter kernel under "
        "nbclient (the browser's drawing not counted)",
        "runs": measured["seconds"],
        "per_fit_runs": measured["per_fit"],
        "models": rows,
        "provenance": measured["provenance"],
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
