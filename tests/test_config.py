"""Quick mode changes how much is trained and where records go; native logs go to a file."""

import subprocess
import sys

import pytest

from helpers import config


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_quick_mode_on(monkeypatch, value):
    monkeypatch.setenv("MNIST_QUICK", value)
    assert config.quick_mode() and config.mode() == "quick"
    assert config.epochs(10) == config.QUICK_EPOCHS
    assert config.train_samples(60000) == config.QUICK_TRAIN_SAMPLES
    assert config.train_samples(100) == 100


@pytest.mark.parametrize("value", [None, "", "0", "false", "off"])
def test_quick_mode_off(monkeypatch, value):
    monkeypatch.setattr(config, "_chosen_run", None)
    if value is None:
        monkeypatch.delenv("MNIST_QUICK", raising=False)
    else:
        monkeypatch.setenv("MNIST_QUICK", value)
    assert not config.quick_mode() and config.mode() == "full"
    assert config.epochs(10) == 10
    assert config.train_samples(60000) == 60000


def test_unclear_quick_setting_is_an_error(monkeypatch):
    monkeypatch.setenv("MNIST_QUICK", "maybe")
    with pytest.raises(ValueError, match="MNIST_QUICK='maybe' is not understood"):
        config.quick_mode()


def test_quick_runs_never_write_into_results(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("MNIST_QUICK", "1")
    quick = config.results_dir()
    assert quick == tmp_path / "artifacts" / "quick" / "results"
    assert config.ROOT / "results" not in (quick, *quick.parents)
    monkeypatch.setenv("MNIST_QUICK", "0")
    monkeypatch.setenv("MNIST_RESULTS", str(tmp_path / "results"))
    assert config.results_dir() == tmp_path / "results"
    assert config.artifacts_dir() == tmp_path / "artifacts"


def test_one_runs_artifacts_can_be_named_from_the_other_run(monkeypatch, tmp_path):
    import pytest

    monkeypatch.setenv("MNIST_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("MNIST_QUICK", "1")
    assert config.artifacts_dir() == tmp_path / "artifacts" / "quick"
    assert config.artifacts_dir(run="full") == tmp_path / "artifacts"
    monkeypatch.setenv("MNIST_QUICK", "0")
    assert config.artifacts_dir(run="quick") == tmp_path / "artifacts" / "quick"
    with pytest.raises(ValueError, match="'fast' is not a run"):
        config.artifacts_dir(run="fast")


def test_artifacts_and_results_folders_are_git_ignored_or_committed():
    ignored = (config.ROOT / ".gitignore").read_text().split()
    assert "artifacts/" in ignored and ".venv/" in ignored


def test_native_logs_stay_put_outside_a_kernel(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert config.native_logs_to_file() is None


def test_native_logs_go_to_a_file_in_a_kernel(tmp_path):
    # A child process stands in for a kernel (ipykernel imported); what C code writes to
    # file descriptor 2 must land in the log, not on the process's stderr.
    script = (
        "import os, sys, types\n"
        "sys.modules['ipykernel'] = types.ModuleType('ipykernel')\n"
        "from helpers import config\n"
        f"print(config.native_logs_to_file({str(tmp_path / 'native.log')!r}))\n"
        "os.write(2, b'I0000 port.cc:153] oneDNN custom operations are on\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=config.ROOT,
        check=True,
    )
    assert done.stdout.strip() == str(tmp_path / "native.log")
    assert "oneDNN" not in done.stderr
    assert "oneDNN" in (tmp_path / "native.log").read_text()


def test_a_notebooks_run_setting_applies_unless_the_environment_says(monkeypatch):
    monkeypatch.delenv("MNIST_QUICK", raising=False)
    monkeypatch.setattr(config, "_chosen_run", None)
    assert config.mode() == "full"
    assert config.choose_run("quick") == "quick" and config.epochs(10) == 1
    assert config.epochs(22, quick=3) == 3
    monkeypatch.setenv("MNIST_QUICK", "0")  # make notebooks
    assert config.mode() == "full" and config.epochs(10) == 10
    monkeypatch.setenv("MNIST_QUICK", "1")  # CI
    assert config.choose_run("full") == "quick"
    with pytest.raises(ValueError, match="choose 'full' or 'quick'"):
        config.choose_run("fast")


def test_the_seed_comes_from_mnist_seed(monkeypatch):
    monkeypatch.delenv("MNIST_SEED", raising=False)
    assert config._seed_from_environment() == config.DEFAULT_SEED == 7
    monkeypatch.setenv("MNIST_SEED", "9")
    assert config._seed_from_environment() == 9
    monkeypatch.setenv("MNIST_SEED", "nine")
    with pytest.raises(ValueError, match="MNIST_SEED='nine' is not a whole number"):
        config._seed_from_environment()
