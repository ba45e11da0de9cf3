"""Anchors: chain hashes of this door's own events as the hub checked and acknowledged them.

A door's own `verify` proves the log is consistent with itself; someone who can write the
file can rewrite it consistently (edit a punch and re-hash everything after it). The hub
keeps, for every event it acknowledged, the hash the door's chain had there, so checking
the log against the hub's anchors names what was rewritten, removed or forged before the
last anchor. What came after the last anchor only the door has ever seen (docs/design.md,
"Tamper evidence").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from device.errors import BadInput
from device.eventlog.sqlite import latest_checkpoint
from device.storage.db import read_transaction
from device.storage.schema import events
from device.strictjson import JsonError, loads

ANCHORS_FORMAT = "facegate-anchors/1"


@dataclass(frozen=True)
class Anchor:
    seq: int
    position: int
    hash: bytes


@dataclass(frozen=True)
class AnchorFile:
    device: str
    incarnation: str
    anchors: tuple[Anchor, ...]

    def dumps(self) -> str:
        return json.dumps({"format": ANCHORS_FORMAT, "device": self.device,
                           "incarnation": self.incarnation,
                           "anchors": [[a.seq, a.position, a.hash.hex()] for a in self.anchors]},
                          separators=(",", ":"))


def load_anchor_file(raw: bytes) -> AnchorFile:
    """The file `run_sync.py hub-anchors` writes, checked; BadInput in one line."""
    try:
        body = loads(raw)
    except JsonError as e:
        raise BadInput(f"anchors file: {e}") from e
    if not isinstance(body, dict) or body.get("format") != ANCHORS_FORMAT:
        raise BadInput(f"anchors file: not a {ANCHORS_FORMAT} document")
    device, incarnation, rows = body.get("device"), body.get("incarnation"), body.get("anchors")
    if not isinstance(device, str) or not isinstance(incarnation, str) \
            or not isinstance(rows, list):
        raise BadInput("anchors file: needs device, incarnation and anchors")
    anchors = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and all(isinstance(x, int) and
                                                                not isinstance(x, bool)
                                                                for x in row[:2])
                and isinstance(row[2], str) and len(row[2]) == 64):
            raise BadInput("anchors file: each anchor is [seq, position, 64 hex digits]")
        try:
            anchors.append(Anchor(row[0], row[1], bytes.fromhex(row[2])))
        except ValueError as e:
            raise BadInput("anchors file: a hash is not hexadecimal") from e
    return AnchorFile(device, incarnation, tuple(anchors))


@dataclass(frozen=True)
class AnchorReport:
    checked: int
    before_checkpoint: int  # anchors of events compacted away: only the checkpoint vouches
    problem: str | None
    position: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_anchors(engine: sa.Engine, device_id: str, anchors: Sequence[Anchor]) -> AnchorReport:
    """Every anchored own event must still be in the log, at its place, with its hash."""
    checked = compacted = 0
    with read_transaction(engine) as c:
        checkpoint = latest_checkpoint(c)
        floor = checkpoint.position if checkpoint is not None else 0
        for anchor in sorted(anchors, key=lambda a: a.seq):
            if anchor.position <= floor:
                if checkpoint is not None and anchor.position == floor \
                        and checkpoint.hash != anchor.hash:
                    return AnchorReport(checked, compacted, "the checkpoint's hash is not the "
                                        f"one the hub acknowledged at position {floor}", floor)
                compacted += 1
                continue
            row = c.execute(sa.select(events.c.position, events.c.hash).where(
                events.c.origin == device_id, events.c.seq == anchor.seq)).first()
            if row is None:
                return AnchorReport(checked, compacted, f"own event {anchor.seq}, which the "
                                    "hub acknowledged, is missing: the log was truncated or "
                                    "emptied", anchor.position)
            if row.position != anchor.position or row.hash != anchor.hash:
                return AnchorReport(checked, compacted, f"own event {anchor.seq} at position "
                                    f"{row.position} is not the one the hub acknowledged: "
                                    "history up to it was rewritten", row.position)
            checked += 1
    return AnchorReport(checked, compacted, None)
