"""The screens say the core's codes in the person's language, and never parse its English."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

import gui
from device import messages
from device.attendance import AccessReason, Attendance, Outcome
from device.door_service import DoorEvent
from device.errors import PhotoRefused, QualityCode
from device.events import AlertKind, DoorOpenReason
from device.messages import Notice
from device.recognition.decision import Match, Verdict
from gui import i18n
from gui.enrol_session import HINTS
from hardware.relay.fake import FakeRelay
from tests.support.gui import MakeGui, login, open_tile, row, shoot, wait_until

STRANGER = Match(Verdict.UNKNOWN, None, 0.74, None, None)
GUI_SOURCES = sorted(Path(gui.__file__).parent.rglob("*.py"))


@pytest.fixture(autouse=True)
def _language_back_to_chinese() -> Iterator[None]:
    yield
    i18n.set_language("zh")


def test_the_alerts_screen_says_a_stranger_in_the_persons_language(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path, screenshot_dir: Path) -> None:
    app = make_gui(db_path)
    window = app.window
    terminal = app.door.terminal
    Attendance(terminal.store).on_match(STRANGER)  # the core composes the alert's detail
    (alert,) = terminal.alerts()
    assert alert.detail == "face not recognised (unknown)"  # stored in English
    login(qtbot, app)
    open_tile(qtbot, app, "alerts")
    alerts = window.alerts
    assert alerts.selected_id() == alert.alert_id
    detail = alerts.detail.text()
    assert "未识别的人脸（陌生人）" in detail and "face not recognised" not in detail
    assert detail.splitlines()[1] == "陌生人"  # the kind
    assert row(alerts.list, 0).text().endswith("陌生人")
    shoot(app, screenshot_dir, "core-messages-alerts-zh")

    window.apply_settings(terminal.change_settings(language="en"))
    assert alerts.detail.text().splitlines()[1:] == ["Unknown face",
                                                     "face not recognised (unknown)"]
    assert row(alerts.list, 0).text().endswith("Unknown face")
    shoot(app, screenshot_dir, "core-messages-alerts-en")


def test_a_relay_fault_is_shown_in_the_persons_language(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path, screenshot_dir: Path) -> None:
    app = make_gui(db_path, result_seconds=30)
    window = app.window
    window._door_error("could not decode the frame")  # not for the person at the door
    assert window.current is window.standby
    service = app.door.service
    service.relay = FakeRelay(fail_energise=1)
    assert service.open_door(DoorOpenReason.FLEET_COMMAND) is False  # the bridge delivers the error
    wait_until(qtbot, lambda: window.current is window.result, 5)
    result = window.result
    assert result.shot_name() == "result-error"
    assert result.name_label.text() == "门锁故障"
    assert result.outcome.text().startswith("门锁继电器故障：")
    assert "door relay failed" not in result.outcome.text()
    shoot(app, screenshot_dir, "core-messages-relay-zh")
    window.apply_settings(app.door.terminal.change_settings(language="en"))
    assert result.outcome.text().startswith("door relay failed: ")
    (alert,) = app.door.terminal.alerts()
    assert alert.kind == AlertKind.DEVICE_FAULT


def test_a_refused_photo_is_said_in_the_persons_language(
        qtbot: QtBot, make_gui: MakeGui, db_path: Path) -> None:
    app = make_gui(db_path)
    window = app.window
    login(qtbot, app)
    open_tile(qtbot, app, "enrol")
    with pytest.raises(PhotoRefused) as refusal:
        app.door.terminal.enroll("E100", "张伟", [np.full((240, 320, 3), 128, np.uint8)])
    window.enrol.on_finished(refusal.value)
    assert window.enrol.done_message.text() == "登记失败：未找到人脸"


def test_every_quality_problem_has_a_hint_with_words() -> None:
    assert set(HINTS) == set(QualityCode)
    for hint in HINTS.values():
        assert all(f"hint_{hint.value}" in i18n.TABLES[lang] for lang in i18n.LANGUAGES)


def test_the_alert_kind_names_are_the_catalogues() -> None:
    for kind in AlertKind:
        for language in i18n.LANGUAGES:
            assert i18n.TABLES[language][f"kind_{kind.value}"] == messages.text(kind, language)
    i18n.set_language("zh")
    assert i18n.core(AccessReason.UNKNOWN) == "陌生人"


# -- no screen reads the core's English ------------------------------------------------------

#: Values of the core's codes: a screen compares with the enum, never with the string
#: (but a key of the screen's own words may be spelt the same: "unknown", "checked_in").
CODE_VALUES = {c.value for kind in (*messages.CODE_TYPES, Outcome, Verdict, DoorEvent)
               for c in kind} - set(i18n.EN)
#: The fixed words of the core's English texts (what a prefix test would look for).
ENGLISH_WORDS = {literal.strip() for kind in (Notice, QualityCode, AlertKind) for code in kind
                 for literal, *_ in string.Formatter().parse(messages.template(code, "en"))
                 if len(literal.strip()) >= 4}
#: str methods and re functions that look into a text.
MATCHERS = {"startswith", "endswith", "find", "rfind", "index", "rindex", "count", "split",
            "rsplit", "partition", "rpartition", "removeprefix", "removesuffix", "match",
            "fullmatch", "search", "findall", "sub"}


def _core_words(node: ast.AST) -> list[str]:
    """The string constants in `node` (a tuple of them too) that are core words."""
    values = [n.value for n in ast.walk(node)
              if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return [v for v in values if v in CODE_VALUES or any(
        (len(v) >= 4 and v in words) or words in v for words in ENGLISH_WORDS)]


def _parsing_of_core_text(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in MATCHERS:
            found += [f"line {node.lineno}: .{node.func.attr}({w!r})"
                      for arg in node.args for w in _core_words(arg)]
        elif isinstance(node, ast.Compare) and any(
                isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn) for op in node.ops):
            found += [f"line {node.lineno}: compares with {w!r}"
                      for side in (node.left, *node.comparators)
                      if isinstance(side, ast.Constant) for w in _core_words(side)]
    return found


def test_no_gui_module_parses_or_string_matches_core_messages() -> None:
    assert len(GUI_SOURCES) > 20 and ENGLISH_WORDS and "recognised" in CODE_VALUES
    offences = {}
    for path in GUI_SOURCES:
        source = path.read_text(encoding="utf-8")
        found = _parsing_of_core_text(ast.parse(source))
        found += [f"mentions {head!r}" for head in _english_heads() if head in source]
        if found:
            offences[str(path.relative_to(Path(gui.__file__).parent))] = found
    assert offences == {}


def _english_heads() -> set[str]:
    """How each of the core's composed English texts starts (long enough to be telling)."""
    heads = set()
    for kind in (Notice, QualityCode):
        for code in kind:
            (head, *_), *_ = string.Formatter().parse(messages.template(code, "en"))
            head = head.rstrip(" (:;")
            if len(head) >= 10:
                heads.add(head)
    return heads


def test_the_checker_catches_what_the_window_used_to_do() -> None:
    old = ('if message.startswith("door relay failed") and not self.in_admin: pass\n'
           'if event.get("reason") == "recognised": pass\n'
           'for prefix, hint in (("face too small", 1), ("blurred", 2)):\n'
           '    problem.startswith(prefix)\n'
           'if problem.startswith(("too dark", "blurred")): pass\n')
    found = _parsing_of_core_text(ast.parse(old))
    assert len(found) == 4, found
    assert {"door relay failed", "face too small"} <= {h for h in _english_heads() if h in old}
