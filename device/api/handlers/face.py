"""Seed 000's endpoints: /face/registration, /face/verification, /face/all."""

from __future__ import annotations

from werkzeug.wrappers import Response

from device.api.context import Call
from device.api.handlers.uploads import enroll_upload, identify_upload, new_staff_id, required_file
from device.api.http import flag, id_field, json_response, text_field
from device.terminal import IdentifiedFace


def registration(call: Call) -> Response:
    """Enrol one photo: username (required), phone, mail; `id` optional (else derived)."""
    form = call.request.form
    file = required_file(call.request.files, "file")
    name = text_field(form, "username", required=True, max_length=100)
    assert name is not None
    person_id = id_field(form, "id", what="id") or new_staff_id()
    result = enroll_upload(call.terminal, person_id, name, file,
                           phone=text_field(form, "phone", max_length=40),
                           mail=text_field(form, "mail", max_length=200),
                           force=flag(form, "force"))
    call.audit("face.registration", person_id=result.person_id, samples=result.samples_added)
    return json_response({
        "code": 200, "face_encodings": "成功", "person_id": result.person_id,
        "name": result.name, "samples_added": result.samples_added,
        "new_person": result.new_person})


def verification(call: Call) -> Response:
    """Who is in the photo: seed 000's whether_face / whether_face_matching / username."""
    faces = identify_upload(call.terminal, required_file(call.request.files, "file"))
    door = faces[0] if faces else None  # the largest face is the one at the door
    matched = door is not None and door.match.known
    return json_response({
        "code": 200,
        "whether_face": door is not None,
        "whether_face_matching": matched,
        "username": door.name if matched and door is not None else False,
        "person_id": door.match.person_id if matched and door is not None else None,
        "distance": _distance(door),
        "faces": [_face(f) for f in faces],
    })


def all_faces(call: Call) -> Response:
    people = call.terminal.people()
    return json_response({"code": 200, "all_face": [p.name for p in people],
                          "people": [{"person_id": p.person_id, "name": p.name}
                                     for p in people]})


def _face(face: IdentifiedFace) -> dict:
    return {"box": list(face.box), "person_id": face.match.person_id, "name": face.name,
            "verdict": face.match.verdict.value,
            "distance": _distance(face)}


def _distance(face: IdentifiedFace | None) -> float | None:
    if face is None or face.match.distance is None:
        return None
    return round(float(face.match.distance), 4)
