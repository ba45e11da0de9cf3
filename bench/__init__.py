"""FaceGate benchmarks: `python -m bench [--quick] [--only NAME]` (see docs/performance.md).

Every figure is printed next to a baseline measured in the same run on the same data.
Each benchmark is a module with `NAME` and `run(ctx) -> list[Figure]`, listed in
`bench.__main__.BENCHMARKS`; frame-to-decision or video benchmarks slot in the same way.
"""

import os

# One BLAS / OpenMP thread for everything measured here (ours and the baselines alike):
# on the door the other core belongs to the camera. Must happen before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
