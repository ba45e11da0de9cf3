"""Punches: seed 001's get_attend_infos (the punches, or with "report": "daily" the daily
figures of `python -m device report daily`) and clear_data, and the CSV report."""

from __future__ import annotations

import datetime as dt

from werkzeug.wrappers import Response

from device.api.context import Call
from device.api.http import iso, json_body, json_response, text_field, time_range
from device.errors import BadInput

START = ("start_time", "start_tme", "from")  # seed 001 spells it both ways
END = ("end_time", "endtime", "end_tme", "to")


REPORTS = ("punches", "daily")


def get_attend_infos(call: Call) -> Response:
    """Every punch in [start_time, end_time) (both optional), oldest first, not de-duplicated;
    with "report": "daily", the daily sheet for the dates from..to (both inclusive, both
    required): the rows of `report daily`, the same figures."""
    body = json_body(call.request) | dict(call.request.args.items())
    report = text_field(body, "report", max_length=20) or "punches"
    if report not in REPORTS:
        raise BadInput(f"report: {report[:20]!r} is not one of {', '.join(REPORTS)}")
    if report == "daily":
        return _daily(call, body)
    start, end = time_range(body, START, END)
    return json_response([{
        "name": p.name, "staff_id": p.person_id, "attend_time": iso(p.time),
        "status": p.status, "distance": None if p.distance is None else round(p.distance, 4),
        "device": p.origin, "seq": p.seq} for p in call.terminal.punches(start, end)])


def _daily(call: Call, body: dict) -> Response:
    from device.attendance_admin import daily_record
    from device.timekeeping import parse_date

    def day(names: tuple[str, ...]) -> str:
        for name in names:
            value = body.get(name)
            if value not in (None, ""):
                if not isinstance(value, str):
                    raise BadInput(f"{name}: a date YYYY-MM-DD")
                return value
        raise BadInput(f"{names[0]}: required (a date YYYY-MM-DD)")

    first = parse_date(day(("from", "start_time")), "from")
    last = parse_date(day(("to", "end_time")), "to")
    rows = call.terminal.daily_report(first, last)
    return json_response([{"staff_id": r.person_id, **daily_record(r)} for r in rows])


def punches_csv(call: Call) -> Response:
    start, end = time_range(call.request.args, START, END)
    day = dt.date.today().isoformat()
    return Response(call.terminal.punches_csv(start, end), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="punches-{day}.csv"'})


def clear_data(call: Call) -> Response:
    """Clear punches and access records in [start_time, end_time); both are required."""
    body = json_body(call.request) | dict(call.request.args.items())
    start, end = time_range(body, START, END, required=True)
    assert start is not None and end is not None
    counts = call.terminal.clear_records(start, end)
    call.audit("records.clear_data", start=start, end=end, **counts)
    return json_response({"code": 200, "start_time": iso(start), "end_time": iso(end),
                          "cleared": counts})
