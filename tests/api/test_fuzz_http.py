"""HTTP fuzzing: every operation of the OpenAPI document, with requests drawn from the
schema (schemathesis, positive and negative) and far beyond it (NaN and Infinity as raw
text, 1e400, integers past 64 bits, lone surrogate escapes, NUL, duplicate keys, deep
nesting, big and streamed bodies, invalid UTF-8, bad ids in paths and queries, hostile
uploads), all with an admin token against one real server.

After every request: no 5xx, and /health still answers (the server thread lives). After
every operation: the device log verifies and every stored event payload is canonical
strict JSON.

The default run is bounded (a few examples per operation); a long run:

    FACEGATE_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest -q tests/api/test_fuzz_http.py
"""

from __future__ import annotations

import http.client
import io
import os
import shutil
import struct
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode

from device.storage.schema import events
from device.strictjson import is_canonical
from tests.support.http import Api, serve, shut

EXAMPLES = int(os.environ.get("FACEGATE_FUZZ_EXAMPLES", "0") or 0)
LONG_RUN = EXAMPLES > 0
MAX_EXAMPLES = EXAMPLES if LONG_RUN else 25
MiB = 2**20

# The live stream never ends, and logging out would end the token the run uses.
NOT_FUZZED = {("/api/v1/stream.mjpeg", "get"), ("/api/v1/logout", "post")}
OWN_ACCOUNT = "admin"  # the run's token belongs to it: never deleted

# -- what is sent -----------------------------------------------------------------------------

RAW_SCALARS = [
    "NaN", "-NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1E999", str(2**63),
    str(2**70), str(-(2**64)), "1" * 400, "0.1e-400", "-0", "1.0", "0", "true", "false",
    "null", '""', '"\\ud800"', '"\\udfff"', '"a\\ud800b"', '"\\udc00\\ud800"', '"a\\u0000b"',
    '"\\u202eevil"', '"\\u2066x"', '"../../etc/passwd"', '"a/b"', '"a\\\\b"', '".."',
    '"%00"', '"\\u001b[31m"', '" "', '"2023-02-30"', '"25:61"',
    '"9999-12-31T23:59:59"', '"-1"', '"1e400"', '"NaN"', "[]", "{}",
]
BAD_IDS = ["ab%00cd", "%00", "%2e%2e", "..", "a%5Cb", "%E2%80%AEabc", "%E2%81%A6x", "%FF%FE",
           "%ED%A0%80", "%C0%AF", "x" * 200, "a%20b", "%1B%5B31m", "%0D%0AX-Injected:%201",
           "%F0%9F%98%80", "admin%00", "E001", "joe_biden"]
BAD_TEXT = ["ab\x00cd", "\ud800", "\u202eabc", "../x", "..", "a/b", "a\\b", "\x1b[31m", "",
            " ", "NaN", "1e400", str(2**70), "-1", "true", "2023-02-30", "joe_biden", "E001"]


LONG_TEXT = st.sampled_from([65, 101, 5_000, 70_000]).map(lambda n: "x" * n)


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 128).save(buffer, "PNG")
    return buffer.getvalue()


def _declared_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression bomb's shape)."""
    data = bytearray(_png(1, 1))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 190, 180)).save(buffer, "JPEG")
    return buffer.getvalue()


UPLOADS = [b"", b"not an image", _png(1, 1), _png(1, 3000), _png(3000, 2), _png(40, 40),
           _declared_png(1, 100_000), _declared_png(10_000, 10_000),
           _declared_png(2**31 - 1, 2), _declared_png(20_000, 20_000), _jpeg(64, 48),
           _jpeg(64, 48)[:200], b"GIF89a" + b"\0" * 20, b"\xff\xd8\xff\xe0" + b"\0" * 100]
FILE_NAMES = ["x.jpg", "../../etc/passwd", "E1_Name.jpg", "a\x00b.jpg", "\u202egpj.exe",
              "x" * 300 + ".jpg", "E001_\u202eevil.png", "..\\..\\x.jpg", "_.jpg", ""]


def _json_string(text: str) -> str:
    import json

    return json.dumps(text)


def json_text(keys: list[str]) -> st.SearchStrategy[str]:
    """JSON-looking text whose leaves may be anything strict JSON refuses."""
    key = st.one_of(st.sampled_from(keys or ["x"]).map(_json_string),
                    st.sampled_from(['"\\ud800"', '""', '"a\\u0000"', '"__proto__"']),
                    st.text(max_size=8).map(_json_string))
    scalar = st.one_of(st.sampled_from(RAW_SCALARS), LONG_TEXT.map(_json_string),
                       st.integers().map(str),
                       st.floats(allow_nan=False, allow_infinity=False).map(repr),
                       st.text(max_size=20).map(_json_string))
    return st.recursive(
        scalar,
        lambda kids: st.one_of(
            st.lists(kids, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
            st.lists(st.tuples(key, kids), max_size=5).map(
                lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}")),
        max_leaves=12)


def object_text(keys: list[str]) -> st.SearchStrategy[str]:
    """An object with the operation's own field names (repeated at times), hostile values."""
    pair = st.tuples(st.sampled_from(keys or ["x"]), json_text(keys))
    return st.lists(pair, min_size=1, max_size=6).map(
        lambda pairs: "{" + ",".join(f"{_json_string(k)}:{v}" for k, v in pairs) + "}")


def deep(levels: int, kind: str) -> str:
    return "[" * levels + "]" * levels if kind == "list" else '{"a":' * levels + "1" + "}" * levels


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False

    def __repr__(self) -> str:
        body = self.body if len(self.body) <= 300 else self.body[:300] + b"..."
        return (f"Request({self.method} {self.path[:300]}, {len(self.body)} bytes: {body!r}, "
                f"{self.headers}, chunked={self.chunked})")


def json_bodies(keys: list[str]) -> st.SearchStrategy[bytes]:
    """Mostly hostile objects, sometimes big or deep or not JSON at all."""
    text = st.one_of(
        object_text(keys), object_text(keys), object_text(keys), json_text(keys),
        st.sampled_from([33, 200, 5_000, 200_000]).flatmap(
            lambda n: st.sampled_from([deep(n, "list"), deep(n, "dict")])),
    ).map(str.encode)
    odd = st.one_of(
        st.binary(max_size=64),
        st.sampled_from([b"", b" ", b"{", b'{"a":1}garbage', b"\xef\xbb\xbf{}", b"\xff\xfe{}",
                         b'{"a": "\xed\xa0\x80"}', b"\x00", b"[]", b'"text"', b"1" * 5000]),
        st.sampled_from([MiB, 10 * MiB - 10, 10 * MiB + 1]).map(
            lambda n: b'{"a": "' + b"x" * n + b'"}'),
    )
    return st.one_of(text, text, text, odd)


BOUNDARY = "fuzz" + uuid.uuid4().hex
Part = tuple[str, "str | bytes", "str | None"]  # name, value, file name (None: a text field)


def multipart_body(parts: list[Part], broken: bool = False) -> tuple[bytes, str]:
    """(body, content type); text is encoded with surrogates passed through as bytes."""
    out = io.BytesIO()
    for name, value, filename in parts:
        out.write(f"--{BOUNDARY}\r\n".encode())
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.write(f"Content-Disposition: {disposition}\r\n".encode("utf-8", "surrogatepass"))
        if filename is not None:
            out.write(b"Content-Type: application/octet-stream\r\n")
        out.write(b"\r\n")
        data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        out.write(data + b"\r\n")
    if not broken:
        out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={BOUNDARY}"


def multipart(fields: list[str]) -> st.SearchStrategy[tuple[bytes, str]]:
    """(body, content type) of a multipart form with hostile fields and files."""
    text_value = st.one_of(st.sampled_from(BAD_TEXT), st.text(max_size=30), LONG_TEXT)
    part = st.one_of(
        st.tuples(st.sampled_from([*fields, "files", "file", "force", "id"]), text_value,
                  st.none()),
        st.tuples(st.sampled_from(["file", "files", *fields]), st.sampled_from(UPLOADS),
                  st.sampled_from(FILE_NAMES)),
    )

    return st.builds(multipart_body, st.lists(part, max_size=5), st.booleans())


@dataclass
class Shape:
    """What the document says an operation takes."""

    path_names: list[str]
    query_names: list[str]
    multipart: bool
    fields: list[str]  # body fields (JSON keys or form fields)

    @classmethod
    def of(cls, operation: dict[str, Any]) -> Shape:
        params = operation.get("parameters", [])
        content = operation.get("requestBody", {}).get("content", {})
        first: dict[str, Any] = next(iter(content.values()), {})
        schema = first.get("schema", {}) if content else {}
        return cls([p["name"] for p in params if p["in"] == "path"],
                   [p["name"] for p in params if p["in"] == "query"],
                   "multipart/form-data" in content, list(schema.get("properties", {})))


def hostile_requests(path: str, method: str, operation: dict[str, Any]
                     ) -> st.SearchStrategy[Request]:
    shape = Shape.of(operation)
    path_names = shape.path_names
    query_names = [*shape.query_names, "staff_id", "x"]
    keys = [*shape.fields, "face_id", "staff_id", "username"]
    id_text = st.one_of(st.sampled_from(BAD_IDS), st.text(min_size=1, max_size=12).map(
        lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")))
    query_value = st.one_of(st.sampled_from(BAD_IDS), st.sampled_from(
        ["NaN", "1e400", str(2**70), "-1", "0", "true", "nope", "2023-02-30", "%FF"]))

    def make(ids: list[str], query: list[tuple[str, str]], body: tuple[bytes, str | None],
             chunked: bool, content_type: str | None) -> Request:
        url = path
        for name, value in zip(path_names, ids, strict=False):
            if name == "username" and value == OWN_ACCOUNT:
                value = "someone"
            url = url.replace("{" + name + "}", value)
        if query:
            url += "?" + "&".join(f"{quote(k)}={v}" for k, v in query)
        data, kind = body
        header = content_type or kind
        headers = {"Content-Type": header} if header else {}
        return Request(method.upper(), url, data, headers, chunked)

    if shape.multipart:
        bodies = multipart(keys)
        chunked = st.just(False)
        kinds = st.sampled_from([None, None, None, "application/json", "multipart/form-data"])
    else:
        bodies = json_bodies(keys).map(lambda b: (b, "application/json"))
        chunked = st.booleans()
        kinds = st.sampled_from([None, None, None, "text/plain", "application/x-www-form-"
                                 "urlencoded", "application/json; charset=latin-1"])
    return st.builds(make, st.lists(id_text, min_size=len(path_names), max_size=len(path_names)),
                     st.lists(st.tuples(st.sampled_from(query_names), query_value), max_size=3),
                     bodies, chunked, kinds)


SEED_TOKENS = ['"\\ud800"', '"a\\udfffb"', "NaN", "Infinity", "-Infinity", "1e400", str(2**70),
               '"a\\u0000b"', '"\\u202eabc"', '"../x"', '"a\\\\b"', '"x"', "[]", "{}", "true",
               '"' + "x" * 70_000 + '"']


def seeds(path: str, method: str, operation: dict[str, Any]) -> list[Request]:
    """The known hostile shapes, every one sent to every operation it applies to."""
    shape = Shape.of(operation)
    method = method.upper()
    fill = {"alert_id": "x", "username": "someone"}
    base = path
    for name in shape.path_names:
        base = base.replace("{" + name + "}", fill.get(name, "x"))
    out: list[Request] = []
    for bad in BAD_IDS:
        if shape.path_names:
            url = path
            for name in shape.path_names:
                url = url.replace("{" + name + "}", bad)
            out.append(Request(method, url))
        if shape.query_names:
            out.append(Request(method, base + "?" + "&".join(
                f"{name}={bad}" for name in shape.query_names)))
    if shape.multipart:
        texts = [f for f in shape.fields if f not in ("file", "files")]
        for upload in UPLOADS:
            body, kind = multipart_body([("file", upload, "x.png"), ("files", upload, "E1_Ab.png"),
                                         ("username", "Someone", None)])
            out.append(Request(method, base, body, {"Content-Type": kind}))
        for text in BAD_TEXT:
            parts: list[Part] = [(f, text, None) for f in texts]
            parts += [("file", _png(40, 40), text), ("files", _png(40, 40), text)]
            body, kind = multipart_body(parts)
            out.append(Request(method, base, body, {"Content-Type": kind}))
        out.append(Request(method, base, multipart_body([], broken=True)[0],
                           {"Content-Type": "multipart/form-data; boundary=x"}))
        return out
    if method in ("GET", "HEAD") and not shape.fields:
        return out
    keys = shape.fields or ["face_id", "staff_id", "username"]
    json = {"Content-Type": "application/json"}
    for token in SEED_TOKENS:
        text = "{" + ",".join(f'"{k}":{token}' for k in keys) + "}"
        out.append(Request(method, base, text.encode(), json))
    for raw in (deep(33, "list"), deep(33, "dict"), deep(100_000, "list"),
                "{" + ",".join([f'"{keys[0]}":1'] * 2) + "}", "[1]", '"text"', "1e400"):
        out.append(Request(method, base, raw.encode(), json))
    out.append(Request(method, base, b'{"a": "\xed\xa0\x80\xff"}', json))
    out.append(Request(method, base, b'{"a": "' + b"x" * (10 * MiB) + b'"}', json, chunked=True))
    return out


def send(api: Api, token: str, request: Request) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", api.running.port, timeout=120)
    headers = {"Authorization": token, **request.headers}
    try:
        if request.chunked:
            def pieces() -> Iterator[bytes]:
                for start in range(0, len(request.body), 256 * 1024):
                    yield request.body[start:start + 256 * 1024]

            connection.request(request.method, request.path, body=pieces(), headers=headers,
                               encode_chunked=True)
        else:
            connection.request(request.method, request.path, body=request.body or None,
                               headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# -- the run ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzzed(api_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    db = tmp_path_factory.mktemp("httpfuzz") / "device.sqlite"
    shutil.copyfile(api_template, db)
    api = serve(db, login_max_failures=1_000_000)  # 429s would hide the login path
    yield api
    shut(api)


@pytest.fixture(scope="module")
def document(fuzzed: Api) -> dict[str, Any]:
    return fuzzed.viewer.get("/openapi.json").json()


@pytest.fixture(scope="module")
def api_schema(fuzzed: Api) -> schemathesis.BaseSchema:
    token = fuzzed.admin.session.headers["Authorization"]
    return schemathesis.openapi.from_url(fuzzed.url + "/openapi.json",
                                         headers={"Authorization": token})


def _operations() -> list[tuple[str, str]]:
    from device.api.routes import ROUTES

    return [(r.openapi_path, r.method.lower()) for r in ROUTES
            if r.in_openapi and (r.openapi_path, r.method.lower()) not in NOT_FUZZED]


OPERATIONS = _operations()


def test_every_documented_operation_is_fuzzed(document: dict[str, Any]) -> None:
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}
    assert documented - NOT_FUZZED == set(OPERATIONS)


def _schema_strategy(api_schema: schemathesis.BaseSchema, path: str, method: str,
                     mode: GenerationMode) -> st.SearchStrategy[Any] | None:
    try:
        strategy = api_schema[path][method.upper()].as_strategy(mode)
    except Exception:  # schemathesis cannot negate every operation
        return None
    if path == "/api/v1/accounts/{username}":
        strategy = strategy.filter(lambda c: c.path_parameters.get("username") != OWN_ACCOUNT)
    return strategy


def _send_case(api: Api, token: str, case: Any) -> int:
    kwargs = case.as_transport_kwargs(base_url=api.url, headers={"Authorization": token})
    kwargs["headers"]["Authorization"] = token  # whatever the case generated
    try:
        return requests.request(**kwargs, timeout=120).status_code
    except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL,
            UnicodeError) as e:  # the client cannot even send it: no request to judge
        reject_reason = str(e)
    from hypothesis import reject

    reject()
    raise AssertionError(reject_reason)  # not reached


@pytest.mark.parametrize("path, method", OPERATIONS,
                         ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_no_request_breaks_the_server_or_the_log(fuzzed: Api, document: dict[str, Any],
                                                api_schema: schemathesis.BaseSchema,
                                                path: str, method: str) -> None:
    token = fuzzed.admin.session.headers["Authorization"]
    assert isinstance(token, str)
    operation = document["paths"][path][method]
    sources = [s for s in (_schema_strategy(api_schema, path, method, GenerationMode.POSITIVE),
                           _schema_strategy(api_schema, path, method, GenerationMode.NEGATIVE))
               if s is not None]
    hostile = hostile_requests(path, method, operation)
    draws = st.one_of(*(s.map(lambda c: ("case", c)) for s in sources),
                      hostile.map(lambda r: ("raw", r)), hostile.map(lambda r: ("raw", r)))

    @given(drawn=draws)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              derandomize=not LONG_RUN, suppress_health_check=list(HealthCheck))
    def check(drawn: tuple[str, Any]) -> None:
        kind, what = drawn
        status = _send_case(fuzzed, token, what) if kind == "case" else send(fuzzed, token, what)
        assert status < 500, f"{status} for {what!r}"[:2000]
        health = requests.get(fuzzed.url + "/health", timeout=30)
        assert health.status_code == 200, "the server stopped serving"

    for seed in seeds(path, method, operation):
        check = example(drawn=("raw", seed))(check)
    check()
    report = fuzzed.terminal.verify()
    assert report.ok, report
    with fuzzed.terminal.database.engine.connect() as connection:
        payloads = [row.payload for row in connection.execute(sa.select(events.c.payload))]
    bad = [p for p in payloads if not is_canonical(p)]
    assert not bad, f"{len(bad)} stored payloads are not canonical JSON, e.g. {bad[0][:200]!r}"
