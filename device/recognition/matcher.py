"""1:N search over the face library: best sample per person, exact distances.

Vectors live in one contiguous float32 matrix with precomputed squared norms, so a query
is one matrix-vector product (||x||^2 - 2 x.q); a short list is then re-ranked with exact
float64 Euclidean distances, which are what decisions and reports use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

DIM = 128
SHORTLIST = 48


@dataclass(frozen=True)
class Candidate:
    person_id: str
    distance: float
    sample_id: str


class FaceIndex:
    def __init__(self, dim: int = DIM, capacity: int = 1024) -> None:
        self.dim = dim
        self._vectors = np.zeros((capacity, dim), dtype=np.float32)
        self._norms = np.zeros(capacity, dtype=np.float32)
        self._owner = np.zeros(capacity, dtype=np.int64)  # row -> person number
        self._sample_ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._person_numbers: dict[str, int] = {}
        self._person_ids: list[str] = []
        self._rows_of_person: dict[str, set[int]] = {}
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._sample_ids)

    @property
    def person_count(self) -> int:
        return sum(1 for rows in self._rows_of_person.values() if rows)

    def add(self, sample_id: str, person_id: str, encoding: np.ndarray) -> None:
        with self._lock:
            if sample_id in self._row_of:
                return
            row = len(self._sample_ids)
            if row == len(self._vectors):
                self._grow()
            vector = np.asarray(encoding, dtype=np.float32)
            self._vectors[row] = vector
            self._norms[row] = float(vector @ vector)
            number = self._person_numbers.get(person_id)
            if number is None:
                number = len(self._person_ids)
                self._person_numbers[person_id] = number
                self._person_ids.append(person_id)
            self._owner[row] = number
            self._sample_ids.append(sample_id)
            self._row_of[sample_id] = row
            self._rows_of_person.setdefault(person_id, set()).add(row)

    def add_many(self, rows: list[tuple[str, str, np.ndarray]]) -> None:
        with self._lock:
            needed = len(self._sample_ids) + len(rows)
            while needed > len(self._vectors):
                self._grow()
            for sample_id, person_id, encoding in rows:
                self.add(sample_id, person_id, encoding)

    def remove_person(self, person_id: str) -> int:
        with self._lock:
            rows = sorted(self._rows_of_person.pop(person_id, set()), reverse=True)
            for row in rows:
                self._remove_row(row)
            return len(rows)

    def search(self, query: np.ndarray, persons: int = 2) -> list[Candidate]:
        """The best sample of each of the nearest `persons` people, nearest first."""
        with self._lock:
            count = len(self._sample_ids)
            if count == 0:
                return []
            q32 = np.asarray(query, dtype=np.float32)
            approx = self._norms[:count] - 2.0 * (self._vectors[:count] @ q32)
            short = min(count, SHORTLIST)
            rows = np.argpartition(approx, short - 1)[:short] if short < count else np.arange(count)
            exact = np.linalg.norm(
                self._vectors[rows].astype(np.float64) - np.asarray(query, dtype=np.float64),
                axis=1)
            order = np.argsort(exact, kind="stable")
            best: list[Candidate] = []
            seen: set[int] = set()
            for i in order:
                row = int(rows[i])
                number = int(self._owner[row])
                if number in seen:
                    continue
                seen.add(number)
                best.append(Candidate(self._person_ids[number], float(exact[i]),
                                      self._sample_ids[row]))
                if len(best) == persons:
                    break
            return best

    def _grow(self) -> None:
        capacity = max(1024, len(self._vectors) * 2)
        for name in ("_vectors", "_norms", "_owner"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _remove_row(self, row: int) -> None:
        last = len(self._sample_ids) - 1
        removed_id = self._sample_ids[row]
        if row != last:  # move the last row into the hole
            moved_id = self._sample_ids[last]
            self._vectors[row] = self._vectors[last]
            self._norms[row] = self._norms[last]
            self._owner[row] = self._owner[last]
            self._sample_ids[row] = moved_id
            self._row_of[moved_id] = row
            moved_person = self._person_ids[int(self._owner[row])]
            rows = self._rows_of_person[moved_person]
            rows.discard(last)
            rows.add(row)
        self._vectors[last] = 0.0
        self._sample_ids.pop()
        del self._row_of[removed_id]
