"""Read a HardwareProfile from TOML (tomllib), strictly: unknown keys are errors."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar, Union

from hardware.profiles.model import CameraConfig, HardwareProfile, RelayConfig, TofConfig

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

PROFILE_DIR: Final = Path(__file__).resolve().parent
REPO_ROOT: Final = PROFILE_DIR.parents[1]
DATA_ENV: Final = "FACEGATE_DATA"
PROFILE_ENV: Final = "FACEGATE_HARDWARE"
DEFAULT_DATA_DIR: Final = "../shared/data"  # relative to the repository root
DEVICE_TREE_MODEL: Final = Path("/proc/device-tree/model")
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")

T = TypeVar("T", bound="DataclassInstance")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the key."""


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """$FACEGATE_DATA, else ../shared/data next to the repository."""
    env = os.environ if env is None else env
    value = env.get(DATA_ENV)
    return Path(value) if value else (REPO_ROOT / DEFAULT_DATA_DIR).resolve()


def expand(text: str, env: Mapping[str, str] | None = None) -> str:
    """Replace ${VAR} / ${VAR:-default}; FACEGATE_DATA and REPO always have a value."""
    env = os.environ if env is None else env
    builtins = {DATA_ENV: str(data_dir(env)), "REPO": str(REPO_ROOT)}

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = env.get(name) or builtins.get(name) or default
        if value is None:
            raise ProfileError(f"environment variable {name} is not set (used in {text!r})")
        return value

    return _VARIABLE.sub(replace, text)


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def detect_board() -> str:
    """Profile name for this machine: $FACEGATE_HARDWARE, else from the device tree."""
    chosen = os.environ.get(PROFILE_ENV)
    if chosen:
        return chosen
    try:
        model = DEVICE_TREE_MODEL.read_text(errors="replace").lower()
    except OSError:
        return "dev-pc"
    if "jetson" in model:
        return "jetson-nano"
    if "raspberry pi" in model:
        return "raspberry-pi"
    return "dev-pc"


def profile_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path = Path(text)
    if path.suffix == ".toml" or os.sep in text:
        if not path.is_file():
            raise ProfileError(f"no such profile file: {path}")
        return path
    path = PROFILE_DIR / f"{text}.toml"
    if not path.is_file():
        known = ", ".join(available_profiles())
        raise ProfileError(f"unknown hardware profile {text!r} (known: {known})")
    return path


def load_profile(name_or_path: str | Path, env: Mapping[str, str] | None = None) -> HardwareProfile:
    """A packaged profile by name (dev-pc, jetson-nano, raspberry-pi) or a TOML path."""
    path = profile_path(name_or_path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    return parse_profile(document, path=path, env=env)


def parse_profile(
    document: Mapping[str, Any], *, path: Path | None = None, env: Mapping[str, str] | None = None
) -> HardwareProfile:
    where = str(path) if path else "profile"
    document = _expand_all(document, env, where)
    allowed = {"name", "description", "camera", "tof", "relay"}
    _reject_unknown(document, allowed, where)
    if "camera" not in document:
        raise ProfileError(f"{where}: missing [camera] table")
    name = document.get("name") or (path.stem if path else "custom")
    return HardwareProfile(
        name=str(name),
        description=str(document.get("description", "")),
        camera=_build(CameraConfig, document["camera"], f"{where} [camera]"),
        tof=_build(TofConfig, document.get("tof", {}), f"{where} [tof]"),
        relay=_build(RelayConfig, document.get("relay", {}), f"{where} [relay]"),
        path=path,
    )


def _expand_all(value: Any, env: Mapping[str, str] | None, where: str) -> Any:
    if isinstance(value, str):
        return expand(value, env)
    if isinstance(value, Mapping):
        return {k: _expand_all(v, env, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_all(v, env, where) for v in value]
    return value


def _reject_unknown(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ProfileError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _build(cls: type[T], table: Any, where: str) -> T:
    if not isinstance(table, Mapping):
        raise ProfileError(f"{where}: expected a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _reject_unknown(table, set(fields), where)
    hints = typing.get_type_hints(cls)
    values = {}
    for key, raw in table.items():
        try:
            values[key] = _convert(raw, hints[key])
        except (TypeError, ValueError) as exc:
            raise ProfileError(f"{where}: bad value for {key!r}: {exc}") from exc
    try:
        return cls(**values)
    except TypeError as exc:
        raise ProfileError(f"{where}: {exc}") from exc


def _convert(raw: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [h for h in typing.get_args(hint) if h is not type(None)]
        return _convert(raw, options[0])
    if origin is dict:
        if not isinstance(raw, Mapping):
            raise TypeError("expected a table")
        return dict(raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint is bool:
        if not isinstance(raw, bool):
            raise TypeError("expected true or false")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise TypeError("expected an integer")
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise TypeError("expected a number")
        return float(raw)
    if hint is str:
        if not isinstance(raw, str):
            raise TypeError("expected a string")
        return raw
    raise TypeError(f"unsupported setting type {hint}")  # pragma: no cover
