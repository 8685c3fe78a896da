"""``helpers.explore``: what notebook 01's explorer draws for each choice.

The browser test clicks the same controls in JupyterLab; here the widgets are driven
from Python, without a kernel.
"""

import re

import numpy as np
import pytest

from helpers import explore


def small_set():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    labels = np.arange(40) % 10
    stored = {digit: np.flatnonzero(labels == digit) for digit in range(10)}
    reverse = {digit: found[::-1] for digit, found in stored.items()}
    return images, labels, {"as stored": stored, "reversed": reverse}


def shown_index(browser):
    return int(re.search(r"Training image #(\d+)", browser.view.value).group(1))


def test_pixel_table_shows_every_value_on_its_own_grey():
    image = np.arange(784).reshape(28, 28) % 256
    html = explore.pixel_table(image)
    cells = re.findall(
        r'<td style="background:rgb\((\d+),\1,\1\);[^"]*">(\d+)</td>', html
    )
    assert len(cells) == 784
    assert all(grey == value for grey, value in cells)
    assert [int(v) for _, v in cells] == image.ravel().tolist()


def test_the_browser_follows_digit_order_and_position():
    images, labels, orders = small_set()
    browser = explore.DigitBrowser(images, labels, orders, strip=3)
    assert shown_index(browser) == 0 and "a 0, number 1 of 4" in browser.view.value
    browser.digit.value = 3
    assert shown_index(browser) == 3
    browser.position.value = 2
    assert shown_index(browser) == 23 and "number 3 of 4" in browser.view.value
    assert browser.view.value.count("<img") == 1  # only #33 comes after #23
    browser.order.value = "reversed"  # a new order starts at its first example again
    assert browser.position.value == 0 and shown_index(browser) == 33
    assert browser.position.max == 3
    assert explore.pixel_table(images[33]) in browser.view.value
    assert browser.view.value.count("<img") == 3  # the next three: #23, #13, #3


def gallery_of_squares():
    """A Gallery whose picture is a square of the slider's grey level."""
    import ipywidgets as widgets

    def render(level):
        if level > 200:
            raise ValueError(f"level {level} is too bright")
        return [np.full((4, 4), level, dtype=np.uint8)], [f"level {level}"]

    slider = widgets.IntSlider(10, min=0, max=255)
    return explore.Gallery(render, {"level": slider}), slider


def test_a_gallery_redraws_when_a_control_moves():
    gallery, slider = gallery_of_squares()
    assert "level 10" in gallery.view.value
    before = gallery.view.value
    slider.value = 90
    assert "level 90" in gallery.view.value and gallery.view.value != before


def test_a_gallery_shows_the_error_of_its_drawing_function():
    gallery, slider = gallery_of_squares()
    try:
        slider.value = 250
    except ValueError:
        pass  # ipywidgets re-raises from the observer outside a kernel
    assert "explorer-error" in gallery.view.value
    assert "level 250 is too bright" in gallery.view.value


def test_the_confusion_explorer_shows_a_cell_up_to_its_limit():
    matrix = np.zeros((10, 10), dtype=int)
    matrix[3, 5], matrix[4, 9] = 7, 2

    def render(true, predicted):
        count = matrix[true, predicted]
        images = [np.zeros((28, 28), dtype=np.uint8)] * count
        return images, [f"{true}->{predicted} #{i}" for i in range(count)]

    explorer = explore.ConfusionExplorer(matrix, render, limit=5)
    explorer.show(4, 9)
    assert "True 4, predicted 9: 2 test digits</p>" in explorer.view.value
    assert explorer.view.value.count("<img") == 2
    explorer.show(3, 5)
    assert "7 test digits (the first 5 shown)" in explorer.view.value
    assert explorer.view.value.count("<img") == 5


def test_a_gallery_action_sets_several_controls_and_redraws_once():
    import ipywidgets as widgets

    calls = []

    def render(a, b):
        calls.append((a, b))
        return [np.full((4, 4), a + b, dtype=np.uint8)], [f"a {a} b {b}"]

    controls = {"a": widgets.IntSlider(1), "b": widgets.IntSlider(2)}
    gallery = explore.Gallery(
        render, controls, actions={"draw": lambda: {"a": 5, "b": 7}}
    )
    calls.clear()
    button = gallery.widget.children[2].children[0]
    assert button.description == "draw"
    button.click()
    assert calls == [(5, 7)]  # both set, one redraw with both
    assert controls["a"].value == 5 and "a 5 b 7" in gallery.view.value
    with pytest.raises(KeyError, match="no control named \\['c'\\]"):
        gallery.apply({"c": 1})
