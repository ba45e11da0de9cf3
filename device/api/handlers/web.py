"""The small web admin: server-rendered pages behind the same accounts as the API."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from device.api.auth import CSRF_FIELD, TOKEN_COOKIE, csrf_token
from device.api.auth import login as check_login
from device.api.context import Call
from device.api.errors import ApiError
from device.api.handlers.web_assets import CSS, JS
from device.api.http import client_address, time_range
from device.api.templating import day, render
from device.errors import BadInput
from device.ids import check_id

PUNCH_ROWS = 200
ALERT_ROWS = 100


def login_page(call: Call) -> Response:
    return _login()


def login_submit(call: Call) -> Response:
    form = call.request.form
    username = form.get("username", "").strip()
    try:
        if not username or not form.get("password"):
            raise BadInput("enter user name and password")
        issued = check_login(call.app, username, form.get("password", ""),
                             client_address(call.request))
    except ApiError as e:
        return _login(str(e), username, e.status, e.headers)
    except BadInput as e:
        return _login(str(e), username, 400)
    response = redirect("/admin", 303)
    response.set_cookie(TOKEN_COOKIE, issued.token, max_age=int(call.app.config.token_ttl_seconds),
                        httponly=True, samesite="Strict", path="/")
    return response


def logout_submit(call: Call) -> Response:
    if call.token:
        call.app.accounts.revoke_token(call.token)
    response = redirect("/admin/login", 303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


def handle_alert_submit(call: Call, alert_id: str) -> Response:
    alert_id = check_id(alert_id, "alert id")
    call.terminal.handle_alert(alert_id)
    call.audit("alerts.handled", alert_id=alert_id, via="admin page")
    return redirect("/admin#alerts", 303)


def dashboard(call: Call) -> Response:
    assert call.account is not None and call.token is not None
    t = call.terminal
    start, end, problem = _punch_range(call.request.args)
    punches = t.punches(start, end)
    return _page("dashboard.html",
                 device_name=t.settings().device_name, device_id=t.device_id,
                 username=call.account.username, role=call.account.role,
                 admin=call.account.role == "admin",
                 csrf_field=CSRF_FIELD, csrf=csrf_token(call.token),
                 people=t.people(),
                 punch_count=len(punches), punches=punches[-PUNCH_ROWS:][::-1],
                 from_day=day(start), to_day=day(end - 86400) if end is not None else "",
                 csv_to_day=day(end) if end else "", problem=problem,
                 alerts=t.alerts()[:ALERT_ROWS])


def stylesheet(call: Call) -> Response:
    return Response(CSS, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=300"})


def script(call: Call) -> Response:
    return Response(JS, content_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "max-age=300"})


def error_page(status: int, message: str) -> Response:
    return _page("error.html", status=status, code=status, message=message)


def _login(message: str = "", username: str = "", status: int = 200,
           headers: Mapping[str, str] | None = None) -> Response:
    return _page("login.html", status=status, headers=headers, message=message,
                 username=username)


def _punch_range(args: MultiDict[str, str]) -> tuple[float, float | None, str]:
    """(start, exclusive end, problem) from the form: the last 7 days unless asked; the
    `to` day is included."""
    try:
        start, end = time_range(args, ("from",), ("to",))
        if end is not None and len(args.get("to", "").strip()) == 10:  # a date: include it
            end += 86400
        problem = ""
    except BadInput as e:
        start, end, problem = None, None, str(e)
    return (time.time() - 7 * 86400 if start is None else start), end, problem


def _page(template: str, status: int = 200, headers: Mapping[str, str] | None = None,
          **context: Any) -> Response:
    """An HTML page from device/api/templates/ (autoescaped; a missing variable raises)."""
    return Response(render(template, **context), status=status, headers=dict(headers or {}),
                    content_type="text/html; charset=utf-8")
