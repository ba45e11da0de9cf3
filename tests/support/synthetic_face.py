"""A 3-D face of 68 landmarks (dlib's order, millimetres) and a pinhole camera, for tests.

x right, y down, z towards the camera (the nose sticks out, the jaw line recedes). The eye
centres are 63 mm apart and the open eyes have an aspect ratio of 0.29, like an adult's.
"""

from __future__ import annotations

import math

import numpy as np

EYE_MM = 63.0


def _eye(cx: float, outer_left: bool) -> list[tuple[float, float, float]]:
    """Six eye points in dlib's order: corner, two upper, corner, two lower."""
    half, lid, y = 14.0, 4.0, -15.0
    xs = [cx - half, cx - 4.5, cx + 4.5, cx + half, cx + 4.5, cx - 4.5]
    ys = [y, y - lid, y - lid, y, y + lid, y + lid]
    zs = [-14.0, -8.0, -8.0, -6.0, -8.0, -8.0] if outer_left else [-6.0, -8.0, -8.0, -14.0,
                                                                   -8.0, -8.0]
    return list(zip(xs, ys, zs, strict=True))


def face_3d() -> np.ndarray:
    points: list[tuple[float, float, float]] = []
    for i in range(17):  # jaw line, ear to ear through the chin
        a = math.pi * i / 16
        points.append((-70 * math.cos(a), -5 + 95 * math.sin(a), -45 + 35 * math.sin(a)))
    for side in (-1, 1):  # brows
        for k in range(5):
            x = side * (55 - 10.75 * k) if side < 0 else 12 + 10.75 * k
            points.append((x, -35 - 5 * math.sin(math.pi * k / 4), -5 - 15 * (x / 55) ** 2))
    for k in range(4):  # nose bridge to tip
        points.append((0.0, -25 + 13.3 * k, 5 + 6.7 * k))
    for k in range(5):  # under the nose
        x = -15 + 7.5 * k
        points.append((x, 22.0, 15 - 10 * abs(x) / 15))
    points += _eye(-31.5, outer_left=True) + _eye(31.5, outer_left=False)
    for half_w, half_h, n in ((25.0, 9.0, 12), (15.0, 3.0, 8)):  # mouth outer, inner
        for k in range(n):
            a = math.pi + 2 * math.pi * k / n
            x = half_w * math.cos(a)
            points.append((x, 50 + half_h * math.sin(a), -10 * (x / 25) ** 2))
    return np.array(points, dtype=np.float64)


def close_eyes(face: np.ndarray, amount: float) -> np.ndarray:
    """Lids moved together by `amount` (0 open, 1 shut)."""
    out = face.copy()
    for upper, lower in ((37, 41), (38, 40), (43, 47), (44, 46)):
        middle = (out[upper, 1] + out[lower, 1]) / 2
        out[upper, 1] += (middle - out[upper, 1]) * amount
        out[lower, 1] += (middle - out[lower, 1]) * amount
    return out


def open_mouth(face: np.ndarray, mm: float) -> np.ndarray:
    out = face.copy()
    lower = [i for i in range(48, 68) if out[i, 1] > 50 or i in (7, 8, 9)]
    out[lower, 1] += mm
    return out


def flat(face: np.ndarray) -> np.ndarray:
    """The same face printed on paper: every point in one plane."""
    out = face.copy()
    out[:, 2] = 0.0
    return out


def rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    y, p, r = (math.radians(v) for v in (yaw_deg, pitch_deg, roll_deg))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return rz @ ry @ rx


def project(face: np.ndarray, distance_mm: float, focal_px: float = 530.0,
            yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0,
            shift_mm: tuple[float, float] = (0.0, 0.0), scale: float = 1.0,
            noise_px: float = 0.0, rng: np.random.Generator | None = None) -> np.ndarray:
    """68x2 image points of `face` (scaled by `scale`) posed in front of the camera."""
    camera = face * scale
    camera = camera * np.array([1.0, 1.0, -1.0])  # towards the camera = smaller depth
    camera = camera @ rotation(yaw, pitch, roll).T
    camera = camera + np.array([shift_mm[0], shift_mm[1], distance_mm])
    image = focal_px * camera[:, :2] / camera[:, 2:3] + np.array([320.0, 180.0])
    if noise_px:
        image = image + (rng or np.random.default_rng(0)).normal(0.0, noise_px, image.shape)
    return image


def five_point_eye_px(points68: np.ndarray) -> float:
    """The eye-centre distance a 5-point model would report for these 68 points."""
    return float(np.linalg.norm(points68[36:42].mean(axis=0) - points68[42:48].mean(axis=0)))
