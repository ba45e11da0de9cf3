"""`run_sync.py hub-verify DEVICE`: the hub's copy of a door's log, checked on its own and
against what the door last reported (docs/design.md, "Tamper evidence")."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from device.eventlog.chain import canonical_json, event_hash
from sync.hub.schema import hub_aliases, hub_devices, hub_rejected
from sync.hub.store import HubStore


@dataclass
class HubVerifyReport:
    device_id: str
    instances: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_device(store: HubStore, device_id: str) -> HubVerifyReport:
    report = HubVerifyReport(device_id)
    logs = store.log_rows(device_id)
    for log_row in logs:
        report.instances += 1
        _check_instance(store, device_id, log_row, report)
    with store.engine.connect() as c:
        device = c.execute(sa.select(hub_devices).where(hub_devices.c.device_id == device_id)
                           ).first()
    if device is None:
        report.problems.append(f"no device {device_id!r} at this hub")
        return report
    current = next((r for r in logs if r.incarnation == device.incarnation), None)
    if current is not None and device.head_seq is not None:
        _check_reported_head(store, device, current.stored_upto, report)
    return report


def _check_instance(store: HubStore, device_id: str, log_row: sa.Row,
                    report: HubVerifyReport) -> None:
    inc = log_row.incarnation
    rows = store.events_of(device_id, inc)
    previous = None
    for row in rows:
        report.events += 1
        if row.hash is not None:
            try:
                payload_json = canonical_json(json.loads(row.payload))
            except ValueError:
                payload_json = None
            digest = None if payload_json is None else event_hash(
                row.prev_hash, device_id, row.seq, row.type, row.version, row.wall_time,
                row.hlc, payload_json, None, sealed_digest=row.sealed_digest)
            if digest != row.hash:
                report.problems.append(f"instance {inc[:8]}: the hub's copy of event "
                                       f"{row.seq} was altered")
            if previous is not None and previous.hash is not None \
                    and row.position == previous.position + 1 \
                    and row.prev_hash != previous.hash:
                report.problems.append(f"instance {inc[:8]}: events {previous.seq} and "
                                       f"{row.seq} do not link")
        previous = row
    with store.engine.connect() as c:
        filled = {r.seq for r in rows}
        filled |= set(c.execute(sa.select(hub_rejected.c.seq).where(
            hub_rejected.c.device_id == device_id, hub_rejected.c.incarnation == inc))
            .scalars())
        filled |= set(c.execute(sa.select(hub_aliases.c.seq).where(
            hub_aliases.c.device_id == device_id, hub_aliases.c.incarnation == inc))
            .scalars())
    low, high = log_row.base, log_row.stored_upto
    held = sorted(s for s in filled if low < s <= high)
    missing = (high - low) - len(held)
    if missing > 0:  # the first hole, found without walking a range a door may make huge
        first = next((low + 1 + i for i, s in enumerate(held) if s != low + 1 + i),
                     low + 1 + len(held))
        report.problems.append(f"instance {inc[:8]}: acknowledged up to {high} but event "
                               f"{first} is gone ({missing} missing)")


def _check_reported_head(store: HubStore, device: sa.Row, stored_upto: int,
                         report: HubVerifyReport) -> None:
    if device.head_seq < stored_upto:
        report.problems.append(
            f"the door reports its log ends at event {device.head_seq}, but the hub "
            f"acknowledged up to {stored_upto}: the door's log was truncated or restored")
        return
    if device.head_seq == stored_upto:
        anchors = {a.seq: a for a in store.anchors(device.device_id, device.incarnation)}
        anchor = anchors.get(stored_upto)
        if anchor is not None and anchor.hash.hex() != device.head_hash:
            report.problems.append(
                f"the door's event {stored_upto} is not the one the hub acknowledged: its "
                "log was rewritten")
