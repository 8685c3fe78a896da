"""Widget plumbing for the notebooks' explorers (JupyterLab, a running kernel):
``DigitBrowser`` (notebook 01), ``Gallery`` (03, 04, 05 and 07), ``ConfusionExplorer``
(06) and ``Trials`` (09). The lesson's logic (how digits are ranked, what a transform
does, what a layer computes) stays in the notebook; these classes only lay out controls
and pictures, drawn as HTML from NumPy (no matplotlib), so a change answers in
milliseconds of Python (``Trials`` when its training ends: seconds)."""

import base64
import html
import io

import numpy as np


def to_uint8(image) -> np.ndarray:
    """A 2-D image as uint8 grey levels: uint8 as it is, 0-1 floats scaled, anything
    else (feature maps) stretched from its own minimum to its maximum."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.dtype == np.uint8:  # grey levels, or a chart's RGB(A) pixels
        return image
    image = image.astype("float32")
    low, high = float(image.min()), float(image.max())
    if low >= 0.0 and high <= 1.0:
        low, high = 0.0, 1.0
    scaled = (image - low) / (high - low) if high > low else np.zeros_like(image)
    return np.round(scaled * 255).astype(np.uint8)


def png_data_url(image) -> str:
    """A 2-D image as a PNG ``data:`` URL, for an ``<img>`` tag (see ``to_uint8``)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def pixel_table(image) -> str:
    """A 28x28 uint8 image as an HTML table: each pixel's value on its own grey."""
    rows = []
    for row in np.asarray(image, dtype=np.uint8):
        cells = "".join(
            f'<td style="background:rgb({v},{v},{v});color:{"#000" if v > 127 else "#888"}">'
            f"{v}</td>"
            for v in row.tolist()
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        '<table class="pixel-table" style="border-collapse:collapse;font:9px monospace;'
        'text-align:center">' + "".join(rows) + "</table>"
    )


def thumbnails(images, titles, size=56) -> str:
    """A row of small images (wrapping), each with a caption (lines split at "\\n")."""
    figures = "".join(
        f'<figure style="margin:0 4px 6px;text-align:center;font-size:11px">'
        f'<img src="{png_data_url(image)}" width="{size}" '
        f'style="image-rendering:pixelated" alt="{html.escape(title.replace(chr(10), " "))}">'
        f"<figcaption>{html.escape(title).replace(chr(10), '<br>')}</figcaption></figure>"
        for image, title in zip(images, titles)
    )
    return (
        f'<div class="thumbnails" style="display:flex;flex-wrap:wrap">{figures}</div>'
    )


def probability_bars(probabilities, true=None, height=30) -> np.ndarray:
    """Ten class probabilities as a tiny bar chart (RGB uint8, ``height`` x 30, digit 0
    at the left) for ``thumbnails``: grey, the true class green, a wrong answer red."""
    probabilities = np.asarray(probabilities, dtype="float64")
    if probabilities.shape != (10,):
        raise ValueError(
            f"probability_bars takes one image's 10 class probabilities; got shape "
            f"{probabilities.shape} (pick one row, e.g. predictions[i])"
        )
    chart = np.full((height, 30, 3), 255, dtype=np.uint8)
    chosen = int(probabilities.argmax())
    for digit, value in enumerate(np.clip(probabilities, 0, 1)):
        colour = (150, 150, 150)
        if digit == true:
            colour = (44, 160, 44)
        elif digit == chosen and true is not None:
            colour = (214, 39, 40)
        top = height - max(1, round(value * height)) if value > 0 else height
        chart[top:, 3 * digit : 3 * digit + 2] = colour
    return chart


def error_html(error) -> str:
    """The drawing function's error, shown in the explorer itself (an exception in a
    widget callback only reaches JupyterLab's log console, unseen by a learner)."""
    return (
        '<p class="explorer-error" style="color:#b00">The drawing function raised '
        f"<code>{html.escape(type(error).__name__)}: {html.escape(str(error))}</code>. "
        "Fix the function (or re-run its cell) and move a control again.</p>"
    )


class DigitBrowser:
    """Pick a digit, an order and an example; see its pixels as a table of 784 values
    and the next examples in that order. ``orders``: a name ("as stored", "farthest from
    the mean", ...) -> ``{digit: indices into images, in that order}``."""

    def __init__(self, images, labels, orders, strip=10):
        import ipywidgets as widgets

        self.images, self.labels, self.orders, self.strip = (
            images,
            labels,
            orders,
            strip,
        )
        self.digit = widgets.ToggleButtons(options=list(range(10)), description="digit")
        self.digit.style.button_width = "32px"
        self.order = widgets.ToggleButtons(options=list(orders), description="order")
        self.position = widgets.IntSlider(0, min=0, description="example")
        # One HTML widget for title, pixels and next examples: one message per change.
        self.view = widgets.HTML()
        for control in (self.digit, self.order):
            control.observe(self.on_choice, names="value")
        self.widget = widgets.VBox([self.digit, self.order, self.position, self.view])
        self.widget.add_class("digit-browser")
        self.on_choice()

    def indices(self):
        return self.orders[self.order.value][self.digit.value]

    def on_choice(self, change=None):
        """A new digit or order: back to its first example, drawn once, the image before
        the slider's reset, so the learner sees the answer before the slider redraws."""
        self.show(position=0)
        self.position.unobserve(self.show, names="value")
        with self.position.hold_sync():  # value and maximum in one message
            self.position.value = 0
            self.position.max = len(self.indices()) - 1
        self.position.observe(self.show, names="value")

    def show(self, change=None, position=None):
        position = self.position.value if position is None else position
        indices = self.indices()
        index = indices[position]
        after = indices[position + 1 : position + 1 + self.strip]
        self.view.value = (
            # The class is where the browser test reads what is shown.
            f'<p class="digit-browser-title"><b>Training image #{index}</b>: a '
            f"{self.labels[index]}, number {position + 1:,} of {len(indices):,} "
            f"({self.order.value})</p>"
            + pixel_table(self.images[index])
            + "<p>Next in this order:</p>"
            + thumbnails(self.images[after], [f"#{i}" for i in after])
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class Gallery:
    """Controls on top, pictures under them, redrawn whenever a control changes:
    ``render(**values)``, the notebook's function, gets each control's value by name and
    returns ``(images, captions)``. ``actions``: button label -> a no-argument function
    returning new values for some controls (a random draw, say); a click sets them all,
    then redraws once."""

    def __init__(self, render, controls, size=84, name="gallery", actions=None):
        import ipywidgets as widgets

        self.render, self.controls, self.size = render, controls, size
        self.view = widgets.HTML()
        self._holding = False
        for control in controls.values():
            control.observe(self.show, names="value")
        buttons = []
        for label, action in (actions or {}).items():
            button = widgets.Button(description=label)
            button.on_click(lambda _, act=action: self.apply(act()))
            buttons.append(button)
        row = [widgets.HBox(buttons)] if buttons else []
        self.widget = widgets.VBox([*controls.values(), *row, self.view])
        self.widget.add_class(name)  # where the browser test finds it
        self.show()

    def apply(self, values):
        """Set several controls at once (``{name: value}``) and redraw once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(
                f"no control named {sorted(unknown)}; the controls are "
                f"{sorted(self.controls)}"
            )
        self._holding = True  # one redraw for all of them, not one per control
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.show()

    def show(self, change=None):
        if self._holding:
            return
        values = {name: control.value for name, control in self.controls.items()}
        try:
            images, captions = self.render(**values)
        except Exception as error:
            self.view.value = error_html(error)
            raise  # the traceback still goes to the log console
        self.view.value = thumbnails(images, captions, self.size)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class ConfusionExplorer:
    """A confusion matrix of buttons; a click shows that cell's images. ``matrices``:
    one model's counts (``matrix[true, predicted]``) or ``{name: matrix}`` with a menu
    to switch between them (the counts follow). ``render(name, true, predicted)``
    (``render(true, predicted)`` for one matrix), the notebook's function, returns
    ``(images, captions)`` for that cell, diagonal (correct) cells included."""

    def __init__(self, matrices, render, size=56, limit=60):
        import ipywidgets as widgets

        self.several = isinstance(matrices, dict)
        self.matrices = {
            name: np.asarray(matrix)
            for name, matrix in (matrices if self.several else {"": matrices}).items()
        }
        self.render, self.size = render, size
        self.limit = limit  # a diagonal cell or a poor model's cell holds hundreds
        layout = widgets.Layout(width="48px", height="26px", padding="0")
        self.model = widgets.Dropdown(options=list(self.matrices), description="model")
        rows = [self.model] if self.several else []
        rows.append(widgets.HTML("<b>true ↓ / predicted →</b>"))
        header = [
            widgets.Label(str(p), layout=widgets.Layout(width="48px"))
            for p in range(10)
        ]
        rows.append(
            widgets.HBox(
                [widgets.Label("", layout=widgets.Layout(width="20px")), *header]
            )
        )
        self.buttons = {}
        for true in range(10):
            row = []
            for predicted in range(10):
                button = widgets.Button(
                    layout=layout,
                    button_style="success" if true == predicted else "",
                )
                button.add_class(f"cell-{true}-{predicted}")
                button.on_click(lambda _, t=true, p=predicted: self.show(t, p))
                self.buttons[true, predicted] = button
                row.append(button)
            label = widgets.Label(str(true), layout=widgets.Layout(width="20px"))
            rows.append(widgets.HBox([label, *row]))
        self.view = widgets.HTML("<p>Click a number of the matrix.</p>")
        self.widget = widgets.VBox([*rows, self.view])
        self.widget.add_class("confusion-explorer")
        self.model.observe(self.switch, names="value")
        self.switch()

    @property
    def matrix(self):
        return self.matrices[self.model.value if self.several else ""]

    def switch(self, change=None):
        for (true, predicted), button in self.buttons.items():
            count = int(self.matrix[true, predicted])
            button.description = str(count)
            button.tooltip = f"true {true}, predicted {predicted}: {count}"
            button.disabled = count == 0
        if change is not None:
            self.view.value = (
                f"<p>{html.escape(self.model.value)}: click a number of the matrix.</p>"
            )

    def show(self, true, predicted):
        try:
            if self.several:
                images, captions = self.render(self.model.value, true, predicted)
            else:
                images, captions = self.render(true, predicted)
        except Exception as error:
            self.view.value = error_html(error)
            raise
        count = int(self.matrix[true, predicted])
        shown = f" (the first {self.limit} shown)" if count > self.limit else ""
        who = f"{html.escape(self.model.value)}: " if self.several else ""
        self.view.value = (
            f'<p class="confusion-title">{who}True {true}, predicted {predicted}: '
            f"{count} test digit{'s' if count != 1 else ''}{shown}</p>"
            + thumbnails(images[: self.limit], captions[: self.limit], self.size)
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class Trials:
    """Knobs, a button that runs the notebook's function with them, a table of the runs.
    ``run(**values)`` gets each knob's value by name, trains and returns what to show as
    a dict (``{"validation %": 99.1, "train s": 2.3}``). ``reference``: the committed
    run's knobs and results, the row (``reference_label``) every try is compared with.
    Each press adds a row, ``try 1``, ``try 2``...; an error is shown in the widget."""

    def __init__(
        self,
        run,
        controls,
        reference,
        name="trials",
        label="Train",
        reference_label="this notebook's run",
    ):
        import ipywidgets as widgets

        self.run, self.controls = run, controls
        self.rows = {reference_label: dict(reference)}
        self.label = label
        self.button = widgets.Button(description=label, button_style="primary")
        self.button.on_click(self.press)
        self.status = widgets.HTML("<p>Set the knobs, then press the button.</p>")
        self.view = widgets.HTML()
        self.widget = widgets.VBox(
            [*controls.values(), self.button, self.status, self.view]
        )
        self.widget.add_class(name)  # where the browser test finds it
        self.show()

    def press(self, _=None):
        values = {name: control.value for name, control in self.controls.items()}
        label = f"try {len(self.rows)}"
        self.button.disabled, self.button.description = True, "training..."
        self.status.value = f"<p>{label}: training with {html.escape(str(values))}</p>"
        try:
            outcome = self.run(**values)
        except Exception as error:
            self.status.value = error_html(error)
            raise  # the traceback still goes to the log console
        finally:
            self.button.disabled, self.button.description = False, self.label
        self.rows[label] = {**values, **outcome}
        self.status.value = f'<p class="trials-status">{label}: done</p>'
        self.show()
        return self.rows[label]

    def table(self):
        """Every row so far as a DataFrame (the reference first)."""
        import pandas as pd

        return pd.DataFrame.from_dict(self.rows, orient="index")

    def show(self):
        self.view.value = self.table().to_html(classes="trials-table", border=0)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
