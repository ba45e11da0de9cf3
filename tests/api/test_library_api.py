"""Seed 001's operations under /api/v1: face library, punches, clear_data, time, settings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from device.api.tables import audit
from device.attendance import Attendance
from device.recognition.decision import Match, Verdict
from tests.support.http import Api
from tests.support.images import photo


def test_add_face_libs_enrols_each_photo_on_its_own(empty_api: Api, data_dir: Path) -> None:
    api = empty_api
    kit = photo(data_dir, "kit_harington", "kit_1.jpg")
    rose = photo(data_dir, "rose_leslie", "rose_1.jpg")
    r = api.admin.put("/api/v1/add_face_libs", files=[
        ("files", ("E001_艾超.jpg", kit[1], "image/jpeg")),
        ("files", ("E002_Rose Leslie.jpg", rose[1], "image/jpeg")),
        ("files", ("E003_Nobody.jpg", b"", "image/jpeg")),
        ("files", ("holiday.jpg", kit[1], "image/jpeg")),
    ])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["enrolled"], body["failed"]) == (2, 2)
    results = {x["file"]: x for x in body["results"]}
    assert results["E001_艾超.jpg"] | {"samples_added": 2} == {
        "file": "E001_艾超.jpg", "ok": True, "staff_id": "E001", "name": "艾超",
        "samples_added": 2, "new_person": True}
    assert results["E003_Nobody.jpg"]["error"] == "E003_Nobody.jpg: the file is empty"
    assert "<staff_id>_<name>.jpg" in results["holiday.jpg"]["error"]

    library = api.viewer.get("/api/v1/get_face_libraries").json()
    assert [(p["staff_id"], p["name"], p["samples"]) for p in library] == [
        ("E001", "艾超", 1), ("E002", "Rose Leslie", 1)]  # MobileFaceNet: no mirror sample
    assert dt.datetime.fromisoformat(library[0]["update_time"]).tzinfo is not None

    nothing = api.admin.put("/api/v1/add_face_libs",
                            files=[("files", ("E009_X.jpg", b"junk", "image/jpeg"))])
    assert nothing.status_code == 400 and nothing.json()["failed"] == 1


def test_download_then_delete_a_persons_faces(empty_api: Api, data_dir: Path) -> None:
    api = empty_api
    api.terminal.enroll("HR0878", "艾超", [data_dir / "faces" / "kit_harington" / "kit_1.jpg",
                                          data_dir / "faces" / "kit_harington" / "kit_2.jpg"])
    r = api.viewer.get("/api/v1/download_facelib", params={"staff_id": '"HR0878"'})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    assert "HR0878_faces.zip" in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        names = archive.namelist()
        crops = [Image.open(io.BytesIO(archive.read(n))) for n in names]
    assert names == ["HR0878_1.jpg", "HR0878_2.jpg"]
    assert all(c.format == "JPEG" and min(c.size) >= 64 for c in crops)

    gone = api.admin.delete("/api/v1/delete_face", json={"face_id": "HR0878"})
    assert gone.status_code == 200 and gone.json()["msg"] == "removed HR0878; face data erased"
    assert api.viewer.get("/api/v1/download_facelib",
                          params={"staff_id": "HR0878"}).status_code == 404
    again = api.admin.delete("/api/v1/delete_face", params={"staff_id": "HR0878"})
    assert again.status_code == 404 and again.json()["msg"] == "no person with id 'HR0878'"
    assert api.admin.delete("/api/v1/delete_face", json={}).status_code == 400


def _punch(api: Api, person_id: str, when: dt.datetime) -> None:
    match = Match(Verdict.KNOWN, person_id, 0.31, None, None)
    Attendance(api.terminal.store).on_match(match, now=when.timestamp())


def test_attend_infos_csv_and_clear_data_by_time_range(api: Api) -> None:
    day = dt.datetime(2026, 11, 2, 8, 0)
    _punch(api, "barack_obama", day)
    _punch(api, "joe_biden", day + dt.timedelta(minutes=5))
    _punch(api, "barack_obama", day + dt.timedelta(hours=10))  # out
    _punch(api, "joe_biden", day + dt.timedelta(days=1))

    rows = api.viewer.post("/api/v1/get_attend_infos", json={
        "start_time": "2026-11-02", "end_time": "2026-11-03"}).json()
    assert [(r["staff_id"], r["status"]) for r in rows] == [
        ("barack_obama", "in"), ("joe_biden", "in"), ("barack_obama", "out")]
    assert rows[0]["name"] == "Barack Obama"
    assert dt.datetime.fromisoformat(rows[0]["attend_time"]).timestamp() == day.timestamp()
    assert len(api.viewer.post("/api/v1/get_attend_infos").json()) == 4
    typo = api.viewer.post("/api/v1/get_attend_infos", json={"start_tme": "2026-11-03"}).json()
    assert [r["staff_id"] for r in typo] == ["joe_biden"]
    backwards = api.viewer.post("/api/v1/get_attend_infos", json={
        "start_time": "2026-11-03", "end_time": "2026-11-02"})
    assert backwards.status_code == 400 and "before" in backwards.json()["msg"]
    assert api.viewer.post("/api/v1/get_attend_infos",
                           json={"start_time": "yesterday"}).status_code == 400

    report = api.viewer.get("/api/v1/punches.csv", params={"from": "2026-11-02",
                                                           "to": "2026-11-03"})
    assert report.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(report.text)))
    assert table[0][:4] == ["time", "person_id", "name", "status"] and len(table) == 4

    cleared = api.admin.post("/api/v1/clear_data", json={
        "start_time": "2026-11-02T00:00:00", "end_time": "2026-11-02T12:00:00"})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["cleared"] == {"punches": 2, "access_records": 2}
    left = api.viewer.post("/api/v1/get_attend_infos").json()
    assert [(r["staff_id"], r["status"]) for r in left] == [
        ("barack_obama", "out"), ("joe_biden", "in")]
    assert api.terminal.verify().ok  # the read models still equal a rebuild from the log
    whole = api.admin.post("/api/v1/clear_data", json={})
    assert whole.status_code == 400 and "start_time: required" in whole.json()["msg"]


def test_update_sys_time_is_a_dry_run_unless_enabled(api: Api) -> None:
    r = api.admin.put("/api/v1/update_sys_time", json={"date": "2022-04-18",
                                                       "time": "15:56:00"})
    assert r.status_code == 200
    body = r.json()
    assert body["applied"] is False and body["command"] == "date -s '2022-04-18 15:56:00'"
    assert "FACEGATE_API_ALLOW_CLOCK_SET" in body["msg"]
    assert dt.datetime.now().year >= 2026  # the clock was not touched
    with api.terminal.database.engine.connect() as c:
        row = c.execute(sa.select(audit).where(
            audit.c.action == "system.update_sys_time")).one()
    assert row.username == "admin" and json.loads(row.detail)["applied"] is False
    for bad in ({"date": "2022-13-40", "time": "15:56:00"}, {"date": "2022-04-18"},
                {"date": "1970-01-01", "time": "00:00:00"}):
        assert api.admin.put("/api/v1/update_sys_time", json=bad).status_code == 400, bad


def test_settings_change_through_the_same_event_as_the_cli(api: Api) -> None:
    assert "admin_pin_hash" not in api.viewer.get("/api/v1/settings").json()
    r = api.admin.patch("/api/v1/settings", json={"debounce_seconds": 60,
                                                  "punch_mode": "schedule"})
    assert r.status_code == 200 and r.json()["punch_mode"] == "schedule"
    assert api.terminal.settings().debounce_seconds == 60.0
    for body, message in (({"no_such": 1}, "unknown setting 'no_such'"),
                          ({"match_threshold": "abc"}, "is not a float"),
                          ({"debounce_seconds": "nan"}, "not a finite number"),
                          ({"schedule_cutover": "25:00"}, "is not HH:MM"),
                          ({"admin_pin_hash": "x"}, "touchscreen"),
                          ({}, "send the settings to change")):
        bad = api.admin.patch("/api/v1/settings", json=body)
        assert bad.status_code == 400 and message in bad.json()["msg"], (body, bad.text)
    not_json = api.admin.patch("/api/v1/settings", data="{debounce",
                               headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json()["msg"]
