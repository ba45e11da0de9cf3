"""`python -m device.liveness calibrate` on a rendered photo of known geometry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.liveness import FOCAL_PX, Species, medium_canvas, photo_picture, render, rotation
from device.liveness.calibration import focal_from_measurement
from device.recognition.engine import FaceEngine
from device.terminal import Terminal
from tests.support.paths import REPO
from tests.support.presentations import BEZEL, PHOTO

DISTANCE_MM = 600.0


def calibrate(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "device.liveness", "calibrate", "--db", str(db),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def person_at_600mm(engine: FaceEngine, data_dir: Path, room: np.ndarray,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The camera's view (focal length 530 px) of a life-size face 600 mm away, 63 mm
    between the eyes, looking straight at it."""
    picture = photo_picture(engine, data_dir / PHOTO)
    image, eye_mid = picture.at(0.0)
    canvas = medium_canvas(image, eye_mid, picture.eye_px, 1.0,
                           Species(
                               "print", "photo", (1, 1), (1, 1), (210, 297), BEZEL))
    rgb = render(canvas, rotation(0, 0, 0), np.array([0.0, 0.0, DISTANCE_MM]), room,
                 np.random.default_rng(1))
    path = tmp_path_factory.mktemp("calibration") / "door_camera.png"
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


def test_focal_from_measurement() -> None:
    assert focal_from_measurement(55.65, 600.0, 63.0) == pytest.approx(530.0, rel=1e-3)


def test_calibrate_recovers_the_focal_length_and_stores_it(db_path: Path,
                                                          person_at_600mm: Path) -> None:
    done = calibrate(db_path, "--distance-mm", str(DISTANCE_MM), "--json", str(person_at_600mm))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["camera_focal_px"] == pytest.approx(FOCAL_PX, rel=0.04)
    assert result["camera_calibration_width_px"] == 640
    terminal = Terminal.open(db_path)
    try:
        s = terminal.settings()
        assert s.camera_focal_px == result["camera_focal_px"]
        assert s.camera_calibration_width_px == 640
        assert terminal.verify().ok  # stored as a SettingsChanged event
    finally:
        terminal.close()


def test_a_measured_eye_distance_changes_the_result(db_path: Path,
                                                   person_at_600mm: Path) -> None:
    done = calibrate(db_path, "--distance-mm", "600", "--eye-mm", "70", "--json",
                     str(person_at_600mm))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["camera_focal_px"] == pytest.approx(FOCAL_PX * 63 / 70,
                                                                       rel=0.04)


@pytest.mark.parametrize(("args", "message"), [
    (["--distance-mm", "20"], "distance 20 mm"),
    (["--distance-mm", "600", "--eye-mm", "7"], "eye distance"),
])
def test_bad_input_exits_2_and_writes_nothing(db_path: Path, person_at_600mm: Path,
                                              args: list[str], message: str) -> None:
    Terminal.open(db_path).close()
    done = calibrate(db_path, *args, str(person_at_600mm))
    assert done.returncode == 2 and message in done.stderr
    assert done.stderr.strip().count("\n") == 0 and done.stdout == ""
    terminal = Terminal.open(db_path)
    assert terminal.settings().camera_focal_px == 0.0
    terminal.close()


def test_an_image_without_a_face_is_refused(db_path: Path, room: np.ndarray,
                                            tmp_path: Path) -> None:
    wall = tmp_path / "wall.png"
    cv2.imwrite(str(wall), room)
    done = calibrate(db_path, "--distance-mm", "600", str(wall))
    assert done.returncode == 2 and "no face found" in done.stderr
