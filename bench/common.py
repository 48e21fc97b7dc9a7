"""What every benchmark shares: result rows, timing helpers, the machine's description."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import asdict, dataclass, field
from importlib import metadata


@dataclass
class Row:
    """One figure: Reader's value, its reference's value measured in the same run, their ratio.

    ``ratio`` is always reader ÷ reference of the figure as named (see ``paired_ratio``); ``better`` says which way is
    good ("higher" for speeds, "lower" for times and sizes). ``target`` is checked by ``met``:
    on the ratio, or on Reader's own value where the target is absolute (``target_on_value``).
    """

    group: str
    figure: str
    unit: str
    reader: float
    reference: float
    reference_name: str
    better: str = "higher"
    target: float | None = None
    target_on_value: bool = False
    note: str = ""
    detail: dict = field(default_factory=dict)
    # Where Reader and its reference ran in pairs (one after the other, several times), the
    # median of the pairs' ratios: steadier than the ratio of medians when the load drifts.
    paired_ratio: float | None = None

    @property
    def ratio(self) -> float:
        if self.paired_ratio is not None:
            return self.paired_ratio
        return self.reader / self.reference if self.reference else float("nan")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        value = self.reader if self.target_on_value else self.ratio
        return value >= self.target if self.better == "higher" else value <= self.target

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}

    @classmethod
    def from_dict(cls, data: dict) -> Row:
        data = {k: v for k, v in data.items() if k not in ("ratio", "met")}
        return cls(**data)


def median(values) -> float:
    return statistics.median(values)


def percentile(values, share: float) -> float:
    """Nearest-rank percentile (share 0..1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def machine() -> dict:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    versions = {}
    for package in ("llama_cpp_python", "trafilatura", "PySide6_Essentials", "httpx", "lxml"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    import sqlite3

    return {
        "nproc": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": f"{platform.system()} {platform.release()}",
        "versions": versions,
    }


def reader_version() -> str:
    from reader import __version__

    return __version__
