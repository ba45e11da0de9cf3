"""Seed 000's /face/* endpoints and upload checks, through the same Terminal calls as the CLI."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.support.http import Api
from tests.support.images import blank_jpeg, photo


def test_register_then_verify_a_chinese_name(api: Api, data_dir: Path) -> None:
    removed = api.admin.delete("/api/v1/delete_face", json={"face_id": "joe_biden"})
    assert removed.status_code == 200
    r = api.admin.post("/face/registration", files={"file": photo(data_dir, "joe_biden",
                                                                  "biden_1.jpg")},
                       data={"username": "艾超", "phone": "13800000000", "mail": "ai@example.com"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == 200 and body["face_encodings"] == "成功"
    assert body["person_id"].startswith("F") and len(body["person_id"]) == 9
    # One sample (MobileFaceNet averages each face with its mirror image; dlib: photo+mirror).
    assert body["samples_added"] == (2 if api.terminal.engine.mirror_samples else 1)
    assert body["new_person"] is True
    person = next(p for p in api.terminal.people() if p.person_id == body["person_id"])
    assert (person.name, person.phone, person.mail) == ("艾超", "13800000000", "ai@example.com")

    assert "艾超" in api.viewer.get("/face/all").json()["all_face"]
    seen = api.viewer.post("/face/verification",
                           files={"file": photo(data_dir, "joe_biden", "biden_2.jpg")}).json()
    assert seen["whether_face"] is True and seen["whether_face_matching"] is True
    assert seen["username"] == "艾超" and seen["person_id"] == body["person_id"]
    assert 0 < seen["distance"] < api.terminal.match_rule().threshold


def test_registering_a_known_face_is_refused_with_who_it_is(api: Api, data_dir: Path) -> None:
    before = api.terminal.event_count()
    r = api.admin.post("/face/registration",
                       files={"file": photo(data_dir, "barack_obama", "obama_2.jpg")},
                       data={"username": "Someone Else"})
    assert r.status_code == 409
    msg = r.json()["msg"]
    assert msg.startswith("obama_2.jpg: this face is already registered as barack_obama")
    assert "send force=true" in msg
    assert api.terminal.event_count() == before
    same = api.admin.post("/face/registration",  # the very photo enrolled already
                          files={"file": photo(data_dir, "barack_obama", "obama_2.jpg")},
                          data={"username": "Barack Obama", "id": "barack_obama"})
    assert same.status_code == 400 and "this photo is enrolled already" in same.json()["msg"]
    renamed = api.admin.post("/face/registration",  # the same photo with a new name: renamed
                             files={"file": photo(data_dir, "barack_obama", "obama_2.jpg")},
                             data={"username": "Barack H. Obama", "id": "barack_obama"})
    assert renamed.status_code == 200 and renamed.json()["samples_added"] == 0
    buffer = io.BytesIO()  # the same picture saved again: other bytes, a new sample
    Image.open(data_dir / "faces" / "barack_obama" / "obama_2.jpg").save(buffer, "JPEG",
                                                                        quality=90)
    forced = api.admin.post("/face/registration",
                            files={"file": ("obama_2b.jpg", buffer.getvalue(), "image/jpeg")},
                            data={"username": "Barack Obama", "id": "barack_obama"})
    assert forced.status_code == 200 and forced.json()["new_person"] is False


def test_verification_of_strangers_groups_and_empty_scenes(api: Api, data_dir: Path) -> None:
    group = (data_dir / "groups" / "obama_and_biden.jpg").read_bytes()
    seen = api.viewer.post("/face/verification", files={"file": ("g.jpg", group)}).json()
    assert seen["whether_face"] is True and len(seen["faces"]) == 3
    assert {f["person_id"] for f in seen["faces"]} == {"barack_obama", "joe_biden", None}
    stranger = next(f for f in seen["faces"] if f["person_id"] is None)
    assert stranger["verdict"] == "unknown" and stranger["name"] is None
    empty = api.viewer.post("/face/verification", files={"file": ("wall.jpg", blank_jpeg())})
    assert empty.json() | {"faces": []} == {
        "code": 200, "whether_face": False, "whether_face_matching": False, "username": False,
        "person_id": None, "distance": None, "faces": []}


def _truncated(data_dir: Path) -> bytes:
    data = (data_dir / "faces" / "joe_biden" / "biden_1.jpg").read_bytes()
    return data[: len(data) // 2]


def _sixty_megapixels() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (8000, 7500), 128).save(buffer, "JPEG", quality=10)
    return buffer.getvalue()


@pytest.mark.parametrize("name, make, message", [
    ("empty.jpg", lambda d: b"", "empty.jpg: the file is empty"),
    ("half.jpg", _truncated, "half.jpg: the image is truncated or corrupt"),
    ("notes.jpg", lambda d: b"these are not pixels\n" * 50,
     "notes.jpg: not an image file FaceGate can read"),
    ("huge.jpg", lambda d: _sixty_megapixels(), "huge.jpg: image is 60.0 megapixels"),
])
def test_bad_images_are_refused_and_nothing_is_written(api: Api, data_dir: Path, name: str,
                                                       make: Callable[[Path], bytes],
                                                       message: str) -> None:
    data = make(data_dir)
    assert len(data) < 10 * 2**20
    before = api.terminal.event_count()
    for path, client, fields in (("/face/registration", api.admin, {"username": "X"}),
                                 ("/face/verification", api.viewer, {})):
        r = client.post(path, files={"file": (name, data, "image/jpeg")}, data=fields)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["msg"].startswith(message)
    assert api.terminal.event_count() == before


def test_uploads_over_the_limit_get_413(api: Api) -> None:
    before = api.terminal.event_count()
    r = api.admin.post("/face/registration", data={"username": "Big"},
                       files={"file": ("big.jpg", b"\xff" * (10 * 2**20 + 1), "image/jpeg")})
    assert r.status_code == 413
    assert "larger than 10 MiB" in r.json()["msg"]
    assert api.terminal.event_count() == before
    assert api.admin.get("/face/all").status_code == 200  # the server is fine


def test_missing_fields_are_named(api: Api, data_dir: Path) -> None:
    no_file = api.admin.post("/face/registration", data={"username": "X"})
    assert no_file.status_code == 400 and no_file.json()["msg"].startswith("file: required")
    no_name = api.admin.post("/face/registration",
                             files={"file": photo(data_dir, "joe_biden", "biden_1.jpg")})
    assert no_name.status_code == 400 and no_name.json()["msg"] == "username: required"
    bad_id = api.admin.post("/face/registration", data={"username": "X", "id": "has space"},
                            files={"file": photo(data_dir, "joe_biden", "biden_1.jpg")})
    assert bad_id.status_code == 400 and "no spaces" in bad_id.json()["msg"]
