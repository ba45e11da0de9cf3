"""The core's message catalogue: every code in both languages, English as it always was."""

from __future__ import annotations

import re
import string

import numpy as np
import pytest

from device import messages
from device.attendance import AccessReason, Attendance
from device.door_service import DoorEvent, DoorService
from device.errors import BadInput, PhotoRefused, QualityCode, QualityProblem
from device.events import AlertKind, DoorOpenReason
from device.library.enrolment import QualityPolicy, quality_problem, refused
from device.messages import CATALOGUE, CODE_TYPES, Notice, text
from device.recognition.decision import Match, Verdict
from device.recognition.engine import FaceQuality
from device.terminal import Terminal
from hardware.relay.fake import FakeRelay

ALL_CODES = [code for kind in CODE_TYPES for code in kind]

#: Values to fill every placeholder of the catalogue with, by name.
SAMPLE_VALUES: dict[str, object] = {
    "error": "[Errno 5] Input/output error", "used": 0.934, "waiting": 12,
    "reason": AccessReason.UNKNOWN, "cue": "no_motion", "person_id": "E001", "seq": 7,
    "hub": 120, "log": 80, "origin": "door-1", "type": "PunchRecorded",
    "problem": "payload fails its schema", "value": 30, "limit": 64}

#: What the core said before the catalogue (the CLI, the HTTP API, the mail, tests say it).
ENGLISH = [
    (Notice.RELAY_FAILED, {"error": "[Errno 5] Input/output error"},
     "door relay failed: [Errno 5] Input/output error"),
    (Notice.STORAGE_LOW, {"used": 0.934, "waiting": 12},
     "storage 93% full; 12 events wait for the hub"),
    (Notice.UNKNOWN_FACE, {"reason": AccessReason.UNKNOWN}, "face not recognised (unknown)"),
    (Notice.UNKNOWN_FACE, {"reason": AccessReason.AMBIGUOUS},
     "face not recognised (ambiguous)"),
    (Notice.UNKNOWN_FACE, {"reason": AccessReason.KNOWN}, "face not recognised (known)"),
    (Notice.SPOOF_SUSPECTED, {"cue": "no_motion", "person_id": "E001"},
     "presentation attack suspected (no_motion) for E001"),
    (Notice.SYNC_REJECTED, {"seq": 7, "reason": "payload fails its schema"},
     "the hub refused event 7: payload fails its schema"),
    (Notice.LOG_RESTORED, {"hub": 120, "log": 80},
     "this log is an older copy: the hub holds 120 events of it, the log 80; continuing as "
     "a new log instance"),
    (Notice.EVENT_QUARANTINED, {"seq": 3, "origin": "door-1", "type": "PunchRecorded",
                                "problem": "bad"},
     "event 3 from 'door-1' (PunchRecorded) not applied: bad"),
    (QualityCode.NO_FACE, {}, "no face found"),
    (QualityCode.SEVERAL_FACES, {"value": 3, "limit": 1},
     "3 faces found; use a photo of one person (or take the largest)"),
    (QualityCode.TOO_SMALL, {"value": 30, "limit": 64},
     "face too small (30 px, need 64): come closer"),
    (QualityCode.TOO_DARK, {}, "too dark"),
    (QualityCode.BLURRED, {}, "blurred"),
    (QualityCode.NOT_FRONTAL, {}, "face not frontal"),
    (AlertKind.UNKNOWN_FACE, {}, "Unknown face"),
    (AlertKind.EVENT_QUARANTINED, {}, "Event not applied"),
]


def _has_cjk(value: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", value) is not None


def test_every_code_has_an_english_and_a_chinese_text() -> None:
    for kind in CODE_TYPES:
        assert set(CATALOGUE[kind]) == set(kind), f"{kind.__name__}: codes without texts"
    for code in ALL_CODES:
        en, zh = messages.template(code, "en"), messages.template(code, "zh")
        assert en.strip() and zh.strip(), code
        assert not _has_cjk(en), code
        assert _has_cjk(zh), f"{type(code).__name__}.{code.name} has no Chinese text"


@pytest.mark.parametrize("code", ALL_CODES, ids=lambda c: f"{type(c).__name__}.{c.name}")
def test_placeholders_are_the_same_in_both_languages_and_get_filled(code: messages.Code
                                                                    ) -> None:
    names = messages.placeholders(code, "en")
    assert messages.placeholders(code, "zh") == names
    values = {name: SAMPLE_VALUES[name] for name in names}
    for language in messages.LANGUAGES:
        said = text(code, language, **values)
        assert "{" not in said and "}" not in said, said
        for name in names:
            value = values[name]
            if not isinstance(value, (*CODE_TYPES, float)):
                assert str(value) in said, (name, said)


def test_a_code_value_is_said_in_the_same_language() -> None:
    assert text(Notice.UNKNOWN_FACE, "zh", reason=AccessReason.UNKNOWN) == "未识别的人脸（陌生人）"
    assert text(AccessReason.UNKNOWN, "zh") == "陌生人"
    assert text(AccessReason.UNKNOWN, "fr") == "unknown"  # a language we lack: English


@pytest.mark.parametrize(("code", "values", "english"), ENGLISH)
def test_english_is_what_the_core_always_said(code: messages.Code, values: dict,
                                              english: str) -> None:
    assert text(code, **values) == english
    assert text(code, "en", **values) == english


NOTICES = [(code, values) for code, values, _ in ENGLISH if isinstance(code, Notice)]


def test_every_notice_has_an_english_example() -> None:
    assert {code for code, _ in NOTICES} == set(Notice)


@pytest.mark.parametrize(("notice", "values"), NOTICES)
def test_a_stored_english_notice_is_recognised_and_said_again(notice: Notice,
                                                              values: dict) -> None:
    english = text(notice, "en", **values)
    said = messages.identify(english)
    assert said is not None and said.code is notice
    assert said.text("en") == english
    assert said.text("zh") == text(notice, "zh", **values)
    kind = next(k for k, notices in messages.ALERT_NOTICES.items() if notice in notices)
    assert messages.alert_detail(kind, english, "zh") == text(notice, "zh", **values)
    assert messages.alert_detail(kind, english, "en") == english


def test_every_alert_kind_names_its_notices() -> None:
    assert set(messages.ALERT_NOTICES) == set(AlertKind)
    assert {n for notices in messages.ALERT_NOTICES.values() for n in notices} == set(Notice)


def test_texts_the_catalogue_does_not_know_are_shown_as_they_are() -> None:
    assert messages.identify("something else entirely") is None
    assert messages.alert_detail("unknown_face", "a note from a newer door", "zh") == (
        "a note from a newer door")
    assert messages.alert_detail("a_newer_kind", "face not recognised (unknown)", "zh") == (
        "face not recognised (unknown)")
    assert messages.alert_kind("a_newer_kind", "zh") == "a_newer_kind"
    assert messages.alert_kind("unknown_face", "zh") == "陌生人"
    # a value a newer door has as a code, this one not: as written
    assert messages.alert_detail("unknown_face", "face not recognised (masked)", "zh") == (
        "未识别的人脸（masked）")
    # one notice is not taken for another's
    assert messages.identify("door relay failed: x", [Notice.STORAGE_LOW]) is None


def test_a_notice_writes_each_value_once() -> None:
    """identify() reads a notice's values back from its English template: one place each."""
    for notice in Notice:
        fields = [f for _, f, _, _ in string.Formatter().parse(messages.template(notice))
                  if f is not None]
        assert len(fields) == len(set(fields)), notice  # a value is written once


# -- the composers: what they write is a code of the catalogue -------------------------------


@pytest.mark.parametrize(("quality", "code", "value", "limit"), [
    (FaceQuality(30, 300.0, 120.0, 0.0), QualityCode.TOO_SMALL, 30, 64),
    (FaceQuality(120, 300.0, 10.0, 0.0), QualityCode.TOO_DARK, 10.0, 40.0),
    (FaceQuality(120, 5.0, 120.0, 0.0), QualityCode.BLURRED, 5.0, 40.0),
    (FaceQuality(120, 300.0, 120.0, -0.8), QualityCode.NOT_FRONTAL, 0.8, 0.35),
])
def test_a_quality_problem_carries_its_code_the_value_and_the_limit(
        quality: FaceQuality, code: QualityCode, value: float, limit: float) -> None:
    problem = quality_problem(quality, QualityPolicy())
    assert problem == QualityProblem(code, value, limit)
    assert quality_problem(FaceQuality(120, 300.0, 120.0, 0.0), QualityPolicy()) is None
    error = refused("photo.jpg", problem)
    assert isinstance(error, BadInput) and error.problem is problem
    assert str(error) == f"photo.jpg: {messages.problem_text(problem)}"
    assert _has_cjk(messages.problem_text(problem, "zh"))


def test_enrolment_refuses_a_photo_with_a_code_not_a_sentence(terminal: Terminal) -> None:
    with pytest.raises(PhotoRefused) as refusal:
        terminal.enroll("E001", "Nobody", [np.full((240, 320, 3), 128, np.uint8)])
    assert refusal.value.problem == QualityProblem(QualityCode.NO_FACE)
    assert str(refusal.value) == "frame: no face found"
    assert messages.problem_text(refusal.value.problem, "zh") == "未找到人脸"


def test_a_stranger_alert_is_said_in_chinese(enrolled_terminal: Terminal) -> None:
    stranger = Match(Verdict.UNKNOWN, None, 0.74, None, None)
    Attendance(enrolled_terminal.store).on_match(stranger, now=1_800_000_000.0)
    (alert,) = enrolled_terminal.alerts()
    assert alert.detail == "face not recognised (unknown)"  # the log keeps English
    assert messages.alert_kind(alert.kind, "zh") == "陌生人"
    assert messages.alert_detail(alert.kind, alert.detail, "zh") == "未识别的人脸（陌生人）"


def test_a_failing_relay_reports_a_relay_fault(enrolled_terminal: Terminal) -> None:
    relay = FakeRelay(fail_energise=1)
    service = DoorService(enrolled_terminal, frames=None, relay=relay)  # type: ignore[arg-type]
    errors: list[str] = []
    service.subscribe(DoorEvent.ERROR, errors.append)
    assert service.open_door(DoorOpenReason.RECOGNISED) is False
    (error,) = errors
    said = messages.identify(error)
    assert said is not None and said.code is Notice.RELAY_FAILED
    assert said.text("zh").startswith("门锁继电器故障：")
    (alert,) = enrolled_terminal.alerts()
    assert alert.kind == AlertKind.DEVICE_FAULT
    assert messages.alert_detail(alert.kind, alert.detail, "zh") == said.text("zh")
    relay.close()


def test_sync_writes_notices_of_the_catalogue(terminal: Terminal) -> None:
    from sync.device_side import DeviceSync

    sync = DeviceSync(terminal.store)
    assert sync.record_rejections([(3, "payload fails its schema")]) == 1
    sync.restored_from_backup(hub_upto=50)
    details = {a.kind: a.detail for a in terminal.alerts()}
    assert messages.identify(details[AlertKind.SYNC_REJECTED]) == messages.Said(
        Notice.SYNC_REJECTED, {"seq": "3", "reason": "payload fails its schema"})
    restored = messages.identify(details[AlertKind.LOG_RESTORED])
    assert restored is not None and restored.code is Notice.LOG_RESTORED
    assert restored.values["hub"] == "50"


def test_door_events_keep_their_names() -> None:
    assert [e.value for e in DoorEvent] == ["frame", "decision", "awake", "door", "error"]
