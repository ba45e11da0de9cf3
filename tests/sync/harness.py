"""Moved to tests/support/broker.py. Kept only for bench/sync.py, which imports these from
here (bench/ is not the tests' to edit); tests import tests.support.broker."""

from tests.support.broker import Broker, Runner, wait_for

__all__ = ["Broker", "Runner", "wait_for"]
