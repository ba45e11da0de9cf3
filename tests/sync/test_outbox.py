"""The agent's go-back-N window as a pure object: no broker, no database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sync.outbox import ResendWindow


def test_a_gap_goes_back_to_the_hubs_request_never_below_what_it_stored() -> None:
    w = ResendWindow()
    w.sent(200, now=0.0)
    w.on_ack(stored_upto=50, resend_from=51, now=1.0)
    assert (w.acked, w.sent_upto) == (50, 50)
    w.sent(120, now=1.0)
    w.on_ack(stored_upto=100, resend_from=20, now=2.0)  # a stale request for less
    assert (w.acked, w.sent_upto) == (100, 100)


def test_an_ack_beyond_what_was_sent_is_not_believed() -> None:
    w = ResendWindow()
    w.sent(10, now=0.0)
    w.on_ack(stored_upto=500, resend_from=None, now=1.0)
    assert w.acked == 10


def test_silence_sends_again_from_the_last_acknowledgement() -> None:
    w = ResendWindow(acked=5, sent_upto=5, last_progress=0.0)
    w.sent(30, now=0.0)
    assert not w.timed_out(now=4.0, timeout=5.0)
    assert w.timed_out(now=6.0, timeout=5.0)
    assert w.sent_upto == 5 and not w.timed_out(now=7.0, timeout=5.0)


def test_the_window_bounds_what_is_in_flight() -> None:
    w = ResendWindow()
    w.sent(1000, now=0.0)
    assert not w.has_room(1000) and w.has_room(1001)


@given(st.lists(st.tuples(st.sampled_from(["send", "ack", "gap", "tick"]),
                          st.integers(0, 300)), max_size=60))
def test_acked_never_goes_back_and_never_passes_what_was_sent(steps) -> None:
    w = ResendWindow()
    now = 0.0
    highest_sent = 0
    for kind, n in steps:
        now += 1.0
        acked = w.acked
        if kind == "send":
            w.sent(w.sent_upto + n, now)
            highest_sent = max(highest_sent, w.sent_upto)
        elif kind == "ack":
            w.on_ack(n, None, now)
        elif kind == "gap":
            w.on_ack(n, n + 1, now)
        else:
            w.timed_out(now, 5.0)
        assert w.acked >= acked
        assert w.acked <= highest_sent
        assert w.acked <= w.sent_upto
