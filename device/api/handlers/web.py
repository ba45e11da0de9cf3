"""The small web admin: server-rendered pages behind the same accounts as the API."""

from __future__ import annotations

import datetime as dt
import time
from html import escape

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from device.api.auth import CSRF_FIELD, TOKEN_COOKIE, csrf_token
from device.api.auth import login as check_login
from device.api.context import Call
from device.api.errors import ApiError
from device.api.handlers.web_assets import CSS, JS
from device.api.http import client_address, time_range
from device.errors import BadInput
from device.ids import check_id
from device.terminal import PersonSummary

PUNCH_ROWS = 200


def login_page(call: Call) -> Response:
    return _html(_login_form(), title="FaceGate login")


def login_submit(call: Call) -> Response:
    form = call.request.form
    username = form.get("username", "").strip()
    try:
        if not username or not form.get("password"):
            raise BadInput("enter user name and password")
        issued = check_login(call.app, username, form.get("password", ""),
                             client_address(call.request))
    except ApiError as e:
        return _html(_login_form(str(e), username), title="FaceGate login", status=e.status,
                     headers=e.headers)
    except BadInput as e:
        return _html(_login_form(str(e), username), title="FaceGate login", status=400)
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
    people = t.people()
    to_day = _day(end - 86400) if end is not None else ""
    csrf = escape(csrf_token(call.token))
    admin = call.account.role == "admin"
    body = f"""
<header>
  <h1>{escape(t.settings().device_name)} <span class="muted">{escape(t.device_id)}</span></h1>
  <span>{escape(call.account.username)} ({escape(call.account.role)})</span>
  <form method="post" action="/admin/logout">
    <input type="hidden" name="{CSRF_FIELD}" value="{csrf}">
    <button type="submit">Log out</button></form>
</header>
<main>
<section id="live-view"><h2>Live 实时画面</h2>
  <p><button type="button" id="live-toggle">Start live view</button></p>
  <img class="live" id="live" alt="live camera" data-stream="/api/v1/stream.mjpeg" data-on="0">
</section>
<section id="people"><h2>People 人员 ({len(people)})</h2>
  <table><thead><tr><th>Staff id 工号</th><th>Name 姓名</th><th>Samples</th>
    <th>Updated</th></tr></thead>
  <tbody>{"".join(_person_row(p) for p in people) or _empty(4, "nobody enrolled")}</tbody></table>
</section>
<section id="punches"><h2>Punches 打卡记录 ({len(punches)})</h2>
  <form method="get" action="/admin#punches">
    From <input type="date" name="from" value="{_day(start)}"> to
    <input type="date" name="to" value="{to_day}"> <input type="submit" value="Show">
    <a href="/api/v1/punches.csv?from={_day(start)}{'&amp;to=' + _day(end) if end else ''}">CSV</a>
  </form>
  {f'<p class="error">{escape(problem)}</p>' if problem else ''}
  <table><thead><tr><th>Time</th><th>Staff id</th><th>Name</th><th>In/out</th></tr></thead>
  <tbody>{"".join(_punch_row(p) for p in punches[-PUNCH_ROWS:][::-1])
          or _empty(4, "no punches in this range")}</tbody></table>
</section>
<section id="alerts"><h2>Alerts 报警</h2>
  <table><thead><tr><th>Snapshot</th><th>Time</th><th>Kind</th><th>Detail</th><th></th></tr></thead>
  <tbody>{"".join(_alert_row(a, csrf, admin) for a in t.alerts()[:100])
          or _empty(5, "no alerts")}</tbody></table>
</section>
</main>"""
    return _html(body, title=f"FaceGate {t.device_id}")


def stylesheet(call: Call) -> Response:
    return Response(CSS, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=300"})


def script(call: Call) -> Response:
    return Response(JS, content_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "max-age=300"})


def error_page(status: int, message: str) -> Response:
    body = (f'<section class="login"><h2>{status}</h2><p class="error">{escape(message)}</p>'
            '<p><a href="/admin">Back</a></p></section>')
    return _html(body, title="FaceGate", status=status)


def _login_form(message: str = "", username: str = "") -> str:
    error = f'<p class="error">{escape(message)}</p>' if message else ""
    return f"""<section class="login"><h2>FaceGate admin 管理登录</h2>{error}
<form method="post" action="/admin/login">
  <label for="username">User name 用户名</label>
  <input type="text" id="username" name="username" value="{escape(username)}" autofocus required>
  <label for="password">Password 密码</label>
  <input type="password" id="password" name="password" required>
  <input type="submit" value="Log in 登录">
</form></section>"""


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


def _person_row(p: PersonSummary) -> str:
    return (f"<tr><td>{escape(p.person_id)}</td><td>{escape(p.name)}</td>"
            f"<td>{p.samples}</td><td>{_local(p.updated_at)}</td></tr>")


def _punch_row(p: sa.Row) -> str:
    return (f"<tr><td>{_local(p.time)}</td><td>{escape(p.person_id)}</td><td>{escape(p.name)}</td>"
            f"<td>{escape(p.status)}</td></tr>")


def _alert_row(a: sa.Row, csrf: str, admin: bool) -> str:
    alert_id = escape(a.alert_id)
    snap = (f'<img class="snap" alt="snapshot" src="/api/v1/alerts/{alert_id}/snapshot">'
            if a.snapshot_key else '<span class="muted">none</span>')
    if a.handled:
        action = '<span class="ok">handled</span>'
    elif admin:
        action = (f'<form method="post" action="/admin/alerts/{alert_id}/handled" '
                  f'data-confirm="Mark this alert handled?">'
                  f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf}">'
                  '<button type="submit">Mark handled</button></form>')
    else:
        action = '<span class="muted">open</span>'
    return (f"<tr><td>{snap}</td><td>{_local(a.time)}</td><td>{escape(a.kind)}</td>"
            f"<td>{escape(a.detail)}</td><td>{action}</td></tr>")


def _local(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


def _empty(columns: int, text: str) -> str:
    return f'<tr><td colspan="{columns}" class="muted">{escape(text)}</td></tr>'


def _day(seconds: float | None) -> str:
    return "" if seconds is None else dt.date.fromtimestamp(seconds).isoformat()


def _html(body: str, title: str, status: int = 200,
          headers: dict[str, str] | None = None) -> Response:
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/admin/static/admin.css">
<script src="/admin/static/admin.js" defer></script>
</head><body>{body}</body></html>"""
    return Response(page, status=status, headers=dict(headers or {}),
                    content_type="text/html; charset=utf-8")
