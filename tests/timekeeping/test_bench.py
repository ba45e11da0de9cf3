"""The benchmark runs and its two computations agree (its timings are not asserted)."""

from __future__ import annotations

from bench.attendance_rules import make_data, make_rules, measure, naive_monthly
from device.timekeeping import monthly_summary


def test_benchmark_data_and_agreement():
    persons, punches = make_data(20)
    assert len(punches) == 20 * 22 * 4
    summaries = monthly_summary(make_rules(), persons, punches, "2026-03")
    assert summaries == naive_monthly(make_rules(), persons, punches)
    assert [s.scheduled_days for s in summaries] == [22] * 20
    assert all(s.absent_days == 0 and s.missing_punches == 0 for s in summaries)
    assert all(s.days_worked == 22 for s in summaries)


def test_measure_reports_every_figure():
    figures = measure(people=5, repeat=1, log=lambda _: None)
    assert set(figures) == {"people", "punches", "monthly_s", "monthly_cpu_s", "naive_s",
                            "naive_cpu_s", "ratio", "daily_month_s", "daily_rows",
                            "daily_one_day_s"}
    assert (figures["people"], figures["punches"], figures["daily_rows"]) == (5, 440, 155)
