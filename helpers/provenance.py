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


def clock_mhz(cpuinfo_text=None) -> float | None:
    """This CPU's clock as ``/proc/cpuinfo`` reports it (MHz), or None where it does not."""
    text = _cpuinfo() if cpuinfo_text is None else cpuinfo_text
    try:
        return float(cpu_field(text, "cpu MHz"))
    except (TypeError, ValueError):
        return None


# Vector extensions from narrowest to widest, and the oneDNN ISA caps that hold training
# to each (oneDNN's names; "ALL" and "DEFAULT" hold nothing back).
EXTENSIONS = ("SSE4.1", "AVX", "AVX2", "AVX-512", "AVX-512 BF16")
ISA_CAPS = {"SSE41": "SSE4.1", "AVX": "AVX", "AVX2": "AVX2", "AVX512_CORE": "AVX-512"}
ISA_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")


def isa_cap(environ=None) -> tuple[str, str] | None:
    """The vector extension oneDNN is held to here, and the variable that holds it, as
    ``("AVX2", "ONEDNN_MAX_CPU_ISA")``; None where nothing holds it. An AVX-512 machine
    held to AVX2 is how the series stands in for an AVX2-only laptop."""
    environ = os.environ if environ is None else environ
    for variable in ISA_VARIABLES:
        cap = environ.get(variable, "").strip().upper()
        if cap and cap not in ("ALL", "DEFAULT"):
            if cap in ISA_CAPS:
                return ISA_CAPS[cap], variable
            if cap.startswith("AVX2"):  # AVX2_VNNI and AVX2_VNNI_2: still AVX2 wide
                return "AVX2", variable
            if cap.startswith("AVX512_CORE_VNNI"):
                return "AVX-512", variable
            return "AVX-512 BF16", variable  # AVX512_CORE_BF16, AMX, AVX10: all of it
    return None


def cpu(cpuinfo_text=None, environ=None) -> dict:
    """This CPU: model name, cores, vector extension, whether it computes bfloat16.

    Where ``ONEDNN_MAX_CPU_ISA`` (or ``DNNL_MAX_CPU_ISA``) holds training to a narrower
    extension than the CPU has, the record names that one, and its machine says so:
    "AMD EPYC, 2 cores, AVX-512 BF16 held to AVX2 (ONEDNN_MAX_CPU_ISA)"."""
    text = _cpuinfo() if cpuinfo_text is None else cpuinfo_text
    name = cpu_field(text, "model name") or platform.processor() or platform.machine()
    native = vector_extension(set((cpu_field(text, "flags") or "").split()))
    extension, held = native, ""
    cap = isa_cap(environ)
    if native and cap and EXTENSIONS.index(cap[0]) < EXTENSIONS.index(native):
        extension, held = cap[0], f" held to {cap[0]} ({cap[1]})"
    cores = os.cpu_count()
    machine = f"{name}, {cores} cores" + (f", {native}{held}" if native else "")
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
