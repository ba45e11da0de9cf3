"""Uploaded photos go through the same Terminal calls as the CLI; errors name the file."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from werkzeug.datastructures import FileStorage

from device.api.http import read_upload, upload_name
from device.errors import AlreadyEnrolled, BadInput
from device.terminal import EnrolResult, IdentifiedFace, Terminal


def new_staff_id() -> str:
    """A staff id for seed 000's registration, which has none: F + 8 hex digits."""
    return "F" + secrets.token_hex(4).upper()


def enroll_upload(terminal: Terminal, person_id: str, name: str, file: FileStorage,
                  phone: str | None = None, mail: str | None = None,
                  force: bool = False) -> EnrolResult:
    filename = upload_name(file)
    data = read_upload(file)
    try:
        return terminal.enroll(person_id, name, [data], phone=phone, mail=mail, force=force)
    except AlreadyEnrolled as e:
        raise AlreadyEnrolled(_rename(str(e), filename), e.person_id, e.distance) from None
    except BadInput as e:
        raise BadInput(_rename(str(e), filename)) from None


def identify_upload(terminal: Terminal, file: FileStorage) -> list[IdentifiedFace]:
    filename = upload_name(file)
    data = read_upload(file)
    try:
        return terminal.identify(data)
    except BadInput as e:
        raise BadInput(_rename(str(e), filename)) from None


def required_file(files: Mapping[str, FileStorage], field: str) -> FileStorage:
    file = files.get(field)
    if file is None:
        raise BadInput(f"{field}: required (a multipart/form-data file field)")
    return file


def _rename(message: str, filename: str) -> str:
    """The core names uploaded bytes 'image'; say which file, and how to force over HTTP."""
    if message.startswith("image:"):
        message = filename + message[len("image"):]
    return message.replace("use --force", "send force=true")
