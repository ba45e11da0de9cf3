"""The OpenAPI document matches the server: schemathesis fuzzes every operation over HTTP.

One real server (module scope) over a copy of the enrolled database; for each documented
operation, hypothesis draws requests from the document and schemathesis checks each answer:
no 5xx, only documented status codes, content types and JSON shapes, and that the
operation refuses a request without the token.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance

from device.api.routes import ROUTES
from tests.support.http import Api, serve, shut

# The live stream never ends, and logging out would end the token the run uses.
NOT_FUZZED = {("/api/v1/stream.mjpeg", "GET"), ("/api/v1/logout", "POST")}
# Valid per the schema yet refused on meaning: random bytes are no photo, a range may run
# backwards, 2023-02-30 is no day, newer settings have rules across fields. Every other
# check still applies to these.
MEANING_CHECKED = {("/api/v1/settings", "PATCH"),
                   ("/face/registration", "POST"), ("/face/verification", "POST"),
                   ("/api/v1/add_face_libs", "PUT"), ("/api/v1/get_attend_infos", "POST"),
                   ("/api/v1/punches.csv", "GET"), ("/api/v1/clear_data", "POST"),
                   ("/api/v1/update_sys_time", "PUT")}
OPERATIONS = [(r.openapi_path, r.method) for r in ROUTES
              if r.in_openapi and (r.openapi_path, r.method) not in NOT_FUZZED]


@pytest.fixture(scope="module")
def fuzzed(api_template: Path, data_dir: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    db = tmp_path_factory.mktemp("fuzz") / "device.sqlite"
    shutil.copyfile(api_template, db)
    # a lockout would turn the login operation's answers into 429s: allow many failures
    api = serve(db, data_dir, login_max_failures=10_000)
    yield api
    shut(api)


@pytest.fixture(scope="module")
def api_schema(fuzzed: Api) -> schemathesis.BaseSchema:
    token = fuzzed.admin.session.headers["Authorization"]
    return schemathesis.openapi.from_url(fuzzed.url + "/openapi.json",
                                         headers={"Authorization": token})


def test_the_document_lists_every_api_route(fuzzed: Api) -> None:
    doc = fuzzed.viewer.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    listed = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    expected = {(r.openapi_path, r.method) for r in ROUTES if r.in_openapi}
    assert listed == expected and len(listed) >= 24
    assert doc["paths"]["/health"]["get"]["security"] == []
    assert "security" not in doc["paths"]["/face/all"]["get"]  # the global bearer applies
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


@pytest.mark.parametrize("path, method", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_operation_answers_as_documented(fuzzed: Api, api_schema: schemathesis.BaseSchema,
                                               path: str, method: str) -> None:
    operation = api_schema[path][method]
    token = fuzzed.admin.session.headers["Authorization"]
    excluded: list[CheckFunction] = ([positive_data_acceptance]
                                     if (path, method) in MEANING_CHECKED else [])

    @given(case=operation.as_strategy())
    @settings(max_examples=10, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=fuzzed.url, headers={"Authorization": token},
                               excluded_checks=excluded, timeout=60)

    check()
