"""Widget plumbing for notebook 01's explorer: browse MNIST digit by digit.

    browser = explore.DigitBrowser(x_train, y_train, orders)
    browser            # shows it (JupyterLab, a running kernel)

The lesson's logic stays in the notebook: it computes ``orders``, one way (or more) of
ranking the examples of each digit, for instance by distance from the digit's mean
image. The browser only shows them: pick a digit, an order and an example; see the
image as a table of its 784 pixel values (each cell shaded with its own grey), and the
next examples in that order as thumbnails.

Everything is drawn as HTML from NumPy (no matplotlib), so a change answers in a few
milliseconds of Python.
"""

import base64
import io

import numpy as np


def png_data_url(image) -> str:
    """A 2-D uint8 image as a ``data:`` URL, for an ``<img>`` tag."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG")
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


def thumbnails(images, titles) -> str:
    """A row of small images, each with a caption underneath."""
    figures = "".join(
        f'<figure style="margin:0 4px;text-align:center;font-size:11px">'
        f'<img src="{png_data_url(image)}" width="56" height="56" '
        f'style="image-rendering:pixelated" alt="{title}"><figcaption>{title}'
        f"</figcaption></figure>"
        for image, title in zip(images, titles)
    )
    return (
        f'<div class="thumbnails" style="display:flex;flex-wrap:wrap">{figures}</div>'
    )


class DigitBrowser:
    """Pick a digit, an order and an example; see its pixels and the next examples.

    ``orders`` maps a name ("as stored", "farthest from the mean", ...) to a dict
    ``{digit: indices into images}``, each listing that digit's examples in that order.
    """

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
        # One HTML widget for the title, the pixels and the next examples: one message
        # to the browser per change.
        self.view = widgets.HTML()
        for control in (self.digit, self.order):
            control.observe(self.on_choice, names="value")
        self.widget = widgets.VBox([self.digit, self.order, self.position, self.view])
        self.widget.add_class("digit-browser")
        self.on_choice()

    def indices(self):
        return self.orders[self.order.value][self.digit.value]

    def on_choice(self, change=None):
        """A new digit or order: back to its first example, drawn once."""
        self.position.unobserve(self.show, names="value")
        self.position.value = 0
        self.position.max = len(self.indices()) - 1
        self.position.observe(self.show, names="value")
        self.show()

    def show(self, change=None):
        indices = self.indices()
        index = indices[self.position.value]
        after = indices[self.position.value + 1 : self.position.value + 1 + self.strip]
        self.view.value = (
            # The class is where the browser test reads what is shown.
            f'<p class="digit-browser-title"><b>Training image #{index}</b>: a '
            f"{self.labels[index]}, number {self.position.value + 1:,} of {len(indices):,} "
            f"({self.order.value})</p>"
            + pixel_table(self.images[index])
            + "<p>Next in this order:</p>"
            + thumbnails(self.images[after], [f"#{i}" for i in after])
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
