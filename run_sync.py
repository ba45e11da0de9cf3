"""FaceGate sync: the device agent and the central hub.

  python run_sync.py agent --db PATH --broker mqtt://HOST:PORT
  python run_sync.py hub --db URL --broker mqtt://HOST:PORT
  python run_sync.py hub-punches --db URL [--csv] [--from ISO] [--to ISO]
  python run_sync.py hub-devices --db URL
  python run_sync.py hub-enroll --db URL --broker mqtt://HOST:PORT FOLDER

Broker credentials and TLS: --username/--password/--ca, or FACEGATE_MQTT_USERNAME,
FACEGATE_MQTT_PASSWORD, FACEGATE_MQTT_CA (and mqtts:// for TLS).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a command runs
    from sync.client import BrokerConfig
    from sync.service import MqttService

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_sync.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("agent", "hub", "hub-enroll"):
        p = sub.add_parser(name)
        p.add_argument("--db", required=True)
        p.add_argument("--broker", default="mqtt://127.0.0.1:1883")
        p.add_argument("--username")
        p.add_argument("--password")
        p.add_argument("--ca")
        p.add_argument("--log-level", default="INFO")
        if name == "hub":
            p.add_argument("--no-share", action="store_true",
                           help="plain subscriptions (a single hub, or a broker without $share)")
        if name == "hub-enroll":
            p.add_argument("folder")
    p = sub.add_parser("hub-punches")
    p.add_argument("--db", required=True)
    p.add_argument("--csv", action="store_true")
    p.add_argument("--from", dest="start")
    p.add_argument("--to", dest="end")
    p = sub.add_parser("hub-devices")
    p.add_argument("--db", required=True)
    p = sub.add_parser("hub-anchors", help="the chain hashes the hub acknowledged for a door")
    p.add_argument("--db", required=True)
    p.add_argument("device")
    p.add_argument("--incarnation", default=None, help="a log instance (default: current)")
    p = sub.add_parser("hub-verify", help="check the hub's copy of a door's log")
    p.add_argument("--db", required=True)
    p.add_argument("device")
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ValueError as e:  # device.errors.FaceGateError messages are one line too
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as e:
        from device.errors import FaceGateError

        if not isinstance(e, FaceGateError):
            raise
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _broker(args: argparse.Namespace) -> BrokerConfig:
    from sync.client import parse_broker

    return parse_broker(args.broker, args.username, args.password, args.ca)


def _serve(service: MqttService) -> int:
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    signal.signal(signal.SIGINT, lambda *_: service.stop())
    service.run()
    return EXIT_OK


def cmd_agent(args: argparse.Namespace) -> int:
    from device.errors import FaceGateError
    from sync.agent import SyncAgent

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    try:
        agent = SyncAgent(args.db, _broker(args))
    except FaceGateError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return _serve(agent)


def cmd_hub(args: argparse.Namespace) -> int:
    from sync.hub.service import HubService
    from sync.hub.store import HubStore, open_hub_engine

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    store = HubStore(open_hub_engine(args.db))
    return _serve(HubService(store, _broker(args), shared=not args.no_share))


def _time(text: str | None) -> float | None:
    return None if text is None else dt.datetime.fromisoformat(text).timestamp()


def cmd_hub_punches(args: argparse.Namespace) -> int:
    from sync.hub.store import HubStore, open_hub_engine

    store = HubStore(open_hub_engine(args.db, create=False))
    rows = store.punches(_time(args.start), _time(args.end))
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["time", "device_id", "seq", "person_id", "name", "status"])
        for r in rows:
            writer.writerow([dt.datetime.fromtimestamp(r["time"]).isoformat(timespec="seconds"),
                             r["device_id"], r["seq"], r["person_id"], r["name"], r["status"]])
    else:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    return EXIT_OK


def cmd_hub_devices(args: argparse.Namespace) -> int:
    from sync.hub.store import HubStore, open_hub_engine

    for row in HubStore(open_hub_engine(args.db, create=False)).devices():
        print(json.dumps(dict(row._mapping), ensure_ascii=False))
    return EXIT_OK


def cmd_hub_enroll(args: argparse.Namespace) -> int:
    """Enrol a folder at the hub; every door receives the encodings over the library stream."""
    from pathlib import Path

    from device.errors import BadInput
    from device.terminal import import_jobs
    from sync.hub.enrol import enrolment_changes
    from sync.hub.store import HubStore, open_hub_engine

    store = HubStore(open_hub_engine(args.db))
    folder = Path(args.folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    done = 0
    for person_id, name, files in import_jobs(folder):
        try:
            store.append_library(enrolment_changes(person_id, name, files))
            done += 1
        except BadInput as e:
            print(f"{person_id}: skipped: {e}", file=sys.stderr)
    version, checksum = store.library_state()
    print(f"enrolled {done} people at the hub; library version {version} ({checksum}); "
          "running hubs broadcast it on the next device request")
    return EXIT_OK


def cmd_hub_anchors(args: argparse.Namespace) -> int:
    """What `python -m device verify --anchors FILE` checks the door's log against."""
    import sqlalchemy as sa

    from device.anchors import AnchorFile
    from sync.hub.schema import hub_devices
    from sync.hub.store import HubStore, open_hub_engine

    store = HubStore(open_hub_engine(args.db, create=False))
    incarnation = args.incarnation
    if incarnation is None:
        with store.engine.connect() as c:
            incarnation = c.execute(sa.select(hub_devices.c.incarnation).where(
                hub_devices.c.device_id == args.device)).scalar()
    if incarnation is None:
        print(f"error: no device {args.device!r} at this hub", file=sys.stderr)
        return 2
    anchors = store.anchors(args.device, incarnation)
    print(AnchorFile(args.device, incarnation, tuple(anchors)).dumps())
    return EXIT_OK


def cmd_hub_verify(args: argparse.Namespace) -> int:
    from sync.hub.store import HubStore, open_hub_engine
    from sync.hub.verify import verify_device

    report = verify_device(HubStore(open_hub_engine(args.db, create=False)), args.device)
    for problem in report.problems:
        print(f"TAMPERED: {problem}", file=sys.stderr)
    if report.ok:
        print(f"ok: {report.device_id}: {report.events} events in {report.instances} log "
              "instances, every hash and link holds, the door's reported head agrees")
    return EXIT_OK if report.ok else 1


COMMANDS = {"agent": cmd_agent, "hub": cmd_hub, "hub-punches": cmd_hub_punches,
            "hub-devices": cmd_hub_devices, "hub-enroll": cmd_hub_enroll,
            "hub-anchors": cmd_hub_anchors, "hub-verify": cmd_hub_verify}

if __name__ == "__main__":
    sys.exit(main())
