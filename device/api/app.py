"""The WSGI application: route, authenticate, call the handler, turn errors into answers."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from device.api.auth import authenticate
from device.api.config import ApiConfig, MiB
from device.api.context import ApiContext, Call, FrameProvider
from device.api.errors import Unauthorized, status_of
from device.api.handlers.web import error_page
from device.api.http import error_body, json_response
from device.api.routes import ROUTES
from device.api.routing import Route, build_map, dispatch
from device.errors import FaceGateError
from device.terminal import Terminal

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger("facegate.api")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
}


class ApiApp:
    def __init__(self, context: ApiContext, routes: Sequence[Route] = ROUTES) -> None:
        self.context = context
        self.routes = {route.name: route for route in routes}
        self.url_map = build_map(routes)

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.context.config.max_upload_bytes
        response = self.handle(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except RequestRedirect as e:
            return e.get_response(request.environ)
        except MethodNotAllowed as e:
            allowed = ", ".join(sorted(e.valid_methods or []))
            return self._error(request, 405, "method_not_allowed",
                               f"{request.method} is not allowed here; use {allowed}",
                               {"Allow": allowed})
        except HTTPException as e:
            return self._error(request, e.code or 404, "not_found",
                               f"no such endpoint: {request.path} (see /openapi.json)")
        route = self.routes[endpoint]
        call = Call(self.context, request)
        try:
            authenticate(call, route)
            return dispatch(route, call, args)
        except Unauthorized as e:
            if _is_page(request) and request.method == "GET":
                return redirect("/admin/login", 303)
            return self._error(request, e.status, e.code, str(e), e.headers)
        except FaceGateError as e:
            status, code = status_of(e)
            if status >= 500:
                log.error("%s %s: %s", request.method, request.path, e)
            return self._error(request, status, code, str(e), getattr(e, "headers", None))
        except RequestEntityTooLarge:
            limit = self.context.config.max_upload_bytes
            return self._error(request, 413, "too_large",
                               f"the request is larger than {limit / MiB:g} MiB; "
                               "send fewer or smaller photos")
        except HTTPException as e:  # werkzeug's own parsing errors
            return self._error(request, e.code or 400, "bad_request", e.description or str(e))
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            return self._error(request, 500, "internal_error",
                               "internal error; the device log has the details")

    def _error(self, request: Request, status: int, code: str, message: str,
               headers: dict[str, str] | None = None) -> Response:
        if _is_page(request):
            response = error_page(status, message)
            response.headers.update(headers or {})
            return response
        return json_response(error_body(status, code, message), status, headers)


def create_app(terminal: Terminal, config: ApiConfig | None = None,
               frames: FrameProvider | None = None) -> ApiApp:
    return ApiApp(ApiContext.create(terminal, config or ApiConfig(), frames))


def _is_page(request: Request) -> bool:
    return request.path == "/admin" or request.path.startswith("/admin/")
