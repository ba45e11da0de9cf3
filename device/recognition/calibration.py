"""From a security level to a distance threshold, for a model and a library size.

A security level says how many strangers in how many attempts may be named as someone
(`security_level = 1000`: one in a thousand). A stranger is named when some enrolled person
comes within the threshold t; with per-person false match rate FMR(t) measured for each
model on pairs of different people (calibration-<model>.json beside the weights), a library
of N people lets strangers through at

    FPIR(t, N) = 1 - (1 - FMR(t))**N          (about N * FMR(t) while that is small)

so the threshold for a level is FMR^-1(1 - (1 - 1/level)**(1/N)): it tightens as the
library grows. Below the smallest measured FMR the table's tail is extended log-linearly
(the slope of its lowest decade), and the threshold never goes below the table's first
point's distance divided by TAIL_FLOOR_RATIO. docs/thresholds.md shows how FPIR grows with N.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_DIR = Path(__file__).with_name("weights")
#: The smallest library the conversion assumes: a door with one person is not 100x safer.
MIN_PEOPLE = 10
TAIL_FLOOR_RATIO = 1.5


class CalibrationError(RuntimeError):
    """A calibration table is missing or damaged (one line)."""


@dataclass(frozen=True)
class CalibrationTable:
    """Per-person false match rate against distance, for one model (rising in both)."""

    model_id: str
    distances: np.ndarray
    fmr: np.ndarray
    source: str = ""
    #: This model's distances over dlib's at the same false match rate (for comparison).
    distance_scale: float = 1.0
    #: What `match_margin` (given in dlib's units) is multiplied by for this model: chosen
    #: by measurement and stated in the table (margin_note), distance_scale if not given.
    margin_scale: float = 1.0

    def __post_init__(self) -> None:
        d, f = self.distances, self.fmr
        if len(d) < 2 or len(d) != len(f) or np.any(np.diff(d) <= 0) \
                or np.any(np.diff(f) < 0) or f[0] <= 0 or f[-1] > 1:
            raise CalibrationError(f"calibration table of {self.model_id}: points must rise "
                                   "in distance and false match rate (0 < FMR <= 1)")

    def fmr_at(self, distance: float) -> float:
        """Per-person false match rate at this distance."""
        d, log_f = self.distances, np.log(self.fmr)
        if distance <= d[0]:
            slope = self._tail_slope()
            return float(math.exp(log_f[0] - slope * (d[0] - distance)))
        return float(math.exp(np.interp(distance, d, log_f)))

    def distance_for(self, fmr: float) -> float:
        """The largest distance whose false match rate is at most `fmr`."""
        d, log_f = self.distances, np.log(self.fmr)
        target = math.log(max(fmr, 1e-300))
        if target >= log_f[-1]:
            return float(d[-1])
        if target >= log_f[0]:
            return float(np.interp(target, log_f, d))
        distance = float(d[0] - (log_f[0] - target) / self._tail_slope())
        return max(distance, float(d[0]) / TAIL_FLOOR_RATIO)

    def _tail_slope(self) -> float:
        """d log FMR / d distance over the lowest decade of the table (> 0)."""
        d, log_f = self.distances, np.log(self.fmr)
        upper = int(np.searchsorted(log_f, log_f[0] + math.log(10)))
        upper = min(max(upper, 1), len(d) - 1)
        return max((log_f[upper] - log_f[0]) / (d[upper] - d[0]), 1e-6)


def per_person_fmr(level: int, people: int) -> float:
    """The per-person false match rate that keeps FPIR at 1/level for `people` people."""
    if level < 2:
        raise ValueError("a security level is one stranger in at least 2 attempts")
    n = max(people, MIN_PEOPLE)
    return -math.expm1(math.log1p(-1.0 / level) / n)


def threshold_for(table: CalibrationTable, level: int, people: int) -> float:
    return table.distance_for(per_person_fmr(level, people))


def expected_fpir(table: CalibrationTable, distance: float, people: int) -> float:
    """Strangers named as someone at this threshold, for a library of `people`."""
    fmr = table.fmr_at(distance)
    return -math.expm1(max(people, 1) * math.log1p(-min(fmr, 1 - 1e-12)))


@functools.cache
def table_for(model_id: str) -> CalibrationTable:
    path = CALIBRATION_DIR / f"calibration-{model_id}.json"
    try:
        doc = json.loads(path.read_text())
        points = np.asarray(doc["points"], dtype=np.float64)
        scale = float(doc.get("distance_scale", 1.0))
        return CalibrationTable(model_id, points[:, 0].copy(), points[:, 1].copy(),
                                str(doc.get("source", "")), scale,
                                float(doc.get("margin_scale", scale)))
    except FileNotFoundError:
        raise CalibrationError(f"no calibration table for model {model_id}: {path}") from None
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise CalibrationError(f"calibration table {path} is damaged: {e}") from None


@dataclass(frozen=True)
class MatchRule:
    """The threshold and margin a door applies now, and where the threshold came from."""

    threshold: float
    margin: float
    level: int | None  # None: a fixed `match_threshold` setting
    people: int


def match_rule(model_id: str, people: int, security_level: int, fixed_threshold: float,
               margin: float) -> MatchRule:
    """`fixed_threshold` > 0 overrides the level; `margin` is in dlib's distance units."""
    table = table_for(model_id)
    scaled = margin * table.margin_scale
    if fixed_threshold > 0:
        return MatchRule(fixed_threshold, scaled, None, people)
    return MatchRule(threshold_for(table, security_level, people), scaled, security_level,
                     people)


#: The duplicate check at enrolment is this many times stricter than the door's level.
DUPLICATE_LEVEL_FACTOR = 10


def duplicate_threshold(model_id: str, people: int, settings: Any) -> float:
    """Largest distance at which a new photo counts as someone already enrolled."""
    if settings.match_threshold > 0:
        return float(settings.match_threshold)
    level = min(settings.security_level * DUPLICATE_LEVEL_FACTOR, 10**9)
    return threshold_for(table_for(model_id), level, people)
