"""Execute notebooks top to bottom and save them with their outputs (``make notebooks``).

    python -m tools.execute_notebooks notebooks/02_baseline_cnn.ipynb [...]
    python -m tools.execute_notebooks --nb 04 05      # make notebooks NB="04 05"

Each notebook runs in a fresh kernel from ``notebooks/`` (as JupyterLab's "Restart kernel
and run all" does), with no cell time limit; the time each took is printed at the end.
Cell metadata that changes on every run (timestamps) is not stored, nor the state of
widgets that no output shows any more (``helpers.live``'s progress bar and curves remove
themselves when training ends; nbclient would keep their state, figures included).
Before it starts it prints how long each chosen notebook took in its last committed full
run and on which CPU; a full run keeps each notebook's time here, with the provenance of
the run its ``training.setup()`` started (written to ``artifacts/runs/``), in
``results/notebook_times.json`` (a notebook re-run alone replaces only its own entry).
"""

import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]+)")


def keep_shown_widgets(notebook):
    """Drop the saved state of every widget that no output shows, directly or inside one."""
    widgets = notebook.metadata.get("widgets", {}).get(WIDGET_STATE)
    if not widgets:
        return notebook
    state = widgets.get("state", {})
    waiting = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    shown = set()
    while waiting:  # a shown widget's children, layouts and styles are shown too
        model_id = waiting.pop()
        if model_id in shown or model_id not in state:
            continue
        shown.add(model_id)
        waiting += MODEL_REFERENCE.findall(json.dumps(state[model_id]))
    widgets["state"] = {key: value for key, value in state.items() if key in shown}
    if not shown:
        del notebook.metadata["widgets"]
    return notebook


def execute(path: Path, workdir: Path | None = None) -> float:
    """Run ``path`` in a fresh kernel started in ``workdir`` (default: its folder); save it."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=None,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir or path.parent)}},
        record_timing=False,
        # TensorFlow's C++ start-up lines go to the terminal, not into the saved notebook.
        extra_arguments=["--IPKernelApp.capture_fd_output=False"],
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(keep_shown_widgets(notebook), path)
    return seconds


def notebook_paths(numbers):
    """``["04", "5"]`` -> the notebooks numbered so, in order; a clear error otherwise."""
    found = {
        path.name[:2]: path
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    }
    paths = []
    for number in numbers:
        key = number.strip().zfill(2)
        if key not in found:
            raise SystemExit(
                f"NB={number!r}: there is no notebook numbered so; choose among "
                f'{" ".join(found)} (e.g. make notebooks NB="04 05").'
            )
        paths.append(found[key])
    return sorted(set(paths))


def main(argv):
    if argv[:1] == ["--nb"]:
        paths = notebook_paths(" ".join(argv[1:]).split())
        if not paths:
            raise SystemExit("--nb needs notebook numbers, e.g. --nb 04 05")
    else:
        paths = [Path(name) for name in argv]
    from helpers import config, provenance
    from tools import pages

    full = not config.quick_mode()
    if full:
        for line in pages.plan_lines([path.name for path in paths]):
            print(line, flush=True)
    timings = []
    runs = ROOT / "artifacts" / "runs"
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        # The notebook's training.setup() writes its run here: id, precision, machine.
        run_file = runs / f"{path.stem}.json"
        run_file.unlink(missing_ok=True)
        os.environ[provenance.RUN_FILE_VARIABLE] = str(run_file)
        seconds = execute(path)
        timings.append((path.name, seconds, run_file))
        print(f"  {seconds:6.1f} s", flush=True)
    total = sum(seconds for _, seconds, _ in timings)
    here = provenance.cpu()["machine"]
    print(
        f"\n{len(timings)} notebooks in {total:.0f} s ({total / 60:.1f} min) on {here}"
    )
    if full:
        # Each notebook's time for the speed page and the next run's plan, with its run.
        path = ROOT / "results" / "notebook_times.json"
        record = json.loads(path.read_text()) if path.exists() else {"notebooks": {}}
        for name, taken, run_file in timings:
            if not run_file.exists():
                print(f"{name}: its setup() wrote no run, so no time is recorded")
                continue
            record["notebooks"][name] = {
                "seconds": round(taken, 1),
                "provenance": json.loads(run_file.read_text()),
            }
        record["notebooks"] = dict(sorted(record["notebooks"].items()))
        path.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
