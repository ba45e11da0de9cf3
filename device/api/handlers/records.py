"""Punches: seed 001's get_attend_infos and clear_data, and the CSV report."""

from __future__ import annotations

import datetime as dt

from werkzeug.wrappers import Response

from device.api.context import Call
from device.api.http import iso, json_body, json_response, time_range

START = ("start_time", "start_tme", "from")  # seed 001 spells it both ways
END = ("end_time", "endtime", "end_tme", "to")


def get_attend_infos(call: Call) -> Response:
    """Every punch in [start_time, end_time) (both optional), oldest first, not de-duplicated."""
    body = json_body(call.request) | dict(call.request.args.items())
    start, end = time_range(body, START, END)
    return json_response([{
        "name": p.name, "staff_id": p.person_id, "attend_time": iso(p.time),
        "status": p.status, "distance": None if p.distance is None else round(p.distance, 4),
        "device": p.origin, "seq": p.seq} for p in call.terminal.punches(start, end)])


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
