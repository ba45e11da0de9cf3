"""`python -m bench [--quick] [--only NAME ...] [--out FILE]`: run, print, write results.json."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

from bench.report import Context, Figure, table, write

#: name -> module with `run(ctx) -> list[Figure]`; add frame-to-decision, video... here.
BENCHMARKS = {
    "search": "bench.search",
    "eventlog": "bench.eventlog",
    "frame": "bench.frame",
    "import": "bench.import_speed",
    "video": "bench.video",
    "liveness": "bench.liveness",
    "sync": "bench.sync",
    "door_power": "bench.door_power",
    "lfw": "bench.recognition_lfw",
    "openset": "bench.openset:bench",
    "attendance": "bench.attendance_rules",
}

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes and fewer queries (about 2 minutes)")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME",
                        help=f"run only these ({', '.join(BENCHMARKS)}); repeatable")
    parser.add_argument("--profile", action="store_true",
                        help="profile device.verify.rebuild and print where the time goes")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("FACEGATE_DATA", DEFAULT_DATA)))
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    ctx = Context(quick=args.quick, data=args.data, out=args.out, log=log)
    ctx.extra["profile"] = args.profile
    started = time.perf_counter()
    load_before = os.getloadavg()
    figures: list[Figure] = []
    for name in names:
        log(f"== {name}")
        module, _, function = BENCHMARKS[name].partition(":")
        figures.extend(getattr(importlib.import_module(module), function or "run")(ctx))
    elapsed = time.perf_counter() - started
    print(table(figures))
    print(f"\n{len(figures)} figures in {elapsed:.0f} s; written to {args.out}")
    print("load average before/after (other work on this machine skews timings): "
          f"{load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
    write(args.out, figures, {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "quick": args.quick, "benchmarks": names, "duration_s": round(elapsed, 1),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        **ctx.extra,
    })
    missed = [f for f in figures if f.met is False]
    if missed:
        print(f"{len(missed)} target(s) missed: " + "; ".join(
            f"{f.bench} {f.metric}" for f in missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
