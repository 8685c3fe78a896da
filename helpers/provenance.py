"""Where a number came from: machine, precision, versions, seed, mode, date and run id.

Every file under ``results/`` carries a ``provenance`` block (``seeds.json``: one per seed
of each model) with the keys of ``FIELDS``. ``training.setup()`` starts a run: each
notebook execution, each seed of ``make seeds`` and each member of ``make ensemble`` gets
its own run id, which the notebooks print and their records carry.

Records made before this block existed carry one filled in afterwards from what their
notebooks printed: ``"recorded": "afterwards"``, with what could not be read set to None
and named in ``"unknown"``. Everything else says ``"recorded": "at run time"``.
"""

import os
import platform
import secrets
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

FIELDS = (
    "machine",
    "cpu",
    "cores",
    "vector_extension",
    "native_bfloat16",
    "precision",
    "python",
    "tensorflow",
    "keras",
    "seed",
    "mode",
    "date",
    "run_id",
    "recorded",
)

_run = {"id": None, "date": None}


def _cpuinfo() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    return cpuinfo.read_text() if cpuinfo.exists() else ""


def cpu_field(cpuinfo_text, field) -> str | None:
    """The first value of ``field`` in a ``/proc/cpuinfo`` text (one line per field)."""
    for line in cpuinfo_text.splitlines():
        if line.split(":", 1)[0].strip() == field:
            return line.split(":", 1)[1].strip()
    return None


def vector_extension(flags) -> str | None:
    """The widest vector instructions training uses on this CPU, as records name them.

    Two CPUs with the same model name can differ here (the committed runs came from AMD
    EPYCs with and without AVX-512 BF16 and an Intel Xeon with AVX-512), and it decides the last digits of a run.
    """
    if {"avx512_bf16", "amx_bf16"} & flags:
        return "AVX-512 BF16"
    if "avx512f" in flags:
        return "AVX-512"
    if "avx2" in flags:
        return "AVX2"
    return None


def cpu(cpuinfo_text=None) -> dict:
    """This CPU: model name, cores, vector extension and whether it computes bfloat16."""
    text = _cpuinfo() if cpuinfo_text is None else cpuinfo_text
    name = cpu_field(text, "model name") or platform.processor() or platform.machine()
    extension = vector_extension(set((cpu_field(text, "flags") or "").split()))
    cores = os.cpu_count()
    machine = f"{name}, {cores} cores" + (f", {extension}" if extension else "")
    return {
        "machine": machine,
        "cpu": name,
        "cores": cores,
        "vector_extension": extension,
        "native_bfloat16": extension == "AVX-512 BF16",
    }


def start_run() -> str:
    """Start a new run (``training.setup()`` calls it); return its id.

    The id is the UTC time it started and four random hex digits, e.g.
    ``20261202T063512Z-9f3a``: sortable, and two runs started in the same second differ.
    """
    now = datetime.now(UTC)
    _run.update(id=f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}", date=now)
    return _run["id"]


def run_id() -> str:
    """This run's id (a run starts on first use when ``setup()`` has not started one)."""
    return _run["id"] or start_run()


def _version(package) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def current(precision, seed, mode) -> dict:
    """The provenance block of a record written now, in this run."""
    run = run_id()
    return {
        **cpu(),
        "precision": precision,
        "python": platform.python_version(),
        "tensorflow": _version("tensorflow"),
        "keras": _version("keras"),
        "seed": seed,
        "mode": mode,
        "date": _run["date"].strftime("%Y-%m-%d"),
        "run_id": run,
        "recorded": "at run time",
    }


def missing(block) -> list:
    """The ``FIELDS`` a provenance block lacks (an empty list when it is complete)."""
    if not isinstance(block, dict):
        return list(FIELDS)
    return [field for field in FIELDS if field not in block]


def short(block) -> str:
    """A record's machine and precision in a few characters, for tables: ``AVX2 float32``."""
    if not block:
        return "unknown"
    extension = block.get("vector_extension") or block.get("cpu") or "CPU"
    precision = {"mixed_bfloat16": "bf16"}.get(
        block.get("precision"), block.get("precision")
    )
    return f"{extension} {precision}"
