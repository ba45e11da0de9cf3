"""Parser for the continuous ASCII output mode. Pure: bytes in, readings out, no I/O.

Modules print e.g. ``d: 123 mm``, ``123mm``, ``Distance=456`` or status lines such as
``State;0 , Range Valid``. We accept the first integer followed by ``mm`` anywhere in a
line, else a line that is just an optional ``label:`` and an integer. Lines end with
CR, LF or CRLF. Leading noise (non-printable bytes) is stripped; a line with noise in
the middle is rejected whole, so noise never turns ``1\\x0023 mm`` into 23 mm.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from hardware.tof.constants import MAX_ASCII_LINE
from hardware.tof.reading import DEFAULT_LIMITS, RangeLimits, Reading, classify

Clock = Callable[[], float]

_LINE_END = re.compile(rb"[\r\n]")
_PRINTABLE_FIRST = 0x20
_PRINTABLE_LAST = 0x7E
_TAB = 0x09
_NOISE = bytes(b for b in range(256) if not _PRINTABLE_FIRST <= b <= _PRINTABLE_LAST)
_WITH_UNIT = re.compile(r"(\d{1,9})\s*mm\b", re.IGNORECASE)
_BARE = re.compile(r"(?:[A-Za-z][\w ]*?\s*[:=]\s*)?(\d{1,9})")
_STATUS_PREFIX = "state"


def _printable(line: bytes) -> bool:
    return all(_PRINTABLE_FIRST <= b <= _PRINTABLE_LAST or b == _TAB for b in line)


class AsciiLineParser:
    """Streaming line parser.

    synced=False drops everything up to the first line end: after opening a port the
    module is usually mid-line, and ``3 mm`` from ``d: 123 mm`` must not become a reading.
    """

    def __init__(
        self,
        limits: RangeLimits = DEFAULT_LIMITS,
        clock: Clock = time.monotonic,
        *,
        synced: bool = True,
        max_line: int = MAX_ASCII_LINE,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._synced = synced
        self._max_line = max_line
        self._buffer = bytearray()
        self.lines = 0
        self.bad_lines = 0
        self.state_lines = 0
        self.last_state: str | None = None

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def reset(self, *, synced: bool = False) -> None:
        """Forget buffered bytes (new connection); counters are kept."""
        self._buffer.clear()
        self._synced = synced

    def feed(self, data: bytes) -> list[Reading]:
        buf = self._buffer
        buf += data
        readings: list[Reading] = []
        pos = 0
        while True:
            match = _LINE_END.search(buf, pos)
            if match is None:
                break
            line = bytes(buf[pos : match.start()])
            pos = match.end()
            if not self._synced:
                self._synced = True
                continue
            reading = self._parse_line(line)
            if reading is not None:
                readings.append(reading)
        del buf[:pos]
        if len(buf) > self._max_line:
            # No line end in sight: noise or a wrong baud rate. Wait for the next line end.
            buf.clear()
            self.bad_lines += 1
            self._synced = False
        return readings

    def _parse_line(self, line: bytes) -> Reading | None:
        line = line.lstrip(_NOISE).strip()
        if not line:
            return None
        self.lines += 1
        if not _printable(line):
            self.bad_lines += 1
            return None
        text = line.decode("ascii")
        if text.lower().startswith(_STATUS_PREFIX):
            self.state_lines += 1
            self.last_state = text
            return None
        match = _WITH_UNIT.search(text) or _BARE.fullmatch(text)
        if match is None:
            self.bad_lines += 1
            return None
        return classify(int(match.group(1)), self._clock(), self.limits)
