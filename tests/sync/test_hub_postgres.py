"""The hub on a real PostgreSQL; two hub instances behind one MQTT 5 shared subscription."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from device.terminal import Terminal
from sync.hub.store import HubStore, open_hub_engine
from tests.support.broker import wait_for
from tests.support.fleet import agent_on, device_punch_ids, hub_on, punches
from tests.support.postgres import pg_schema


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema per test in the `test` database."""
    with pg_schema() as url:
        yield url


@pytest.mark.slow
def test_two_hubs_share_the_work_and_store_nothing_twice(tmp_path, broker, pg_url) -> None:
    doors = [Terminal.open(tmp_path / f"d{i}.sqlite", device_id=f"door-{i}") for i in range(3)]
    for door in doors:
        punches(door, 400)
    hub_a, runner_a = hub_on(pg_url, broker)
    hub_b, runner_b = hub_on(pg_url, broker)
    agents = [agent_on(tmp_path / f"d{i}.sqlite", broker.url) for i in range(3)]
    try:
        for i in range(3):
            def stored(i: int = i) -> bool:
                return len(device_punch_ids(hub_a, f"door-{i}")) == 400

            wait_for(stored, 60, f"door-{i}'s punches")
        for i in range(3):
            assert device_punch_ids(hub_b, f"door-{i}") == list(range(1, 401))
            assert hub_a.stored_upto(f"door-{i}") == 400
        engine = open_hub_engine(pg_url)
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM hub_events")).scalar() == 1200
        engine.dispose()
    finally:
        for agent in agents:
            agent.stop()
        runner_a.stop()
        runner_b.stop()
        for door in doors:
            door.close()


@pytest.mark.slow
def test_same_staff_id_enrolled_at_two_doors_offline_converges(tmp_path, broker, pg_url,
                                                               data_dir) -> None:
    a = Terminal.open(tmp_path / "a.sqlite", device_id="door-a")
    b = Terminal.open(tmp_path / "b.sqlite", device_id="door-b")
    a.enroll("E7", "艾超", [data_dir / "faces" / "kit_harington" / "kit_1.jpg"])
    b.enroll("E7", "Ai Chao", [data_dir / "faces" / "kit_harington" / "kit_2.jpg"])
    a.close()
    b.close()
    hub, runner = hub_on(pg_url, broker)
    agents = [agent_on(tmp_path / f"{x}.sqlite", broker.url) for x in "ab"]
    try:
        from sync.device_side import DeviceSync

        def converged() -> bool:
            version, checksum = hub.library_state()
            states = [DeviceSync(r.service.terminal.store).library_state() for r in agents]
            # two enrolments and one sample each (MobileFaceNet: no mirror samples)
            return version >= 4 and all((s.version, s.checksum) == (version, checksum)
                                        for s in states)
        wait_for(converged, 60, "both doors to converge on the hub's library")
        names = {r.service.terminal.people()[0].name for r in agents}
        assert len(names) == 1  # the same winner everywhere: the one the hub sequenced last
        assert all(r.service.terminal.people()[0].samples == 2 for r in agents)
    finally:
        for agent in agents:
            agent.stop()
        runner.stop()
    assert isinstance(hub, HubStore)
