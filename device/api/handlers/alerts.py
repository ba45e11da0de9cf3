"""Alerts: list, snapshot, mark handled."""

from __future__ import annotations

from werkzeug.wrappers import Response

from device.api.context import Call
from device.api.http import flag, iso, json_response
from device.errors import NotFound
from device.ids import check_id


def list_alerts(call: Call) -> Response:
    rows = call.terminal.alerts(only_open=flag(call.request.args, "open"))
    return json_response([{
        "alert_id": a.alert_id, "time": iso(a.time), "kind": a.kind, "detail": a.detail,
        "person_id": a.person_id, "handled": bool(a.handled),
        "snapshot": f"/api/v1/alerts/{a.alert_id}/snapshot" if a.snapshot_key else None,
    } for a in rows])


def snapshot(call: Call, alert_id: str) -> Response:
    alert_id = check_id(alert_id, "alert id")
    jpeg = call.terminal.alert_snapshot(alert_id)
    if jpeg is None:
        raise NotFound(f"alert {alert_id!r} has no snapshot (none taken, or erased)")
    return Response(jpeg, content_type="image/jpeg",
                    headers={"Cache-Control": "private, max-age=3600"})


def mark_handled(call: Call, alert_id: str) -> Response:
    alert_id = check_id(alert_id, "alert id")
    call.terminal.handle_alert(alert_id)
    call.audit("alerts.handled", alert_id=alert_id)
    return json_response({"code": 200, "alert_id": alert_id, "handled": True})
