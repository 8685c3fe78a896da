"""Training you can watch in JupyterLab: a progress bar and learning curves, live.

    history = model.fit(train_data, epochs=10, callbacks=[live.TrainingMonitor()], verbose=2)

Above Keras' per-epoch lines, the cell shows tqdm's bar for the epoch under way (steps,
elapsed, time left; refreshed twice a second) and the curves of loss and accuracy,
training and validation, redrawn each epoch. Only a running kernel shows these widgets:
when training ends the monitor clears the cell's output and writes back what it printed,
so the saved notebook holds Keras' plain lines only (what nbval compares, GitHub shows);
use it in a cell that prints nothing before ``fit``. If training stops early (an error,
an interrupt), it empties only its own display, so the traceback stays.

It costs the training next to nothing (``make bench WHAT=live`` measures it): the
training thread only notes its step, a background thread moves the bar, and the curves
are SVG that the browser draws, not a matplotlib figure. Outside a Jupyter kernel (a
script, pytest) or with ``MNIST_LIVE=0`` it only times the epochs."""

import os
import sys
import threading

from helpers.training import EpochTimer

LIVE_VARIABLE = "MNIST_LIVE"
REFRESH_SECONDS = 0.5
CURVE_COLOURS = {"train": "#1f77b4", "validation": "#ff7f0e"}


def _kernel_shell():
    """The IPython shell of a running Jupyter kernel, or None (a script, pytest)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


class _Recorder:
    def __init__(self, stream):
        self.stream = stream
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return self.stream.write(text)

    def __getattr__(self, name):  # flush, isatty, encoding...: the real stream's
        return getattr(self.stream, name)


def svg_panel(series, title, width=300, height=170):
    """One metric per epoch as an SVG line chart: ``series`` maps a label to its values."""
    values = [v for vs in series.values() for v in vs]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    epochs = max(len(vs) for vs in series.values())
    left, right, top, bottom = 44, 8, 22, 22

    def point(i, v):
        x = left + (width - left - right) * (i / max(epochs - 1, 1))
        y = top + (height - top - bottom) * (1 - (v - low) / span)
        return f"{x:.1f},{y:.1f}"

    lines = "".join(
        f'<polyline fill="none" stroke="{CURVE_COLOURS[name]}" stroke-width="2" '
        f'points="{" ".join(point(i, v) for i, v in enumerate(vs))}"/>'
        + "".join(  # a dot per epoch: the first epoch shows before there is a line
            f'<circle r="3" fill="{CURVE_COLOURS[name]}" '
            f'cx="{point(i, v).split(",")[0]}" cy="{point(i, v).split(",")[1]}"/>'
            for i, v in enumerate(vs)
        )
        for name, vs in series.items()
    )
    axis = f'stroke="#999" x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}"'
    return (
        f'<svg width="{width}" height="{height}" font-size="11" font-family="sans-serif">'
        f'<text x="{left}" y="14" font-weight="bold">{title}</text>'
        f'<line {axis}/><text x="2" y="{top + 4}">{high:.4g}</text>'
        f'<text x="2" y="{height - bottom + 4}">{low:.4g}</text>'
        f'<text x="{left}" y="{height - 6}">epoch 1</text>'
        f'<text x="{width - right}" y="{height - 6}" text-anchor="end">{epochs}</text>'
        f"{lines}</svg>"
    )


def curves_html(logs, validation_label="test"):
    panels = []
    for metric in ("accuracy", "loss"):
        if metric not in logs:
            continue
        series = {"train": logs[metric]}
        if f"val_{metric}" in logs:
            series["validation"] = logs[f"val_{metric}"]
        panels.append(svg_panel(series, metric))
    legend = " ".join(
        f'<span style="color:{CURVE_COLOURS[name]}">&#9644; {label}</span>'
        for name, label in (("train", "train"), ("validation", validation_label))
    )
    return f'<div class="live-curves">{"".join(panels)}<div>{legend}</div></div>'


class TrainingMonitor(EpochTimer):
    """The live view; also times every epoch, live or not (validation included, its own
    drawing not), into ``history.history["seconds"]`` for ``results.record()``.
    ``validation_label``: "test" or "validation" (part of the training set held out), as
    its tutorial did."""

    async_safe = True  # on_train_batch_end only notes a number: safe from any thread

    def __init__(self, validation_label="test"):
        super().__init__()
        self.validation_label = validation_label
        self.active = False

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._shell = _kernel_shell()
        self.active = self._shell is not None and os.environ.get(LIVE_VARIABLE) != "0"
        if not self.active:
            return
        import ipywidgets as widgets
        from IPython.display import display
        from tqdm.notebook import tqdm

        self.logs, self.steps_done = {}, 0
        # The bar redraws only when the refresher asks it to (huge mininterval).
        self._bar = tqdm(
            total=self.params.get("steps"), unit="step", display=False, mininterval=1e9
        )
        self._curves = widgets.HTML()
        self._box = widgets.VBox([self._bar.container, self._curves])
        self._box.add_class("live-training")  # where the browser test finds it
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = _Recorder(sys.stdout), _Recorder(sys.stderr)
        self._view = display(self._box, display_id=True)
        # An error or an interrupt skips on_train_end: tidy up when the cell ends.
        self._shell.events.register("post_run_cell", self._finish)
        self._stop = threading.Event()
        self._refresher = threading.Thread(target=self._refresh_bar, daemon=True)
        self._refresher.start()

    def _refresh_bar(self):
        while not self._stop.wait(REFRESH_SECONDS):
            self._bar.n = self.steps_done
            self._bar.refresh()

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        if self.active:
            self.steps_done = 0
            self._bar.reset(total=self.params.get("steps"))
            self._bar.set_description(f"Epoch {epoch + 1}/{self.params['epochs']}")

    def on_train_batch_end(self, batch, logs=None):
        self.steps_done = batch + 1  # with steps_per_execution, a block's last step

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)  # the epoch's seconds, before drawing
        if not self.active:
            return
        self._bar.n = self.params.get("steps") or self.steps_done
        self._bar.refresh()
        for name, value in (logs or {}).items():
            self.logs.setdefault(name, []).append(float(value))
        self._curves.value = curves_html(self.logs, self.validation_label)

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        self._finish()

    def _finish(self, result=None):
        """Remove the widgets, keep what the cell printed. With ``result`` (IPython's,
        the cell ended before training did) only the monitor's display is emptied."""
        if not self.active:
            return
        from IPython.display import clear_output

        self.active = False
        self._stop.set()
        self._refresher.join()
        self._shell.events.unregister("post_run_cell", self._finish)
        self._bar.close()
        for widget in (self._curves, self._box):
            widget.close()
        recorders = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = self._streams
        for stream in self._streams:
            stream.flush()
        if result is not None:
            self._view.update({"text/plain": ""}, raw=True)
            return
        clear_output()
        for recorder, stream in zip(recorders, self._streams):
            stream.write("".join(recorder.parts))
            stream.flush()
