"""Text ids <-> dense numbers, compactly: one bytes array and a sorted array of hashes.

About 30 bytes an id, where a dict of str and a list cost ~120: for the people of a
100k-person library, 3 MB instead of 12, in a process that should stay under 250 MB.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class IdTable:
    def __init__(self) -> None:
        self._ids = np.zeros(64, dtype="S1")  # number -> id, UTF-8
        self._count = 0
        self._hashes = np.zeros(0, dtype=np.int64)  # sorted
        self._numbers = np.zeros(0, dtype=np.int32)  # the number of each hash's id

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, number: int) -> str:
        if not 0 <= number < self._count:
            raise IndexError(number)
        return self._ids[number].decode()

    def lookup(self, ids: Sequence[str]) -> np.ndarray:
        """The number of each id, -1 where unknown."""
        encoded = [encode_id(i) for i in ids]
        return self._lookup(encoded, _hash(ids))

    def intern(self, ids: Sequence[str]) -> np.ndarray:
        """The number of each id; unknown ids get the next numbers, in order of appearance."""
        encoded = [encode_id(i) for i in ids]
        hashes = _hash(ids)
        numbers = self._lookup(encoded, hashes)
        missing = np.flatnonzero(numbers < 0)
        if not len(missing):
            return numbers
        new: dict[bytes, int] = {}
        first_index: list[int] = []  # the batch index where each new id first appears
        for i in missing.tolist():
            number = new.get(encoded[i])
            if number is None:
                number = new[encoded[i]] = self._count + len(first_index)
                first_index.append(i)
            numbers[i] = number
        fresh = np.arange(self._count, self._count + len(first_index), dtype=np.int32)
        self._append([encoded[i] for i in first_index])
        new_hashes = hashes[first_index]
        sort = np.argsort(new_hashes, kind="stable")
        at = np.searchsorted(self._hashes, new_hashes[sort])
        self._hashes = np.insert(self._hashes, at, new_hashes[sort])
        self._numbers = np.insert(self._numbers, at, fresh[sort])
        return numbers

    def _lookup(self, encoded: list[bytes], hashes: np.ndarray) -> np.ndarray:
        out = np.full(len(encoded), -1, dtype=np.int32)
        if not len(self._hashes) or not len(encoded):
            return out
        at = np.searchsorted(self._hashes, hashes)
        inside = at < len(self._hashes)
        hit = np.zeros(len(encoded), dtype=bool)
        hit[inside] = self._hashes[at[inside]] == hashes[inside]
        for i in np.flatnonzero(hit).tolist():  # same hash: compare the ids themselves
            j = int(at[i])
            while j < len(self._hashes) and self._hashes[j] == hashes[i]:
                number = int(self._numbers[j])
                if self._ids[number] == encoded[i]:
                    out[i] = number
                    break
                j += 1
        return out

    def _append(self, encoded: list[bytes]) -> None:
        end = self._count + len(encoded)
        width = max(self._ids.dtype.itemsize, *map(len, encoded))
        if end > len(self._ids) or width > self._ids.dtype.itemsize:
            grown = np.zeros(max(end, 2 * len(self._ids)), dtype=f"S{width}")
            grown[: self._count] = self._ids[: self._count]
            self._ids = grown
        self._ids[self._count:end] = encoded
        self._count = end


def encode_id(text: str) -> bytes:
    """An id as stored: UTF-8, refused (ValueError) if empty, with NUL or not valid text."""
    try:
        encoded = text.encode()
    except UnicodeEncodeError as e:
        raise ValueError(f"an id must be valid text: {text!r}") from e
    if b"\0" in encoded or not encoded:
        raise ValueError(f"an id must be non-empty text without NUL characters: {text!r}")
    return encoded


def _hash(ids: Sequence[str]) -> np.ndarray:
    """Python's own str hash: fast, cached on the str, stable within the process."""
    return np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))
