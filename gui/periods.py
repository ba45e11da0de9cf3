"""Date filters of the punch list as (start, end) epoch seconds in local time. Qt-free."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Period(StrEnum):
    DAY = "day"  # one calendar day (the day navigator)
    WEEK = "week"  # the last 7 days including today
    MONTH = "month"  # the last 30 days including today
    ALL = "all"


@dataclass(frozen=True)
class PunchFilter:
    period: Period = Period.DAY
    day: dt.date | None = None  # for DAY; None = today

    def shifted(self, days: int, today: dt.date) -> PunchFilter:
        """The previous/next day; never past today."""
        day = (self.day or today) + dt.timedelta(days=days)
        return PunchFilter(Period.DAY, min(day, today))

    def bounds(self, today: dt.date) -> tuple[float | None, float | None]:
        """[start, end) as epoch seconds, None = open."""
        if self.period is Period.ALL:
            return None, None
        end_day = (self.day or today) if self.period is Period.DAY else today
        length = {Period.DAY: 1, Period.WEEK: 7, Period.MONTH: 30}[self.period]
        start_day = end_day - dt.timedelta(days=length - 1)
        return _midnight(start_day), _midnight(end_day + dt.timedelta(days=1))


def _midnight(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time()).timestamp()
