"""Upcasting old payloads, and the decision rule (unknown is never a person)."""

from __future__ import annotations

import pytest

from device import events
from device.eventlog.memory import InMemoryRecorder
from device.eventlog.model import NewEvent
from device.recognition.decision import Verdict, decide
from device.recognition.matcher import Candidate


def test_old_payloads_are_upcast_on_read(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = InMemoryRecorder("d")
    (old,) = recorder.append([NewEvent("PunchRecorded", {"who": "p1"}, version=1)])
    monkeypatch.setitem(events.CURRENT_VERSION, "PunchRecorded", 3)
    monkeypatch.setitem(events.UPCASTERS, ("PunchRecorded", 1),
                        lambda p: {"person_id": p["who"]})
    monkeypatch.setitem(events.UPCASTERS, ("PunchRecorded", 2),
                        lambda p: {**p, "status": "in"})
    assert events.upcast(old) == {"person_id": "p1", "status": "in"}
    assert old.payload == {"who": "p1"}  # the stored event is never rewritten


def c(person: str, distance: float) -> Candidate:
    return Candidate(person, distance, f"{person}-s")


@pytest.mark.parametrize("candidates, verdict, person", [
    ([], Verdict.UNKNOWN, None),
    ([c("a", 0.62)], Verdict.UNKNOWN, None),
    ([c("a", 0.30)], Verdict.KNOWN, "a"),
    ([c("a", 0.30), c("b", 0.70)], Verdict.KNOWN, "a"),
    ([c("a", 0.45), c("b", 0.48)], Verdict.AMBIGUOUS, None),
    ([c("a", 0.54), c("b", 0.80)], Verdict.KNOWN, "a"),
    ([c("a", 0.56), c("b", 0.80)], Verdict.UNKNOWN, None),
])
def test_decision_rule(candidates, verdict, person) -> None:
    match = decide(candidates, threshold=0.55, margin=0.06)
    assert (match.verdict, match.person_id) == (verdict, person)
    if verdict is not Verdict.KNOWN:
        assert match.person_id is None
