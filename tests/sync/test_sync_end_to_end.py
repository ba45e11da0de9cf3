"""Device agent + hub over a real Mosquitto: punches up, library down, nothing lost."""

from __future__ import annotations

import time

import pytest

from device.terminal import Terminal
from sync.device_side import DeviceSync
from tests.support.broker import wait_for
from tests.support.fleet import agent_on, device_punch_ids, hub_on, punches


@pytest.mark.slow
def test_offline_punches_reach_the_hub_once_and_are_acknowledged(tmp_path, broker) -> None:
    device = Terminal.open(tmp_path / "door.sqlite", device_id="door-1")
    punches(device, 120)  # made while offline
    device.close()
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    agent = agent_on(tmp_path / "door.sqlite", broker.url)
    try:
        wait_for(lambda: len(hub.punches()) == 120, what="120 punches at the hub")
        wait_for(lambda: DeviceSync(agent.service.terminal.store).acked_seq() == 120,
                 what="the device to learn they are stored")
        assert device_punch_ids(hub, "door-1") == list(range(1, 121))
        row = wait_for(lambda: next((d for d in hub.devices()
                                     if d.state == "online" and d.queue_depth == 0), None),
                       what="the registry to show the device online with an empty queue")
        assert row.device_id == "door-1" and row.stored_upto == 120
        from device.storage.db import read_transaction
        from device.storage.schema import sync_state

        with read_transaction(agent.service.terminal.database.engine) as c:
            state = {key: value for key, value in c.execute(sync_state.select())}
        heard = state["hub_contact_at"]
        assert abs(heard - time.time()) < 60  # the screen's "last hub contact"
        agent.stop()
        offline = wait_for(lambda: next((d for d in hub.devices() if d.state == "offline"),
                                        None), what="a clean stop to mark the device offline")
        assert offline.device_id == "door-1"
    finally:
        agent.stop()
        hub_runner.stop()


@pytest.mark.slow
def test_library_enrolled_at_one_door_converges_on_another(tmp_path, broker, enrolled_db) -> None:
    hub, hub_runner = hub_on(str(tmp_path / "hub.sqlite"), broker)
    Terminal.open(tmp_path / "b.sqlite", device_id="door-b").close()
    a = agent_on(enrolled_db, broker.url)
    b = agent_on(tmp_path / "b.sqlite", broker.url)
    try:
        def converged() -> bool:
            version, checksum = hub.library_state()
            states = [DeviceSync(r.service.terminal.store).library_state() for r in (a, b)]
            return version > 0 and all((s.version, s.checksum) == (version, checksum)
                                       for s in states)
        wait_for(converged, 60, "both doors to report the hub's library version and checksum")
        b_terminal = b.service.terminal
        assert {p.person_id for p in b_terminal.people()} == {
            "alex_lacamoire", "barack_obama", "joe_biden", "kit_harington",
            "lin_manuel_miranda", "rose_leslie"}
        samples = sum(p.samples for p in b_terminal.people())
        assert samples == sum(p.samples for p in a.service.terminal.people()) >= 17
        # Removing a person at door B erases them at the hub and at door A too.
        b_terminal.remove("joe_biden")
        wait_for(lambda: "joe_biden" not in {p.person_id for p in a.service.terminal.people()},
                 30, "the removal to reach door A")
        wait_for(converged, 30, "convergence after the removal")
        assert not hub.has_person("joe_biden")
    finally:
        a.stop()
        b.stop()
        hub_runner.stop()
