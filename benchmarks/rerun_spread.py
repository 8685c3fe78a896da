"""How close will a reader's re-run land? ``make bench WHAT=rerun``.

Trains T3b (notebook 03's larger model, the fastest tutorial model) as notebook 03 does,
seed 7, float32, 10 epochs, once in each of these settings, each in a fresh process:

- **native**: oneDNN picks this CPU's widest kernels, as the notebooks run here;
- **AVX2**: ``ONEDNN_MAX_CPU_ISA=AVX2`` holds oneDNN to AVX2 kernels, the arithmetic of
  another CPU kind (most laptops), on this one.

The same seed, the same batches, the same model: only the order in which the kernels add
up their numbers differs. What that changes (test accuracy, and how many of the 10,000
test digits get another answer) is set beside what another seed changes (the spread of
T3b's seeds in ``results/seeds.json``) and beside the committed record. The report goes to
``results/rerun_spread.json``; ``--markdown`` prints the results page's lines from it.

    python benchmarks/rerun_spread.py            # about 2 x 10 epochs of T3b
    python benchmarks/rerun_spread.py --markdown
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: find helpers/
DEFAULT_OUT = ROOT / "results" / "rerun_spread.json"
SETTINGS = {"native": {}, "AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2"}}
MODEL, EPOCHS, BATCH = "T3b", 10, 200


def train_once():
    """In a child process: train T3b as notebook 03 does; its test accuracy and answers."""
    from helpers import data, training
    from tools.fit import fit, saved_path_any_run

    run = training.setup(precision="float32")
    (x_train, y_train), (x_test, y_test) = data.load_prepared()
    model = training.fresh_copy(saved_path_any_run(MODEL))
    history = fit(model, x_train, y_train, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    test = model.evaluate(
        training.eval_batches(x_test, y_test), return_dict=True, verbose=0
    )
    answers = training.predict_proba(model, x_test).argmax(axis=1)
    return {
        "test_accuracy": round(float(test["accuracy"]), 6),
        "test_loss": round(float(test["loss"]), 6),
        "epochs": len(history.epoch),
        "answers": answers.tolist(),
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "native"),
        "provenance": run.provenance(),
    }


def measure():
    report = {"model": MODEL, "epochs": EPOCHS, "batch_size": BATCH, "runs": {}}
    for name, extra in SETTINGS.items():
        env = {**os.environ, **extra, "TF_CPP_MIN_LOG_LEVEL": "3", "MNIST_QUICK": "0"}
        done = subprocess.run(
            [sys.executable, __file__, "--child"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
        report["runs"][name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{name}: test accuracy {report['runs'][name]['test_accuracy']:.2%}",
            flush=True,
        )
    native, avx2 = (report["runs"][k]["answers"] for k in SETTINGS)
    report["answers_that_differ"] = sum(a != b for a, b in zip(native, avx2))
    for run in report["runs"].values():
        del run["answers"]  # 10,000 numbers each: the count above is what is kept
    from helpers import provenance, results

    seeds = results.seeds(ROOT / "results")
    report["seed_std"] = seeds[MODEL]["std"] if seeds else None
    report["seed_runs"] = len(seeds[MODEL]["seeds"]) if seeds else None
    record = results.load(MODEL, ROOT / "results")
    report["record"] = {
        "test_accuracy": record["test_accuracy"],
        "ran_on": provenance.short(record.get("provenance")),
    }
    report["provenance"] = report["runs"]["native"]["provenance"]  # one child's run
    return report


def markdown(report):
    native, avx2 = report["runs"]["native"], report["runs"]["AVX2"]
    gap = abs(native["test_accuracy"] - avx2["test_accuracy"]) * 100
    lines = [
        (
            f"On {report['provenance']['machine']}, {report['model']} as notebook 03 trains it "
            f"(seed 7, float32, {report['epochs']} epochs), once with oneDNN's native kernels "
            f"and once held to AVX2 (`ONEDNN_MAX_CPU_ISA=AVX2`):"
        ),
        "",
        (
            f"- test accuracy {native['test_accuracy'] * 100:.2f} % native, "
            f"{avx2['test_accuracy'] * 100:.2f} % AVX2: {gap:.2f} points apart; "
            f"{report['answers_that_differ']} of the 10,000 test digits get another answer"
        ),
    ]
    if report.get("seed_std") is not None:
        lines.append(
            f"- another seed moves it by more: the standard deviation over its "
            f"{report['seed_runs']} seeds is {report['seed_std'] * 100:.2f} points"
            if report["seed_std"] * 100 > gap
            else f"- as much as another seed: the standard deviation over its "
            f"{report['seed_runs']} seeds is {report['seed_std'] * 100:.2f} points"
        )
    same = report["record"]["test_accuracy"] == native["test_accuracy"]
    lines.append(
        f"- the committed record ({report['record']['ran_on']}) has "
        f"{report['record']['test_accuracy'] * 100:.2f} %"
        + (": the native run here gave the very same" if same else "")
    )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(train_once()))
        return
    if args.markdown:
        print(markdown(json.loads(Path(args.out).read_text())))
        return
    report = measure()
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
