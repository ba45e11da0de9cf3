"""The face-library checksum devices and the hub both compute to prove they converged."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def library_checksum(people: Iterable[tuple[str, str]],
                     samples: Iterable[tuple[str, str]]) -> str:
    """SHA-256 over every (person id, name) and each person's sorted sample ids."""
    by_person: dict[str, list[str]] = {}
    for sample_id, person_id in samples:
        by_person.setdefault(person_id, []).append(sample_id)
    digest = hashlib.sha256()
    for person_id, name in sorted(people):
        digest.update(person_id.encode() + b"\x1f" + name.encode() + b"\x1f")
        digest.update(",".join(sorted(by_person.get(person_id, []))).encode() + b"\x1e")
    return digest.hexdigest()[:16]
