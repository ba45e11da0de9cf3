"""Alerts with snapshots, and the live MJPEG stream fed by the sample video."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import requests
from PIL import Image

from device.attendance import Attendance
from device.recognition.decision import Match, Verdict
from tests.support.http import Api
from tests.support.images import rgb_of


def _stranger(api: Api, data_dir: Path) -> str:
    face = rgb_of(data_dir, "kit_harington", "kit_1.jpg")
    decision = Attendance(api.terminal.store).on_match(
        Match(Verdict.UNKNOWN, None, 0.71, None, None), snapshot=face)
    assert decision.alert_id is not None
    return decision.alert_id


def test_alerts_list_snapshot_and_mark_handled(api: Api, data_dir: Path) -> None:
    alert_id = _stranger(api, data_dir)
    listed = api.viewer.get("/api/v1/alerts").json()
    assert [a["alert_id"] for a in listed] == [alert_id]
    alert = listed[0]
    assert alert["kind"] == "unknown_face" and alert["handled"] is False
    assert alert["snapshot"] == f"/api/v1/alerts/{alert_id}/snapshot"

    snap = api.viewer.get(alert["snapshot"])
    assert snap.status_code == 200 and snap.headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(snap.content))
    assert image.format == "JPEG" and image.size[0] > 100

    assert api.viewer.post(f"/api/v1/alerts/{alert_id}/handled").status_code == 403
    done = api.admin.post(f"/api/v1/alerts/{alert_id}/handled")
    assert done.status_code == 200 and done.json()["handled"] is True
    assert api.viewer.get("/api/v1/alerts", params={"open": "true"}).json() == []
    assert api.viewer.get("/api/v1/alerts").json()[0]["handled"] is True
    missing = api.admin.post("/api/v1/alerts/nope/handled")
    assert missing.status_code == 404 and missing.json()["msg"] == "no alert 'nope'"
    assert api.viewer.get("/api/v1/alerts/nope/snapshot").status_code == 404


def _parts(response: requests.Response, count: int) -> list[bytes]:
    """The first `count` JPEGs of a multipart/x-mixed-replace body."""
    buffer, parts = b"", []
    for chunk in response.iter_content(8192):
        buffer += chunk
        while True:
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                break
            headers = buffer[:head_end].decode()
            length = int(next(line.split(":")[1] for line in headers.split("\r\n")
                              if line.lower().startswith("content-length")))
            if len(buffer) < head_end + 4 + length + 2:
                break
            assert headers.startswith("--frame") and "image/jpeg" in headers
            parts.append(buffer[head_end + 4: head_end + 4 + length])
            buffer = buffer[head_end + 4 + length + 2:]
            if len(parts) == count:
                return parts
    return parts


def test_mjpeg_stream_shows_the_camera(api: Api) -> None:
    r = api.viewer.get("/api/v1/stream.mjpeg", params={"frames": 3}, stream=True)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=frame"
    frames = _parts(r, 3)
    assert len(frames) == 3
    images = [Image.open(io.BytesIO(f)) for f in frames]
    assert all(i.size == (640, 360) for i in images)
    assert r.raw.read() == b""  # it ended after three


def test_streams_are_limited_and_end_when_the_server_stops(api: Api) -> None:
    viewers = [api.viewer.get("/api/v1/stream.mjpeg", stream=True, timeout=30)
               for _ in range(3)]
    for viewer in viewers:
        assert len(_parts(viewer, 1)) == 1
    busy = api.viewer.get("/api/v1/stream.mjpeg")
    assert busy.status_code == 503 and "3 live viewers already" in busy.json()["msg"]
    viewers[0].close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the slot comes back once the server notices
        again = api.viewer.get("/api/v1/stream.mjpeg", params={"frames": 1})
        if again.status_code == 200:
            break
        time.sleep(0.2)
    assert again.status_code == 200

    ended = threading.Event()

    def drain() -> None:
        for _ in viewers[1].iter_content(8192):
            pass
        ended.set()

    threading.Thread(target=drain, daemon=True).start()
    api.running.stop()
    assert ended.wait(10), "an open stream kept running after stop()"


def test_no_camera_means_503(empty_api: Api) -> None:
    r = empty_api.viewer.get("/api/v1/stream.mjpeg")
    assert r.status_code == 503 and "no camera" in r.json()["msg"]
