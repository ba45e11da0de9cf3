"""Health, settings and the clock (seed 001's update_sys_time)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import time

from werkzeug.wrappers import Response

from device.api.clock import requested_time
from device.api.context import Call
from device.api.errors import Unavailable
from device.api.http import iso, json_body, json_response, text_field
from device.api.schemas import HIDDEN_SETTINGS
from device.errors import BadInput, FaceGateError
from device.settings import DeviceSettings


def health(call: Call) -> Response:
    """Public: is the server up and the database readable. Says nothing else."""
    try:
        call.terminal.settings()
    except FaceGateError as e:
        raise Unavailable(f"the device database is not readable: {e}") from e
    return json_response({"status": "ok", "time": iso(time.time()),
                          "uptime_seconds": round(time.time() - call.app.started_at, 1)})


def get_settings(call: Call) -> Response:
    return json_response(_visible(call.terminal.settings()))


def change_settings(call: Call) -> Response:
    body = json_body(call.request)
    if not body:
        raise BadInput('send the settings to change, e.g. {"debounce_seconds": 120}')
    hidden = HIDDEN_SETTINGS & set(body)
    if hidden:
        raise BadInput(f"setting {sorted(hidden)[0]}: change it on the touchscreen")
    _refuse_non_finite(body)
    changed = call.terminal.change_settings(**body)
    call.audit("settings.change", **body)
    return json_response(_visible(changed))


def update_sys_time(call: Call) -> Response:
    """Seed 001: {"date": "2022-04-18", "time": "15:56:00"}, device local time."""
    body = json_body(call.request)
    requested = requested_time(text_field(body, "date", max_length=40),
                               text_field(body, "time", max_length=40))
    change = call.terminal.set_clock(requested, True if call.app.config.allow_clock_set
                                     else None)
    call.audit("system.update_sys_time", requested=iso(requested), applied=change.applied)
    message = ("clock set" if change.applied else
               "dry run: setting the clock is off (FACEGATE_ALLOW_SET_TIME=1 enables it; "
               "FACEGATE_API_ALLOW_CLOCK_SET=1 too)")
    return json_response({
        "code": 200, "applied": change.applied, "requested": iso(change.requested),
        "previous": iso(change.previous), "offset_seconds": round(change.offset_seconds, 3),
        "command": change.command, "msg": message,
        "timezone": dt.datetime.now().astimezone().tzname()})


def _refuse_non_finite(values: dict) -> None:
    """NaN and infinity pass the core's type check; no setting can use them."""
    numeric = {f.name for f in dataclasses.fields(DeviceSettings) if f.type in ("float", "int")}
    for key, value in values.items():
        if key in numeric and isinstance(value, str | int | float):
            try:
                number = float(value)
            except ValueError:
                continue  # the core names the bad value
            if not math.isfinite(number):
                raise BadInput(f"setting {key}: {value!r} is not a finite number")
    cutover = values.get("schedule_cutover")
    if cutover is not None and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", str(cutover)):
        raise BadInput(f"setting schedule_cutover: {cutover!r} is not HH:MM")


def _visible(settings: DeviceSettings) -> dict:
    return {k: v for k, v in dataclasses.asdict(settings).items() if k not in HIDDEN_SETTINGS}
