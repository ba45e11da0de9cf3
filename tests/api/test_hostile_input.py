"""Hostile bodies, ids and images over HTTP: 400 (or 413) in one line, never a 500, and
nothing written."""

from __future__ import annotations

import http.client
import io
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image

from device.api.auth import CSRF_FIELD, TOKEN_COOKIE, csrf_token
from tests.support.http import ADMIN, Api, Client, serve, shut

MiB = 2**20

HOSTILE_JSON = {
    "nan": '{"debounce_seconds": NaN}',
    "infinity": '{"debounce_seconds": Infinity}',
    "minus infinity": '{"debounce_seconds": -Infinity}',
    "1e400": '{"debounce_seconds": 1e400}',
    "2**70": '{"debounce_seconds": 1180591620717411303424}',
    "lone surrogate": '{"device_name": "\\ud800", "username": "\\ud800", '
                      '"password": "\\udfffpassword", "face_id": "\\ud800"}',
    "surrogate key": '{"\\udc00": 1}',
    "nul": '{"username": "ad\\u0000min", "password": "x\\u0000yzabcdef", '
           '"device_name": "a\\u0000b", "face_id": "ab\\u0000cd"}',
    "duplicate key": '{"debounce_seconds": 5, "debounce_seconds": 6}',
    "deep": '{"a": ' + "[" * 40 + "]" * 40 + "}",
    "very deep": "[" * 100_000 + "]" * 100_000,
    "not utf-8": b'{"device_name": "\xff\xfe"}',
}
JSON_ROUTES = [("POST", "/api/v1/login"), ("POST", "/api/v1/accounts"),
               ("DELETE", "/api/v1/delete_face"), ("PATCH", "/api/v1/settings"),
               ("POST", "/api/v1/get_attend_infos"), ("POST", "/api/v1/clear_data"),
               ("PUT", "/api/v1/update_sys_time")]
BAD_IDS = {"nul": "ab\x00cd", "slash": "a/b", "backslash": "a\\b", "dots": "..",
           "dots inside": "a..b", "bidi override": "\u202eabc", "isolate": "ab\u2066c",
           "escape": "a\x1b[31m", "space": "a b", "too long": "x" * 65}


@pytest.fixture(scope="module")
def one_api(empty_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One server for the tests that must not write anything (each checks it did not)."""
    db = tmp_path_factory.mktemp("hostile") / "device.sqlite"
    shutil.copyfile(empty_template, db)
    api = serve(db, login_max_failures=10_000)
    yield api
    shut(api)


def _events(api: Api) -> int:
    return api.terminal.event_count()


def _one_line(api_response) -> str:
    msg = api_response.json()["msg"]
    assert "\n" not in msg and len(msg) < 300
    return msg


@pytest.mark.parametrize("method, path", JSON_ROUTES, ids=[p for _, p in JSON_ROUTES])
@pytest.mark.parametrize("name", list(HOSTILE_JSON))
def test_hostile_json_is_refused_in_one_line(one_api: Api, method: str, path: str,
                                             name: str) -> None:
    body = HOSTILE_JSON[name]
    raw = body.encode() if isinstance(body, str) else body
    before = _events(one_api)
    r = one_api.admin.request(method, path, data=raw,
                                headers={"Content-Type": "application/json"})
    assert r.status_code == 400, (r.status_code, r.text[:300])
    msg = _one_line(r)
    assert "JSON" in msg or "must be" in msg, msg
    assert _events(one_api) == before


def _chunked(api: Api, method: str, path: str, size: int) -> tuple[int, dict]:
    def body() -> Iterator[bytes]:
        yield b'{"username": "admin", "password": "'
        sent = 0
        while sent < size:
            yield b"p" * 65536
            sent += 65536
        yield b'"}'

    connection = http.client.HTTPConnection("127.0.0.1", api.running.port, timeout=120)
    token = api.admin.session.headers["Authorization"]
    connection.request(method, path, body=body(), encode_chunked=True,
                       headers={"Content-Type": "application/json", "Authorization": token})
    response = connection.getresponse()
    import json

    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


@pytest.mark.parametrize("method, path", [("POST", "/api/v1/login"),
                                          ("PATCH", "/api/v1/settings")])
def test_a_chunked_body_over_the_limit_is_413_like_one_with_a_length(one_api: Api,
                                                                     method: str,
                                                                     path: str) -> None:
    before = _events(one_api)
    status, answer = _chunked(one_api, method, path, 11 * MiB)
    assert status == 413 and "larger than 10 MiB" in answer["msg"], answer
    sized = one_api.admin.request(method, path, data=b" " * (11 * MiB),
                                    headers={"Content-Type": "application/json"})
    assert sized.status_code == 413
    small_status, _ = _chunked(one_api, "POST", "/api/v1/login", 1000)
    assert small_status == 401  # read whole, wrong password
    assert _events(one_api) == before


def test_form_fields_and_query_args_never_give_500(one_api: Api) -> None:
    checks = [
        one_api.admin.post("/face/registration", data={"username": "a\x00b", "id": "E1"},
                             files={"file": ("x.jpg", b"not an image")}),
        one_api.admin.get("/api/v1/download_facelib?staff_id=ab%00cd"),
        one_api.admin.get("/api/v1/download_facelib?staff_id=%ED%A0%80"),  # CESU surrogate
        one_api.admin.get("/api/v1/download_facelib?staff_id=%FF%FE"),  # not UTF-8
        one_api.admin.delete("/api/v1/delete_face?staff_id=%ED%A0%80"),
        one_api.admin.get("/api/v1/punches.csv?from=%00&to=%FF"),
        one_api.admin.get("/api/v1/alerts?open=%ED%A0%80"),
        one_api.anonymous.post("/admin/login", data={"username": "ad\x00min",
                                                        "password": "%ED%A0%80"}),
        one_api.anonymous.post("/api/v1/login?x=%ED%A0%80", json={
            "username": "admin\u202e", "password": "x"}),
    ]
    assert [r.status_code for r in checks if r.status_code >= 500] == []
    assert checks[0].status_code == 400 and "NUL" in checks[0].json()["msg"]
    assert checks[1].status_code == 400


def _json_delete(client: Client, staff_id: str):
    return client.delete("/api/v1/delete_face", json={"face_id": staff_id})


@pytest.mark.parametrize("name", list(BAD_IDS))
def test_bad_ids_are_refused_by_every_handler(api: Api, name: str) -> None:
    bad = BAD_IDS[name]
    before = _events(api)
    people = [p.person_id for p in api.terminal.people()]
    answers = {
        "delete_face json": _json_delete(api.admin, bad),
        "delete_face query": api.admin.delete("/api/v1/delete_face?staff_id=" + quote(bad)),
        "download_facelib": api.admin.get("/api/v1/download_facelib?staff_id=" + quote(bad)),
        "registration id": api.admin.post("/face/registration",
                                          data={"username": "Someone", "id": bad},
                                          files={"file": ("x.jpg", b"whatever")}),
    }
    if "/" not in bad and bad not in ("..",):  # a path segment cannot hold them
        segment = quote(bad, safe="")
        answers["alert snapshot"] = api.admin.get(f"/api/v1/alerts/{segment}/snapshot")
        answers["alert handled"] = api.admin.post(f"/api/v1/alerts/{segment}/handled")
        answers["admin page alert"] = _admin_form_post(api, f"/admin/alerts/{segment}/handled")
    for where, r in answers.items():
        assert r.status_code == 400, (where, r.status_code, r.text[:200])
        if where != "admin page alert":
            assert "id" in _one_line(r), where
    assert _events(api) == before
    assert [p.person_id for p in api.terminal.people()] == people


def _admin_form_post(api: Api, path: str):
    import requests

    browser = requests.Session()
    browser.post(api.url + "/admin/login", data={"username": ADMIN[0], "password": ADMIN[1]},
                 allow_redirects=False)
    token = browser.cookies[TOKEN_COOKIE]
    return browser.post(api.url + path, data={CSRF_FIELD: csrf_token(token)},
                        allow_redirects=False, timeout=60)


# -- images ---------------------------------------------------------------------------------

def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width x height (tiny on disk): PIL reads the size from IHDR."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1), 128).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def real_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 128).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("width, height", [(1, 10000), (50000, 3), (400, 19), (30, 700)])
def test_extreme_aspect_ratios_are_too_thin(one_api: Api, width: int, height: int) -> None:
    photo = real_png(width, height)
    before = _events(one_api)
    for r in (one_api.admin.post("/face/verification", files={"file": ("thin.png", photo)}),
              one_api.admin.post("/face/registration", data={"username": "Thin"},
                                   files={"file": ("thin.png", photo)})):
        assert r.status_code == 400, r.text[:300]
        msg = _one_line(r)
        assert f"thin.png: image too thin ({width}x{height} pixels)" in msg
    assert _events(one_api) == before


@pytest.mark.parametrize("width, height", [(10000, 10000), (20000, 10000), (8000, 7000)])
def test_too_many_pixels_name_the_limit_even_past_pils_own_check(one_api: Api, width: int,
                                                                 height: int) -> None:
    r = one_api.admin.post("/face/verification",
                             files={"file": ("big.png", png_header(width, height))})
    assert r.status_code == 400
    assert _one_line(r) == (f"big.png: image is {width * height / 1e6:.1f} megapixels; "
                            "the limit is 50 megapixels")


def test_the_documented_id_pattern_is_check_id_on_the_basic_plane() -> None:
    import re

    from device.api.routes import ID_PATTERN
    from device.errors import BadInput
    from device.ids import check_id

    pattern = re.compile(ID_PATTERN)
    disagree = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:  # no UTF-8 request can carry a lone surrogate
            continue
        text = "a" + chr(cp) + "b"
        try:
            check_id(text)
            accepted = True
        except BadInput:
            accepted = False
        if accepted != bool(pattern.fullmatch(text)):
            disagree.append(f"U+{cp:04X}")
    assert not disagree, disagree[:20]
    for text, ok in [(".", False), ("..", False), ("a..b", False), ("a.b", True), ("E001", True),
                     ("艾超", True)]:
        assert bool(pattern.fullmatch(text)) is ok, text
