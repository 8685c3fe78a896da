"""A drawing pad for JupyterLab: draw a digit with a mouse, a pen or a finger.

``DrawingPad()`` shows a white square and a Clear button. Each time a stroke ends, the
pad sends the whole drawing to Python as a PNG (``pad.png_bytes()``), the same kind of
file a photo or a scan would be, so it goes through the same ``helpers.predict`` path.
Watch it with ``pad.observe(callback, names="png")``; ``PadRow([pad, ...])`` shows the
pad with other widgets (an answer, a figure) beside it. The drawing happens in the browser
(smooth, no round trip per mouse move); the pad needs JupyterLab (or Notebook 7) with a
running kernel, and a saved copy of the notebook shows only its text.
"""

import base64

import anywidget
import ipywidgets
import traitlets

# At most 110 characters: ipywidgets cuts a widget's text form there.
NEEDS_LIVE_KERNEL = (
    "Drawing pad: draw a digit here in JupyterLab with a running kernel "
    "(a saved notebook cannot show it)."
)

_ESM = """
function render({ model, el }) {
  const size = model.get("size");
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  canvas.className = "drawing-pad-canvas";
  const context = canvas.getContext("2d");
  function clear() {
    context.fillStyle = "white";
    context.fillRect(0, 0, size, size);
  }
  clear();
  let last = null;
  // Where the pointer is, in canvas pixels, however the page scales the canvas.
  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * size / box.width,
            (event.clientY - box.top) * size / box.height];
  }
  function line(from, to) {
    context.strokeStyle = "black";
    context.lineWidth = model.get("pen");
    context.lineCap = "round";
    context.lineJoin = "round";
    context.beginPath();
    context.moveTo(from[0], from[1]);
    context.lineTo(to[0], to[1]);
    context.stroke();
  }
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    line(last, last);  // a tap leaves a dot
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (last === null) return;
    const point = at(event);
    line(last, point);
    last = point;
  });
  function finish() {
    if (last === null) return;
    last = null;
    model.set("png", canvas.toDataURL("image/png"));
    model.save_changes();
  }
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  const button = document.createElement("button");
  button.textContent = "Clear";
  button.className = "drawing-pad-clear jupyter-button";
  button.addEventListener("click", () => {
    clear();
    model.set("png", "");
    model.save_changes();
  });
  model.on("change:png", () => { if (model.get("png") === "") clear(); });
  el.classList.add("drawing-pad");
  el.append(canvas, button);
}
export default { render };
"""

_CSS = """
.drawing-pad { display: flex; flex-direction: column; align-items: flex-start; gap: 6px; }
.drawing-pad-canvas {
  border: 1px solid #888;
  cursor: crosshair;
  touch-action: none;  /* a finger draws instead of scrolling the page */
}
"""


class DrawingPad(anywidget.AnyWidget):
    """A square to draw a digit in; ``png`` holds the drawing as a PNG data URL."""

    _esm = _ESM
    _css = _CSS
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
    """The pad with other widgets beside it, in one row.

    A static view of the notebook shows only the pad's note, not a dump of the widgets.
    """

    def __repr__(self):
        return NEEDS_LIVE_KERNEL
