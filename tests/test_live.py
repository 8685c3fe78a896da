"""``helpers.live.TrainingMonitor``: silent outside a kernel; in one, nothing left behind.

The browser test (``tests/test_browser.py``) watches the bar advance in JupyterLab; here
a kernel runs under nbclient, as ``make notebooks`` and nbval run the notebooks.
"""

import sys

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from helpers import live
from tools.execute_notebooks import ROOT, WIDGET_STATE, keep_shown_widgets

SETUP = f"""\
import sys
sys.path.insert(0, {str(ROOT)!r})
import numpy as np, keras
from helpers import live
keras.utils.set_random_seed(7)
x = np.random.rand(256, 8).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 10, 256), 10)
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])"""
FIT = """\
history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=2,
                    callbacks=[live.TrainingMonitor(validation_label="validation")])"""
STOP_IN_EPOCH_2 = """\
def stop(epoch, logs):
    if epoch == 1:
        raise RuntimeError("stopped on purpose")
history = model.fit(x, y, epochs=3, batch_size=32, verbose=2, callbacks=[
    live.TrainingMonitor(), keras.callbacks.LambdaCallback(on_epoch_end=stop)])"""


def tiny_model():
    import keras

    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(10, activation="softmax")]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def test_outside_a_kernel_the_monitor_does_nothing():
    monitor = live.TrainingMonitor()
    stdout = sys.stdout
    x = np.zeros((64, 8), "float32")
    y = np.eye(10, dtype="float32")[np.zeros(64, int)]
    tiny_model().fit(x, y, epochs=1, batch_size=32, callbacks=[monitor], verbose=0)
    assert monitor.active is False
    assert sys.stdout is stdout


@pytest.fixture(scope="module")
def executed():
    """The three cells run in a Jupyter kernel, as ``make notebooks`` runs a notebook."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(s) for s in (SETUP, FIT, STOP_IN_EPOCH_2)
    ]
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        extra_arguments=["--IPKernelApp.capture_fd_output=False"],
    )
    client.execute()
    return notebook


def test_a_finished_fit_leaves_only_keras_epoch_lines(executed):
    outputs = executed.cells[1].outputs
    assert [o.output_type for o in outputs] == ["stream"]  # no widget, no figure
    lines = outputs[0].text.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert all(" - val_accuracy: " in line for line in lines[1::2])
    # nbclient kept the closed widgets' state (the bar, the curves' figures): the runner
    # drops what no output shows.
    assert executed.metadata["widgets"][WIDGET_STATE]["state"]
    assert "widgets" not in keep_shown_widgets(nbformat.from_dict(executed)).metadata


def test_a_fit_that_stops_early_keeps_its_traceback(executed):
    outputs = executed.cells[2].outputs
    kinds = [o.output_type for o in outputs]
    assert (
        "error" in kinds
        and outputs[kinds.index("error")].evalue == "stopped on purpose"
    )
    # The monitor's own display is emptied, not left as a dead widget.
    views = [o for o in outputs if o.output_type == "display_data"]
    assert [v.data for v in views] == [{"text/plain": ""}]
    assert "Epoch 1/3" in "".join(o.get("text", "") for o in outputs)


def test_the_curves_are_svg_with_a_dot_per_epoch_and_series():
    logs = {"accuracy": [0.9, 0.95, 0.97], "val_accuracy": [0.96, 0.97, 0.98]}
    logs |= {"loss": [0.3, 0.2, 0.1], "val_loss": [0.2, 0.1, 0.05]}
    html = live.curves_html(logs, "validation")
    assert html.count("<svg") == 2 and html.count("<polyline") == 4
    assert html.count("<circle") == 12  # 2 panels x 2 series x 3 epochs
    assert ">0.98<" in html and ">0.05<" in html  # each panel's range is labelled
    assert "validation" in html
    assert live.curves_html({"loss": [1.0]}).count("<circle") == 1  # no validation
