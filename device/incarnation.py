"""Which instance of a device's log this is: an id minted with the log, beside the device id.

A door replaced under the same device id starts from an empty database, so a new id; a
door restored from an old backup keeps the backup's id until the hub shows that it holds
more of that log than the backup has, and then starts a new one from where the backup
ends. The hub keeps every instance apart, so nothing is merged and nothing acknowledged
is lost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from device.storage.schema import device_meta

INCARNATION = "incarnation"
INCARNATION_BASE = "incarnation_base"  # own sequences up to here belong to earlier instances
PREVIOUS = "previous_incarnations"


@dataclass(frozen=True)
class Incarnation:
    id: str
    base: int
    previous: tuple[str, ...] = ()  # earlier instances this log continues


def _get(connection: sa.Connection, key: str) -> str | None:
    return connection.execute(sa.select(device_meta.c.value)
                              .where(device_meta.c.key == key)).scalar()


def _put(connection: sa.Connection, key: str, value: str) -> None:
    if connection.execute(sa.update(device_meta).where(device_meta.c.key == key)
                          .values(value=value)).rowcount == 0:
        connection.execute(device_meta.insert().values(key=key, value=value))


def read(connection: sa.Connection) -> Incarnation | None:
    found = _get(connection, INCARNATION)
    if found is None:
        return None
    history = _get(connection, PREVIOUS)
    return Incarnation(found, int(_get(connection, INCARNATION_BASE) or 0),
                       tuple(history.split(",")) if history else ())


def ensure_read(connection: sa.Connection) -> Incarnation:
    """The current incarnation for a reader: a log that never synced has one implicitly."""
    return read(connection) or Incarnation("", 0)


def ensure(connection: sa.Connection) -> Incarnation:
    """The current incarnation, minted (base 0: the whole log) on first use. Call inside a
    write transaction."""
    current = read(connection)
    if current is None:
        current = Incarnation(secrets.token_hex(16), 0)
        _put(connection, INCARNATION, current.id)
        _put(connection, INCARNATION_BASE, "0")
    return current


def start_new(connection: sa.Connection, base: int) -> Incarnation:
    """A new instance whose own events start after sequence `base` (write transaction)."""
    old = read(connection)
    new = Incarnation(secrets.token_hex(16), base)
    if old is not None:
        history = _get(connection, PREVIOUS)
        _put(connection, PREVIOUS, f"{history},{old.id}" if history else old.id)
    _put(connection, INCARNATION, new.id)
    _put(connection, INCARNATION_BASE, str(base))
    return new
