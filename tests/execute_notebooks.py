"""Execute notebooks top to bottom and save them with their outputs (``make notebooks``).

    python -m tests.execute_notebooks notebooks/02_baseline_cnn.ipynb [...]

Each notebook runs in a fresh kernel from ``notebooks/`` (as JupyterLab's "Restart kernel
and run all" does), with no cell time limit; the time each took is printed at the end.
Cell metadata that changes on every run (timestamps) is not stored, nor the state of
widgets that no output shows any more (``helpers.live``'s progress bar and curves remove
themselves when training ends; nbclient would keep their state, figures included).
"""

import json
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


def main(paths):
    timings = []
    for name in paths:
        path = Path(name)
        print(f"executing {path} ...", flush=True)
        seconds = execute(path)
        timings.append((path.name, seconds))
        print(f"  {seconds:6.1f} s", flush=True)
    total = sum(seconds for _, seconds in timings)
    print(f"\n{len(timings)} notebooks in {total:.0f} s ({total / 60:.1f} min)")
    from helpers import config

    if not config.quick_mode():
        # A full run of the series' notebooks: keep each one's time for the README
        # (a notebook re-run alone updates its own entry).
        from helpers.training import cpu_name

        path = ROOT / "results" / "notebook_times.json"
        seconds = json.loads(path.read_text())["seconds"] if path.exists() else {}
        for name, taken in timings:
            if (ROOT / "notebooks" / name).exists():
                seconds[name] = round(taken, 1)
        record = {"machine": cpu_name(), "seconds": dict(sorted(seconds.items()))}
        path.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
