"""Notebooks as a learner sees them: JupyterLab in headless Chromium, driven by Playwright.

JupyterLab runs on 127.0.0.1 with a token, on copies of the notebooks (JupyterLab saves
what it runs; the committed notebooks must keep their full-run outputs). Each notebook
is run top to bottom in quick mode and must show no traceback and no red stderr box.
Then notebook 08's drawing pad gets digits drawn with the mouse, and one with a finger
(touch input), and the page must show the right prediction for each: with no full-run
model in its artifacts folder, as in a fresh clone, 08 trains its own first.

Needs Debian's ``chromium`` (``apt-get install chromium``) and ``pip install
playwright``; no browser download. Without them the test is skipped on a laptop and
fails in CI (``CI`` set), where ``.ci/run`` installs both.
"""

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, launch

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "mnist-browser-test"
# The digits each stroke list draws, in canvas pixels of the 280 x 280 pad. Mouse
# strokes, not images: the page turns them into a PNG, as it would a learner's drawing.
STROKES = {
    1: [[(140, 45), (143, 120), (146, 235)]],
    7: [[(65, 60), (210, 60), (175, 120), (140, 180), (115, 240)]],
    0: [
        [
            (140, 45),
            (185, 65),
            (205, 140),
            (185, 215),
            (140, 238),
            (95, 215),
            (75, 140),
            (95, 65),
            (140, 45),
        ]
    ],
}


def _missing():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return "Debian's chromium is not installed (apt-get install chromium)"
    if not os.environ.get("MNIST_PATH"):
        return "needs MNIST (MNIST_PATH)"
    return None


def _require():
    reason = _missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"the browser test must run in CI: {reason}")
    if reason:
        pytest.skip(reason)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving copies of the notebooks; yields its URL and its folder."""
    _require()
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "helpers").symlink_to(ROOT / "helpers")  # the notebooks import ../helpers
    # ipykernel shows what C++ code writes to stderr only outside pytest: without this
    # variable the kernels behave as in a learner's JupyterLab.
    env = {
        key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"
    }
    env = {
        **env,
        "MNIST_QUICK": "1",
        "MNIST_ARTIFACTS": str(root / "artifacts"),
        "PYTHONPATH": str(ROOT),
    }
    port = _free_port()
    with open(root / "server.log", "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={root}",
                "--LabApp.expose_app_in_browser=True",
                f"--LabApp.workspaces_dir={root / 'workspaces'}",  # no tabs restored
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                *(["--allow-root"] if os.geteuid() == 0 else []),  # CI runs as root
            ],
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                if server.poll() is not None:
                    break
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            if server.poll() is not None:
                pytest.fail(f"JupyterLab stopped:\n{(root / 'server.log').read_text()}")
            yield url, root, env
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


# The notebook panel of the page's notebook (not another tab), and its state.
NOTEBOOK_STATE = """(name) => {
    const panel = [...window.jupyterapp.shell.widgets("main")].find(
        (widget) => widget.context && widget.context.path === "notebooks/" + name);
    const kernel = panel && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    if (!kernel || kernel.connectionStatus !== "connected") return null;
    const cells = panel.content.model.cells;
    const code = [];
    let running = 0;  // queued or executing ("[*]")
    for (let i = 0; i < cells.length; i++) {
        const model = cells.get(i);
        if (model.type !== "code") continue;
        code.push(model.toJSON());
        if (model.executionState === "running") running += 1;
    }
    return {status: kernel.status, running: running, cells: code};
}"""


def notebook_state(page, name):
    """The kernel's status and every code cell (source, count, outputs) of ``name``.

    Read from JupyterLab's notebook model, not the page's DOM: JupyterLab renders only
    the cells near the viewport, and an output further down must count too. None until
    the notebook is open and its kernel connected.
    """
    return page.evaluate(NOTEBOOK_STATE, name)


def run_all(browser, lab, name, **options):
    """Open ``notebooks/<name>`` in JupyterLab, run every cell, return the page."""
    url, root, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, **options)
    page.goto(f"{url}/lab/tree/notebooks/{name}?reset&token={TOKEN}")
    page.wait_for_function(
        f"() => window.jupyterapp && ({NOTEBOOK_STATE})({name!r})?.status === 'idle'",
        timeout=120_000,
    )
    page.evaluate(  # started, not awaited: the loop below watches the run
        "(name) => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }",
        name,
    )
    # Done when the first cell has run and, for three seconds, no cell is queued or
    # running (the run ends at the last cell, or early at a cell that raised).
    deadline, idle = time.monotonic() + 600, 0
    while time.monotonic() < deadline and idle < 3:
        time.sleep(1)
        state = notebook_state(page, name)
        started = state["cells"][0]["execution_count"] is not None
        quiet = state["running"] == 0 and state["status"] == "idle"
        idle = idle + 1 if started and quiet else 0
    page.screenshot(path=str(root / f"{name}.png"))
    not_run = [c["source"][:60] for c in state["cells"] if c["execution_count"] is None]
    assert not not_run, f"{name}: cells not run: {not_run}; {red_boxes(page, name)}"
    return page


def _text(output):
    text = output.get("text") or "\n".join(output.get("traceback") or [])
    return "".join(text) if isinstance(text, list) else text


def red_boxes(page, name):
    """Every stderr output and traceback in the notebook, as text."""
    return [
        _text(output)[:400]
        for cell in notebook_state(page, name)["cells"]
        for output in cell["outputs"]
        if output.get("name") == "stderr" or output["output_type"] == "error"
    ]


def draw(page, canvas, strokes):
    box = canvas.bounding_box()
    scale = box["width"] / 280
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=8)
        page.mouse.up()


def draw_with_a_finger(page, canvas, strokes):
    """The same strokes as touch input (a finger on a touch screen), sent through CDP."""
    cdp = page.context.new_cdp_session(page)
    box = canvas.bounding_box()
    scale = box["width"] / 280

    def touch(kind, x=None, y=None):
        points = (
            []
            if x is None
            else [{"x": box["x"] + x * scale, "y": box["y"] + y * scale}]
        )
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    for stroke in strokes:
        touch("touchStart", *stroke[0])
        for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
            for step in range(1, 9):
                t = step / 8
                touch("touchMove", x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        touch("touchEnd")


@pytest.mark.parametrize(
    "name",
    [p.name for p in sorted((ROOT / "notebooks").glob("0[1-7]_*.ipynb"))],
)
def test_a_notebook_shows_no_red_boxes(browser, lab, name):
    page = run_all(browser, lab, name)
    assert red_boxes(page, name) == []
    page.close()


def test_draw_digits_in_notebook_08_in_a_fresh_clone(browser, lab):
    """No full-run model in artifacts/ (as in a fresh clone): 08 trains its own in seconds,
    says so, and its pad reads drawn digits."""
    name = "08_use_the_model.ipynb"
    assert not list((lab[1] / "artifacts").glob("*.keras"))  # only quick runs' models
    opened = time.monotonic()
    page = run_all(browser, lab, name, has_touch=True)
    printed = "".join(
        _text(o)
        for cell in notebook_state(page, name)["cells"]
        for o in cell["outputs"]
    )
    assert "model: notebook 09's recipe, trained here (not trained yet" in printed
    assert re.search(
        r"speedrun \(notebook 09's recipe, trained here\): test accuracy 9\d", printed
    )
    assert red_boxes(page, name) == []
    canvas = page.locator(".drawing-pad-canvas")
    canvas.scroll_into_view_if_needed()
    answer = page.locator(".digit-answer")
    answer.wait_for()
    assert "Draw a digit" in answer.text_content()
    ways = [(digit, strokes, draw) for digit, strokes in STROKES.items()]
    ways.append((7, STROKES[7], draw_with_a_finger))
    for digit, strokes, how in ways:
        page.locator(".drawing-pad-clear").click()
        page.wait_for_function(
            "() => document.querySelector('.digit-answer').textContent.includes('Draw')"
        )
        how(page, canvas, strokes)
        page.wait_for_function(
            "() => document.querySelector('.digit-answer').textContent"
            ".includes('Prediction')",
            timeout=30_000,
        )
        # To look at by hand: what the page showed.
        page.screenshot(path=str(lab[1] / f"drawn_{digit}_{how.__name__}.png"))
        assert f"Prediction: {digit}" in answer.text_content()
        if digit == 1:  # the first drawing
            print(
                f"notebook 08: first right answer {time.monotonic() - opened:.0f} s "
                "after opening it (its model trained in that time)"
            )
    assert red_boxes(page, name) == []
    page.close()


def test_notebook_02_as_slides(browser, lab):
    """RISE (jupyterlab-rise, requirements-teach.txt) shows the title, then Setup."""
    try:
        import jupyterlab_rise  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the slides test must run in CI: jupyterlab-rise is missing")
        pytest.skip(
            "jupyterlab-rise is not installed (pip install -r requirements-teach.txt)"
        )
    url, root, _ = lab
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{url}/rise/notebooks/02_baseline_cnn.ipynb?token={TOKEN}")
    slide = page.locator(".reveal .slides section.present").last
    slide.wait_for(timeout=60_000)
    first = slide.inner_text()
    assert first.startswith("02 · A baseline CNN")
    assert "Sources:" in first and "Setup" not in first  # the title slide alone
    page.keyboard.press("Space")  # the next slide
    page.wait_for_function(
        "() => [...document.querySelectorAll('.reveal .slides section.present')]"
        ".pop().innerText.startsWith('Setup')",
        timeout=10_000,
    )
    assert "sys.path.append" in slide.inner_text()  # the Setup section's code
    page.screenshot(path=str(root / "slides_02.png"))
    page.close()


LIVE_PROBE = [
    # Setup, as the notebooks have it.
    textwrap.dedent(
        """\
        import sys
        sys.path.insert(0, "..")
        import time
        import keras
        from helpers import data, live, training
        training.setup()
        (x_train, y_train), _ = data.load_prepared()
        model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])"""
    ),
    # A quick fit, slowed down (a pause per step) so that the test can watch it.
    textwrap.dedent(
        """\
        pause = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: time.sleep(0.03))
        monitor = live.TrainingMonitor(validation_label="validation")
        history = model.fit(x_train[:4096], y_train[:4096], batch_size=64, epochs=3,
                            validation_split=0.25, callbacks=[pause, monitor], verbose=2)"""
    ),
]
# The live bar's step count (tqdm: "Epoch 2/3: 81% 39/48 [00:01<00:00, 29 step/s]") and
# how many curve figures it shows.
LIVE_STATE = """() => {
    const box = document.querySelector(".live-training");
    if (!box) return null;
    const label = [...box.querySelectorAll(".widget-html-content")]
        .map((e) => e.textContent).join(" ")
        .replace(/\\s+/g, " ");  // tqdm pads with figure spaces (U+2007)
    const match = label.match(/(\\d+)\\/(\\d+)\\s*\\[/);  // "39/48 [00:01<00:00"
    return {step: match ? Number(match[1]) : null, text: label,
            curves: box.querySelectorAll(".live-curves svg").length};
}"""


def test_live_training_shows_progress_then_leaves_only_the_epoch_lines(browser, lab):
    import nbformat
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    url, root, _ = lab
    name = "live_probe.ipynb"
    probe = nbformat.v4.new_notebook()
    probe.cells = [nbformat.v4.new_code_cell(source) for source in LIVE_PROBE]
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(probe, root / "notebooks" / name)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/notebooks/{name}?reset&token={TOKEN}")
    page.wait_for_function(
        f"() => window.jupyterapp && ({NOTEBOOK_STATE})({name!r})?.status === 'idle'",
        timeout=120_000,
    )
    # Started, not awaited (the command's promise ends with the run).
    page.evaluate(
        "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )
    try:
        page.wait_for_function(f"({LIVE_STATE})() !== null", timeout=120_000)
    except PlaywrightTimeout:
        page.screenshot(path=str(root / "live_probe.png"))
        pytest.fail(f"no live progress shown: {notebook_state(page, name)['cells']}")
    seen = []
    while (state := page.evaluate(LIVE_STATE)) is not None:
        seen.append(state)
        if len(seen) == 12:  # to look at by hand: the bar and the curves mid-run
            page.screenshot(path=str(root / "live_probe_running.png"))
        time.sleep(0.25)
    steps = [
        (s["text"].split(":")[0], s["step"]) for s in seen if s["step"] is not None
    ]
    print(f"live bar: {len(seen)} looks, steps seen {sorted(set(steps))[:12]}...")
    assert len(set(steps)) >= 4, seen[-3:]  # the bar advanced within the epochs
    assert any("<" in s["text"] for s in seen)  # elapsed<remaining, as tqdm shows them
    assert max(s["curves"] for s in seen) >= 1  # curves drawn after an epoch
    page.wait_for_function(
        f"() => ({NOTEBOOK_STATE})({name!r})?.running === 0", timeout=60_000
    )
    outputs = notebook_state(page, name)["cells"][1]["outputs"]
    assert {o["output_type"] for o in outputs} == {"stream"}, outputs
    text = "".join(_text(o) for o in outputs if o.get("name") == "stdout")
    lines = [line for line in text.splitlines() if line]
    assert [line for line in lines if line.startswith("Epoch")] == [
        "Epoch 1/3",
        "Epoch 2/3",
        "Epoch 3/3",
    ]
    assert len(lines) == 6 and all("val_accuracy" in line for line in lines[1::2])
    page.close()


# The kernel of the page's notebook: run code in it unseen (no cell), interrupt it, stop it.
IN_KERNEL = """async ([name, action, code]) => {
    const panel = [...window.jupyterapp.shell.widgets("main")].find(
        (widget) => widget.context && widget.context.path === "notebooks/" + name);
    const kernel = panel.sessionContext.session.kernel;
    if (action === "execute") { await kernel.requestExecute({code: code}).done; }
    if (action === "interrupt") { await kernel.interrupt(); }
    if (action === "shutdown") { await panel.sessionContext.shutdown(); }
}"""


def test_notebook_02_shows_its_own_training_live(browser, lab):
    """Notebook 02 itself, in full mode (its quick run ends within one refresh of the bar):
    the bar of T3a's first `fit` counts the 300 steps of epoch 1 of 10; then the kernel is
    interrupted, which must leave Keras' traceback and no widget behind."""
    url, root, _ = lab
    name = "02_baseline_cnn_live.ipynb"  # a fresh copy of the committed notebook
    shutil.copy(ROOT / "notebooks" / "02_baseline_cnn.ipynb", root / "notebooks" / name)
    scratch = root / "full_run_results"  # a full run writes its records here
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/notebooks/{name}?reset&token={TOKEN}")
    page.wait_for_function(
        f"() => window.jupyterapp && ({NOTEBOOK_STATE})({name!r})?.status === 'idle'",
        timeout=120_000,
    )
    full_run = (
        f"import os; os.environ.update(MNIST_QUICK='0', MNIST_RESULTS={str(scratch)!r})"
    )
    page.evaluate(IN_KERNEL, [name, "execute", full_run])
    page.evaluate(
        "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )
    page.wait_for_function(f"({LIVE_STATE})() !== null", timeout=180_000)
    seen, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline and len({s["step"] for s in seen}) < 5:
        if (state := page.evaluate(LIVE_STATE)) is not None:
            seen.append(state)
        time.sleep(0.25)
    page.screenshot(path=str(root / "live_02.png"))  # to look at by hand
    steps = [s["step"] for s in seen if s["step"] is not None]
    print(f"notebook 02, live bar: {len(seen)} looks, steps {sorted(set(steps))}")
    assert len(set(steps)) >= 5, seen[-3:]  # it advanced, within the first epoch
    assert all(s["text"].startswith("Epoch 1/10") for s in seen), seen[-1]
    assert re.search(r"/300\s*\[", seen[-1]["text"])  # 60,000 images, 200 per step
    page.evaluate(IN_KERNEL, [name, "interrupt", ""])
    page.wait_for_function(
        f"() => ({NOTEBOOK_STATE})({name!r})?.running === 0", timeout=60_000
    )
    fit_cell = next(
        c
        for c in notebook_state(page, name)["cells"]
        if "baseline.fit(" in "".join(c["source"])
    )
    errors = [o for o in fit_cell["outputs"] if o["output_type"] == "error"]
    assert [o["ename"] for o in errors] == ["KeyboardInterrupt"], fit_cell["outputs"]
    assert page.evaluate(LIVE_STATE) is None  # the monitor took its widgets away
    assert not (scratch / "T3a.json").exists()  # stopped before the record
    page.evaluate(IN_KERNEL, [name, "shutdown", ""])
    page.close()


def record_latencies(explorer, latencies):
    """Print the latencies, and one ``EXPLORER_LATENCY {json}`` line that
    ``benchmarks/explorer_latency.py`` (``make bench WHAT=explorers``) collects."""
    print(
        f"{explorer}, ms per interaction:", {k: round(v) for k, v in latencies.items()}
    )
    ms = {k: round(v, 1) for k, v in latencies.items()}
    print("EXPLORER_LATENCY", json.dumps({"explorer": explorer, "ms": ms}))


def timed(page, action, condition):
    """Milliseconds from ``action()`` until the page satisfies ``condition`` (JavaScript)."""
    start = time.perf_counter()
    action()
    page.wait_for_function(condition, timeout=10_000, polling="raf")
    return (time.perf_counter() - start) * 1000


def test_explore_the_training_set_in_notebook_01(browser, lab):
    name = "01_data_visualization.ipynb"
    page = run_all(browser, lab, name)
    assert red_boxes(page, name) == []
    # What the lesson's cell printed: the farthest example of each digit.
    printed = next(
        _text(o)
        for c in notebook_state(page, name)["cells"]
        for o in c["outputs"]
        if "farthest from its mean:" in _text(o)
    )
    farthest = {
        int(d): int(i) for d, i in re.findall(r"(\d): (\d+)", printed.split(":", 1)[1])
    }
    browser_box = page.locator(".digit-browser")
    browser_box.scroll_into_view_if_needed()
    title = page.locator(".digit-browser-title")
    assert "a 0, number 1 of" in title.text_content()
    table = page.locator(".digit-browser .pixel-table")
    before = table.inner_html()

    def title_has(text):
        return f"() => document.querySelector('.digit-browser-title').textContent.includes({text!r})"

    def button(label):
        return browser_box.locator("button", has_text=label).first

    latencies = {
        "digit 3": timed(page, button("3").click, title_has("a 3, number 1 of")),
    }
    assert table.inner_html() != before  # a new image's pixels
    latencies["farthest first"] = timed(
        page, button("farthest").click, title_has(f"#{farthest[3]}")
    )
    handle = browser_box.locator(".noUi-handle, .slider-container input").first
    handle.focus()
    latencies["next example"] = timed(
        page, lambda: page.keyboard.press("ArrowRight"), title_has("a 3, number 2 of")
    )
    assert browser_box.locator(".thumbnails img").count() == 10
    # The same change as the first, now that the page has answered once: the first
    # click after running the notebook also pays one-time costs of the page.
    latencies["digit 5 (later)"] = timed(
        page, button("5").click, title_has("a 5, number 1 of")
    )
    record_latencies("notebook 01", latencies)
    page.screenshot(path=str(lab[1] / "explorer_01.png"))
    page.close()


def shows_digits(page, selector, count, timeout=10_000):
    """Wait until ``selector`` shows exactly ``count`` images: the explorer writes its
    title and its images in separate updates, so the title can be there first."""
    page.wait_for_function(
        f"() => document.querySelectorAll({selector + ' img'!r}).length === {count}",
        timeout=timeout,
    )
    assert len(img_sources(page, selector)) == count


def img_sources(page, selector):
    return page.evaluate(
        "(s) => [...document.querySelectorAll(s + ' img')].map((i) => i.src)", selector
    )


def captions(page, selector):
    return page.evaluate(
        "(s) => [...document.querySelectorAll(s + ' figcaption')].map((c) => c.textContent)",
        selector,
    )


def test_the_explorer_of_notebook_03_shows_each_models_answer(browser, lab):
    """Move the digit slider: the digit and the three models' answers change; untick
    "only where they disagree": the slider's number is the test digit's own."""
    page = run_all(browser, lab, "03_larger_cnn.ipynb")
    box = ".model-answers"
    page.locator(box).scroll_into_view_if_needed()
    before = captions(page, box)
    assert len(img_sources(page, box)) == 4, before  # the digit and three bar charts
    assert [c.split(":")[0] for c in before[1:]] == ["T3b", "T2", "T5"]
    first = (
        f"() => {{ const c = document.querySelector('{box} figcaption');"
        f" return c && c.textContent !== {before[0]!r}; }}"
    )
    latency = timed(page, type_into_readout(page, box, 0, "5"), first)
    after = captions(page, box)
    assert after[0] != before[0] and len(after) == 4
    page.locator(f"{box} input[type=checkbox]").uncheck()
    page.wait_for_function(
        f"() => document.querySelector('{box} figcaption').textContent"
        ".startsWith('test #5:')",
        timeout=10_000,
    )
    page.close()
    record_latencies("notebook 03", {"digit": latency})
    assert latency < 1000, latency


def test_the_explorers_of_notebooks_04_to_07(browser, lab):
    """Each explorer answers a control with the right picture; latencies are printed."""
    latencies = {}
    page = run_all(browser, lab, "04_batchnorm_augmentation.ipynb")
    box = ".augmentation-playground"
    page.locator(box).scroll_into_view_if_needed()
    before = img_sources(page, box)
    assert len(before) == 3

    def changed(index, old):
        return (
            f"() => {{ const i = document.querySelectorAll('{box} img')[{index}];"
            f" return i && i.src !== {old!r}; }}"
        )

    latencies["04 shear"] = timed(
        page, type_into_readout(page, box, 3, "0.45"), changed(1, before[1])
    )
    after = img_sources(page, box)
    assert after[0] == before[0] and after[2] != before[2]  # both ways redrawn
    assert readouts(page, box)[3] == "0.45"  # the shown shear is the one typed
    # A random draw from T4's ranges moves the sliders and redraws both ways once.
    shown = readouts(page, box)
    latencies["04 random draw"] = timed(
        page,
        page.locator(f"{box} button", has_text="new random draw").click,
        changed(1, after[1]),
    )
    drawn = readouts(page, box)
    assert drawn[0] == shown[0] and drawn[1:] != shown[1:], (shown, drawn)
    rotation, shear = (float(drawn[i].replace("\u2212", "-")) for i in (1, 3))
    assert -8 <= rotation <= 8 and -0.3 <= shear <= 0.3, drawn  # T4's ranges
    assert img_sources(page, box)[2] != after[2]
    page.close()

    page = run_all(browser, lab, "05_filter_visualization.ipynb")
    box = ".feature-map-explorer"
    page.locator(box).scroll_into_view_if_needed()
    assert len(img_sources(page, box)) == 1 + 32  # the digit and the first ReLU's maps
    select = page.locator(f"{box} select")
    # Only the four ReLUs after convolutions have maps: the dense layer's would not draw.
    assert select.locator("option").count() == 4
    fourth = select.locator("option").nth(3).text_content()
    count = f"() => document.querySelectorAll('{box} img').length === 65"
    latencies["05 layer"] = timed(page, lambda: select.select_option(fourth), count)
    page.close()

    page = run_all(browser, lab, "06_results_and_errors.ipynb")
    box = page.locator(".confusion-explorer")
    box.scroll_into_view_if_needed()
    matrices = quick_run_matrices(lab[1])
    # A mistake whose count differs between two models: the buttons must follow the menu.
    first, second, (true, predicted) = next(
        (a, b, (t, p))
        for t in range(10)
        for p in range(10)
        for a in matrices
        for b in matrices
        if t != p and 0 < matrices[a][t, p] != matrices[b][t, p] > 0
    )
    select = box.locator("select")
    cell = box.locator(f".cell-{true}-{predicted}")
    for name in (first, second):
        count = int(matrices[name][true, predicted])
        select.select_option(name)
        page.wait_for_function(
            f"() => document.querySelector('.confusion-explorer .cell-{true}-{predicted}')"
            f".textContent.trim() === '{count}'",
            timeout=10_000,
        )
        title = f"{name}: True {true}, predicted {predicted}: {count} test digit"
        shown = (
            "() => { const t = document.querySelector('.confusion-title');"
            f" return t && t.textContent.includes({title!r}); }}"
        )
        latencies[f"06 cell, {name}"] = timed(page, cell.click, shown)
        shows_digits(page, ".confusion-explorer", min(count, 60))
    # The diagonal: that digit's correct answers.
    count = int(matrices[second][true, true])
    shown = f"() => document.querySelector('.confusion-title').textContent.includes('{second}: True {true}, predicted {true}: {count} test digit')"
    timed(page, box.locator(f".cell-{true}-{true}").click, shown)
    shows_digits(page, ".confusion-explorer", min(count, 60))
    page.close()

    page = run_all(browser, lab, "07_going_further.ipynb")
    box = ".schedule-explorer"
    page.locator(box).scroll_into_view_if_needed()
    before = img_sources(page, box)
    latencies["07 keep"] = timed(
        page,
        type_into_readout(page, box, 1, "0.95"),
        changed_src(box, before[0]),
    )
    page.close()
    for number in ("04", "05", "06", "07"):
        record_latencies(
            f"notebook {number}",
            {k[3:]: v for k, v in latencies.items() if k.startswith(number)},
        )


def test_the_speedrun_explorer_of_notebook_09_trains_on_request(browser, lab):
    """A new batch size and a press of Train add a row with a new accuracy and time."""
    name = "09_speedrun.ipynb"
    page = run_all(browser, lab, name)
    assert red_boxes(page, name) == []
    box = ".speedrun-trials"
    page.locator(box).scroll_into_view_if_needed()
    rows = page.locator(f"{box} .trials-table tbody tr")
    assert rows.count() == 3  # row 8, and the notebook's own two presses
    page.locator(f"{box} select").select_option(label="512")
    four_rows = (
        f"() => document.querySelectorAll('{box} .trials-table tbody tr').length === 4"
    )
    start = time.perf_counter()
    page.locator(f"{box} button", has_text="Train").click()
    page.wait_for_function(four_rows, timeout=120_000)
    pressed = (time.perf_counter() - start) * 1000
    page.screenshot(path=str(lab[1] / "speedrun_trials.png"))  # to look at by hand
    cells = rows.nth(3).inner_text().split("\t")
    assert cells[0].strip() == "try 3" and cells[1].strip() == "512", cells
    validation, seconds = float(cells[-2]), float(cells[-1])
    assert 0 < validation <= 100 and seconds > 0, cells
    assert "try 3: done" in page.locator(f"{box} .trials-status").inner_text()
    record_latencies("notebook 09", {"train, quick run": pressed})
    page.close()


def readouts(page, selector):
    """The values the sliders of ``selector`` show, as the page shows them."""
    return [
        r.input_value() if r.evaluate("e => e.tagName") == "INPUT" else r.inner_text()
        for r in page.locator(f"{selector} .widget-readout").all()
    ]


def quick_run_matrices(root):
    """Each model's confusion matrix (and the ensemble's) from the quick run's stored
    predictions in the browser test's JupyterLab folder: what notebook 06 must show."""
    import numpy as np

    from helpers import data, predictions, results

    folder = root / "artifacts" / "quick" / "results"
    truth = data.load_prepared()[1][1].argmax(axis=1)
    probabilities = {
        m: predictions.load_predictions(m, folder)
        for m in results.TUTORIAL_MODELS
        if (folder / f"{m}.json").exists()
    }
    probabilities["ensemble"] = np.mean(list(probabilities.values()), axis=0)
    matrices = {}
    for name, p in probabilities.items():
        matrix = np.zeros((10, 10), int)
        np.add.at(matrix, (truth, p.argmax(axis=1)), 1)
        matrices[name] = matrix
    return matrices


def type_into_readout(page, selector, index, value):
    """Type ``value`` into the ``index``-th slider's number box; return the action that
    commits it (Enter), which is what the latency is measured from."""
    readout = page.locator(f"{selector} .widget-readout").nth(index)
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    return lambda: page.keyboard.press("Enter")


def changed_src(selector, old):
    return (
        f"() => {{ const i = document.querySelector('{selector} img');"
        f" return i && i.src !== {old!r}; }}"
    )
