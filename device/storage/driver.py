"""The DB-API connection under a SQLAlchemy connection, for the few statements on hot paths.

Appending and projecting run a handful of fixed statements per event; through SQLAlchemy
each costs ~150 us of Python, through sqlite3 ~10 us. Same connection, same transaction.
The SQL is constant text with bound parameters, never formatted.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa


def driver(connection: sa.Connection) -> sqlite3.Connection:
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw
