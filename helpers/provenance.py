"""Where a number came from: machine, precision, versions, seed, mode, date and run id.

Every file under ``results/``, and only there, carries a ``provenance`` block with the
keys of ``FIELDS`` (``seeds.json``: one per seed of each model), taken from the ``Run``
it was written in: ``"recorded": "at run time"``. Records older than the block got one
filled in afterwards from what their notebooks printed: ``"recorded": "afterwards"``,
with what could not be read set to None and named in ``"unknown"``.
"""

import json
import os
import platform
import secrets
from dataclasses import dataclass, field
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
    """The widest vector instructions training uses here, as records name them: CPUs of
    one model name can differ (the committed runs: AMD EPYCs with and without AVX-512
    BF16, an Intel Xeon with AVX-512), and it decides a run's last digits."""
    if {"avx512_bf16", "amx_bf16"} & flags:
        return "AVX-512 BF16"
    if "avx512f" in flags:
        return "AVX-512"
    if "avx2" in flags:
        return "AVX2"
    return None


def cpu(cpuinfo_text=None) -> dict:
    """This CPU: model name, cores, vector extension, whether it computes bfloat16."""
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


# Where training.setup() writes its run, when the notebook runner asks for it.
RUN_FILE_VARIABLE = "MNIST_RUN_FILE"


def _version(package) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class Run:
    """One run: a notebook's execution, one seed of ``make seeds``, one member of ``make
    ensemble``, one benchmark. ``training.setup()`` starts and returns it; every record
    written in it takes its block from ``run.provenance()``, so records of one run share
    its id, date, precision, seed and mode."""

    id: str
    date: str
    precision: str
    seed: int
    mode: str
    cpu: dict = field(default_factory=dict, repr=False)

    @property
    def machine(self) -> str:
        return self.cpu.get("machine", "unknown")

    def provenance(self) -> dict:
        """The ``provenance`` block of a record written in this run."""
        return {
            **self.cpu,
            "precision": self.precision,
            "python": platform.python_version(),
            "tensorflow": _version("tensorflow"),
            "keras": _version("keras"),
            "seed": self.seed,
            "mode": self.mode,
            "date": self.date,
            "run_id": self.id,
            "recorded": "at run time",
        }

    def save(self, path) -> None:  # for the notebook runner, which reads it back
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.provenance(), indent=2) + "\n")

    def __str__(self) -> str:
        block = self.provenance()
        return (
            f"run {self.id}: {self.mode}, {self.precision}, seed {self.seed}, on "
            f"{self.machine}; TensorFlow {block['tensorflow']}, Keras {block['keras']}"
        )

    def _repr_pretty_(self, printer, cycle):  # what a notebook shows for ``run``
        printer.text(str(self))


def start(precision, seed, mode) -> Run:
    """A new run on this machine, started now. Its id is the UTC time and four random hex
    digits, e.g. ``20261202T063512Z-9f3a``: sortable, and two runs of one second differ."""
    now = datetime.now(UTC)
    run_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"
    return Run(run_id, f"{now:%Y-%m-%d}", precision, seed, mode, cpu())


def short(block) -> str:
    """A record's machine and precision, short, for tables: ``AVX2 float32``."""
    if not block:
        return "unknown"
    extension = block.get("vector_extension") or block.get("cpu") or "CPU"
    precision = {"mixed_bfloat16": "bf16"}.get(
        block.get("precision"), block.get("precision")
    )
    return f"{extension} {precision}"
