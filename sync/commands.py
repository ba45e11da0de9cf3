"""Fleet commands a device runs (seed 001's HTTP admin API, as MQTT commands).

Each command has a request id and an expiry. The result is recorded in the log as a
CommandReceived event, so a redelivered command returns the recorded result instead of
running twice, and a command past its expiry never runs (a stale "open door").
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from device.errors import FaceGateError
from device.eventlog.model import NewEvent
from device.events import EventType
from device.queries import recorded_command
from device.terminal import Terminal
from sync.codes import Command, ResultStatus


@dataclass(frozen=True)
class CommandResult:
    request_id: str
    status: ResultStatus
    result: Any = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"request_id": self.request_id, "status": self.status.value}
        if self.result is not None:
            body["result"] = self.result
        if self.error is not None:
            body["error"] = self.error
        return body


def _iso(ts: float) -> str:
    """Local time with its offset (every time in an answer carries one)."""
    return dt.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def _people(t: Terminal, args: dict) -> Any:
    return [{"person_id": p.person_id, "name": p.name, "samples": p.samples,
             "updated_at": _iso(p.updated_at)} for p in t.people()]


def _remove(t: Terminal, args: dict) -> Any:
    t.remove(str(args["person_id"]))
    return {"removed": args["person_id"]}


def _punches(t: Terminal, args: dict) -> Any:
    rows = t.punches(args.get("from"), args.get("to"))
    return [{"time": _iso(p.time), "person_id": p.person_id, "name": p.name,
             "status": p.status, "device": p.origin, "seq": p.seq} for p in rows]


def _crops(t: Terminal, args: dict) -> Any:
    return [base64.b64encode(c).decode() for c in t.face_crops(str(args["person_id"]))]


def _clear(t: Terminal, args: dict) -> Any:
    counts = t.clear_records(float(args["from"]), float(args["to"]))
    return {"cleared_punches": counts["punches"], "cleared_access_records":
            counts["access_records"]}


def _set_time(t: Terminal, args: dict) -> Any:
    change = t.set_clock(float(args["time"]))  # FACEGATE_ALLOW_SET_TIME=1 on a real door
    return {"requested": _iso(change.requested), "applied": change.applied,
            "offset_seconds": round(change.offset_seconds, 3)}


def _noted(t: Terminal, args: dict) -> Any:
    """Recorded in the log; the door process acts on it (relay, settings reload)."""
    return {"accepted": True}


HANDLERS: dict[str, Callable[[Terminal, dict], Any]] = {
    Command.LIST_LIBRARY: _people,
    Command.REMOVE_PERSON: _remove,
    Command.PUNCHES: _punches,
    Command.FACE_CROPS: _crops,
    Command.CLEAR_RECORDS: _clear,
    Command.SET_TIME: _set_time,
    Command.OPEN_DOOR: _noted,
    Command.RELOAD_CONFIG: _noted,
}


#: Reading commands run again on redelivery (same answer, fresh data); the rest run once.
READ_ONLY = frozenset({Command.LIST_LIBRARY, Command.PUNCHES, Command.FACE_CROPS})


def previous_result(t: Terminal, request_id: str) -> CommandResult | None:
    done = recorded_command(t.database.engine, request_id)
    if done is None:
        return None
    try:
        return CommandResult(request_id, ResultStatus(done.status), done.result, done.error)
    except ValueError:
        return None


def execute(t: Terminal, request_id: str, command: str, args: dict, expires_at: float,
            now: float | None = None,
            extra: dict[str, Callable[[Terminal, dict], Any]] | None = None) -> CommandResult:
    """Run a command once; record what happened; the same request id returns the same."""
    done = previous_result(t, request_id)
    if done is not None and command not in READ_ONLY:
        return done
    now = time.time() if now is None else now
    handlers = {**HANDLERS, **(extra or {})}
    if now > expires_at:
        outcome = CommandResult(request_id, ResultStatus.EXPIRED,
                                error=f"expired {now - expires_at:.0f} s before it arrived")
    elif command not in handlers:
        outcome = CommandResult(request_id, ResultStatus.UNKNOWN_COMMAND,
                                error=f"unknown command {command!r}")
    else:
        try:
            outcome = CommandResult(request_id, ResultStatus.OK, handlers[command](t, args))
        except (KeyError, TypeError, ValueError) as e:
            outcome = CommandResult(request_id, ResultStatus.ERROR,
                                    error=f"bad arguments for {command}: {e}")
        except FaceGateError as e:
            outcome = CommandResult(request_id, ResultStatus.ERROR, error=str(e))
    if done is not None:
        return outcome
    recorded_result = None if command in READ_ONLY else outcome.result
    t.store.append([NewEvent(EventType.COMMAND_RECEIVED, {
        "request_id": request_id, "command": command, "args": args, "expires_at": expires_at,
        "status": outcome.status.value, "result": recorded_result, "error": outcome.error})])
    return outcome
