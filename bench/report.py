"""Figures, the printed table and results.json."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Figure:
    """One measured figure of ours, next to the same figure of a baseline."""

    bench: str  # "search 100k", "event log"
    metric: str  # "median per query"
    value: float
    unit: str  # "ms", "MB", "commits/s", "s", "queries"
    baseline: str  # what the baseline is
    baseline_value: float | None
    better: str = "lower"  # "lower" or "higher"
    target: str | None = None  # e.g. "<= 2 ms"
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """How many times better than the baseline (> 1: ours is better)."""
        if self.baseline_value is None or self.value is None:
            return None
        if self.better == "lower":
            return self.baseline_value / self.value if self.value else None
        return self.value / self.baseline_value if self.baseline_value else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class Context:
    quick: bool
    data: Path
    out: Path
    log: Callable[[str], None] = print
    seed: int = 2024
    extra: dict[str, Any] = field(default_factory=dict)


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_mb = round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    info: dict[str, Any] = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": model, "memory_mb": memory_mb, "python": sys.version.split()[0],
        "platform": platform.platform(), "numpy": np.__version__,
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
    }
    for module in ("cv2", "faiss", "sqlite3", "sqlalchemy"):
        try:
            mod = __import__(module)
            info[module] = getattr(mod, "__version__", None) or getattr(mod, "sqlite_version", None)
        except ImportError:
            info[module] = None
    return info


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit in ("queries", "rows", "events") or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 0.1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(figures: Iterable[Figure]) -> str:
    head = ("benchmark", "metric", "ours", "baseline", "baseline value", "ratio", "target")
    rows = [head]
    for f in figures:
        ratio = f.ratio
        target = "" if f.target is None else (
            f"{f.target} {'ok' if f.met else 'MISSED'}" if f.met is not None else f.target)
        rows.append((f.bench, f.metric, _fmt(f.value, f.unit), f.baseline,
                     _fmt(f.baseline_value, f.unit), "-" if ratio is None else f"{ratio:.2f}x",
                     target))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("ratio: how many times better than the baseline (> 1: ours is better)")
    return "\n".join(lines)


def markdown(figures: Iterable[Figure]) -> str:
    out = ["| benchmark | metric | ours | baseline | baseline value | ratio | target |",
           "|---|---|---|---|---|---|---|"]
    for f in figures:
        ratio = f.ratio
        target = "" if f.target is None else (
            f"{f.target} {'ok' if f.met else '**missed**'}" if f.met is not None else f.target)
        out.append(f"| {f.bench} | {f.metric} | {_fmt(f.value, f.unit)} | {f.baseline} | "
                   f"{_fmt(f.baseline_value, f.unit)} | "
                   f"{'-' if ratio is None else f'{ratio:.2f}x'} | {target} |")
    return "\n".join(out)


def write(path: Path, figures: list[Figure], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**meta, "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": machine(), "figures": [f.as_dict() for f in figures]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
