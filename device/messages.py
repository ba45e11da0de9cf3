"""What the core says to a person, in Chinese and in English: one text per code.

`text(code, language, **values)` fills the code's text in that language ("zh" or "en";
anything else gets English). A value that is itself a code (an AccessReason in an alert
detail, say) is said in the same language. The English texts are the core's messages as
the CLI, the HTTP API, the mail and the log have always said them, and the core composes
its messages in English through this catalogue, so there is one English text per code.

Adapters choose the language: the touchscreen its `language` setting (gui/i18n.py keeps
only the screen's own words), the CLI and the HTTP API English.

Alert details are stored as English text (AlertRaised "detail"), in old logs too and from
writers that compose them themselves (sync/, device/projections/). `identify` recognises
such a text as one of the templates below, and `alert_detail` says it again in another
language; a text that is none of them is shown as it is. The catalogue is the one place
that knows how the core's texts read: nothing else parses them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from device.errors import QualityCode, QualityProblem
from device.events import AlertKind
from device.recognition.decision import AccessReason

LANGUAGES = ("zh", "en")


class Notice(StrEnum):
    """Texts the core composes from values: alert details and door errors."""

    RELAY_FAILED = "relay_failed"  # error
    STORAGE_LOW = "storage_low"  # used (0-1), waiting
    UNKNOWN_FACE = "unknown_face"  # reason (an AccessReason)
    SPOOF_SUSPECTED = "spoof_suspected"  # cue (the liveness reason), person_id
    SYNC_REJECTED = "sync_rejected"  # seq, reason (the hub's words)
    LOG_RESTORED = "log_restored"  # hub, log (event counts)
    EVENT_QUARANTINED = "event_quarantined"  # seq, origin, type, problem


Code = AlertKind | AccessReason | QualityCode | Notice
CodeType = type[AlertKind] | type[AccessReason] | type[QualityCode] | type[Notice]
CODE_TYPES: tuple[CodeType, ...] = (AlertKind, AccessReason, QualityCode, Notice)

# (English, Chinese) per code. English: exactly what the core has always said.
ALERT_KINDS: dict[AlertKind, tuple[str, str]] = {
    AlertKind.UNKNOWN_FACE: ("Unknown face", "陌生人"),
    AlertKind.SPOOF_SUSPECTED: ("Spoof suspected", "疑似假脸"),
    AlertKind.DEVICE_FAULT: ("Device fault", "设备故障"),
    AlertKind.STORAGE_LOW: ("Storage low", "存储空间不足"),
    AlertKind.SYNC_REJECTED: ("Refused by the hub", "中心拒收"),
    AlertKind.LOG_RESTORED: ("Log restored", "记录已从备份恢复"),
    AlertKind.EVENT_QUARANTINED: ("Event not applied", "事件未应用"),
}

ACCESS_REASONS: dict[AccessReason, tuple[str, str]] = {
    AccessReason.RECOGNISED: ("recognised", "已识别"),
    AccessReason.UNKNOWN: ("unknown", "陌生人"),
    AccessReason.AMBIGUOUS: ("ambiguous", "与多人相似，无法确定"),
    AccessReason.KNOWN: ("known", "此人刚被删除"),
    AccessReason.SPOOF_SUSPECTED: ("spoof suspected", "疑似照片或屏幕"),
}

QUALITY_PROBLEMS: dict[QualityCode, tuple[str, str]] = {
    QualityCode.NO_FACE: ("no face found", "未找到人脸"),
    QualityCode.SEVERAL_FACES: (
        "{value} faces found; use a photo of one person (or take the largest)",
        "找到 {value} 张人脸：请用只有一个人的照片（或选用最大的人脸）"),
    QualityCode.TOO_SMALL: ("face too small ({value} px, need {limit}): come closer",
                            "人脸太小（{value} 像素，至少 {limit}）：请靠近一点"),
    QualityCode.TOO_DARK: ("too dark", "光线太暗"),
    QualityCode.BLURRED: ("blurred", "画面模糊"),
    QualityCode.NOT_FRONTAL: ("face not frontal", "人脸没有正对镜头"),
    QualityCode.SAME_PHOTO: ("this photo is enrolled already", "这张照片已经登记过"),
}

NOTICES: dict[Notice, tuple[str, str]] = {
    Notice.RELAY_FAILED: ("door relay failed: {error}", "门锁继电器故障：{error}"),
    Notice.STORAGE_LOW: ("storage {used:.0%} full; {waiting} events wait for the hub",
                         "存储空间已用 {used:.0%}，{waiting} 条事件等待上传到中心"),
    Notice.UNKNOWN_FACE: ("face not recognised ({reason})", "未识别的人脸（{reason}）"),
    Notice.SPOOF_SUSPECTED: ("presentation attack suspected ({cue}) for {person_id}",
                             "疑似有人用照片或屏幕冒充 {person_id}（{cue}）"),
    Notice.SYNC_REJECTED: ("the hub refused event {seq}: {reason}",
                           "中心拒收了事件 {seq}：{reason}"),
    Notice.LOG_RESTORED: (
        "this log is an older copy: the hub holds {hub} events of it, the log {log}; "
        "continuing as a new log instance",
        "本机记录是一份旧副本：中心有其中 {hub} 条事件，本机只有 {log} 条；"
        "已作为新的记录实例继续"),
    Notice.EVENT_QUARANTINED: ("event {seq} from {origin!r} ({type}) not applied: {problem}",
                               "来自 {origin!r} 的事件 {seq}（{type}）未应用：{problem}"),
}

CATALOGUE: dict[CodeType, Mapping[Any, tuple[str, str]]] = {
    AlertKind: ALERT_KINDS, AccessReason: ACCESS_REASONS, QualityCode: QUALITY_PROBLEMS,
    Notice: NOTICES}

#: Values of a notice that are codes themselves (said in the reader's language too).
CODED_VALUES: dict[Notice, dict[str, CodeType]] = {
    Notice.UNKNOWN_FACE: {"reason": AccessReason}}

#: The notices the detail of an alert of each kind is composed from.
ALERT_NOTICES: dict[AlertKind, tuple[Notice, ...]] = {
    AlertKind.UNKNOWN_FACE: (Notice.UNKNOWN_FACE,),
    AlertKind.SPOOF_SUSPECTED: (Notice.SPOOF_SUSPECTED,),
    AlertKind.DEVICE_FAULT: (Notice.RELAY_FAILED,),
    AlertKind.STORAGE_LOW: (Notice.STORAGE_LOW,),
    AlertKind.SYNC_REJECTED: (Notice.SYNC_REJECTED,),
    AlertKind.LOG_RESTORED: (Notice.LOG_RESTORED,),
    AlertKind.EVENT_QUARANTINED: (Notice.EVENT_QUARANTINED,),
}


def template(code: Code, language: str = "en") -> str:
    """The code's text in that language, placeholders unfilled."""
    en, zh = CATALOGUE[type(code)][code]
    return zh if language == "zh" else en


def text(code: Code, language: str = "en", **values: object) -> str:
    """The code's text in that language, its placeholders filled from `values`."""
    said = {name: text(value, language) if isinstance(value, CODE_TYPES) else value
            for name, value in values.items()}
    return template(code, language).format(**said)


def problem_text(problem: QualityProblem, language: str = "en") -> str:
    """Why a photo cannot be enrolled, with what was measured and the limit."""
    return text(problem.code, language, value=problem.value, limit=problem.limit)


def placeholders(code: Code, language: str = "en") -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template(code, language))
            if field is not None}


# -- texts the core wrote in English, said again --------------------------------------------


@dataclass(frozen=True)
class Said:
    """A notice recognised in an English text: the code, and each value as written."""

    code: Notice
    values: dict[str, str]

    def text(self, language: str = "en") -> str:
        """The same notice in that language (coded values said in it too)."""
        coded = CODED_VALUES.get(self.code, {})
        values: dict[str, object] = {}
        for name, value in self.values.items():
            kind = coded.get(name)
            values[name] = value
            if kind is not None and value in CATALOGUE[kind]:
                values[name] = text(kind(value), language)
        return _as_written(template(self.code, language)).format(**values)


@cache
def _pattern(notice: Notice) -> re.Pattern[str]:
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template(notice, "en")):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>.*?)")
    return re.compile("".join(parts), re.DOTALL)


@cache
def _as_written(template_text: str) -> str:
    """The template with its values taken as already formatted (no spec, no conversion)."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(template_text):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is not None:
            out.append("{" + field + "}")
    return "".join(out)


def identify(message: str, among: Iterable[Notice] = Notice) -> Said | None:
    """Which of the core's notices this English text is, with its values; None if none."""
    for notice in among:
        found = _pattern(notice).fullmatch(message)
        if found is not None:
            return Said(notice, found.groupdict())
    return None


def alert_kind(kind: str, language: str = "en") -> str:
    """An alert kind's name; a kind this build does not know (a newer peer's) as it is."""
    return text(AlertKind(kind), language) if kind in ALERT_KINDS else kind


def alert_detail(kind: str, detail: str, language: str = "en") -> str:
    """An alert's stored detail in that language; a detail of no known notice as it is."""
    among = ALERT_NOTICES.get(AlertKind(kind)) if kind in ALERT_KINDS else None
    said = identify(detail, among or ())
    return said.text(language) if said is not None else detail
