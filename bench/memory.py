"""RSS probe, run in a fresh subprocess per figure so nothing else inflates it.

`python -m bench.memory --people 100000 --per-person 1 --store ours --recogniser`
prints one JSON line: RSS after the imports, after loading the library, and the peak.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

import bench  # noqa: F401  (one BLAS thread, as in the door process)


def rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB, from /proc/self/status."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--per-person", type=int, default=1)
    parser.add_argument("--store", choices=("ours", "naive"), default="ours")
    parser.add_argument("--recogniser", action="store_true",
                        help="import what the door's recogniser process imports first")
    args = parser.parse_args(argv)

    import numpy as np

    if args.recogniser:
        import device.terminal  # noqa: F401
        from device.recognition import models

        # The models a door's recogniser holds (the 68-point one only with liveness on).
        models.detector(), models.landmarks_5(), models.encoder()
    from device.recognition.matcher import FaceIndex

    gc.collect()
    before, _ = rss_mb()
    n = args.people * args.per_person
    # What LibraryCache.load has in hand: ids from SQL and a float64 matrix from the blobs.
    rng = np.random.default_rng(7)
    sample_ids = [f"{i:032x}" for i in range(n)]
    person_ids = [f"staff-{i // args.per_person:06d}" for i in range(n)]
    matrix = rng.standard_normal((n, 128))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    if args.store == "ours":
        index = FaceIndex(capacity=max(1024, n))
        index.add_many([(sample_ids[i], person_ids[i], matrix[i]) for i in range(n)])
        index.search(matrix[0])
        held = index
    else:  # a float32 matrix and the id lists: what the numpy full scan holds
        held = (np.ascontiguousarray(matrix, dtype=np.float32), sample_ids, person_ids)
    del matrix, sample_ids, person_ids
    gc.collect()
    after, peak = rss_mb()
    print(json.dumps({"before_mb": before, "after_mb": after, "peak_mb": peak,
                      "samples": n, "held": type(held).__name__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
