"""One notebook at a time: make notebooks NB=..., make seeds NB=... SEEDS=..., and the
planning figures they print first."""

import json
import subprocess
from pathlib import Path

import pytest

from tools import execute_notebooks, pages, seeds

ROOT = Path(__file__).resolve().parent.parent


def dry_run(*arguments):
    """The commands ``make`` would run (``make -n``), as one string."""
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_notebooks_runs_only_the_chosen_ones():
    assert "tools.execute_notebooks --nb 04 05" in dry_run("notebooks", "NB=04 05")
    everything = dry_run("notebooks")
    assert "--nb" not in everything and "09_speedrun.ipynb" in everything


def test_make_seeds_passes_notebooks_and_seeds_on():
    command = " ".join(dry_run("seeds", "NB=04", "SEEDS=8 9").split())
    assert "tools.seeds --notebooks 04 --seeds 8 9" in command
    assert "--notebooks" not in dry_run("seeds")


def test_notebook_numbers_become_paths_and_a_wrong_one_is_named():
    paths = execute_notebooks.notebook_paths(["5", "04", "04"])
    assert [path.name[:2] for path in paths] == ["04", "05"]
    with pytest.raises(SystemExit, match="NB='13'.*choose among 01 02"):
        execute_notebooks.notebook_paths(["13"])


def test_make_seeds_refuses_a_notebook_that_trains_no_tutorial_model(monkeypatch):
    monkeypatch.setattr("sys.argv", ["seeds", "--notebooks", "05", "--collect-only"])
    with pytest.raises(SystemExit) as stopped:
        seeds.main()
    assert stopped.value.code == 2  # argparse's error, with the message below


def test_plan_lines_name_time_machine_and_precision(tmp_path):
    block = {
        "machine": "AMD EPYC, 2 cores, AVX2",
        "precision": "float32",
        "date": "2026-12-02",
    }
    times = {
        "notebooks": {"02_baseline_cnn.ipynb": {"seconds": 960.0, "provenance": block}}
    }
    (tmp_path / "notebook_times.json").write_text(json.dumps(times))
    lines = pages.plan_lines(["02_baseline_cnn.ipynb", "05_x.ipynb"], tmp_path)
    assert lines[0] == (
        "02_baseline_cnn.ipynb: last committed full run 16.0 min on "
        "AMD EPYC, 2 cores, AVX2, float32 (2026-12-02)"
    )
    assert lines[1] == "05_x.ipynb: no committed full run timed yet"
    assert "about 16 min" in lines[2]


def test_the_committed_times_say_where_each_notebook_ran():
    times = pages.notebook_times()
    assert {name[:2] for name in times} == {
        path.name[:2] for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    }
    for line, (name, entry) in zip(pages.plan_lines(list(times)), times.items()):
        where = entry["provenance"]
        assert line.startswith(f"{name}: last committed full run ")
        assert f"min on {where['machine']}, {where['precision']}" in line


def test_the_readme_times_say_what_one_more_seed_costs(tmp_path):
    def run(seed, seconds=None, machine="CPU A"):
        entry = {
            "seed": seed,
            "test_accuracy": 0.99,
            "provenance": {"machine": machine},
        }
        if seconds is not None:
            entry.update(
                notebook="04_batchnorm_augmentation.ipynb", notebook_seconds=seconds
            )
        return entry

    assert pages.seed_times_text(tmp_path) == ""  # no seeds.json
    table = {"T4": {"runs": [run(7), run(8, 1220.7, "CPU A"), run(9, 439.6, "CPU B")]}}
    table["T4"]["runs"] += [run(10, 480.2, "CPU B"), run(11, 501.0, "CPU B")]
    (tmp_path / "seeds.json").write_text(json.dumps(table))
    assert pages.seed_times_text(tmp_path) == (
        " One more seed costs about one run of its notebook (`make seeds NB=NN`, timed "
        "per seed): 04: seed 8, 1221 s on CPU A; seeds 9-11, 440-501 s each on CPU B."
    )
