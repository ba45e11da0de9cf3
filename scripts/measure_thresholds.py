"""Measure match thresholds on the sample photos: single-photo enrolment, leave-one-out.

For every photo E used as a person's only enrolment photo, every other photo of that
person is a genuine probe; photos of people not enrolled are stranger probes. Reports, per
threshold, how many genuine probes are accepted and how many strangers are named as
someone (with the margin rule of device/recognition/decision.py).

usage: python scripts/measure_thresholds.py [DATA_DIR]
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from device.imaging import load_rgb
from device.recognition.decision import DEFAULT_MARGIN, Verdict, decide
from device.recognition.engine import FaceEngine
from device.recognition.matcher import FaceIndex


def main() -> None:
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    data = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("FACEGATE_DATA", default))
    engine = FaceEngine()
    photos: list[tuple[str, np.ndarray, np.ndarray]] = []  # person, encoding, mirror encoding
    for path in sorted((data / "faces").glob("*/*")):
        rgb = load_rgb(path)
        face = engine.detect(rgb, max_side=1024)[0]
        flipped = np.ascontiguousarray(rgb[:, ::-1])
        top, right, bottom, left = face.box
        mirror = engine.locate(flipped, (top, rgb.shape[1] - left, bottom, rgb.shape[1] - right))
        photos.append((path.parent.name, engine.encode(rgb, face), engine.encode(flipped, mirror)))
    people = sorted({p for p, _, _ in photos})
    print(f"{len(photos)} photos of {len(people)} people from {data / 'faces'}\n")
    print("mirror  threshold  genuine accepted  strangers named as someone")
    for use_mirror, threshold in itertools.product((False, True), (0.45, 0.5, 0.55, 0.6, 0.65)):
        accepted = genuine = named = strangers = 0
        # Library: one photo per enrolled person; one person left out as the stranger.
        for left_out in people:
            for choice in itertools.product(*[[i for i, p in enumerate(photos) if p[0] == person]
                                              for person in people if person != left_out]):
                index = FaceIndex()
                for i in choice:
                    index.add(f"{i}", photos[i][0], photos[i][1])
                    if use_mirror:
                        index.add(f"{i}m", photos[i][0], photos[i][2])
                for j, (person, encoding, _) in enumerate(photos):
                    if j in choice:
                        continue
                    match = decide(index.search(encoding), threshold, DEFAULT_MARGIN)
                    if person == left_out:
                        strangers += 1
                        named += match.verdict is Verdict.KNOWN
                    else:
                        genuine += 1
                        accepted += match.person_id == person
        print(f"{'yes' if use_mirror else 'no':6}  {threshold:9.2f}  "
              f"{accepted / genuine:15.1%}  {named / strangers:12.1%}  "
              f"({genuine} genuine, {strangers} stranger probes)")


if __name__ == "__main__":
    main()
