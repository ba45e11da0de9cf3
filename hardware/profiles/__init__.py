"""Hardware profiles per board (TOML files next to this module) and build_hardware."""

from hardware.profiles.factory import Hardware, build_hardware, build_relay, build_tof
from hardware.profiles.loader import (
    ProfileError,
    available_profiles,
    data_dir,
    detect_board,
    load_profile,
    parse_profile,
)
from hardware.profiles.model import (
    CameraConfig,
    HardwareProfile,
    RelayConfig,
    TofConfig,
    TofKind,
)

__all__ = [
    "CameraConfig",
    "Hardware",
    "HardwareProfile",
    "ProfileError",
    "RelayConfig",
    "TofConfig",
    "TofKind",
    "available_profiles",
    "build_hardware",
    "build_relay",
    "build_tof",
    "data_dir",
    "detect_board",
    "load_profile",
    "parse_profile",
]
