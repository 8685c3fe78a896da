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


def test_probability_bars_colour_the_true_class_and_a_wrong_answer():
    probabilities = np.zeros(10)
    probabilities[[3, 7]] = 0.25, 0.75  # a 3 the model calls a 7
    chart = explore.probability_bars(probabilities, true=3, height=20)
    assert chart.shape == (20, 30, 3) and chart.dtype == np.uint8
    column = {digit: chart[:, 3 * digit] for digit in range(10)}
    assert (column[7][-15:] == (214, 39, 40)).all() and (column[7][:5] == 255).all()
    assert (column[3][-5:] == (44, 160, 44)).all() and (column[3][:15] == 255).all()
    assert (column[0] == 255).all()  # a zero probability draws nothing
    assert (chart[:, 2] == 255).all()  # the gap between bars
    with pytest.raises(ValueError, match="one image's 10"):
        explore.probability_bars(np.zeros((2, 10)))


def test_a_confusion_explorer_switches_models_and_opens_the_diagonal():
    first, second = np.zeros((10, 10), int), np.zeros((10, 10), int)
    np.fill_diagonal(first, 100)
    np.fill_diagonal(second, 90)
    first[4, 9], second[4, 9], second[7, 1] = 3, 8, 2
    calls = []

    def render(name, true, predicted):
        calls.append((name, true, predicted))
        count = {"A": first, "B": second}[name][true, predicted]
        return [np.zeros((28, 28), dtype=np.uint8)] * count, ["x"] * count

    explorer = explore.ConfusionExplorer({"A": first, "B": second}, render, limit=50)
    cell = explorer.buttons[4, 9]
    assert cell.description == "3" and explorer.buttons[7, 1].disabled
    cell.click()
    assert calls[-1] == ("A", 4, 9) and "A: True 4, predicted 9: 3 test digits" in (
        explorer.view.value
    )
    explorer.model.value = "B"  # the counts follow the model, the old pictures go
    assert cell.description == "8" and not explorer.buttons[7, 1].disabled
    assert "<img" not in explorer.view.value
    cell.click()
    assert explorer.view.value.count("<img") == 8
    explorer.buttons[2, 2].click()  # the diagonal: that digit's correct answers
    assert calls[-1] == ("B", 2, 2)
    assert "90 test digits (the first 50 shown)" in explorer.view.value
    assert explorer.view.value.count("<img") == 50


def knobs():
    import ipywidgets as widgets

    return {
        "batch": widgets.Dropdown(options=[128, 256], value=256),
        "peak": widgets.FloatSlider(0.02, min=0.001, max=0.1),
    }


def test_trials_train_with_the_knobs_and_add_a_row_each():
    calls = []

    def run(batch, peak):
        calls.append((batch, peak))
        return {"validation %": 90 + peak * 100, "train s": batch / 100}

    reference = {"batch": 256, "peak": 0.02, "validation %": 99.0, "train s": 2.0}
    trials = explore.Trials(run, knobs(), reference)
    assert list(trials.table().index) == ["this notebook's run"] and calls == []
    trials.controls["batch"].value = 128
    trials.controls["peak"].value = 0.05
    assert trials.press() == {
        "batch": 128,
        "peak": 0.05,
        "validation %": 95.0,
        "train s": 1.28,
    }
    trials.press()
    assert calls == [(128, 0.05), (128, 0.05)]
    table = trials.table()
    assert list(table.index) == ["this notebook's run", "try 1", "try 2"]
    assert table.loc["try 1", "train s"] == 1.28
    assert table.loc["this notebook's run", "validation %"] == 99.0
    assert "try 2" in trials.view.value and "95.0" in trials.view.value
    assert "try 2: done" in trials.status.value
    assert not trials.button.disabled


def test_trials_show_an_error_and_keep_the_button_usable():
    def run(batch, peak):
        raise ValueError("peak too high")

    trials = explore.Trials(run, knobs(), {"batch": 256, "peak": 0.02})
    with pytest.raises(ValueError):
        trials.press()
    assert "ValueError: peak too high" in trials.status.value
    assert not trials.button.disabled and trials.button.description == "Train"
    assert list(trials.table().index) == ["this notebook's run"]
