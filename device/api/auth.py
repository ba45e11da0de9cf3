"""Who is calling: bearer tokens for the API, a cookie for the admin pages, roles, logins."""

from __future__ import annotations

import hashlib
import hmac

from device.api.accounts import IssuedToken, Role
from device.api.context import ApiContext, Call
from device.api.errors import Forbidden, Unauthorized
from device.api.routing import Access, Route

TOKEN_COOKIE = "facegate_token"
CSRF_FIELD = "csrf"
READ_METHODS = frozenset({"GET", "HEAD"})


def authenticate(call: Call, route: Route) -> None:
    """Fill in call.account, or raise Unauthorized / Forbidden."""
    if route.access is Access.PUBLIC:
        return
    request = call.request
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if header and scheme.lower() != "bearer":
        raise Unauthorized("use Authorization: Bearer <token> (POST /api/v1/login)")
    token = token.strip()
    if not token:
        token = request.cookies.get(TOKEN_COOKIE, "")
        if not token:
            raise Unauthorized("log in first: POST /api/v1/login, then send "
                               "Authorization: Bearer <token>")
        # The cookie only reads; a browser form must also carry the page's CSRF token.
        if route.browser_form:
            sent = request.form.get(CSRF_FIELD, "")
            if not hmac.compare_digest(sent.encode(), csrf_token(token).encode()):
                raise Forbidden("the form's CSRF token is missing or wrong; reload the page")
        elif request.method not in READ_METHODS:
            raise Unauthorized("changes need Authorization: Bearer <token>")
    account = call.app.accounts.account_for_token(token)
    if account is None:
        raise Unauthorized("the token is unknown or expired; log in again")
    call.account, call.token = account, token
    if route.access is Access.ADMIN and account.role is not Role.ADMIN:
        raise Forbidden(f"{route.summary.rstrip('.')}: needs an admin account; "
                        f"{account.username!r} is a viewer")


def login(app: ApiContext, username: str, password: str, address: str) -> IssuedToken:
    """A token for the right password; failures counted per user name and address.

    The attempt is reserved before the password is checked, so parallel logins cannot
    check more than the throttle's limit of passwords before the lockout."""
    app.throttle.reserve(username, address)  # raises LockedOut
    try:
        account = app.accounts.check(username, password)
    except BaseException:
        app.throttle.release(username, address)
        raise
    if account is None:
        app.throttle.failed(username, address)  # raises LockedOut on the last straw
        raise Unauthorized("wrong user name or password")
    app.throttle.succeeded(username, address)
    return app.accounts.issue_token(account, app.config.token_ttl_seconds)


def csrf_token(token: str) -> str:
    """Derived from the session token: a page can show it, another site cannot guess it."""
    return hashlib.sha256(b"facegate-csrf:" + token.encode("utf-8", "surrogatepass")).hexdigest()
