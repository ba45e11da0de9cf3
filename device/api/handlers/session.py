"""Log in and out, and the accounts of the API (admins manage them)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from device.api.accounts import Role, check_username
from device.api.auth import login as check_login
from device.api.context import Call
from device.api.http import client_address, iso, json_body, json_response, text_field
from device.errors import BadInput


def login(call: Call) -> Response:
    body = json_body(call.request)
    username = text_field(body, "username", required=True, max_length=64)
    password = body.get("password")
    assert username is not None
    if not isinstance(password, str) or not password:
        raise BadInput("password: required")
    issued = check_login(call.app, username, password, client_address(call.request))
    return json_response({"token": issued.token, "token_type": "Bearer",
                          "expires_at": iso(issued.expires_at),
                          "username": issued.account.username, "role": issued.account.role})


def logout(call: Call) -> Response:
    assert call.token is not None
    call.app.accounts.revoke_token(call.token)
    return json_response({"code": 200, "msg": "logged out"})


def list_accounts(call: Call) -> Response:
    return json_response([{"username": a.username, "role": a.role,
                           "created_at": iso(a.created_at)}
                          for a in call.app.accounts.list_accounts()])


def create_account(call: Call) -> Response:
    body = json_body(call.request)
    username, password = body.get("username"), body.get("password")
    role = body.get("role", Role.VIEWER.value)
    # Not a string: "" is refused by the store with the same message as a bad string.
    account = call.app.accounts.create(username if isinstance(username, str) else "",
                                       password if isinstance(password, str) else "",
                                       role if isinstance(role, str) else "")
    call.audit("accounts.create", username=account.username, role=account.role)
    return json_response({"username": account.username, "role": account.role,
                          "created_at": iso(account.created_at)}, 201)


def delete_account(call: Call, username: str) -> Response:
    username = check_username(username)
    call.app.accounts.delete(username)
    call.audit("accounts.delete", username=username)
    return json_response({"code": 200, "msg": f"account {username!r} deleted"})
