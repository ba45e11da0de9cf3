"""The route table: every endpoint once, with who may call it and its OpenAPI description."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from device.api.context import Call

Handler = Callable[..., Response]  # (call, **path arguments) -> Response


class Access(StrEnum):
    PUBLIC = "public"  # no token (health, login)
    VIEWER = "viewer"  # any account: reads
    ADMIN = "admin"  # admin accounts: changes


@dataclass(frozen=True)
class Route:
    path: str  # werkzeug rule syntax: /api/v1/alerts/<alert_id>/snapshot
    method: str
    handler: Handler
    access: Access
    summary: str
    tag: str
    doc: dict[str, Any] = field(default_factory=dict)  # OpenAPI: parameters, body, responses
    in_openapi: bool = True
    browser_form: bool = False  # an /admin form post: cookie plus CSRF field instead of bearer

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def openapi_path(self) -> str:
        return re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", r"{\1}", self.path)


def build_map(routes: Sequence[Route]) -> Map:
    return Map([Rule(r.path, endpoint=r.name, methods=[r.method]) for r in routes],
               strict_slashes=False, merge_slashes=False)


def dispatch(route: Route, call: Call, args: Mapping[str, Any]) -> Response:
    return route.handler(call, **args)
