"""Every endpoint of the local API, once: path, method, access, handler, OpenAPI description."""

from __future__ import annotations

from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from device.api import schemas as s
from device.api.context import Call
from device.api.handlers import alerts, face, library, live, records, session, system, web
from device.api.http import json_response
from device.api.openapi import document
from device.api.routing import Access, Route

A, V, P = Access.ADMIN, Access.VIEWER, Access.PUBLIC


def _json(schema: s.Schema, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: s.Schema, required: bool = True) -> dict[str, Any]:
    return {"required": required,
            "content": {"application/json": {"schema": s.strict_extras(schema)}}}


def _multipart(schema: s.Schema) -> dict[str, Any]:
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _query(name: str, schema: s.Schema, description: str = "",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


#: device/ids.py's check_id as a pattern (ECMA and Python syntax alike): no control, format,
#: bidi or space characters, no / \ + #, no "..". Exact for the Basic Multilingual Plane
#: (tests/api/test_hostile_input.py compares the two); beyond it the server decides.
ID_REFUSED = (r"\x00-\x20#+/\\\x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
              r"\u08e2\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f"
              r"\u3000\ufeff\ufff9-\ufffb")  # surrogates: never valid UTF-8 on the wire
ID_PATTERN = r"^(?!.*\.\.)(?!\.$)[^" + ID_REFUSED + r"]+$"
USERNAME_PATTERN = "^[A-Za-z0-9_.@-]+$"


def _id(max_length: int = 64) -> s.Schema:
    return s.text(max_length, 1, pattern=ID_PATTERN)


def _path(name: str, description: str = "", pattern: str = ID_PATTERN) -> dict[str, Any]:
    # in a path also no % ? (they would be read as escapes and the query)
    pattern = pattern.replace("[^", "[^%?", 1) if pattern is ID_PATTERN else pattern
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": pattern}}


RANGE_QUERY = [_query("from", s.STR, "ISO date/date-time or epoch seconds (inclusive)"),
               _query("to", s.STR, "ISO date/date-time or epoch seconds (exclusive)")]
FLAG = {"type": "string", "enum": ["true", "false"]}


def _root(call: Call) -> Response:
    return redirect("/admin", 303)


def _openapi(call: Call) -> Response:
    return json_response(document(ROUTES))


ROUTES: tuple[Route, ...] = (
    # -- public ------------------------------------------------------------------------------
    Route("/health", "GET", system.health, P, "Is the server up and its database readable",
          "system", {"responses": {"200": _json(s.HEALTH), "503": _json(s.ERROR, "Down")}}),
    Route("/api/v1/login", "POST", session.login, P, "Log in: a bearer token", "accounts", {
        "requestBody": _body(s.obj({"username": s.text(64, 1, pattern=USERNAME_PATTERN),
                                    "password": s.text(1024, 1)})),
        "responses": {"200": _json(s.LOGIN), "401": _json(s.ERROR, "Wrong credentials"),
                      "429": _json(s.ERROR, "Locked out after repeated failures")}}),
    Route("/", "GET", _root, P, "The admin page", "web", in_openapi=False),
    Route("/admin/login", "GET", web.login_page, P, "Admin login page", "web", in_openapi=False),
    Route("/admin/login", "POST", web.login_submit, P, "Admin login form", "web",
          in_openapi=False),
    Route("/admin/static/admin.css", "GET", web.stylesheet, P, "Stylesheet", "web",
          in_openapi=False),
    Route("/admin/static/admin.js", "GET", web.script, P, "Script", "web", in_openapi=False),
    # -- seed 000 ----------------------------------------------------------------------------
    Route("/face/registration", "POST", face.registration, A,
          "Register a face (seed 000): one photo of one person", "face", {
              "requestBody": _multipart(s.obj({
                  "file": s.BINARY, "username": s.text(100, 1), "phone": s.text(40),
                  "mail": s.text(200), "id": _id(), "force": FLAG,
              }, required=["file", "username"])),
              "responses": {"200": _json(s.REGISTRATION),
                            "409": _json(s.ERROR, "The face is registered to someone else")}}),
    Route("/face/verification", "POST", face.verification, V,
          "Who is in this photo (seed 000); nothing is recorded", "face", {
              "requestBody": _multipart(s.obj({"file": s.BINARY})),
              "responses": {"200": _json(s.VERIFICATION)}}),
    Route("/face/all", "GET", face.all_faces, V, "Names of everyone enrolled (seed 000)", "face",
          {"responses": {"200": _json(s.ALL_FACES)}}),
    # -- seed 001 ----------------------------------------------------------------------------
    Route("/api/v1/add_face_libs", "PUT", library.add_face_libs, A,
          "Enrol photos named <staff_id>_<name>.jpg, each on its own", "library", {
              "requestBody": _multipart(s.obj({"files": s.array(s.BINARY), "force": FLAG},
                                              required=["files"])),
              "responses": {"200": _json(s.ADD_RESULT),
                            "400": _json(s.obj({**s.ERROR["properties"],
                                                **s.ADD_RESULT["properties"]},
                                               required=["code", "error", "msg"]),
                                         "Nothing enrolled")}}),
    Route("/api/v1/get_face_libraries", "GET", library.get_face_libraries, V,
          "Everyone enrolled: staff id, name, samples, last update", "library",
          {"responses": {"200": _json(s.array(s.LIBRARY_ENTRY))}}),
    Route("/api/v1/delete_face", "DELETE", library.delete_face, A,
          "Remove a person and erase their face data", "library", {
              "requestBody": _body(s.obj({"face_id": _id()})),
              "responses": {"200": _json(s.DELETED)}}),
    Route("/api/v1/download_facelib", "GET", library.download_facelib, V,
          "A zip of the person's stored face crops", "library", {
              "parameters": [_query("staff_id", _id(),
                                    required=True)],
              "responses": {"200": {"description": "zip of JPEG face crops", "content": {
                  "application/zip": {"schema": s.BINARY}}}}}),
    Route("/api/v1/get_attend_infos", "POST", records.get_attend_infos, V,
          "Punches in a time range (not de-duplicated), oldest first; with "
          "\"report\": \"daily\" the daily attendance sheet", "records", {
              "requestBody": _body(s.ATTEND_QUERY, required=False),
              "responses": {"200": _json({"anyOf": [s.array(s.PUNCH),
                                                    s.array(s.DAILY_ROW)]})}}),
    Route("/api/v1/punches.csv", "GET", records.punches_csv, V, "Punches as CSV", "records", {
        "parameters": RANGE_QUERY,
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": s.STR}}}}}),
    Route("/api/v1/clear_data", "POST", records.clear_data, A,
          "Clear punches and access records in a time range", "records", {
              "requestBody": _body(s.obj({"start_time": s.text(40, 1),
                                          "end_time": s.text(40, 1)})),
              "responses": {"200": _json(s.CLEARED)}}),
    Route("/api/v1/update_sys_time", "PUT", system.update_sys_time, A,
          "Set the device clock (a dry run unless enabled)", "system", {
              "requestBody": _body(s.obj({"date": s.text(40, 1), "time": s.text(40, 1)})),
              "responses": {"200": _json(s.TIME_SET),
                            "503": _json(s.ERROR, "The clock could not be set")}}),
    # -- alerts, settings, live view ---------------------------------------------------------
    Route("/api/v1/alerts", "GET", alerts.list_alerts, V, "Alerts, newest first", "alerts", {
        "parameters": [_query("open", FLAG, "only alerts not yet handled")],
        "responses": {"200": _json(s.array(s.ALERT))}}),
    Route("/api/v1/alerts/<alert_id>/snapshot", "GET", alerts.snapshot, V,
          "The alert's snapshot (JPEG)", "alerts", {
              "parameters": [_path("alert_id")],
              "responses": {"200": {"description": "JPEG", "content": {
                  "image/jpeg": {"schema": s.BINARY}}}}}),
    Route("/api/v1/alerts/<alert_id>/handled", "POST", alerts.mark_handled, A,
          "Mark an alert handled", "alerts", {
              "parameters": [_path("alert_id")], "responses": {"200": _json(s.HANDLED)}}),
    Route("/api/v1/settings", "GET", system.get_settings, V, "Device settings", "system",
          {"responses": {"200": _json(s.SETTINGS)}}),
    Route("/api/v1/settings", "PATCH", system.change_settings, A, "Change device settings",
          "system", {"requestBody": _body(s.SETTINGS_CHANGE),
                     "responses": {"200": _json(s.SETTINGS)}}),
    Route("/api/v1/stream.mjpeg", "GET", live.stream, V,
          "The camera, live (multipart/x-mixed-replace MJPEG)", "system", {
              "parameters": [_query("frames", {"type": "integer", "minimum": 1,
                                               "maximum": 100000}, "stop after this many")],
              "responses": {"200": {"description": "MJPEG", "content": {
                  "multipart/x-mixed-replace": {"schema": s.BINARY}}},
                  "503": _json(s.ERROR, "No camera, or too many viewers")}}),
    # -- accounts ----------------------------------------------------------------------------
    Route("/api/v1/logout", "POST", session.logout, V, "End this token", "accounts",
          {"responses": {"200": _json(s.MESSAGE)}}),
    Route("/api/v1/accounts", "GET", session.list_accounts, A, "API accounts", "accounts",
          {"responses": {"200": _json(s.array(s.ACCOUNT))}}),
    Route("/api/v1/accounts", "POST", session.create_account, A, "Create an account",
          "accounts", {
              "requestBody": _body(s.obj({
                  "username": s.text(64, 1, pattern=USERNAME_PATTERN),
                  "password": s.text(1024, 8),
                  "role": {"type": "string", "enum": ["admin", "viewer"]}},
                  required=["username", "password"])),
              "responses": {"201": _json(s.ACCOUNT),
                            "409": _json(s.ERROR, "The account exists")}}),
    Route("/api/v1/accounts/<username>", "DELETE", session.delete_account, A,
          "Delete an account (not the last admin)", "accounts", {
              "parameters": [_path("username", pattern=USERNAME_PATTERN)],
              "responses": {"200": _json(s.MESSAGE),
                            "409": _json(s.ERROR, "The last admin account")}}),
    Route("/openapi.json", "GET", _openapi, V, "This document", "system",
          {"responses": {"200": _json({"type": "object"})}}),
    # -- the admin page ----------------------------------------------------------------------
    Route("/admin", "GET", web.dashboard, V, "Admin page", "web", in_openapi=False),
    Route("/admin/logout", "POST", web.logout_submit, V, "Log out", "web", in_openapi=False,
          browser_form=True),
    Route("/admin/alerts/<alert_id>/handled", "POST", web.handle_alert_submit, A,
          "Mark an alert handled", "web", in_openapi=False, browser_form=True),
)
