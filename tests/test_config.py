"""Quick mode changes how much is trained and where records go, nothing else."""

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


def test_artifacts_and_results_folders_are_git_ignored_or_committed():
    ignored = (config.ROOT / ".gitignore").read_text().split()
    assert "artifacts/" in ignored and ".venv/" in ignored
