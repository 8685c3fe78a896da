"""Training you can watch in JupyterLab: a progress bar and learning curves, live.

    history = model.fit(train_data, epochs=10, callbacks=[live.TrainingMonitor()], verbose=2)

While ``fit`` runs, the cell shows, above Keras' own per-epoch lines:

- tqdm's notebook progress bar for the epoch under way (steps done, elapsed, time left);
- the learning curves (``plots.learning_curves``: loss and accuracy, training and
  validation), redrawn after every epoch.

Both are widgets, which only a running kernel can show. When training ends the monitor
removes them and writes back what the cell printed while it trained, so the saved
notebook holds Keras' plain per-epoch lines and nothing else: what nbval compares and
what GitHub shows. Removing them means clearing the cell's output, so use the monitor in
a cell that prints nothing before ``fit``. If training stops early (an error, an
interrupt), the monitor only empties its own display, so the traceback stays.

Outside a Jupyter kernel (a script, pytest) or with ``MNIST_LIVE=0`` it does nothing.
"""

import os
import sys

import keras

LIVE_VARIABLE = "MNIST_LIVE"


def _kernel_shell():
    """The IPython shell of a running Jupyter kernel, or None (a script, pytest)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


class _Recorder:
    """A stream that writes through to ``stream`` and keeps a copy of the text."""

    def __init__(self, stream):
        self.stream = stream
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return self.stream.write(text)

    def __getattr__(self, name):  # flush, isatty, encoding...: the real stream's
        return getattr(self.stream, name)


class TrainingMonitor(keras.callbacks.Callback):
    """A live progress bar and learning curves in JupyterLab; nothing in the saved cell.

    ``validation_label`` names the validation curves ("test" where a tutorial validated
    on the test set, "validation" where it held out part of the training set).
    """

    async_safe = True  # Keras may call on_train_batch_end from a worker thread

    def __init__(self, validation_label="test"):
        super().__init__()
        self.validation_label = validation_label
        self.active = False

    def on_train_begin(self, logs=None):
        self._shell = _kernel_shell()
        self.active = self._shell is not None and os.environ.get(LIVE_VARIABLE) != "0"
        if not self.active:
            return
        import ipywidgets as widgets
        from IPython.display import display
        from tqdm.notebook import tqdm

        self.logs = {}
        self._bar = tqdm(total=self.params.get("steps"), unit="step", display=False)
        self._curves = widgets.Output()
        self._box = widgets.VBox([self._bar.container, self._curves])
        self._box.add_class("live-training")  # where the browser test finds it
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = _Recorder(sys.stdout), _Recorder(sys.stderr)
        self._view = display(self._box, display_id=True)
        # An error or an interrupt skips on_train_end: tidy up when the cell ends.
        self._shell.events.register("post_run_cell", self._finish)

    def on_epoch_begin(self, epoch, logs=None):
        if self.active:
            self._bar.reset(total=self.params.get("steps"))
            self._bar.set_description(f"Epoch {epoch + 1}/{self.params['epochs']}")

    def on_train_batch_end(self, batch, logs=None):
        if (
            self.active
        ):  # with steps_per_execution, Keras reports every block's last step
            self._bar.update(max(batch + 1 - self._bar.n, 0))

    def on_epoch_end(self, epoch, logs=None):
        if not self.active:
            return
        import matplotlib.pyplot as plt
        from IPython.display import clear_output, display

        from helpers import plots

        self._bar.refresh()
        for name, value in (logs or {}).items():
            self.logs.setdefault(name, []).append(float(value))
        metrics = [name for name in ("accuracy", "loss") if name in self.logs]
        with self._curves:
            clear_output(wait=True)
            fig = plots.learning_curves(self.logs, metrics, self.validation_label)
            display(fig)
            plt.close(fig)

    def on_train_end(self, logs=None):
        self._finish()

    def _finish(self, result=None):
        """Remove the widgets; leave in the cell what it printed, as it printed it.

        ``result`` is IPython's, when the cell ended before training did: then only the
        monitor's own display is emptied, and the cell keeps its traceback.
        """
        if not self.active:
            return
        from IPython.display import clear_output

        self.active = False
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
