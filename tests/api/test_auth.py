"""Accounts, tokens, roles and the login lockout, against a real server."""

from __future__ import annotations

import http.client
import json
import time

import sqlalchemy as sa

from device.api.routes import ROUTES
from device.api.routing import Access
from device.api.tables import accounts, tokens
from tests.support.http import ADMIN, VIEWER, Api


def _sample_path(path: str) -> str:
    return path.replace("<alert_id>", "x").replace("<username>", "x")


def test_every_endpoint_but_health_and_login_needs_a_token(api: Api) -> None:
    assert api.anonymous.get("/health").json()["status"] == "ok"
    checked = 0
    for route in ROUTES:
        if route.access is Access.PUBLIC:
            continue
        r = api.anonymous.request(route.method, _sample_path(route.path), allow_redirects=False)
        if route.path.startswith("/admin") and route.method == "GET":
            assert r.status_code == 303 and r.headers["Location"] == "/admin/login", route.name
        else:
            assert r.status_code in (401, 403), (route.name, r.status_code, r.text)
        checked += 1
    assert checked >= 25
    bad = api.anonymous.get("/face/all", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and "unknown or expired" in bad.json()["msg"]
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")


def test_viewers_read_admins_change(api: Api) -> None:
    assert api.viewer.get("/face/all").status_code == 200
    assert api.viewer.get("/api/v1/settings").status_code == 200
    before = api.terminal.event_count()
    refused = api.viewer.patch("/api/v1/settings", json={"debounce_seconds": 5})
    assert refused.status_code == 403
    assert "needs an admin account" in refused.json()["msg"]
    assert api.viewer.delete("/api/v1/delete_face", json={"face_id": "joe_biden"}) \
        .status_code == 403
    assert api.terminal.event_count() == before
    assert [p.person_id for p in api.terminal.people()].count("joe_biden") == 1
    changed = api.admin.patch("/api/v1/settings", json={"debounce_seconds": 5})
    assert changed.status_code == 200 and changed.json()["debounce_seconds"] == 5.0


def test_passwords_are_hashed_and_tokens_stored_only_as_digests(api: Api) -> None:
    authorization = api.admin.session.headers["Authorization"]
    assert isinstance(authorization, str)
    token = authorization.split()[1]
    engine = api.terminal.database.engine
    with engine.connect() as c:
        row = c.execute(sa.select(accounts).where(accounts.c.username == "admin")).one()
        stored = [r.token_hash for r in c.execute(sa.select(tokens))]
    assert row.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert ADMIN[1] not in row.password_hash
    assert token not in stored and all(len(h) == 64 for h in stored)
    raw = api.terminal.database.path.read_bytes()
    assert token.encode() not in raw and ADMIN[1].encode() not in raw


def test_tokens_expire_and_logout_ends_them(api: Api) -> None:
    store = api.running.app.context.accounts
    account = store.check(*VIEWER)
    assert account is not None
    short = store.issue_token(account, ttl_seconds=0.3)
    from tests.support.http import Client

    client = Client(api.url, short.token)
    assert client.get("/face/all").status_code == 200
    time.sleep(0.4)
    expired = client.get("/face/all")
    assert expired.status_code == 401 and "expired" in expired.json()["msg"]

    session = api.login(*VIEWER)
    assert session.post("/api/v1/logout").status_code == 200
    assert session.get("/face/all").status_code == 401


def test_failed_logins_lock_out_that_user_from_that_address(api: Api) -> None:
    def login(username: str, password: str, source: str = "127.0.0.1") -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", api.running.port, timeout=30,
                                                source_address=(source, 0))
        connection.request("POST", "/api/v1/login", json.dumps(
            {"username": username, "password": password}),
            {"Content-Type": "application/json"})
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
        return response.status, body, response.getheader("Retry-After") or ""

    for _ in range(4):
        status, body, _ = login("admin", "wrong-password")
        assert status == 401 and body["msg"] == "wrong user name or password"
    status, body, retry = login("admin", "wrong-password")
    assert status == 429 and int(retry) > 200
    assert "too many failed logins for 'admin' from 127.0.0.1" in body["msg"]
    status, body, _ = login(*ADMIN)  # even the right password, while locked
    assert status == 429 and "locked for" in body["msg"]
    assert login(*VIEWER)[0] == 200  # another user from the same address
    assert login(*ADMIN, source="127.0.0.2")[0] == 200  # the same user from elsewhere
    # an unknown user name is refused the same way (no hint that it does not exist)
    assert login("nobody", "whatever-password")[1]["msg"] == "wrong user name or password"


def test_admins_manage_accounts(api: Api) -> None:
    created = api.admin.post("/api/v1/accounts", json={
        "username": "hr.li", "password": "long-enough-pw", "role": "viewer"})
    assert created.status_code == 201 and created.json()["role"] == "viewer"
    assert api.admin.post("/api/v1/accounts", json={
        "username": "hr.li", "password": "long-enough-pw"}).status_code == 409
    short = api.admin.post("/api/v1/accounts", json={"username": "x", "password": "short"})
    assert short.status_code == 400 and "password" in short.json()["msg"]
    hr = api.login("hr.li", "long-enough-pw")
    assert hr.get("/api/v1/get_face_libraries").status_code == 200
    assert {a["username"] for a in api.admin.get("/api/v1/accounts").json()} == {
        "admin", "viewer", "hr.li"}
    assert api.admin.delete("/api/v1/accounts/hr.li").status_code == 200
    assert hr.get("/api/v1/get_face_libraries").status_code == 401  # its sessions ended
    last = api.admin.delete("/api/v1/accounts/admin")
    assert last.status_code == 409 and "last admin" in last.json()["msg"]


def test_the_cookie_reads_but_cannot_change(api: Api) -> None:
    import requests

    browser = requests.Session()
    r = browser.post(api.url + "/admin/login", data={"username": ADMIN[0],
                                                      "password": ADMIN[1]},
                     allow_redirects=False)
    assert r.status_code == 303 and "facegate_token" in browser.cookies
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert browser.get(api.url + "/face/all").status_code == 200
    changed = browser.patch(api.url + "/api/v1/settings", json={"debounce_seconds": 1})
    assert changed.status_code == 401 and "Bearer" in changed.json()["msg"]
    forged = browser.post(api.url + "/admin/logout", data={})  # no CSRF field
    assert forged.status_code == 403 and "CSRF" in forged.text
