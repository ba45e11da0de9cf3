"""Hardware profiles (TOML) and build_hardware."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hardware.camera import CaptureState, OpenCvSource, SourceKind
from hardware.profiles import (
    ProfileError,
    TofKind,
    available_profiles,
    build_hardware,
    build_relay,
    data_dir,
    load_profile,
)
from hardware.profiles.loader import REPO_ROOT, expand
from hardware.profiles.model import RelayConfig
from hardware.relay import FakeRelay, PulseEvent, PulseKind, RelayError, RelayKind
from hardware.tof import SimulatedTof, TofMode
from tests.support.hardware import WAIT_S


def test_packaged_profiles() -> None:
    assert available_profiles() == ["dev-pc", "jetson-nano", "raspberry-pi"]
    jetson = load_profile("jetson-nano")
    assert jetson.camera.source == "csi://0"
    assert jetson.camera.options == {"width": 1280, "height": 720, "fps": 30, "flip": 0}
    assert (jetson.tof.kind, jetson.tof.port, jetson.tof.mode) == (
        TofKind.SERIAL,
        "/dev/ttyTHS1",
        TofMode.MODBUS,
    )
    assert (jetson.tof.slave_id, jetson.tof.register) == (0x50, 0x0010)
    assert (jetson.tof.wake_distance_mm, jetson.tof.wake_consecutive) == (1000, 3)
    assert jetson.tof.idle_after_s == 10.0
    assert (jetson.relay.kind, jetson.relay.line) == (RelayKind.GPIO, 79)
    pi = load_profile("raspberry-pi")
    assert (pi.tof.port, pi.relay.active_low, pi.relay.line) == ("/dev/serial0", True, 17)


def test_dev_pc_uses_the_sample_video_from_facegate_data(tmp_path: Path) -> None:
    profile = load_profile("dev-pc", env={"FACEGATE_DATA": str(tmp_path)})
    assert profile.camera.source == f"{tmp_path}/video/short_hamilton_clip.mp4"
    assert profile.camera.options == {"loop": True}
    assert profile.tof.kind is TofKind.SIMULATED
    assert profile.relay.kind is RelayKind.FAKE


def test_data_dir_defaults_next_to_the_repository() -> None:
    assert data_dir({}) == (REPO_ROOT / ".." / "shared" / "data").resolve()
    assert expand("${NOPE:-x}/${REPO}", {}) == f"x/{REPO_ROOT}"
    with pytest.raises(ProfileError, match="NOPE"):
        expand("${NOPE}", {})


def test_camera_specs_of_all_profiles_are_valid() -> None:
    from hardware.camera import parse_spec

    for name in available_profiles():
        profile = load_profile(name)
        parse_spec(profile.camera.source, **profile.camera.options)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[camera]\nsource = "0"\n[tof]\npoll_rate = 5\n', "unknown key.*poll_rate"),
        ('[camera]\nsource = "0"\n[tof]\npoll_hz = "fast"\n', "poll_hz"),
        ('[camera]\nsource = "0"\n[relay]\nkind = "pneumatic"\n', "kind"),
        ('[camera]\nsource = "0"\n[tof]\nwake_consecutive = true\n', "wake_consecutive"),
        ('[tof]\nkind = "none"\n', "missing \\[camera\\]"),
        ('name = "x"\ncolour = "red"\n[camera]\nsource = "0"\n', "colour"),
        ("[camera\n", "profile.toml"),
    ],
)
def test_bad_profiles_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=message):
        load_profile(path)


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="dev-pc"):
        load_profile("toaster")


def test_build_dev_pc_and_run_it(video_path: Path) -> None:
    hardware = build_hardware(
        load_profile("dev-pc", env={"FACEGATE_DATA": str(video_path.parents[1])})
    )
    assert isinstance(hardware.camera, OpenCvSource) and hardware.camera.kind is SourceKind.FILE
    assert isinstance(hardware.tof, SimulatedTof)
    assert isinstance(hardware.relay, FakeRelay)
    opened = threading.Event()

    def on_pulse(event: PulseEvent) -> None:
        if event.kind is PulseKind.OPENED:
            opened.set()

    hardware.relay.on_pulse(on_pulse)
    hardware.start()
    try:
        assert hardware.capture.wait_frame(0, timeout=WAIT_S) is not None
        assert hardware.tof.wait_for(lambda s: s.state == "ok", WAIT_S)
        hardware.pulse_door()
        assert opened.is_set() and hardware.relay.energised
    finally:
        hardware.close()
    assert not hardware.relay.energised  # closing the hardware locks the door
    assert hardware.capture.state is CaptureState.STOPPED


def test_build_from_a_custom_profile(tmp_path: Path) -> None:
    path = tmp_path / "door.toml"
    path.write_text(
        'name = "door"\n[camera]\nsource = "fake://?width=64&height=48"\nfps = 5.0\n'
        '[tof]\nkind = "none"\n[relay]\nkind = "serial"\nport = "loop://"\npulse_seconds = 0.5\n'
    )
    hardware = build_hardware(str(path))
    try:
        assert hardware.tof is None
        assert hardware.camera.kind is SourceKind.FAKE
        assert hardware.relay.name.startswith("serial-relay loop://")
    finally:
        hardware.close()


def test_relay_configs_are_checked() -> None:
    with pytest.raises(ProfileError, match="line"):
        build_relay(RelayConfig(kind=RelayKind.GPIO))
    with pytest.raises(ProfileError, match="port"):
        build_relay(RelayConfig(kind=RelayKind.SERIAL))


def test_gpio_profile_without_bindings_is_a_relay_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "gpiod", None)
    with pytest.raises(RelayError, match="python3-libgpiod"):
        build_hardware("raspberry-pi")
