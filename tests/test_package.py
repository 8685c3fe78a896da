"""``pip install .``: a notebook copied alone into an empty folder runs with the package."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def requirement_ranges(lines):
    """``{name: range}`` from requirement strings like ``numpy>=2.1,<2.5``."""
    ranges = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", line).groups()
            ranges[name.lower()] = spec.replace(" ", "")
    return ranges


def test_package_pins_are_requirements_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    package = requirement_ranges(project["dependencies"])
    tested = requirement_ranges((ROOT / "requirements.txt").read_text().splitlines())
    assert package, "the package declares no dependencies"
    for name, spec in package.items():
        assert tested.get(name) == spec, (
            f"{name}: pyproject {spec}, requirements {tested.get(name)}"
        )


def test_a_notebook_alone_runs_with_the_installed_package(tmp_path):
    # The wheel, built from this checkout (offline, with the environment's setuptools).
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    # A fresh virtual environment outside the repository. Its third-party packages come
    # from this environment through a .pth file (no second 1 GB download); `helpers` is
    # only in the wheel: the test environment does not have it installed.
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            *map(str, wheels.glob("*.whl")),
        ],
        check=True,
    )
    # One training notebook, alone in an empty folder.
    folder = tmp_path / "class"
    folder.mkdir()
    notebook = folder / "03_larger_cnn.ipynb"
    shutil.copyfile(ROOT / "notebooks" / notebook.name, notebook)
    env = {**os.environ, "MNIST_QUICK": "1", "PYTHONPATH": ""}
    env.pop("MNIST_ARTIFACTS", None)
    env.pop("MNIST_RESULTS", None)
    run = (
        "import nbformat, sys\n"
        "from nbclient import NotebookClient\n"
        "import helpers\n"
        "print(helpers.__file__)\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, kernel_name='python3', timeout=900,\n"
        "               resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
        "nbformat.write(nb, sys.argv[1])\n"
    )
    out = subprocess.run(
        [python, "-c", run, str(notebook), str(folder)],
        check=False,
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert Path(out.stdout.splitlines()[0]).is_relative_to(fresh), out.stdout
    cells = json.loads(notebook.read_text())["cells"]
    text = "".join(
        "".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])
    )
    assert "learned: True" in text
    # What it wrote went beside the notebook, not into site-packages.
    assert (folder / "artifacts" / "quick" / "T3b.keras").exists()


@pytest.fixture(autouse=True)
def _no_build_leftovers():
    yield
    for leftover in (ROOT / "build", *ROOT.glob("*.egg-info")):
        shutil.rmtree(leftover, ignore_errors=True)
