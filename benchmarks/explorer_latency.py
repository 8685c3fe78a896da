"""How fast the explorers answer in a real browser: ``make bench WHAT=explorers``.

Runs the browser test's explorer cases (``tests/test_browser.py -k explore``: JupyterLab on
127.0.0.1, Debian's Chromium through Playwright, notebooks in a quick run), collects the
milliseconds each interaction took from the ``EXPLORER_LATENCY`` lines the test prints, and
writes them, with this run's provenance, to ``results/explorer_latency.json`` (the speed
page reads it). One measurement per interaction, on whatever else the machine is doing.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "explorer_latency.json"
MARK = "EXPLORER_LATENCY "


def main():
    sys.path.insert(0, str(ROOT))
    from helpers import config, provenance

    env = {**os.environ, "MNIST_QUICK": "1"}
    test = [sys.executable, "-m", "pytest", "tests/test_browser.py", "-k", "explore"]
    done = subprocess.run(
        [*test, "-s", "-q"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(done.stdout[-3000:])
    if done.returncode != 0:
        sys.exit(f"the browser test failed ({done.returncode}); nothing written")
    measured = [
        json.loads(line[len(MARK) :])
        for line in done.stdout.splitlines()
        if line.startswith(MARK)
    ]
    if not measured:
        sys.exit("the browser test printed no EXPLORER_LATENCY line; nothing written")
    block = provenance.start("float32", config.SEED, "quick").provenance()
    report = {
        "machine": block["machine"],
        "ms": {entry["explorer"]: entry["ms"] for entry in measured},
        "provenance": block,
    }
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
