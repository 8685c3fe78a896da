// The drawing pad's view (anywidget ES module): helpers/canvas.py's DrawingPad.
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
