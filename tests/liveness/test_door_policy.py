"""Policies end to end on real frames, through DoorLoop, Attendance and the event log."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from bench.liveness import CAMERA_W, FOCAL_PX, Frame
from device.attendance import Outcome
from device.door import DoorLoop, DoorStep
from device.events import AlertKind, EventType
from device.recognition.pipeline import PENDING_GAP_S
from device.storage.db import read_transaction
from device.storage.schema import events
from device.terminal import Terminal

pytestmark = pytest.mark.slow


@contextmanager
def door(db: Path, policy: str, calibrated: bool = True) -> Iterator[Terminal]:
    terminal = Terminal.open(db)
    focal = {"camera_focal_px": FOCAL_PX, "camera_calibration_width_px": CAMERA_W}
    terminal.change_settings(liveness_policy=policy, **(focal if calibrated else {}))
    try:
        yield terminal
    finally:
        terminal.close()


def steps(terminal: Terminal, frames: list[Frame]) -> list[tuple[Frame, DoorStep]]:
    loop = DoorLoop(terminal)
    return [(f, loop.step(f.rgb, f.t, f.distance_mm)) for f in frames]


def run(terminal: Terminal, frames: list[Frame]) -> list[DoorStep]:
    """The steps that decided something."""
    return [step for _, step in steps(terminal, frames) if step.decision is not None]


def logged(terminal: Terminal, kind: EventType) -> list[dict]:
    with read_transaction(terminal.database.engine) as c:
        rows = c.execute(sa.select(events.c.payload).where(events.c.type == kind.value)
                         .order_by(events.c.position)).all()
    return [json.loads(r.payload) for r in rows]


PhotoAttack = Callable[..., list[Frame]]


def test_strict_refuses_a_photo_on_a_phone(enrolled_db: Path, photo_attack: PhotoAttack) -> None:
    with door(enrolled_db, "strict") as terminal:
        steps = run(terminal, photo_attack(0.4, 220.0))
        assert len(steps) == 1
        decision = steps[0].decision
        assert decision is not None
        assert decision.outcome is Outcome.SPOOF_REFUSED and not decision.open_door
        assert decision.person_id == "barack_obama"  # who the picture claims to be
        assert decision.liveness is not None and decision.liveness.reason == "scale_out_of_range"
        assert not logged(terminal, EventType.PUNCH_RECORDED)
        (access,) = logged(terminal, EventType.ACCESS_DECIDED)
        assert access["decision"] == "denied" and access["reason"] == "spoof_suspected"
        assert access["liveness"]["verdict"] == "spoof"
        assert access["liveness"]["cues"]["scale"]["score"] < 40  # mm between the eyes
        (alert,) = terminal.alerts()
        assert alert.kind == AlertKind.SPOOF_SUSPECTED and alert.alert_id == decision.alert_id
        assert alert.person_id == "barack_obama"
        snapshot = terminal.alert_snapshot(alert.alert_id)
        assert snapshot is not None and snapshot[:2] == b"\xff\xd8"  # a JPEG


def test_strict_refuses_a_life_size_print_that_does_not_move_like_a_face(
        enrolled_db: Path, photo_attack: PhotoAttack) -> None:
    """The size fits: only the motion cue can tell, after waiting the longest wait."""
    with door(enrolled_db, "strict") as terminal:
        seen = steps(terminal, photo_attack(1.0, 550.0))
        first_face = next(f.t for f, step in seen if step.frame.faces)
        decided = [(f, step.decision) for f, step in seen if step.decision is not None]
        assert len(decided) == 1
        frame, decision = decided[0]
        assert decision is not None and decision.outcome is Outcome.SPOOF_REFUSED
        assert decision.liveness is not None and decision.liveness.reason == "no_motion"
        scale = decision.liveness.cue("scale")
        assert scale is not None and scale.state.value == "pass"
        # it waited for motion as long as it may, and no longer
        max_wait = terminal.settings().liveness_max_wait_s
        assert max_wait <= frame.t - first_face < max_wait + 0.2
        assert not logged(terminal, EventType.PUNCH_RECORDED)


def test_strict_lets_a_real_person_in(enrolled_db: Path, live_frames: list[Frame]) -> None:
    with door(enrolled_db, "strict") as terminal:
        steps = run(terminal, live_frames)
        assert steps and steps[0].decision is not None
        decision = steps[0].decision
        assert decision.outcome is Outcome.CHECKED_IN and decision.open_door
        assert decision.person_id == "lin_manuel_miranda"
        assert decision.liveness is not None and decision.liveness.verdict.value == "live"
        (punch,) = logged(terminal, EventType.PUNCH_RECORDED)
        assert punch["liveness"]["verdict"] == "live"
        assert punch["liveness"]["cues"]["scale"]["state"] == "pass"
        assert not terminal.alerts()


def test_passive_punches_but_raises_an_alert(enrolled_db: Path,
                                             photo_attack: PhotoAttack) -> None:
    with door(enrolled_db, "passive") as terminal:
        steps = run(terminal, photo_attack(0.4, 220.0))
        assert len(steps) == 1 and steps[0].decision is not None
        decision = steps[0].decision
        assert decision.outcome is Outcome.CHECKED_IN and decision.open_door
        (punch,) = logged(terminal, EventType.PUNCH_RECORDED)
        (access,) = logged(terminal, EventType.ACCESS_DECIDED)
        assert punch["liveness"]["verdict"] == access["liveness"]["verdict"] == "spoof"
        assert access["decision"] == "granted"
        (alert,) = terminal.alerts()
        assert alert.kind == AlertKind.SPOOF_SUSPECTED and decision.alert_id == alert.alert_id
        assert terminal.alert_snapshot(alert.alert_id) is not None
        assert terminal.verify().ok


def test_off_changes_nothing(enrolled_db: Path, photo_attack: PhotoAttack) -> None:
    with door(enrolled_db, "off") as terminal:
        seen = steps(terminal, photo_attack(0.4, 220.0))
        decided = [step for _, step in seen if step.decision is not None]
        assert len(decided) == 1 and decided[0].decision is not None
        decision = decided[0].decision
        assert decision.outcome is Outcome.CHECKED_IN and decision.liveness is None
        # decided on the first frame with a face, as before liveness existed
        assert decided[0] is next(step for _, step in seen if step.frame.faces)
        assert not any(step.frame.waiting for _, step in seen)
        (punch,) = logged(terminal, EventType.PUNCH_RECORDED)
        (access,) = logged(terminal, EventType.ACCESS_DECIDED)
        assert "liveness" not in punch and "liveness" not in access
        assert not terminal.alerts()
        assert "liveness" not in decision.as_dict()


def with_gap(frames: list[Frame], start: float, stop: float) -> list[Frame]:
    """The frames, with nobody in view (and no TOF reading) from `start` to `stop` s."""
    blank = np.full_like(frames[0].rgb, 90)
    return [Frame(blank, f.t, None) if start <= f.t < stop else f for f in frames]


def test_a_short_detection_gap_while_deciding_keeps_the_track(
        enrolled_db: Path, live_frames: list[Frame]) -> None:
    """A face the detector misses for a frame or two, right after recognition, is not a
    new person: the pending recognition and its evidence carry on (no new track)."""
    with door(enrolled_db, "strict") as terminal:
        seen = steps(terminal, with_gap(live_frames, 0.05, 0.25))
        first = seen[0][1].frame
        assert first.track_id is not None and first.waiting  # recognised, deciding
        gap = [step.frame for f, step in seen if 0.05 <= f.t < 0.25]
        assert gap and all(not g.faces and g.waiting for g in gap)
        decided = [step for _, step in seen if step.decision is not None]
        assert len(decided) == 1
        assert decided[0].frame.track_id == first.track_id
        decision = decided[0].decision
        assert decision is not None and decision.person_id == "lin_manuel_miranda"
        assert decision.liveness is not None and decision.liveness.verdict.value == "live"


def test_a_long_gap_drops_the_pending_recognition(
        enrolled_db: Path, live_frames: list[Frame]) -> None:
    """Gone for longer than PENDING_GAP_S: the person left; whoever comes next starts over."""
    assert PENDING_GAP_S < 0.4
    with door(enrolled_db, "strict") as terminal:
        seen = steps(terminal, with_gap(live_frames, 0.05, 0.55))
        first = seen[0][1].frame
        assert first.track_id is not None and first.waiting
        decided = [step for _, step in seen if step.decision is not None]
        assert all(step.frame.track_id != first.track_id for step in decided)
