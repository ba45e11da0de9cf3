"""The site's time zone: an IANA name (setting `timezone`, e.g. `Asia/Shanghai`) read with
the standard library's zoneinfo, and the two conversions the reports need.

Wall-clock times that do not exist or exist twice on the day clocks change are resolved
the way zoneinfo resolves `fold=0`: a time in the spring-forward gap (02:30 in Berlin on
2026-03-29) is taken with the offset before the change, i.e. it lands one hour later on the
clock (03:30+02:00); a time in the autumn overlap takes its first occurrence (the summer
offset). Every duration is computed between instants (UTC seconds), never between wall
times, so a shift across a change lasts the real elapsed time.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from device.timekeeping.errors import RuleError

__all__ = ["known_zones", "local_datetime", "site_zone", "wall_instant"]

#: Names zoneinfo can open that are not IANA zones (they depend on the machine).
_NOT_ZONES = frozenset({"localtime", "posixrules"})


@functools.lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def known_zones() -> list[str]:
    """Every name site_zone accepts on this system, sorted (the settings document's enum)."""
    return sorted(_known_zones())


def site_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of an IANA name such as `Asia/Shanghai` or `Europe/Berlin`.

    Raises RuleError (one line) for anything else: a misspelt or unknown name, a path,
    a folder such as `Europe`, a non-string.
    """
    if not isinstance(name, str) or not name:
        raise RuleError(f"time zone {name!r}: give an IANA name such as Asia/Shanghai")
    if name not in _known_zones():
        hint = (" (this system has no time zone data: install tzdata)"
                if not _known_zones() else "")
        raise RuleError(f"time zone {name!r} does not exist; give an IANA name such as "
                        f"Asia/Shanghai or Europe/Berlin{hint}")
    try:
        return zoneinfo.ZoneInfo(name)  # zoneinfo keeps one instance per name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise RuleError(f"time zone {name!r} cannot be read: {e}") from e


def wall_instant(zone: dt.tzinfo, day: dt.date, at: dt.time) -> float:
    """UTC epoch seconds of the wall-clock time `at` on `day` in `zone` (fold=0, see above)."""
    return dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone).timestamp()


def local_datetime(zone: dt.tzinfo, instant: float) -> dt.datetime:
    """The instant as an aware datetime in `zone`, carrying the offset in force then."""
    return dt.datetime.fromtimestamp(instant, zone)
