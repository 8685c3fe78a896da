"""The drawing pad's Python side: what it hands to the prediction path."""

import base64
import io

import numpy as np
import pytest

from helpers import canvas, predict
from tests.test_predict import FakeModel, drawn_digit


def as_data_url(image):
    """What the browser's ``canvas.toDataURL("image/png")`` sends."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_an_empty_pad_has_no_image():
    pad = canvas.DrawingPad()
    assert pad.png == "" and pad.png_bytes() is None


def test_a_drawing_arrives_as_png_bytes_for_the_photo_path():
    drawing = drawn_digit(size=(280, 280), offset=(90, 80))
    pad = canvas.DrawingPad()
    pad.png = as_data_url(drawing)
    png = pad.png_bytes()
    assert png.startswith(b"\x89PNG")
    np.testing.assert_allclose(
        predict.to_mnist(png), predict.to_mnist(drawing), atol=1e-6
    )
    digit, probabilities = predict.classify(FakeModel(), png)
    assert probabilities.shape == (10,) and 0 <= digit <= 9


def test_clear_empties_the_pad_and_tells_observers():
    pad = canvas.DrawingPad()
    pad.png = as_data_url(drawn_digit())
    seen = []
    pad.observe(lambda change: seen.append(change["new"]), names="png")
    pad.clear()
    assert pad.png_bytes() is None and seen == [""]


@pytest.mark.parametrize("widget", [canvas.DrawingPad, canvas.PadRow])
def test_a_static_view_says_the_pad_needs_a_live_kernel(widget):
    bundle = widget()._repr_mimebundle_()
    bundle = (
        bundle[0] if isinstance(bundle, tuple) else bundle
    )  # anywidget / ipywidgets
    assert bundle["text/plain"] == canvas.NEEDS_LIVE_KERNEL
    assert "JupyterLab with a running kernel" in canvas.NEEDS_LIVE_KERNEL
