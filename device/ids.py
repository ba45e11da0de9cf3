"""The one rule for staff ids, device ids and names, applied at every entry point.

An id ends up in file names (`export`), MQTT topics, SQL text columns on SQLite and
PostgreSQL, and the matcher's byte arrays, so it is plain printable text: no control
characters (C0, C1, ESC sequences, BEL, NUL), no bidi overrides or other invisible format
characters, no lone surrogates, no path separators or `..`, no MQTT wildcards. A name may
hold spaces and any script, but not control or bidi characters, and must show something.
"""

from __future__ import annotations

import unicodedata

from device.errors import BadInput

MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 100

#: Bidi embeddings, overrides and isolates, and the implicit marks: they reorder what a
#: screen shows (an id that reads as another) and have no place in an id or a name.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
_ID_FORBIDDEN = frozenset("/\\+#")


def _unicode_problem(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            return f"holds a control character (U+{ord(ch):04X})"
        if ch in BIDI_CONTROLS:
            return f"holds a bidi control character (U+{ord(ch):04X})"
    return None


def _visible(text: str) -> bool:
    return any(unicodedata.category(ch) not in ("Cf", "Zs", "Zl", "Zp", "Mn", "Me")
               for ch in text)


def _stripped_text(value: object, what: str) -> str:
    """Text without control or bidi characters, whitespace around it removed."""
    if not isinstance(value, str):
        raise BadInput(f"{what}: must be text")
    problem = _unicode_problem(value)
    if problem:
        raise BadInput(f"{what} {problem}")
    return value.strip()


def check_id(value: object, what: str = "staff id") -> str:
    """A clean id (whitespace around it removed), or BadInput in one line."""
    text = _stripped_text(value, what)
    if not text or len(text) > MAX_ID_LENGTH:
        raise BadInput(f"{what} {text!r}: 1-{MAX_ID_LENGTH} characters")
    if any(ch.isspace() for ch in text):
        raise BadInput(f"{what} {text!r}: no spaces")
    if any(unicodedata.category(ch) == "Cf" for ch in text):
        raise BadInput(f"{what} {text!r}: holds an invisible format character")
    if any(ch in _ID_FORBIDDEN for ch in text) or ".." in text or text in (".",):
        raise BadInput(f"{what} {text!r}: may not hold / \\ + # or '..'")
    return text


def check_name(value: object, what: str = "name") -> str:
    text = _stripped_text(value, what)
    if not text or len(text) > MAX_NAME_LENGTH:
        raise BadInput(f"{what}: 1-{MAX_NAME_LENGTH} characters")
    if not _visible(text):
        raise BadInput(f"{what}: shows nothing (only invisible characters)")
    return text


def check_optional_text(value: object, what: str, max_length: int = 200) -> str | None:
    """Phone, mail and other free text: None or clean printable text."""
    if value is None:
        return None
    text = _stripped_text(value, what)
    if len(text) > max_length:
        raise BadInput(f"{what}: at most {max_length} characters")
    return text or None


def is_valid_id(value: object) -> bool:
    try:
        check_id(value)
    except BadInput:
        return False
    return True
