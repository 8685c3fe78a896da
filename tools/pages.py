"""The site's pages beyond the notebooks: every generated block of ``docs/`` written from
``results/`` (``make pages``, or ``python -m tools.pages``).

The records, the predictions and the seed statistics live in ``helpers.results``; this
module only writes Markdown from them, and from each benchmark's own Markdown of its
record. ``tests/test_results.py`` fails while a page differs from what this writes.
"""

import json
import re
from pathlib import Path

import pandas as pd

from helpers import config
from helpers.results import (
    DEOTTE,
    GOALS,
    load,
    seed_span,
    seed_table,
    table,
)


def notebook_times(folder=None) -> dict:
    """``notebook_times.json``: per notebook, its last full run's seconds and provenance."""
    path = (folder or config.ROOT / "results") / "notebook_times.json"
    return json.loads(path.read_text())["notebooks"] if path.exists() else {}


# Files in results/ that are not one model's record: benchmarks, seeds, timings.
NOT_MODEL_RECORDS = (
    "benchmark",
    "explorer_latency",
    "input_paths",
    "input_pipeline",
    "kernels",
    "live_overhead",
    "notebook_times",
    "ours_members",
    "rerun_spread",
    "seeds",
)


def markdown(folder=None) -> str:
    """The results table as Markdown, for the site's results page."""
    frame = table(folder or config.ROOT / "results").reset_index()

    def cell(column, value):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, bool):
            return "yes" if value else "**no**"
        if column.endswith("%"):
            return f"{value:.2f}"
        if column in ("params", "epochs", "batch"):
            return f"{int(value):,}"
        return str(value)

    lines = [
        "| " + " | ".join(frame.columns) + " |",
        "|" + "|".join("---" for _ in frame.columns) + "|",
    ]
    for row in frame.itertuples(index=False):
        lines.append(
            "| " + " | ".join(cell(c, v) for c, v in zip(frame.columns, row)) + " |"
        )
    return "\n".join(lines)


def seeds_markdown(folder=None) -> str:
    """The seed statistics (``results/seeds.json``) as Markdown, for the results page."""
    frame = seed_table(folder or config.ROOT / "results")
    if frame is None:
        return "No seed statistics yet: `make seeds` writes `results/seeds.json`."
    columns = [
        "reported %",
        "target %",
        "seed 7 %",
        "mean %",
        "std (points)",
        "min %",
        "max %",
    ]
    lines = [
        "| id | "
        + " | ".join(columns)
        + " | seed 7 meets target | mean meets target | seeds | ran on |",
        "|---|" + "---|" * (len(columns) + 4),
    ]
    for model_id, row in frame.iterrows():
        cells = ["" if pd.isna(row[c]) else f"{row[c]:.2f}" for c in columns]
        verdicts = [
            "" if row[c] is None or pd.isna(row[c]) else "yes" if row[c] else "**no**"
            for c in ("seed 7 meets target", "mean meets target")
        ]
        cells += verdicts + [str(row["seeds"]), row["ran on"]]
        lines.append(f"| {model_id} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def recipe_markdown(folder=None) -> str:
    """Notebook 07's recipe over the members committed (``ours_members.json``: each one's
    record, written when it was trained, by notebook 07 or ``make ensemble``), and the
    ensemble notebook 07's last run built (``ours_ensemble.json``), said to be of fewer
    members when members were added after that run."""
    folder = folder or config.ROOT / "results"
    path = folder / "ours_members.json"
    members = json.loads(path.read_text())["members"] if path.exists() else {}
    if not members:
        return "No member of notebook 07's recipe yet: run notebook 07 (full)."
    members = {int(seed): members[seed] for seed in sorted(members, key=int)}
    accuracy = {seed: member["test_accuracy"] for seed, member in members.items()}
    # One phrase per machine and precision: five seeds on one CPU read as one.
    trained_on = {}
    for seed, member in members.items():
        where_ = "{machine}, {precision}".format(**member["provenance"])
        trained_on.setdefault(where_, []).append(seed)
    where = (
        " Trained on: "
        + "; ".join(
            f"{'seeds' if len(seeds) > 1 else 'seed'} {seed_span(seeds)} {where_}"
            for where_, seeds in trained_on.items()
        )
        + "."
    )
    deotte = (
        " Chris Deotte's README, this architecture trained his way: "
        + ", ".join(
            f"{what} {mean * 100:.3f} % ± {std * 100:.3f}"
            for what, (mean, std) in DEOTTE.items()
        )
        + "."
    )
    goal = f"goal {GOALS['ours_single'] * 100:.2f} %"
    if len(members) == 1:
        ((seed, value),) = accuracy.items()
        head = (
            f"Notebook 07's recipe, one member so far (seed {seed}): "
            f"**{value * 100:.2f} %** ({goal}). `make ensemble SEEDS={seed + 1}` trains "
            "the next member."
        )
    else:
        import statistics

        listed = ", ".join(f"seed {s} {a * 100:.2f} %" for s, a in accuracy.items())
        head = (
            f"Notebook 07's recipe over its {len(members)} committed members (of 5): mean "
            f"**{statistics.mean(accuracy.values()) * 100:.2f} % ± "
            f"{statistics.stdev(accuracy.values()) * 100:.2f}** ({goal}; {listed})."
        )
    ensemble = load("ours_ensemble", folder)
    tail = ""
    if ensemble is not None and len(ensemble.get("members", [])) > 1:
        built = sorted(int(m.removeprefix("ours_seed")) for m in ensemble["members"])
        tail = (
            f" Their ensemble: **{ensemble['test_accuracy'] * 100:.2f} %** "
            f"(goal {GOALS['ours_ensemble'] * 100:.2f} %)."
        )
        if built != sorted(members):
            tail = (
                f" Notebook 07's last run ensembled seeds {seed_span(built)}: "
                f"**{ensemble['test_accuracy'] * 100:.2f} %** (goal "
                f"{GOALS['ours_ensemble'] * 100:.2f} %); its next run ensembles all "
                f"{len(members)}."
            )
    elif len(members) > 1:
        tail = (
            f" Notebook 07's last run had one member; its next run ensembles all "
            f"{len(members)}."
        )
    return head + tail + where + deotte


def plan_lines(names, folder=None) -> list:
    """What ``make notebooks`` prints before it starts: each chosen notebook's last
    committed full run, how long it took and where."""
    times, lines, known = notebook_times(folder), [], 0.0
    for name in names:
        entry = times.get(name)
        if entry is None:
            lines.append(f"{name}: no committed full run timed yet")
            continue
        block = entry["provenance"]
        known += entry["seconds"]
        when = block["date"] or "date not recorded"
        lines.append(
            f"{name}: last committed full run {entry['seconds'] / 60:.1f} min on "
            f"{block['machine']}, {block['precision']} ({when})"
        )
    lines.append(
        f"in all about {known / 60:.0f} min on those machines; another CPU "
        "kind, or a busy machine, can take from half to three times as long"
    )
    return lines


def times_markdown(folder=None) -> str:
    """How long each notebook's last full execution took (``notebook_times.json``)."""
    times = notebook_times(folder)
    if not times:
        return "No timings yet: `make notebooks` writes `results/notebook_times.json`."

    def where(entry):
        return f"{entry['provenance']['machine']}, {entry['provenance']['precision']}"

    machines = sorted({where(entry) for entry in times.values()})
    label = (
        {m: chr(ord("a") + i) for i, m in enumerate(machines)}
        if len(machines) > 1
        else {}
    )
    each = ", ".join(
        f"{name[:2]} {entry['seconds']:.1f} s"
        + (f" ({label[where(entry)]})" if label else "")
        for name, entry in times.items()
    )
    first_five = sum(
        e["seconds"]
        for n, e in times.items()
        if n[:2] in {"01", "02", "03", "04", "05"}
    )
    total = sum(entry["seconds"] for entry in times.values())
    machines_text = (
        "; ".join(f"({letter}) {machine}" for machine, letter in label.items())
        if label
        else machines[0]
    )
    return (
        f"The full executions the notebooks carry (`make notebooks`; a notebook re-run "
        f"alone replaces its own time), on {machines_text}: {each}; 01-05 took "
        f"{first_five / 60:.1f} min and all {len(times)} notebooks {total / 60:.1f} min."
        + seed_times_text(folder)
    )


def seed_times_text(folder=None) -> str:
    """Per notebook, how long one seed's run took (``make seeds`` keeps each seed's
    notebook seconds in ``seeds.json``): " One more seed costs ...: 04: seeds 8-11, 280-440 s
    each on AMD EPYC, ...", one phrase per CPU, or "" when no run kept its time."""
    path = (folder or config.ROOT / "results") / "seeds.json"
    table = json.loads(path.read_text()) if path.exists() else {}
    timed = {}  # notebook -> {seed: (seconds, machine)}
    for row in table.values():
        for run in row.get("runs", []):
            if run.get("notebook_seconds") is not None:
                machine = (run.get("provenance") or {}).get(
                    "machine", "machine unknown"
                )
                timed.setdefault(run["notebook"], {})[run["seed"]] = (
                    run["notebook_seconds"],
                    machine,
                )
    if not timed:
        return ""
    parts = []
    for name in sorted(timed):
        # One phrase per machine: a seed's time means little without its CPU.
        by_machine = {}
        for seed, (seconds, machine) in timed[name].items():
            by_machine.setdefault(machine, {})[seed] = seconds
        phrases = []
        for machine in sorted(by_machine, key=lambda m: min(by_machine[m])):
            runs = by_machine[machine]
            low, high = min(runs.values()), max(runs.values())
            if len(runs) == 1:
                phrases.append(f"seed {seed_span(runs)}, {low:.0f} s on {machine}")
            else:
                phrases.append(
                    f"seeds {seed_span(runs)}, {low:.0f}-{high:.0f} s each on {machine}"
                )
        parts.append(f"{name[:2]}: " + "; ".join(phrases))
    return (
        " One more seed costs about one run of its notebook (`make seeds NB=NN`, timed "
        "per seed): " + "; ".join(parts) + "."
    )


def speedrun_markdown(folder=None) -> str:
    """Notebook 09's speedrun over its seeds, from ``speedrun.json``."""
    record = load("speedrun", folder or config.ROOT / "results")
    if record is None:
        return "No record of notebook 09's speedrun yet: run notebook 09 (full)."
    import statistics

    accuracies, seconds = record["seed_test_accuracy"], record["seed_train_seconds"]
    each = ", ".join(
        f"seed {seed} {accuracy * 100:.2f} % in {train:.2f} s"
        for seed, accuracy, train in zip(record["seeds"], accuracies, seconds)
    )
    precision = record["provenance"]["precision"]
    goal_seconds = (
        1.5 if precision == "mixed_bfloat16" else 3.0
    )  # native bf16, or float32
    met = (
        record["test_accuracy"] >= GOALS["speedrun"]
        and record["train_seconds"] <= goal_seconds
    )
    line = (
        f"Notebook 09's speedrun: mean test accuracy **{record['test_accuracy'] * 100:.2f} % "
        f"± {statistics.stdev(accuracies) * 100:.2f}** after one epoch of "
        f"**{record['seconds_per_epoch']:.2f} s** of training on average ({each}; tracing "
        f"took a further {statistics.mean(record['seed_trace_seconds']):.2f} s, building "
        f"{statistics.mean(record['seed_build_seconds']):.2f} s), in {precision} on "
        f"{record['provenance']['machine']}. Goal: 99.00 % in at most {goal_seconds} s "
        f"in {precision}: {'met' if met else 'missed'}."
    )
    if record.get("train_multiply_adds_per_image"):
        rate, matmul = record["train_gmac_per_s"], record["matmul_gmac_per_s"]
        nominal = record.get("nominal_peak_gmac_per_s")
        line += (
            f" Its training arithmetic: {record['train_multiply_adds_per_image']:,} "
            f"multiply-adds per image, forward and backward, done at {rate:.1f} G per "
            f"second: {rate / matmul:.0%} of the {matmul:.0f} G per second of a large "
            "float32 matrix product timed in the same run"
            + (
                f" (the nominal float32 peak, 16 per core and cycle at the reported "
                f"clock, is {nominal:.0f} G)."
                if nominal
                else "."
            )
        )
    if record.get("tutorial_time_to_99_s"):
        line += (
            f" {record['tutorial_model']} as its tutorial trains it first reached 99 % after "
            f"{record['tutorial_time_to_99_s']:.1f} s of training, in the same run: "
            f"{record['speedup_time_to_99']:.1f}x the speedrun's time."
        )
    return line


def explorer_markdown(folder=None) -> str:
    """How fast the explorers answered in the browser test (``explorer_latency.json``)."""
    path = (folder or config.ROOT / "results") / "explorer_latency.json"
    if not path.exists():
        return "No measurement yet: `make bench WHAT=explorers` writes it."
    record = json.loads(path.read_text())
    each = "; ".join(
        f"{explorer}: "
        + ", ".join(f"{action} {ms:.0f} ms" for action, ms in actions.items())
        for explorer, actions in record["ms"].items()
    )
    return (
        f"From a control's change to the page showing the answer, in headless Chromium "
        f"on {record['machine']} (`make bench WHAT=explorers`, one measurement each): {each}."
    )


# The site's pages beyond the notebooks (docs/) hold every generated block: these are
# written from results/*.json here ...
GENERATED = {
    "results table": markdown,
    "seeds table": seeds_markdown,
    "recipe": recipe_markdown,
    "speedrun": speedrun_markdown,
    "end-to-end times": times_markdown,
    "explorer latency": explorer_markdown,
}


# ... and these by each benchmark's own Markdown of its record (script, function, record).
BENCHMARK_BLOCKS = {
    "speed table": ("train_speed.py", "markdown", "benchmark.json"),
    "input paths": ("train_speed.py", "probe_markdown", "input_paths.json"),
    "kernels": ("kernels.py", "markdown", "kernels.json"),
    "input pipeline": ("input_pipeline.py", "markdown", "input_pipeline.json"),
    "live overhead": ("live_overhead.py", "markdown", "live_overhead.json"),
    "rerun spread": ("rerun_spread.py", "markdown", "rerun_spread.json"),
}


PAGES = ("docs/results.md", "docs/speed.md")


# A block starts with <!-- name --> (or <!-- name: the command that prints it -->).
BLOCK_START = re.compile(r"<!-- (?P<name>[a-z0-9 -]+?)(?:: [^>]*)? -->\n")


def benchmark_block(script, function, record, folder=None) -> str:
    """What ``python benchmarks/<script> --markdown`` prints for the committed record."""
    import importlib.util

    path = Path(folder or config.ROOT / "results") / record
    if not path.exists():
        return f"No record yet: `python benchmarks/{script}` writes `results/{record}`."
    spec = importlib.util.spec_from_file_location(
        script.removesuffix(".py"), config.ROOT / "benchmarks" / script
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function)(json.loads(path.read_text()))


def block_makers() -> dict:
    """Every generated block's name and the function that writes it."""
    makers = dict(GENERATED)
    for name, (script, function, record) in BENCHMARK_BLOCKS.items():
        makers[name] = lambda s=script, f=function, r=record: benchmark_block(s, f, r)
    return makers


def page_blocks(text) -> dict:
    """The generated blocks of a page, as they stand: ``{name: content}``."""
    blocks = {}
    for found in BLOCK_START.finditer(text):
        name, end = found["name"], f"\n<!-- end of {found['name']} -->"
        if end in text[found.end() :]:
            blocks[name] = text[found.end() :].split(end, 1)[0]
    return blocks


def render_page(text, makers=None) -> str:
    """``text`` with each of its generated blocks written afresh from ``results/``."""
    makers = makers or block_makers()
    pieces, done = [], 0
    for found in BLOCK_START.finditer(text):
        name, end = found["name"], f"\n<!-- end of {found['name']} -->"
        if found.start() < done or end not in text[found.end() :]:
            continue  # an end marker, or a comment that opens no block
        if name not in makers:
            raise ValueError(f"a page marks a block {name!r} that nothing generates")
        pieces += [text[done : found.end()], makers[name]()]
        done = text.index(end, found.end())
    return "".join(pieces) + text[done:]


def update_pages(root=None) -> dict:
    """Regenerate every generated block of the site's pages; return ``{page: text}``.

    Every block is on exactly one page; a block nothing marks is an error, so that a
    page cannot lose a table silently.
    """
    root = Path(root or config.ROOT)
    makers, texts, seen = block_makers(), {}, []
    for page in PAGES:
        text = (root / page).read_text()
        seen += list(page_blocks(text))
        texts[page] = render_page(text, makers)
    missing = sorted(set(makers) - set(seen))
    twice = sorted({name for name in seen if seen.count(name) > 1})
    if missing or twice:
        raise ValueError(f"blocks on no page: {missing}; on more than one: {twice}")
    for page, text in texts.items():
        (root / page).write_text(text)
    return texts


if __name__ == "__main__":
    update_pages()
    print(f"{', '.join(PAGES)}: generated blocks updated from results/")
