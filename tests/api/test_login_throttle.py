"""The login throttle under attack: parallel guesses, and floods of other names.

The race tests run a real server and count the password checks werkzeug makes (a counting
wrapper around werkzeug.security.check_password_hash, which calls the real one).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest
import requests

import device.api.accounts as accounts_module
from device.api.errors import LockedOut
from device.api.throttle import MAX_TRACKED, LoginThrottle
from tests.support.http import ADMIN, Api

ATTEMPTS = 40


class CountingCheck:
    """werkzeug's password check, counted, optionally held at a gate until released."""

    def __init__(self, real: Callable[[str, str], bool], gate: threading.Event | None) -> None:
        self.real, self.gate = real, gate
        self.checked: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, stored: str, password: str) -> bool:
        with self._lock:
            self.checked.append(password)
        if self.gate is not None:
            self.gate.wait(60)
        return self.real(stored, password)


def _login(url: str, password: str) -> int:
    r = requests.post(url + "/api/v1/login", json={"username": ADMIN[0], "password": password},
                      timeout=120)
    return r.status_code


def _wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_parallel_guesses_check_at_most_the_limit_and_the_last_right_one_is_refused(
        empty_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = empty_api.running.app.context.throttle.max_failures
    gate = threading.Event()
    spy = CountingCheck(accounts_module.check_password_hash, gate)
    monkeypatch.setattr(accounts_module, "check_password_hash", spy)
    answers: dict[int, int] = {}

    def attempt(i: int, password: str) -> None:
        answers[i] = _login(empty_api.url, password)

    threads = [threading.Thread(target=attempt, args=(i, f"wrong-password-{i}"))
               for i in range(ATTEMPTS - 1)]
    try:
        for t in threads:
            t.start()
        # every wrong guess is either held inside a password check or already answered
        _wait_until(lambda: len(spy.checked) + len(answers) >= ATTEMPTS - 1)
        right = threading.Thread(target=attempt, args=(ATTEMPTS - 1, ADMIN[1]))
        right.start()
        threads.append(right)
        _wait_until(lambda: len(spy.checked) + len(answers) >= ATTEMPTS)
    finally:
        gate.set()
        for t in threads:
            t.join(120)
    assert len(answers) == ATTEMPTS
    assert len(spy.checked) <= limit, f"{len(spy.checked)} passwords checked in parallel"
    assert ADMIN[1] not in spy.checked
    assert answers[ATTEMPTS - 1] == 429, "the right password got through the lockout"
    assert sorted(answers.values()).count(429) == ATTEMPTS - (limit - 1)
    assert _login(empty_api.url, ADMIN[1]) == 429  # and the lock holds afterwards


def test_parallel_guesses_with_the_right_one_anywhere(empty_api: Api,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    limit = empty_api.running.app.context.throttle.max_failures
    spy = CountingCheck(accounts_module.check_password_hash, None)
    monkeypatch.setattr(accounts_module, "check_password_hash", spy)
    right_at = random.randrange(ATTEMPTS)
    passwords = [ADMIN[1] if i == right_at else f"wrong-password-{i}" for i in range(ATTEMPTS)]
    answers: dict[int, int] = {}
    start = threading.Barrier(ATTEMPTS)

    def attempt(i: int) -> None:
        start.wait(60)
        answers[i] = _login(empty_api.url, passwords[i])

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == ATTEMPTS
    assert len(spy.checked) <= limit, f"{len(spy.checked)} passwords checked in parallel"
    unchecked = [i for i, p in enumerate(passwords) if p not in spy.checked]
    assert all(answers[i] == 429 for i in unchecked)
    # the right password logs in only if it was one of the few checked in time
    assert (answers[right_at] == 200) == (ADMIN[1] in spy.checked)
    assert answers[right_at] in (200, 429)


def test_a_flood_of_other_names_never_evicts_a_lock() -> None:
    now = [1000.0]
    throttle = LoginThrottle(max_failures=5, window_seconds=300, lockout_seconds=300,
                             clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("admin", "10.0.0.9")
    with pytest.raises(LockedOut):
        throttle.failed("admin", "10.0.0.9")
    for i in range(MAX_TRACKED + 10):  # an attacker's guesses for other names
        throttle.failed(f"user{i}", "10.0.0.9")
    with pytest.raises(LockedOut):
        throttle.check("admin", "10.0.0.9")
    with pytest.raises(LockedOut):
        throttle.reserve("admin", "10.0.0.9")
    records, locks = throttle.tracked()
    assert records <= MAX_TRACKED and locks == 1  # bounded all the same
    now[0] += 301  # the lockout runs out on its own
    throttle.reserve("admin", "10.0.0.9")
    throttle.succeeded("admin", "10.0.0.9")


def test_memory_stays_bounded_when_the_lock_table_is_full() -> None:
    now = [0.0]
    throttle = LoginThrottle(max_failures=1, lockout_seconds=60, clock=lambda: now[0],
                             max_tracked=50, max_locked=20)
    for i in range(20):
        throttle.reserve(f"u{i}", "a")
        with pytest.raises(LockedOut):
            throttle.failed(f"u{i}", "a")
    # full of live lockouts: a new name is refused without a password check, the locks stay
    with pytest.raises(LockedOut, match="too many locked-out logins"):
        throttle.reserve("newcomer", "a")
    assert throttle.tracked() == (0, 20)
    for i in range(20):
        with pytest.raises(LockedOut):
            throttle.check(f"u{i}", "a")
    now[0] += 61  # expired locks make room again
    throttle.reserve("newcomer", "a")
    throttle.succeeded("newcomer", "a")
    assert throttle.tracked()[0] == 0


def test_attempts_in_flight_count_against_the_limit() -> None:
    throttle = LoginThrottle(max_failures=3)
    for _ in range(3):
        throttle.reserve("admin", "a")
    with pytest.raises(LockedOut, match="at once"):
        throttle.reserve("admin", "a")
    throttle.release("admin", "a")  # a check that broke gives its slot back uncounted
    throttle.reserve("admin", "a")
    throttle.failed("admin", "a")
    throttle.failed("admin", "a")
    with pytest.raises(LockedOut, match="locked for"):
        throttle.failed("admin", "a")
    with pytest.raises(LockedOut, match="locked for"):
        throttle.reserve("admin", "a")
