"""What watching costs: seconds per epoch with and without ``helpers.live``, in one run.

    python benchmarks/live_overhead.py                 # T1 and T3b, 2 repeats
    python benchmarks/live_overhead.py --models T3b --repeats 3

The monitor only works in a Jupyter kernel, so the measurement runs in one, started by
nbclient as ``make notebooks`` starts it: the kernel does everything JupyterLab would ask
of it (tqdm's bar updates, the curves drawn after every epoch, the widget messages). A
browser drawing them runs in its own process and is not counted here.

Per model: the architecture from the notebook's saved ``.keras`` (run notebooks 02 and 03
first; a quick run is enough), fresh weights, the notebooks' input pipeline, precision
and batch size; one short warm-up fit traces the training step; then one full epoch of
the 60,000 training images at a time, alternating without and with the monitor,
``--repeats`` times each. The best epoch of each way counts (shared 2-core machines are
noisy). Prints a table and writes ``results/live_overhead.json`` (``--out``);
``--markdown`` prints the README's lines from it.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH_SIZES = {"T1": 128, "T2": 200, "T3a": 200, "T3b": 200, "T5": 32}

SETUP = """\
import json, sys, time
sys.path.insert(0, {root!r})
from helpers import data, live, training
chosen = training.setup()
(x_train, y_train), _ = data.load_prepared()
seconds = {{}}"""

MODEL = """\
model = training.fresh_copy(training.saved_path_any_run({model_id!r}))
batches = training.train_batches(x_train, y_train, batch_size={batch_size})
_ = model.fit(batches.take(32), epochs=1, verbose=0)  # traces the step: not timed"""

EPOCH = """\
timer = training.EpochTimer()
callbacks = [timer] + ([live.TrainingMonitor()] if {watched} else [])
model.fit(batches, epochs=1, callbacks=callbacks, verbose=2)
seconds.setdefault({key!r}, []).append(timer.seconds[0])"""

REPORT = "print(json.dumps({'seconds': seconds, 'precision': chosen['precision']}))"


def notebook(models, repeats):
    import nbformat

    sources = [SETUP.format(root=str(ROOT))]
    for model_id in models:
        sources.append(
            MODEL.format(model_id=model_id, batch_size=BATCH_SIZES[model_id])
        )
        for _ in range(repeats):
            for watched in (False, True):
                key = f"{model_id} {'watched' if watched else 'plain'}"
                sources.append(EPOCH.format(watched=watched, key=key))
    sources.append(REPORT)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def run(models, repeats):
    from nbclient import NotebookClient

    nb = notebook(models, repeats)
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
    """The README's lines from a ``live_overhead.json`` report."""
    heading = (
        f"On {report['machine']} ({report['precision']}), seconds per epoch of 60,000 "
        f"images, best of {report['repeats']}:"
    )
    lines = [heading, ""]
    for model_id, row in report.items():
        if isinstance(row, dict) and "ratio" in row:
            lines.append(
                f"- {model_id}: {row['plain']:.2f} s without the monitor, "
                f"{row['watched']:.2f} s with it ({(row['ratio'] - 1) * 100:+.1f} %)"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=["T1", "T3b"], choices=BATCH_SIZES
    )
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "results" / "live_overhead.json"))
    parser.add_argument(
        "--markdown", action="store_true", help="print --out for the README"
    )
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(Path(args.out).read_text())))
        return
    from helpers.training import cpu_name

    measured = run(args.models, args.repeats)
    rows = {}
    print(
        f"{'model':6} {'plain s/epoch':>14} {'watched s/epoch':>16} {'watched/plain':>14}"
    )
    for model_id in args.models:
        plain = min(measured["seconds"][f"{model_id} plain"])
        watched = min(measured["seconds"][f"{model_id} watched"])
        rows[model_id] = {
            "plain": round(plain, 2),
            "watched": round(watched, 2),
            "ratio": round(watched / plain, 3),
        }
        print(f"{model_id:6} {plain:14.2f} {watched:16.2f} {watched / plain:14.3f}")
    report = {
        "machine": cpu_name(),
        "precision": measured["precision"],
        "repeats": args.repeats,
        "note": "one epoch of 60,000 images per run, best of the repeats; in a Jupyter "
        "kernel under nbclient (the browser's drawing not counted)",
        "runs": measured["seconds"],
        **rows,
    }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
