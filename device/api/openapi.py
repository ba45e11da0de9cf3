"""The OpenAPI 3 document, generated from the route table (routes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from device.api import schemas as s
from device.api.routing import Access, Route

VERSION = "1.0.0"
UPLOAD_METHODS = frozenset({"POST", "PUT"})


def document(routes: Sequence[Route]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if route.in_openapi:
            paths.setdefault(route.openapi_path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "FaceGate door terminal: local HTTP API",
            "version": VERSION,
            "description": "Seed 000's /face/* endpoints and seed 001's admin operations "
                           "over one door device. Log in with POST /api/v1/login and send "
                           "Authorization: Bearer <token>. Viewers read; admins change.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": s.ERROR},
        },
        "security": [{"bearer": []}],
    }


def _operation(route: Route) -> dict[str, Any]:
    doc = route.doc
    operation: dict[str, Any] = {
        "operationId": _operation_id(route), "summary": route.summary, "tags": [route.tag],
        "x-access": route.access.value,
    }
    if "parameters" in doc:
        operation["parameters"] = doc["parameters"]
    if "requestBody" in doc:
        operation["requestBody"] = doc["requestBody"]
    responses = dict(doc.get("responses", {}))
    error = {"description": "", "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}
    common = {"400": "Bad input (the message says what)", "404": "Not found"}
    if route.access is Access.PUBLIC:
        operation["security"] = []
    else:
        common |= {"401": "No valid token", "403": "Needs an admin account"}
    if route.method in UPLOAD_METHODS:
        common["413"] = "Upload too large"
    for status, description in common.items():
        responses.setdefault(status, {**error, "description": description})
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _operation_id(route: Route) -> str:
    return f"{route.method.lower()}_{route.handler.__module__.rsplit('.', 1)[-1]}_" \
           f"{route.handler.__name__.lstrip('_')}"
