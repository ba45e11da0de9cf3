"""The PostgreSQL the hub tests use ($FACEGATE_TEST_PG; each test makes its own schema)."""

from __future__ import annotations

import os

PG_URL = os.environ.get("FACEGATE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
