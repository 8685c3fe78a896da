"""A drawing pad for JupyterLab: draw a digit with a mouse, a pen or a finger.

``DrawingPad()`` shows a white square and a Clear button; the browser draws (smooth, no
round trip per mouse move). When a stroke ends it sends the whole drawing to Python as
a PNG (``pad.png_bytes()``), like a photo or scan, for the same ``helpers.predict``
path. Watch it with ``pad.observe(callback, names="png")``; ``PadRow([pad, ...])`` sets
other widgets (an answer, a figure) beside it. It needs JupyterLab (or Notebook 7) with
a running kernel; a saved notebook shows only its text."""

import base64
from pathlib import Path

import anywidget
import ipywidgets
import traitlets

NEEDS_LIVE_KERNEL = (  # at most 110 chars: ipywidgets cuts a widget's text form there
    "Drawing pad: draw a digit here in JupyterLab with a running kernel "
    "(a saved notebook cannot show it)."
)

HERE = Path(__file__).parent  # canvas.js (the browser's side) and canvas.css


class DrawingPad(anywidget.AnyWidget):
    """A square to draw a digit in; ``png`` holds the drawing as a PNG data URL."""

    _esm = HERE / "canvas.js"
    _css = HERE / "canvas.css"
    png = traitlets.Unicode("").tag(sync=True)  # "" while the pad is empty
    size = traitlets.Int(280).tag(sync=True)  # pixels; ten times MNIST's 28
    pen = traitlets.Int(20).tag(sync=True)  # stroke width in pixels

    def png_bytes(self) -> bytes | None:
        """The drawing as PNG file bytes, or None while the pad is empty."""
        if not self.png:
            return None
        return base64.b64decode(self.png.split(",", 1)[1])

    def clear(self):
        """Empty the pad (the browser clears its canvas too)."""
        self.png = ""

    def __repr__(self):
        return NEEDS_LIVE_KERNEL  # what a static view of the notebook (or nbval) shows


class PadRow(ipywidgets.HBox):
    """The pad with other widgets in a row; a static view shows just the pad's note."""

    def __repr__(self):
        return NEEDS_LIVE_KERNEL
