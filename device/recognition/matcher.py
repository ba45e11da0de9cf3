"""1:N search over the face library: best sample per person, exact distances.

Every sample is kept twice: as float32 (the stored encoding; answers are computed from it
in float64) and as an 8-bit code, `code = round(x / step) + 128` with one step for all
dimensions. A query is one pass over the codes (OpenCV's batchDistance: integer squared
distances, one thread, 128 bytes a sample instead of 512), which yields the `K` samples
nearest in code space; those are re-ranked with exact float64 distances.

Exactness does not rest on luck. With `e_x = ||x - decode(code_x)||` (kept per sample;
`E` its maximum) and `e_q` the same for the query, the triangle inequality gives

    ||x - q|| >= step * sqrt(D_x) - E - e_q        (D_x: integer code distance)

so once `T`, the exact distance of the `persons`-th distinct person among the re-ranked
samples, is known, every sample that could beat it has `D_x <= ((T + E + e_q) / step)**2`.
If the `K`-th code distance is above that bound, all such samples were re-ranked and the
answer equals brute force; otherwise the pass is repeated with a larger `K` (rare: `K`
adapts to what recent queries needed). The step grows (all codes are recomputed, O(n),
vectorised) when a new encoding would not fit in the 8-bit range, so codes never clip.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

DIM = 128
SHORTLIST = 48  # kept for compatibility: the starting K of a fresh index is adaptive now

_MIN_K = 32
_MAX_START_K = 1024
_HEADROOM = 1.25  # the code range covers 1.25x the largest |component| seen
_SLACK = 1e-9  # relative slack on the integer bound, for float rounding (proofs are ~1e-15)
_MIN_STEP = 1e-12
_CHUNK = 8192  # rows per chunk when (re)coding: small temporaries, a low load peak


@dataclass(frozen=True)
class Candidate:
    person_id: str
    distance: float
    sample_id: str


class FaceIndex:
    def __init__(self, dim: int = DIM, capacity: int = 1024) -> None:
        self.dim = dim
        capacity = max(1, int(capacity))
        self._n = 0
        self._vectors = np.zeros((capacity, dim), dtype=np.float32)  # the stored encodings
        self._codes = np.zeros((capacity, dim), dtype=np.uint8)
        self._errors = np.zeros(capacity, dtype=np.float64)  # ||x - decode(code)|| per row
        self._owner = np.zeros(capacity, dtype=np.int32)  # row -> person number
        self._step = 0.0  # 0: nothing coded yet
        self._max_error = 0.0
        self._sample_ids: list[str] = []
        self._known_samples: set[str] = set()
        self._person_numbers: dict[str, int] = {}
        self._person_ids: list[str] = []
        self._samples_of = np.zeros(64, dtype=np.int64)  # person number -> live samples
        self._persons = 0
        self._k_hint = 64
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return self._n

    @property
    def person_count(self) -> int:
        return self._persons

    # -- adding ---------------------------------------------------------------------------

    def add(self, sample_id: str, person_id: str, encoding: np.ndarray) -> None:
        self.add_matrix([sample_id], [person_id], np.asarray(encoding).reshape(1, -1))

    def add_many(self, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        rows = list(rows)
        if not rows:
            return
        sample_ids = [r[0] for r in rows]
        person_ids = [r[1] for r in rows]
        matrix = np.empty((len(rows), self.dim), dtype=np.float32)
        for i, r in enumerate(rows):
            vector = np.asarray(r[2])
            if vector.shape != (self.dim,):
                raise ValueError(f"encoding {i} has shape {vector.shape}, expected ({self.dim},)")
            matrix[i] = vector
        self._add(sample_ids, person_ids, matrix)

    def add_matrix(self, sample_ids: Sequence[str], person_ids: Sequence[str],
                   matrix: np.ndarray) -> None:
        """Bulk add: row i of `matrix` (n x dim) is sample `sample_ids[i]` of `person_ids[i]`.

        Same rules as `add`: a sample id already present (or repeated) is skipped.
        """
        matrix = np.asarray(matrix)
        if matrix.ndim != 2 or matrix.shape[1] != self.dim:
            raise ValueError(f"matrix has shape {matrix.shape}, expected (n, {self.dim})")
        if not len(sample_ids) == len(person_ids) == len(matrix):
            raise ValueError("sample_ids, person_ids and matrix rows differ in number")
        self._add(list(sample_ids), list(person_ids), matrix)

    def _add(self, sample_ids: list[str], person_ids: list[str], matrix: np.ndarray) -> None:
        if not sample_ids:
            return
        with self._lock:
            keep = self._new_rows(sample_ids)
            if keep is not None:
                if not keep:
                    return
                sample_ids = [sample_ids[i] for i in keep]
                person_ids = [person_ids[i] for i in keep]
                matrix = matrix[keep]
            start, end = self._n, self._n + len(sample_ids)
            self._reserve(end)
            vectors = self._vectors[start:end]
            with np.errstate(over="ignore", invalid="ignore"):
                vectors[:] = matrix  # float32: the stored encodings
            if not np.isfinite(vectors).all():
                vectors[:] = 0.0
                raise ValueError("encodings must be finite (in float32)")
            largest = max(float(vectors.max()), -float(vectors.min()))
            if self._step == 0.0 or largest > 127.0 * self._step:
                self._set_step(largest * _HEADROOM / 127.0, upto=start)
            self._code(start, end)
            numbers = self._numbers_of(person_ids)
            self._owner[start:end] = numbers
            counts = np.bincount(numbers, minlength=len(self._person_ids))
            before = self._samples_of[: len(counts)]
            self._persons += int(np.count_nonzero((counts > 0) & (before == 0)))
            before += counts
            self._sample_ids.extend(sample_ids)
            self._known_samples.update(sample_ids)
            self._n = end

    def _new_rows(self, sample_ids: list[str]) -> list[int] | None:
        """Indexes of the ids to add, or None if all of them are new and distinct."""
        known = self._known_samples
        if len(set(sample_ids)) == len(sample_ids) and known.isdisjoint(sample_ids):
            return None
        seen: set[str] = set()
        keep = []
        for i, sample_id in enumerate(sample_ids):
            if sample_id in known or sample_id in seen:
                continue
            seen.add(sample_id)
            keep.append(i)
        return keep

    def _numbers_of(self, person_ids: list[str]) -> np.ndarray:
        numbers = self._person_numbers
        out = np.empty(len(person_ids), dtype=np.int32)
        for i, person_id in enumerate(person_ids):
            number = numbers.get(person_id)
            if number is None:
                number = numbers[person_id] = len(self._person_ids)
                self._person_ids.append(person_id)
            out[i] = number
        if len(self._person_ids) > len(self._samples_of):
            grown = np.zeros(max(len(self._person_ids), 2 * len(self._samples_of)),
                             dtype=np.int64)
            grown[: len(self._samples_of)] = self._samples_of
            self._samples_of = grown
        return out

    # -- removing -------------------------------------------------------------------------

    def remove_person(self, person_id: str) -> int:
        with self._lock:
            number = self._person_numbers.get(person_id)
            if number is None or self._samples_of[number] == 0:
                return 0
            n = self._n
            rows = np.flatnonzero(self._owner[:n] == number)
            removed_ids = [self._sample_ids[row] for row in rows.tolist()]
            tail_start = n - len(rows)
            # Swap-compaction: the tail's rows that stay move into the holes before it.
            holes = rows[rows < tail_start]
            movers = np.arange(tail_start, n)[self._owner[tail_start:n] != number]
            if len(holes):
                for name in ("_vectors", "_codes", "_errors", "_owner"):
                    array = getattr(self, name)
                    array[holes] = array[movers]
                for hole, mover in zip(holes.tolist(), movers.tolist(), strict=True):
                    self._sample_ids[hole] = self._sample_ids[mover]
            del self._sample_ids[tail_start:]
            self._known_samples.difference_update(removed_ids)
            # Erase the freed rows: a removed person's encodings leave no copy behind.
            self._vectors[tail_start:n] = 0.0
            self._codes[tail_start:n] = 0
            self._errors[tail_start:n] = 0.0
            self._owner[tail_start:n] = 0
            self._n = tail_start
            self._samples_of[number] = 0
            self._persons -= 1
            self._max_error = float(self._errors[:tail_start].max()) if tail_start else 0.0
            return len(rows)

    # -- searching ------------------------------------------------------------------------

    def search(self, query: np.ndarray, persons: int = 2) -> list[Candidate]:
        """The best sample of each of the nearest `persons` people, nearest first."""
        q = np.asarray(query, dtype=np.float64).reshape(-1)
        if q.shape != (self.dim,):
            raise ValueError(f"query has shape {np.shape(query)}, expected ({self.dim},)")
        if not np.isfinite(q).all():
            raise ValueError("query must be finite")
        if persons < 1:
            return []
        with self._lock:
            n = self._n
            if n == 0:
                return []
            step = self._step
            units = q / step  # few numpy calls, in place: this runs once per query
            np.rint(units, out=units)
            np.clip(units, -128.0, 127.0, out=units)
            residual = q - units * step
            q_error = math.sqrt(float(residual @ residual))
            units += 128.0
            q_code = units.astype(np.uint8).reshape(1, -1)
            codes = self._codes[:n]
            k = min(n, self._k_hint)
            while True:
                code_d, rows = cv2.batchDistance(q_code, codes, cv2.CV_32S,
                                                 normType=cv2.NORM_L2SQR, K=k)
                code_d, rows = code_d[0], rows[0]
                best = self._rerank(rows, q, persons)
                if k == n:
                    break
                if len(best) == persons:
                    limit = (best[-1][1] + self._max_error + q_error) / step
                    limit = limit * limit * (1.0 + _SLACK) + 1e-6
                    if code_d.max() > limit:  # every row outside the K has a larger code_d
                        needed = int(np.count_nonzero(code_d <= limit))
                        self._k_hint = max(_MIN_K, min(_MAX_START_K, 2 * needed + 16))
                        break
                k = min(n, 4 * k)
            return [Candidate(self._person_ids[number], distance, self._sample_ids[row])
                    for number, distance, row in best]

    def _rerank(self, rows: np.ndarray, q: np.ndarray,
                persons: int) -> list[tuple[int, float, int]]:
        """(person number, exact distance, row) of the best `persons` people among `rows`."""
        diff = self._vectors.take(rows, axis=0).astype(np.float64)  # float32 -> exact
        diff -= q
        exact = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        order = np.lexsort((rows, exact))  # ties: the lower row, deterministic
        owners = self._owner[rows[order]]
        best: list[tuple[int, float, int]] = []
        seen: set[int] = set()
        for i, number in zip(order.tolist(), owners.tolist(), strict=True):
            if number in seen:
                continue
            seen.add(number)
            best.append((number, float(exact[i]), int(rows[i])))
            if len(best) == persons:
                break
        return best

    # -- storage --------------------------------------------------------------------------

    def _set_step(self, step: float, upto: int) -> None:
        """A coarser step, so that every component fits the code range; recode [0, upto)."""
        self._step = max(step, _MIN_STEP)
        self._max_error = 0.0
        self._code(0, upto)

    def _code(self, start: int, end: int) -> None:
        step = self._step
        for lo in range(start, end, _CHUNK):
            hi = min(end, lo + _CHUNK)
            x = self._vectors[lo:hi].astype(np.float64)
            units = np.rint(x / step)
            np.clip(units, -127, 127, out=units)
            self._codes[lo:hi] = (units + 128.0).astype(np.uint8)
            x -= units * step
            errors = np.sqrt(np.einsum("ij,ij->i", x, x))
            self._errors[lo:hi] = errors
            if len(errors):
                self._max_error = max(self._max_error, float(errors.max()))

    def _reserve(self, rows: int) -> None:
        capacity = len(self._vectors)
        if rows <= capacity:
            return
        capacity = max(rows, 1024, 2 * capacity)
        for name in ("_vectors", "_codes", "_errors", "_owner"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
