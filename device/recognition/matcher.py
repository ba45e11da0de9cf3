"""1:N search over the face library: best sample per person, exact distances.

Each sample is held in 2.5 bytes a dimension (320 B at 128-d, against 512 for float32):
an 8-bit code, `code = round(x / step) + 128` with one step for all dimensions, and a
12-bit remainder in steps of `step / 4094`. Together they give the stored encoding
`x~ = (code - 128) * step + fine * step / 4094`, within `sqrt(dim) * step / 8188` of the
encoding given: under 7e-6 for dlib's encodings, whose components stay under 0.5, so
distances agree with float64 brute force on the originals to 1e-5 (`resolution` says how
close for the library at hand). Answers are computed from `x~` in float64.

A query is one pass over the codes alone (native/codescan.c: integer squared distances and
the top K, 128 bytes a sample; OpenCV's batchDistance without a compiler), then the K best
rows are re-ranked with exact float64 distances to `x~`.

Exactness does not rest on luck. With `e_x = ||x~ - decode(code_x)||` (`E` their maximum
when coded; removals leave it as it is, still an upper bound) and `e_q` the same for the
query, the triangle inequality gives

    ||x~ - q|| >= step * sqrt(D_x) - E - e_q        (D_x: integer code distance)

so once `T`, the exact distance of the `persons`-th distinct person among the re-ranked
samples, is known, every sample that could beat it has `D_x <= ((T + E + e_q) / step)**2`.
If the `K`-th code distance is above that bound, all such samples were re-ranked and the
answer equals brute force over `x~`; otherwise the pass is repeated with a larger `K` (rare:
`K` adapts to what recent queries needed). The step grows (all codes are recomputed from
`x~`, O(n), vectorised) when a new encoding would not fit in the 8-bit range, so codes
never clip; `resolution` bounds how far any `x~` may be from the encoding given.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from device.recognition.idtable import IdTable, encode_id
from device.recognition.native import code_norms, exact_distances, nearest_codes

DIM = 128

_MIN_K = 32
_MAX_START_K = 1024
_HEADROOM = 1.25  # the code range covers 1.25x the largest |component| seen
_FINE = 4094  # remainder steps per code step: |remainder| <= 2047 fine steps, 12 bits
_SLACK = 1e-9  # relative slack on the integer bound, for float rounding (proofs are ~1e-15)
_MIN_STEP = 1e-12
_LARGEST = float(np.finfo(np.float32).max)
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
        self._codes = np.zeros((capacity, dim), dtype=np.uint8)
        self._norms = np.zeros(capacity, dtype=np.int32)  # of the codes, for the scan
        self._fine = np.zeros((capacity, _packed_width(dim)), dtype=np.uint8)  # 12-bit pairs
        self._owner = np.zeros(capacity, dtype=np.int32)  # row -> person number
        self._ids = np.zeros(capacity, dtype="S1")  # row -> sample id, UTF-8
        self._id_hashes = np.zeros(0, dtype=np.int64)  # hash() of every id, sorted
        self._step = 0.0  # 0: nothing coded yet
        self._max_error = 0.0  # E: >= ||x~ - decode(code)|| of every row
        self._resolution = 0.0  # bound on ||x~ - the encoding given|| over all rows
        self._people = IdTable()  # person id <-> person number
        self._samples_of = np.zeros(64, dtype=np.int32)  # person number -> live samples
        self._persons = 0
        self._k_hint = 64
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return self._n

    @property
    def person_count(self) -> int:
        return self._persons

    @property
    def resolution(self) -> float:
        """How far a stored encoding may be from the one given (Euclidean), at most."""
        return self._resolution

    def stored(self) -> tuple[list[str], list[str], np.ndarray]:
        """(sample ids, person ids, the stored encodings x~ in float64), row by row."""
        with self._lock:
            n = self._n
            return ([i.decode() for i in self._ids[:n].tolist()],
                    [self._people[o] for o in self._owner[:n].tolist()],
                    self._decode(np.arange(n)))

    # -- adding ---------------------------------------------------------------------------

    def add(self, sample_id: str, person_id: str, encoding: np.ndarray) -> None:
        self.add_matrix([sample_id], [person_id], np.asarray(encoding).reshape(1, -1))

    def add_many(self, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        rows = list(rows)
        if not rows:
            return
        sample_ids = [r[0] for r in rows]
        person_ids = [r[1] for r in rows]
        matrix = np.empty((len(rows), self.dim), dtype=np.float64)
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
        largest = max(float(matrix.max()), -float(matrix.min()))  # NaN propagates
        if not largest <= _LARGEST:
            raise ValueError("encodings must be finite (and within float32's range)")
        encoded = [encode_id(s) for s in sample_ids]
        with self._lock:
            hashes = np.fromiter(map(hash, sample_ids), dtype=np.int64, count=len(sample_ids))
            keep = self._new_rows(sample_ids, encoded, hashes)
            if keep is not None:
                if not keep:
                    return
                sample_ids = [sample_ids[i] for i in keep]
                person_ids = [person_ids[i] for i in keep]
                encoded = [encoded[i] for i in keep]
                hashes = hashes[keep]
                matrix = matrix[keep]
            numbers = self._numbers_of(person_ids)  # first: it refuses a bad person id
            start, end = self._n, self._n + len(sample_ids)
            self._reserve(end, max(map(len, encoded)))
            largest = max(float(matrix.max()), -float(matrix.min()))
            if self._step == 0.0 or largest > 127.0 * self._step:
                self._set_step(largest * _HEADROOM / 127.0, upto=start)
            self._resolution = max(self._resolution, self._code(start, matrix))
            self._owner[start:end] = numbers
            counts = np.bincount(numbers, minlength=len(self._people))
            before = self._samples_of[: len(counts)]
            self._persons += int(np.count_nonzero((counts > 0) & (before == 0)))
            before += counts
            self._ids[start:end] = encoded
            hashes = np.sort(hashes)  # merged in O(n): no re-sort of the whole library
            self._id_hashes = np.insert(self._id_hashes,
                                        np.searchsorted(self._id_hashes, hashes), hashes)
            self._n = end

    def _new_rows(self, sample_ids: list[str], encoded: list[bytes],
                  hashes: np.ndarray) -> list[int] | None:
        """Indexes of the ids to add, or None if all of them are new and distinct."""
        known = self._id_hashes
        maybe = np.zeros(len(hashes), dtype=bool)
        if len(known):
            at = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
            maybe = known[at] == hashes
        if not maybe.any() and len(set(sample_ids)) == len(sample_ids):
            return None
        stored = self._ids[: self._n]
        seen: set[str] = set()
        keep = []
        for i, sample_id in enumerate(sample_ids):
            if sample_id in seen or (maybe[i] and bool((stored == encoded[i]).any())):
                continue  # a hash match alone is not enough: the id itself must match
            seen.add(sample_id)
            keep.append(i)
        return keep

    def _numbers_of(self, person_ids: list[str]) -> np.ndarray:
        out = self._people.intern(person_ids)
        if len(self._people) > len(self._samples_of):
            grown = np.zeros(max(len(self._people), 2 * len(self._samples_of)),
                             dtype=np.int32)
            grown[: len(self._samples_of)] = self._samples_of
            self._samples_of = grown
        return out

    # -- removing -------------------------------------------------------------------------

    def remove_person(self, person_id: str) -> int:
        with self._lock:
            number = int(self._people.lookup([person_id])[0])
            if number < 0 or self._samples_of[number] == 0:
                return 0
            n = self._n
            rows = np.flatnonzero(self._owner[:n] == number)
            removed = [hash(i.decode()) for i in self._ids[rows].tolist()]
            tail_start = n - len(rows)
            # Swap-compaction: the tail's rows that stay move into the holes before it.
            holes = rows[rows < tail_start]
            movers = np.arange(tail_start, n)[self._owner[tail_start:n] != number]
            if len(holes):
                for name in ("_codes", "_norms", "_fine", "_owner", "_ids"):
                    array = getattr(self, name)
                    array[holes] = array[movers]
            keep = np.ones(len(self._id_hashes), dtype=bool)
            for h in removed:  # one occurrence each: two ids may share a hash
                at = int(np.searchsorted(self._id_hashes, h))
                while not keep[at]:
                    at += 1
                keep[at] = False
            self._id_hashes = self._id_hashes[keep]
            # Erase the freed rows: a removed person's encodings leave no copy behind.
            for name in ("_codes", "_norms", "_fine", "_owner"):
                getattr(self, name)[tail_start:n] = 0
            self._ids[tail_start:n] = b""
            self._n = tail_start
            self._samples_of[number] = 0
            self._persons -= 1
            if not tail_start:  # E stays an upper bound for the rows left otherwise
                self._max_error = 0.0
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
            q_code = units.astype(np.uint8)
            codes = self._codes[:n]
            k = min(n, self._k_hint)
            while True:
                code_d, rows = nearest_codes(codes, self._norms, q_code, k)
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
            return [Candidate(self._people[number], distance, self._ids[row].decode())
                    for number, distance, row in best]

    def _rerank(self, rows: np.ndarray, q: np.ndarray,
                persons: int) -> list[tuple[int, float, int]]:
        """(person number, exact distance, row) of the best `persons` people among `rows`."""
        exact = exact_distances(self._codes, self._fine, rows, q, self._step,
                                self._step / _FINE)
        if exact is None:  # no compiled library: the same arithmetic in numpy
            diff = self._decode(rows)
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

    def _decode(self, rows: np.ndarray, step: float | None = None) -> np.ndarray:
        """x~ of `rows`, float64: code and remainder put back together."""
        step = self._step if step is None else step
        x = self._codes.take(rows, axis=0).astype(np.float64)
        x -= 128.0
        x *= step
        fine = _unpack12(self._fine.take(rows, axis=0), self.dim)
        fine *= step / _FINE
        x += fine
        return x

    def _set_step(self, step: float, upto: int) -> None:
        """A coarser step, so that every component fits the code range; recode [0, upto)."""
        old, self._step = self._step, max(step, _MIN_STEP)
        self._max_error = 0.0
        drift = 0.0
        for lo in range(0, upto, _CHUNK):  # chunk by chunk: x~ under the old step, recoded
            x = self._decode(np.arange(lo, min(upto, lo + _CHUNK)), old)
            drift = max(drift, self._code(lo, x))
        self._resolution += drift  # the old x~ were already this far from the originals

    def _code(self, start: int, matrix: np.ndarray) -> float:
        """Code rows `start...` from `matrix`; how far the new x~ land from it, at most."""
        step = self._step
        fine_step = step / _FINE
        largest_drift = 0.0
        for lo in range(0, len(matrix), _CHUNK):
            x = np.asarray(matrix[lo:lo + _CHUNK], dtype=np.float64)
            rows = slice(start + lo, start + lo + len(x))
            units = np.rint(x / step)
            np.clip(units, -127, 127, out=units)
            self._codes[rows] = (units + 128.0).astype(np.uint8)
            self._norms[rows] = code_norms(self._codes[rows])
            rest = x - units * step
            fine = np.rint(rest / fine_step)
            np.clip(fine, -2047, 2047, out=fine)
            self._fine[rows] = _pack12(fine)
            fine *= fine_step
            errors = np.sqrt(np.einsum("ij,ij->i", fine, fine))
            rest -= fine
            drift = np.sqrt(np.einsum("ij,ij->i", rest, rest))
            if len(x):
                self._max_error = max(self._max_error, float(errors.max()))
                largest_drift = max(largest_drift, float(drift.max()))
        return largest_drift

    def _reserve(self, rows: int, id_width: int) -> None:
        if id_width > self._ids.dtype.itemsize:
            self._ids = self._ids.astype(f"S{id_width}")
        capacity = len(self._codes)
        if rows <= capacity:
            return
        capacity = max(rows, 1024, 2 * capacity)
        for name in ("_codes", "_norms", "_fine", "_owner", "_ids"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)


def _packed_width(dim: int) -> int:
    return (dim + 1) // 2 * 3


def _pack12(fine: np.ndarray) -> np.ndarray:
    """(m, dim) integers in [-2047, 2047] -> (m, 3 * ceil(dim / 2)) bytes, two to 3 bytes."""
    m, dim = fine.shape
    u = np.zeros((m, dim + dim % 2), dtype=np.uint16)
    u[:, :dim] = (fine + 2048).astype(np.uint16)
    low, high = u[:, 0::2], u[:, 1::2]
    out = np.empty((m, low.shape[1], 3), dtype=np.uint8)
    out[:, :, 0] = low & 0xFF
    out[:, :, 1] = (low >> 8) | ((high & 0x0F) << 4)
    out[:, :, 2] = high >> 4
    return out.reshape(m, -1)


def _unpack12(packed: np.ndarray, dim: int) -> np.ndarray:
    """The inverse of `_pack12`, as float64."""
    b = packed.reshape(len(packed), packed.shape[1] // 3, 3).astype(np.int32)
    out = np.empty((len(packed), b.shape[1] * 2))
    out[:, 0::2] = b[:, :, 0] | ((b[:, :, 1] & 0x0F) << 8)
    out[:, 1::2] = (b[:, :, 1] >> 4) | (b[:, :, 2] << 4)
    out -= 2048.0
    return out[:, :dim]
