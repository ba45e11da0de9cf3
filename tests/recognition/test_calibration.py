"""Security level -> threshold: tightens with the library, agrees with its own inverse."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from device.recognition import calibration
from device.recognition.calibration import (
    CalibrationError,
    CalibrationTable,
    expected_fpir,
    match_rule,
    per_person_fmr,
    table_for,
    threshold_for,
)
from device.recognition.face_models import MODELS


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_every_model_ships_a_table_whose_threshold_tightens_as_the_library_grows(
        model_id: str) -> None:
    table = table_for(model_id)
    thresholds = [threshold_for(table, 100, n) for n in (10, 100, 1_000, 10_000)]
    assert thresholds == sorted(thresholds, reverse=True) and len(set(thresholds)) == 4
    assert threshold_for(table, 1_000, 1_000) < threshold_for(table, 100, 1_000)


@pytest.mark.parametrize("model_id", sorted(MODELS))
def test_the_threshold_for_a_level_lets_that_many_strangers_through(model_id: str) -> None:
    table = table_for(model_id)
    for people in (50, 1_184, 20_000):
        for level in (100, 1_000):
            t = threshold_for(table, level, people)
            assert expected_fpir(table, t, people) == pytest.approx(1 / level, rel=0.02)


def test_the_per_person_rate_is_the_exact_inverse_of_the_union_bound() -> None:
    fmr = per_person_fmr(100, 1_000)
    assert 1 - (1 - fmr) ** 1_000 == pytest.approx(0.01, rel=1e-9)
    assert per_person_fmr(100, 1) == per_person_fmr(100, calibration.MIN_PEOPLE)


def test_below_the_measured_tail_the_table_extends_log_linearly_with_a_floor() -> None:
    table = CalibrationTable("m", np.array([0.5, 0.6, 0.7]), np.array([1e-4, 1e-3, 1e-2]))
    assert table.distance_for(1e-5) == pytest.approx(0.4)  # one decade per 0.1
    assert table.distance_for(1e-300) == pytest.approx(0.5 / calibration.TAIL_FLOOR_RATIO)
    assert table.fmr_at(0.65) == pytest.approx(math.sqrt(1e-3 * 1e-2))


def test_a_fixed_match_threshold_overrides_the_level() -> None:
    rule = match_rule("dlib-resnet-v1", 500, 100, 0.42, 0.06)
    assert (rule.threshold, rule.level) == (0.42, None)
    auto = match_rule("dlib-resnet-v1", 500, 100, 0.0, 0.06)
    assert auto.level == 100 and auto.threshold == threshold_for(
        table_for("dlib-resnet-v1"), 100, 500)
    # The margin is given in dlib's units; each table says how it carries over (measured:
    # MobileFaceNet keeps 0.06 in its own units though its distances are about 1.9x dlib's).
    mobile = table_for("yunet2023mar-mobilefacenet192")
    assert mobile.distance_scale > 1.5 and mobile.margin_scale == 1.0
    assert match_rule("yunet2023mar-mobilefacenet192", 500, 100, 0, 0.06).margin == 0.06


def test_a_missing_or_damaged_table_is_one_line(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calibration, "CALIBRATION_DIR", tmp_path)
    table_for.cache_clear()
    try:
        with pytest.raises(CalibrationError, match="no calibration table for model x"):
            table_for("x")
        (tmp_path / "calibration-y.json").write_text(json.dumps({"points": [[0.5, 0.1],
                                                                            [0.4, 0.2]]}))
        with pytest.raises(CalibrationError, match="must rise") as error:
            table_for("y")
        assert "\n" not in str(error.value)
    finally:
        table_for.cache_clear()


def test_calibrate_measures_a_sites_photos_and_proposes_a_level(tmp_path: Path,
                                                                 data_dir: Path) -> None:
    db = tmp_path / "door.sqlite"
    done = subprocess.run([sys.executable, "-m", "device", "--db", str(db), "calibrate",
                           str(data_dir / "faces"), "--people", "200", "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    proposal = json.loads(done.stdout)
    assert proposal["people"] == 200 and proposal["persons_measured"] == 6
    assert proposal["genuine_pairs"] > 10 and proposal["impostor_pairs"] > 50
    levels = proposal["levels"]
    assert [r["level"] for r in levels] == [100, 1_000, 10_000, 100_000]
    assert all(a["threshold"] > b["threshold"] for a, b in itertools.pairwise(levels))
    assert proposal["proposed_level"] in {r["level"] for r in levels}
    chosen = next(r for r in levels if r["level"] == proposal["proposed_level"])
    assert chosen["genuine_accepted"] >= 0.95


def test_calibrate_refuses_a_folder_without_two_people_with_pairs(tmp_path: Path,
                                                                  data_dir: Path) -> None:
    folder = tmp_path / "site" / "only"
    folder.mkdir(parents=True)
    (folder / "a.jpg").write_bytes((data_dir / "faces" / "joe_biden" / "biden_1.jpg")
                                   .read_bytes())
    done = subprocess.run([sys.executable, "-m", "device", "--db", str(tmp_path / "d.sqlite"),
                           "calibrate", str(tmp_path / "site")], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "at least 2 people" in done.stderr
