"""Callbacks that never let one misbehaving subscriber break the producer, and waiting on state."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
Unsubscribe = Callable[[], None]

log = logging.getLogger(__name__)


class Listeners(Generic[T]):
    """Thread-safe subscriber list; emit() runs on the producer's thread.

    A listener that raises is logged and skipped: hardware threads must survive any
    subscriber bug (a broken GUI slot must not stop the door relay from closing).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[T], object]] = []

    def add(self, callback: Callable[[T], object]) -> Unsubscribe:
        """Subscribe; returns a function that unsubscribes."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, value: T) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(value)
            except Exception:
                log.exception("%s listener %r failed", self._name, callback)

    def __len__(self) -> int:
        with self._lock:
            return len(self._callbacks)


def wait_until(condition: threading.Condition, current: Callable[[], T],
               predicate: Callable[[T], bool], timeout: float) -> T | None:
    """Block on `condition` until predicate(current()) holds; the value, or None on timeout.

    The caller's thread notifies `condition` whenever the value changes.
    """
    deadline = time.monotonic() + timeout
    with condition:
        while not predicate(value := current()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            condition.wait(remaining)
        return value
