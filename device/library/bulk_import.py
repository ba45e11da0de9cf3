"""A folder of photos to enrol: `<staff_id>_<name>.jpg` files or one subfolder per person.

Every photo is accounted for: enrolled, or refused with its reason (a misnamed file, a
photo a gate refused, one already enrolled byte for byte), never silently dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from device.errors import BadInput
from device.ids import check_id, check_name

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
PHOTO_NAME = re.compile(r"([^_]+)_(.+)")  # seed 001: <staff_id>_<name>.jpg
#: Characters of the photo's SHA-256 kept with its samples (an identical photo is skipped).
DIGEST_CHARS = 32


def staff_from_file_name(stem: str) -> tuple[str, str] | None:
    """(staff id, name) from a photo named `<staff_id>_<name>`, or None."""
    match = PHOTO_NAME.fullmatch(stem)
    return (match.group(1), match.group(2)) if match else None


def photo_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class ImportJob:
    person_id: str
    name: str
    photos: list[Path]


@dataclass(frozen=True)
class Refusal:
    photo: str
    reason: str

    def __str__(self) -> str:
        return f"{self.photo}: {self.reason}"


@dataclass
class FolderPlan:
    jobs: list[ImportJob] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)  # before any photo is read


def plan_folder(folder: Path) -> FolderPlan:
    """The people to enrol and the files that cannot be (named wrong, bad id or name)."""
    plan = FolderPlan()
    for path in sorted(folder.iterdir()):
        if path.is_file():
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                if not path.name.startswith("."):
                    plan.refused.append(Refusal(str(path), "not a photo (by its suffix)"))
                continue
            staff = staff_from_file_name(path.stem)
            if staff is None:
                plan.refused.append(Refusal(str(path), "not named <staff_id>_<name>.jpg"))
                continue
            _add(plan, staff[0], staff[1], [path], str(path))
        elif path.is_dir():
            photos = sorted(p for p in path.iterdir()
                            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if photos:
                _add(plan, path.name, path.name.replace("_", " ").title(), photos, str(path))
            else:
                plan.refused.append(Refusal(str(path), "a folder without photos"))
    return plan


def _add(plan: FolderPlan, person_id: str, name: str, photos: list[Path], where: str) -> None:
    try:
        plan.jobs.append(ImportJob(check_id(person_id), check_name(name), photos))
    except BadInput as e:
        plan.refused.extend(Refusal(str(p), str(e)) for p in photos) if photos else \
            plan.refused.append(Refusal(where, str(e)))


def import_jobs(folder: Path) -> Iterator[tuple[str, str, list[Path]]]:
    """(staff id, name, photos) for every well-named person in the folder."""
    for job in plan_folder(folder).jobs:
        yield job.person_id, job.name, job.photos
