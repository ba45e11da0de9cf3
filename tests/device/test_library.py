"""Enrolment, bad photos, duplicate faces, removal with biometric erasure."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from PIL import Image, ImageFilter

from device.biometrics import person_key_id
from device.errors import AlreadyEnrolled, BadInput, NotFound
from device.storage.db import read_transaction
from device.storage.schema import face_samples, subject_keys
from device.terminal import Terminal
from tests.support.paths import REPO


def _variant(src: Path, dst: Path, **save) -> Path:
    Image.open(src).save(dst, **save)
    return dst


@pytest.fixture(scope="module")
def odd_images(tmp_path_factory, data_dir) -> dict[str, Path]:
    """The awkward inputs people send: each must work, or fail with nothing written."""
    d = tmp_path_factory.mktemp("odd")
    biden = data_dir / "faces" / "joe_biden" / "biden_2.jpg"
    rgb = Image.open(biden).convert("RGB")
    out = {"rgba_png": data_dir / "groups" / "obama_32bit_rgba.png"}
    out["grayscale"] = _variant(biden, d / "gray.jpg")
    Image.open(out["grayscale"]).convert("L").save(out["grayscale"])
    wide = (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
    out["16bit_png"] = d / "sixteen.png"
    Image.fromarray(wide).save(out["16bit_png"])
    out["cmyk_jpeg"] = d / "cmyk.jpg"
    rgb.convert("CMYK").save(out["cmyk_jpeg"], format="JPEG")
    # Pixels stored lying on their side; the EXIF tag says "rotate 90 CW to view".
    out["exif_rotated"] = d / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    rgb.transpose(Image.Transpose.ROTATE_90).save(out["exif_rotated"], exif=exif.tobytes())
    out["zero_byte"] = d / "empty.jpg"
    out["zero_byte"].write_bytes(b"")
    data = biden.read_bytes()
    out["truncated"] = d / "truncated.jpg"
    out["truncated"].write_bytes(data[: len(data) // 3])
    out["not_image"] = d / "notes.jpg"
    out["not_image"].write_text("this is not a photo")
    out["huge"] = d / "huge.jpg"
    Image.new("RGB", (10000, 6000), (128, 128, 128)).save(out["huge"], quality=10)
    out["no_face"] = d / "wall.jpg"
    Image.new("RGB", (640, 480), (200, 190, 180)).save(out["no_face"])
    out["two_faces"] = data_dir / "groups" / "obama_and_biden.jpg"
    return out


def _per_photo(terminal: Terminal) -> int:
    """Samples a photo gives: one, plus its mirror image for an engine that wants one."""
    return 2 if terminal.engine.mirror_samples else 1


@pytest.mark.parametrize("kind", ["grayscale", "16bit_png", "cmyk_jpeg", "exif_rotated"])
def test_awkward_but_valid_photos_enrol(terminal: Terminal, odd_images, kind) -> None:
    result = terminal.enroll("biden", "Joe Biden", [odd_images[kind]])
    assert result.samples_added == _per_photo(terminal)
    assert [p.person_id for p in terminal.people()] == ["biden"]


def test_rgba_png_enrols(terminal: Terminal, odd_images) -> None:
    assert terminal.enroll("obama", "Barack Obama", [odd_images["rgba_png"]]).samples_added \
        == _per_photo(terminal)


@pytest.mark.parametrize("kind, message", [
    ("zero_byte", "the file is empty"),
    ("truncated", "truncated or corrupt"),
    ("not_image", "not an image file"),
    ("huge", "60.0 megapixels"),
    ("no_face", "no face found"),
    ("two_faces", "3 faces found"),
])
def test_bad_photos_are_refused_with_nothing_written(terminal: Terminal, odd_images, kind,
                                                     message) -> None:
    good = odd_images["grayscale"]
    with pytest.raises(BadInput, match=message):
        terminal.enroll("biden", "Joe Biden", [good, odd_images[kind]])
    assert terminal.event_count() == 0 and terminal.people() == []


def test_largest_face_can_be_taken_from_a_group_photo(terminal: Terminal, odd_images) -> None:
    assert terminal.enroll("obama", "Barack Obama", [odd_images["two_faces"]],
                           largest=True).samples_added == _per_photo(terminal)


def test_blurred_and_tiny_faces_are_refused(terminal: Terminal, data_dir) -> None:
    image = Image.open(data_dir / "faces" / "joe_biden" / "biden_2.jpg").convert("RGB")
    # Defocus: a 12-px Gaussian on this 1200-px photo is about 3 px on the aligned face,
    # where sharpness is measured (a small face upscaled is low resolution, not blur).
    blurred = np.asarray(image.filter(ImageFilter.GaussianBlur(12)))
    with pytest.raises(BadInput, match="blurred"):
        terminal.enroll("biden", "Joe Biden", [np.ascontiguousarray(blurred)])
    tiny = np.zeros((600, 800, 3), np.uint8) + 180
    tiny[300:380, 400:460] = np.asarray(image.resize((60, 80)))
    with pytest.raises(BadInput, match=r"(too small|no face)"):
        terminal.enroll("biden", "Joe Biden", [tiny])
    assert terminal.event_count() == 0


def test_a_face_already_enrolled_is_refused_naming_the_person(enrolled_terminal: Terminal,
                                                              data_dir) -> None:
    photo = data_dir / "faces" / "barack_obama" / "obama_2.jpg"
    before = enrolled_terminal.event_count()
    with pytest.raises(AlreadyEnrolled, match="already registered as barack_obama"):
        enrolled_terminal.enroll("E042", "Someone Else", [photo])
    assert enrolled_terminal.event_count() == before
    assert enrolled_terminal.enroll("E042", "Someone Else", [photo], force=True).new_person


def test_unicode_names_round_trip_through_the_cli(terminal: Terminal, data_dir) -> None:
    db = str(terminal.database.path)
    terminal.close()
    photo = str(data_dir / "faces" / "kit_harington" / "kit_2.jpg")
    run = [sys.executable, "-m", "device", "--db", db]
    done = subprocess.run([*run, "enroll", "--id", "E7", "--name", "艾超", photo],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([*run, "people", "--json"], capture_output=True, text=True, cwd=REPO)
    assert '"name": "艾超"' in listed.stdout
    found = subprocess.run([*run, "identify", "--json",
                            str(data_dir / "faces" / "kit_harington" / "kit_3.jpg")],
                           capture_output=True, text=True, cwd=REPO)
    assert '"person_id": "E7", "name": "艾超"' in found.stdout


def test_people_list_counts_samples(enrolled_terminal: Terminal) -> None:
    people = {p.person_id: p for p in enrolled_terminal.people()}
    assert people["barack_obama"].samples == 6 * _per_photo(enrolled_terminal)  # 6 photos
    assert people["lin_manuel_miranda"].name == "Lin Manuel Miranda"


def test_export_gives_the_stored_crops(enrolled_terminal: Terminal) -> None:
    crops = enrolled_terminal.face_crops("joe_biden")
    assert len(crops) == 2
    assert Image.open(io.BytesIO(crops[0])).format == "JPEG"
    with pytest.raises(NotFound):
        enrolled_terminal.face_crops("nobody")


def test_removal_erases_encodings_and_crops_from_every_file(enrolled_terminal: Terminal,
                                                            enrolled_db: Path) -> None:
    with read_transaction(enrolled_terminal.database.engine) as c:
        blobs = [r.encoding for r in c.execute(sa.select(face_samples.c.encoding)
                                               .where(face_samples.c.person_id == "joe_biden"))]
        key = c.execute(sa.select(subject_keys.c.key).where(
            subject_keys.c.key_id == person_key_id("joe_biden"))).scalar()
    crops = enrolled_terminal.face_crops("joe_biden")
    needles = [b[16:48] for b in blobs] + [key] + [c[200:240] for c in crops]

    def files_containing() -> list[int]:
        raw = b"".join(p.read_bytes() for p in enrolled_db.parent.glob(enrolled_db.name + "*"))
        return [i for i, n in enumerate(needles) if n in raw]

    assert files_containing(), "the needles must be findable before removal"
    enrolled_terminal.remove("joe_biden")
    assert files_containing() == []
    assert "joe_biden" not in {p.person_id for p in enrolled_terminal.people()}
    assert enrolled_terminal.verify().ok  # the log still verifies: ciphertext hashes are intact
    with pytest.raises(NotFound):
        enrolled_terminal.remove("joe_biden")


def test_running_recogniser_sees_a_person_enrolled_by_another_process(
        enrolled_terminal: Terminal, enrolled_db: Path, data_dir: Path) -> None:
    photo = data_dir / "faces" / "rose_leslie" / "rose_2.jpg"
    enrolled_terminal.remove("rose_leslie")
    assert enrolled_terminal.identify(photo)[0].match.person_id is None
    other = subprocess.run(
        [sys.executable, "-m", "device", "--db", str(enrolled_db), "enroll", "--id", "R1",
         "--name", "Rose", str(data_dir / "faces" / "rose_leslie" / "rose_1.jpg")],
        capture_output=True, text=True, cwd=REPO)
    assert other.returncode == 0, other.stderr
    started = time.monotonic()
    assert enrolled_terminal.cache.refresh()  # what the door loop calls every half second
    assert time.monotonic() - started < 1.0
    assert enrolled_terminal.identify(photo)[0].match.person_id == "R1"
