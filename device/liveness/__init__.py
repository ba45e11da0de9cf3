"""Presentation-attack detection (liveness) for the door: is this a person or a replay?

Three cues, each measured on its own (see docs/liveness.md):

- scale (`scale.py`): TOF distance + eye distance in pixels + calibrated focal length give
  the face's physical size; a phone screen or a small print held close does not fit;
- motion (`motion.py`): landmarks of a flat picture moved in front of the camera follow a
  homography; a real face's do not (blinks, expression, parallax of a 3-D head);
- blink (`motion.py`): eye aspect ratio from dlib's 68 landmarks dips and recovers.

`evidence.py` gathers them per tracked face and decides, bounded in time; `policy.py`
holds the verdicts and the per-device policy (off, passive, strict).

This package imports only the standard library at import time; numpy, OpenCV and dlib
load with the modules that need them.
"""
