"""GpioRelay: a relay module on a GPIO pin, through the Linux GPIO character device.

Uses the ``gpiod`` Python bindings of libgpiod, v1 (Debian/Ubuntu python3-libgpiod
1.x) or v2 (pip ``gpiod`` >= 2), whichever is installed; it is not a hard dependency.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Final, Protocol

from hardware.relay.base import Relay, RelayError

DEFAULT_CHIP: Final = "gpiochip0"
DEFAULT_CONSUMER: Final = "facegate-door"
HIGH: Final = 1
LOW: Final = 0
INSTALL_HINT: Final = (
    "the gpiod Python bindings are not installed: sudo apt install python3-libgpiod "
    "(or pip install gpiod on a libgpiod 2 system)"
)


class _Line(Protocol):
    def set(self, level: int) -> None: ...
    def close(self) -> None: ...


def import_gpiod() -> ModuleType:
    try:
        return importlib.import_module("gpiod")
    except ImportError as exc:
        raise RelayError(INSTALL_HINT) from exc


def chip_path(chip: str) -> str:
    """'gpiochip0' -> '/dev/gpiochip0'; paths are kept."""
    return chip if chip.startswith("/") else f"/dev/{chip}"


class _V1Line:
    """libgpiod 1.x: Chip(name).get_line(offset).request(...)."""

    def __init__(self, gpiod: Any, chip: str, offset: int, consumer: str, level: int) -> None:
        self._chip = gpiod.Chip(chip)
        try:
            self._line = self._chip.get_line(offset)
            self._line.request(consumer=consumer, type=gpiod.LINE_REQ_DIR_OUT, default_vals=[level])
        except BaseException:
            self._chip.close()
            raise

    def set(self, level: int) -> None:
        self._line.set_value(level)

    def close(self) -> None:
        try:
            self._line.release()
        finally:
            self._chip.close()


class _V2Line:
    """libgpiod 2.x: request_lines(path, config={offset: LineSettings(...)})."""

    def __init__(self, gpiod: Any, chip: str, offset: int, consumer: str, level: int) -> None:
        self._value = gpiod.line.Value
        self._offset = offset
        settings = gpiod.LineSettings(
            direction=gpiod.line.Direction.OUTPUT, output_value=self._to_value(level)
        )
        self._request = gpiod.request_lines(
            chip_path(chip), consumer=consumer, config={offset: settings}
        )

    def _to_value(self, level: int) -> Any:
        return self._value.ACTIVE if level else self._value.INACTIVE

    def set(self, level: int) -> None:
        self._request.set_value(self._offset, self._to_value(level))

    def close(self) -> None:
        self._request.release()


class GpioRelay(Relay):
    """active_low=True for the common opto-isolated modules that switch on a LOW input.

    The line is requested as an output already at the 'off' level, so taking it over
    never produces a pulse.
    """

    def __init__(
        self,
        line: int,
        *,
        chip: str = DEFAULT_CHIP,
        active_low: bool = False,
        consumer: str = DEFAULT_CONSUMER,
        gpiod_module: ModuleType | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("name", f"gpio-relay {chip}:{line}")
        super().__init__(**options)
        if line < 0:
            raise ValueError(f"GPIO line offset must be >= 0, got {line}")
        self.chip = chip
        self.line = line
        self.active_low = active_low
        gpiod = gpiod_module or import_gpiod()
        line_class = _V2Line if hasattr(gpiod, "request_lines") else _V1Line
        try:
            self._line: _Line = line_class(gpiod, chip, line, consumer, self._level(False))
        except OSError as exc:
            raise RelayError(
                f"cannot request GPIO {chip} line {line}: {exc} "
                "(wrong chip/line, line in use, or no permission on /dev/gpiochip*?)"
            ) from exc
        self._initial_off()

    def _level(self, energised: bool) -> int:
        return HIGH if energised != self.active_low else LOW

    def _write(self, energised: bool) -> None:
        self._line.set(self._level(energised))

    def _close_backend(self) -> None:
        self._line.close()
