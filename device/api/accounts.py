"""Admin and viewer accounts of the local API, with werkzeug password hashes and login tokens.

Tokens are random; only their SHA-256 is stored, so a copy of the database does not log
anyone in. A token names its account, so deleting the account ends its sessions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from device.api.errors import Conflict
from device.api.tables import accounts, tokens
from device.errors import BadInput, NotFound
from device.storage.db import read_transaction, write_transaction

USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
_dummy_hash: list[str] = []  # made on first use: compared when the user does not exist


class Role(StrEnum):
    ADMIN = "admin"  # reads and changes
    VIEWER = "viewer"  # reads only


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    created_at: float


@dataclass(frozen=True)
class IssuedToken:
    token: str
    account: Account
    expires_at: float


class AccountStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create(self, username: str, password: str, role: Role | str = Role.ADMIN) -> Account:
        username, role = check_username(username), _role(role)
        check_password(password)
        account = Account(username, role, time.time())
        with write_transaction(self.engine) as c:
            if c.execute(sa.select(accounts.c.username)
                         .where(accounts.c.username == username)).first() is not None:
                raise Conflict(f"account {username!r} already exists")
            c.execute(accounts.insert().values(
                username=username, password_hash=generate_password_hash(password),
                role=role.value, created_at=account.created_at))
        return account

    def set_password(self, username: str, password: str) -> None:
        check_password(password)
        with write_transaction(self.engine) as c:
            done = c.execute(accounts.update().where(accounts.c.username == username)
                             .values(password_hash=generate_password_hash(password))).rowcount
            if not done:
                raise NotFound(f"no account {username!r}")
            c.execute(tokens.delete().where(tokens.c.username == username))

    def delete(self, username: str) -> None:
        with write_transaction(self.engine) as c:
            row = c.execute(sa.select(accounts.c.role)
                            .where(accounts.c.username == username)).first()
            if row is None:
                raise NotFound(f"no account {username!r}")
            admins = c.execute(sa.select(sa.func.count()).select_from(accounts)
                               .where(accounts.c.role == Role.ADMIN.value)).scalar()
            if row.role == Role.ADMIN.value and admins == 1:
                raise Conflict(f"{username!r} is the last admin account; create another first")
            c.execute(tokens.delete().where(tokens.c.username == username))
            c.execute(accounts.delete().where(accounts.c.username == username))

    def list_accounts(self) -> list[Account]:
        with read_transaction(self.engine) as c:
            rows = c.execute(sa.select(accounts).order_by(accounts.c.username)).all()
        return [Account(r.username, Role(r.role), r.created_at) for r in rows]

    def count(self) -> int:
        with read_transaction(self.engine) as c:
            return c.execute(sa.select(sa.func.count()).select_from(accounts)).scalar() or 0

    def check(self, username: str, password: str) -> Account | None:
        """The account if the password is right; None otherwise (same time either way)."""
        with read_transaction(self.engine) as c:
            row = c.execute(sa.select(accounts).where(accounts.c.username == username)).first()
        stored = row.password_hash if row is not None else _dummy()
        right = check_password_hash(stored, password[:MAX_PASSWORD])
        if row is None or not right:
            return None
        return Account(row.username, Role(row.role), row.created_at)

    # -- tokens ---------------------------------------------------------------------------

    def issue_token(self, account: Account, ttl_seconds: float) -> IssuedToken:
        token = secrets.token_urlsafe(32)
        now = time.time()
        with write_transaction(self.engine) as c:
            c.execute(tokens.delete().where(tokens.c.expires_at <= now))  # tidy as we go
            c.execute(tokens.insert().values(token_hash=_digest(token), username=account.username,
                                             created_at=now, expires_at=now + ttl_seconds))
        return IssuedToken(token, account, now + ttl_seconds)

    def account_for_token(self, token: str) -> Account | None:
        query = (sa.select(accounts.c.username, accounts.c.role, accounts.c.created_at)
                 .select_from(tokens.join(accounts, tokens.c.username == accounts.c.username))
                 .where(tokens.c.token_hash == _digest(token),
                        tokens.c.expires_at > time.time()))
        with read_transaction(self.engine) as c:
            row = c.execute(query).first()
        return None if row is None else Account(row.username, Role(row.role), row.created_at)

    def revoke_token(self, token: str) -> None:
        with write_transaction(self.engine) as c:
            c.execute(tokens.delete().where(tokens.c.token_hash == _digest(token)))


def check_username(username: str) -> str:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise BadInput("username: 1-64 letters, digits or . _ @ -")
    return username


def check_password(password: str) -> None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise BadInput(f"password: {MIN_PASSWORD}-{MAX_PASSWORD} characters")


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError as e:
        raise BadInput(f"role {role!r}: use 'admin' or 'viewer'") from e


def _dummy() -> str:
    """A hash to check against when the user does not exist: both cases take as long."""
    if not _dummy_hash:
        _dummy_hash.append(generate_password_hash(secrets.token_hex(16)))
    return _dummy_hash[0]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
