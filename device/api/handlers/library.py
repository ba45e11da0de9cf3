"""Seed 001's face library endpoints: add_face_libs, get_face_libraries, delete_face,
download_facelib."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from werkzeug.utils import send_file
from werkzeug.wrappers import Response

from device.api.context import Call
from device.api.handlers.uploads import enroll_upload
from device.api.http import (
    error_body,
    flag,
    id_field,
    iso,
    json_body,
    json_response,
    text_field,
    upload_name,
)
from device.errors import BadInput
from device.ids import check_id
from device.terminal import staff_from_file_name

MAX_FILES = 100


def add_face_libs(call: Call) -> Response:
    """Several photos named <staff_id>_<name>.jpg; each is enrolled or refused on its own."""
    files = call.request.files.getlist("files") + call.request.files.getlist("file")
    if not files:
        raise BadInput("files: required (one or more multipart/form-data file fields)")
    if len(files) > MAX_FILES:
        raise BadInput(f"files: at most {MAX_FILES} photos per request")
    force = flag(call.request.form, "force")
    results = []
    for file in files:
        filename = upload_name(file)
        staff = staff_from_file_name(PurePath(filename).stem)
        if staff is None:
            results.append({"file": filename, "ok": False,
                            "error": f"{filename}: name the photo <staff_id>_<name>.jpg"})
            continue
        try:
            r = enroll_upload(call.terminal, staff[0], staff[1], file, force=force)
        except BadInput as e:
            results.append({"file": filename, "ok": False, "error": str(e)})
            continue
        results.append({"file": filename, "ok": True, "staff_id": r.person_id, "name": r.name,
                        "samples_added": r.samples_added, "new_person": r.new_person})
    enrolled = sum(1 for r in results if r["ok"])
    call.audit("face.add_face_libs", files=len(results), enrolled=enrolled)
    body = {"enrolled": enrolled, "failed": len(results) - enrolled, "results": results}
    if not enrolled:
        return json_response(error_body(400, "bad_input", "no photo was enrolled") | body, 400)
    return json_response({"code": 200, **body})


def get_face_libraries(call: Call) -> Response:
    return json_response([{
        "staff_id": p.person_id, "name": p.name, "phone": p.phone, "mail": p.mail,
        "samples": p.samples, "update_time": iso(p.updated_at)} for p in call.terminal.people()])


def delete_face(call: Call) -> Response:
    """Remove a person and erase their face data (body {"face_id": ...} or ?staff_id=)."""
    body = json_body(call.request)
    staff_id = (id_field(body, "face_id", what="staff id")
                or id_field(body, "staff_id", what="staff id")
                or id_field(body, "face_d", what="staff id")  # seed 001's spelling
                or id_field(call.request.args, "staff_id", what="staff id"))
    if staff_id is None:
        raise BadInput('face_id: required, e.g. {"face_id": "HR0878"}')
    call.terminal.remove(staff_id)
    call.audit("face.delete_face", staff_id=staff_id)
    return json_response({"code": 200, "staff_id": staff_id,
                          "msg": f"removed {staff_id}; face data erased"})


def download_facelib(call: Call) -> Response:
    """A zip of the person's stored face crops."""
    staff_id = text_field(call.request.args, "staff_id", required=True, max_length=200)
    assert staff_id is not None
    # seed 001's example quotes it: ?staff_id="HR0878"
    staff_id = check_id(staff_id.strip().strip('"'), "staff id")
    crops = call.terminal.face_crops(staff_id)
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", staff_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # JPEGs: no gain
        for i, jpeg in enumerate(crops, 1):
            archive.writestr(f"{safe}_{i}.jpg", jpeg)
    buffer.seek(0)
    return send_file(buffer, call.request.environ, mimetype="application/zip",
                     as_attachment=True, download_name=f"{safe}_faces.zip",
                     max_age=0, etag=False, conditional=False)
