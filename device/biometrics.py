"""Biometric data at rest: sealed per subject so it can be erased (crypto-shredding).

Encodings and face crops travel in events as AES-GCM ciphertext under a key kept in
`subject_keys`, one per person (or per alert snapshot). Removing the person destroys the
key (and SQLite's secure_delete zeroes the freed page): the ciphertext in the log can no
longer be opened, while its hash still verifies.
"""

from __future__ import annotations

import os
import struct

import numpy as np
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from device.storage.driver import driver
from device.storage.schema import subject_keys

ENCODING_DIM = 128
_NONCE_BYTES = 12
_HEADER = struct.Struct("<HI")  # encoding dimension, encoding byte length


def person_key_id(person_id: str) -> str:
    return f"person:{person_id}"


def alert_key_id(alert_id: str) -> str:
    return f"alert:{alert_id}"


_SELECT_KEY = "SELECT key FROM subject_keys WHERE key_id = ?"
_INSERT_KEY = "INSERT INTO subject_keys (key_id, key) VALUES (?, ?)"


def key_for(connection: sa.Connection, key_id: str, create: bool = False) -> bytes | None:
    row = driver(connection).execute(_SELECT_KEY, (key_id,)).fetchone()
    key = row[0] if row else None
    if key is None and create:
        key = AESGCM.generate_key(bit_length=256)
        driver(connection).execute(_INSERT_KEY, (key_id, key))
    return key


def destroy_key(connection: sa.Connection, key_id: str) -> None:
    connection.execute(subject_keys.delete().where(subject_keys.c.key_id == key_id))


def seal(key: bytes, plaintext: bytes, context: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def unseal(key: bytes, sealed: bytes, context: str) -> bytes | None:
    """The plaintext, or None if it cannot be opened (wrong key, damaged bytes)."""
    try:
        return AESGCM(key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError):
        return None


def pack_sample(encoding: np.ndarray, crop_jpeg: bytes) -> bytes:
    raw = np.asarray(encoding, dtype="<f8").tobytes()
    return _HEADER.pack(len(encoding), len(raw)) + raw + crop_jpeg


def unpack_sample(plaintext: bytes) -> tuple[np.ndarray, bytes]:
    dim, length = _HEADER.unpack_from(plaintext)
    start = _HEADER.size
    encoding = np.frombuffer(plaintext[start:start + length], dtype="<f8").copy()
    if encoding.shape != (dim,):
        raise ValueError("sealed sample is damaged")
    return encoding, plaintext[start + length:]


def encoding_to_blob(encoding: np.ndarray) -> bytes:
    return np.asarray(encoding, dtype="<f8").tobytes()


def blob_to_encoding(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f8")


__all__ = [
    "alert_key_id", "blob_to_encoding", "destroy_key", "encoding_to_blob", "key_for",
    "pack_sample", "person_key_id", "seal", "unpack_sample", "unseal",
]
