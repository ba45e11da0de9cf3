"""python -m hardware: the installer tools, run as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.hardware import FakeTofFactory
from tests.support.paths import REPO, python_env

TIMEOUT_S = 60


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hardware", *args],
        cwd=REPO,
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def assert_bad_input(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_tof_json_from_a_sensor_on_a_pty(fake_tof: FakeTofFactory, tty_link: Path) -> None:
    fake_tof("normal")
    result = run("tof", str(tty_link), "--json", "--count", "4", "--poll-hz", "20")
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["distance_mm"] for o in objects] == [500, 800, None, 2500]
    assert [o["status"] for o in objects] == ["ok", "ok", "no_target", "out_of_range"]
    assert all(set(o) == {"distance_mm", "status", "t"} for o in objects)
    assert objects[0]["t"] < objects[-1]["t"]


def test_tof_ascii_mode_text_output(fake_tof: FakeTofFactory, tty_link: Path) -> None:
    fake_tof("ascii", "--rate", "50")
    result = run("tof", str(tty_link), "--mode", "ascii", "--count", "3")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    assert "mm" in result.stdout or "no_target" in result.stdout


def test_tof_without_a_sensor_fails_with_the_reason(tmp_path: Path) -> None:
    result = run("tof", str(tmp_path / "ttyNONE"), "--count", "1", "--timeout", "0.5")
    assert result.returncode == 1
    assert "port_vanished" in result.stderr


def test_tof_bad_input() -> None:
    assert_bad_input(run("tof", "/dev/ttyS0", "--slave", "300"), "slave id")
    assert_bad_input(run("tof", "/dev/ttyS0", "--mode", "morse"), "invalid choice")
    assert_bad_input(run("tof", "/dev/ttyS0", "--count", "many"), "not an integer")


def test_camera_on_the_sample_video(video_path: Path) -> None:
    result = run("camera", str(video_path), "--frames", "10", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["width"], report["height"], report["frames"]) == (640, 360, 10)
    assert report["fps"] > 0
    text = run("camera", str(video_path), "--frames", "5", "--no-pace")
    assert text.returncode == 0 and text.stdout.startswith("640x360"), text.stderr


def test_camera_missing_source_and_bad_spec(tmp_path: Path) -> None:
    missing = run("camera", str(tmp_path / "nope.mp4"), "--frames", "1", "--timeout", "1")
    assert missing.returncode == 1
    assert "no such video file" in missing.stderr
    assert_bad_input(run("camera", "csi://0?flip=12"), "flip")
    assert_bad_input(run("camera", "0", "--option", "loop=1"), "unknown option")
    assert_bad_input(run("camera", "0", "--option", "oops"), "KEY=VALUE")


def test_relay_pulse_kinds() -> None:
    fake = run("relay", "pulse", "--seconds", "0.1", "--json")
    assert fake.returncode == 0, fake.stderr
    kinds = [json.loads(line)["kind"] for line in fake.stdout.splitlines()]
    assert kinds == ["opened", "closed"]
    board = run("relay", "pulse", "--kind", "serial", "--port", "loop://", "--seconds", "0.1")
    assert board.returncode == 0, board.stderr
    assert "closed" in board.stdout


def test_relay_errors() -> None:
    assert_bad_input(run("relay", "pulse", "--kind", "gpio"), "--line")
    assert_bad_input(run("relay", "pulse", "--kind", "serial"), "--port")
    assert_bad_input(run("relay", "pulse", "--seconds", "-1"), "positive")
    assert_bad_input(run("relay", "blink"), "invalid choice")
    try:
        import gpiod  # noqa: F401
    except ImportError:
        missing = run("relay", "pulse", "--kind", "gpio", "--line", "17")
        assert missing.returncode == 1
        assert "python3-libgpiod" in missing.stderr


def test_profile_command() -> None:
    listing = run("profile", "--list")
    assert listing.stdout.split() == ["dev-pc", "jetson-nano", "raspberry-pi"]
    shown = run("profile", "jetson-nano")
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["tof"]["port"] == "/dev/ttyTHS1"
    assert document["relay"]["kind"] == "gpio"
    assert_bad_input(run("profile", "toaster"), "unknown hardware profile")


@pytest.mark.parametrize("argv", [[], ["bogus"]])
def test_usage_errors_are_one_line(argv: list[str]) -> None:
    result = run(*argv)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
