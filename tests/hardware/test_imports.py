"""Architecture rules: what importing hardware/ pulls in (checked in a clean interpreter)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import REPO, python_env

FORBIDDEN = ("PyQt5", "paho", "gui", "sync", "device")


def loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=python_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(result.stdout.split())


def test_tof_and_relay_need_no_opencv_or_numpy() -> None:
    modules = loaded_after("import hardware.tof, hardware.relay, hardware.tof.wake")
    assert "cv2" not in modules
    assert "numpy" not in modules
    assert "serial" not in modules  # pyserial only once a port is opened


def test_nothing_imports_the_adapters_or_the_core() -> None:
    modules = loaded_after(
        "import hardware, hardware.tof, hardware.relay, hardware.camera, hardware.profiles, "
        "hardware.cli"
    )
    assert "cv2" not in modules  # camera code imports OpenCV only when a source opens
    for name in FORBIDDEN:
        assert name not in modules and not any(m.startswith(name + ".") for m in modules)


def test_fake_camera_works_without_opencv() -> None:
    code = (
        "import sys; sys.modules['cv2'] = None\n"
        "from hardware.camera import CaptureThread, open_source\n"
        "capture = CaptureThread(open_source('fake://?width=32&height=24&frames=3'), pace=False)\n"
        "capture.start(); frame = capture.wait_frame(2, timeout=10); capture.close()\n"
        "assert frame is not None and frame.image.shape == (24, 32, 3), frame\n"
    )
    assert "hardware.camera.fake" in loaded_after(code)
