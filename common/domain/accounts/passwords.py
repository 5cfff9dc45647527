"""Password hashing: bcrypt over a SHA-256 pre-hash, and a dummy hash that keeps unknown emails as slow."""

from __future__ import annotations

import base64
import hashlib
import uuid

import bcrypt


def _prehash(password: str) -> bytes:
    # bcrypt reads only 72 bytes; a SHA-256 pre-hash lets long passphrases count in full.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), hashed.encode())
    except ValueError:
        return False


def needs_rehash(hashed: str, rounds: int) -> bool:
    """A hash made at a lower cost than today's target (`$2b$<cost>$…`)."""
    try:
        return int(hashed.split("$")[2]) < rounds
    except (IndexError, ValueError):
        return True


_dummy_hashes: dict[int, str] = {}


def dummy_hash(rounds: int) -> str:
    """A hash to check unknown emails against, so a login costs the same whether or not the email exists."""
    if rounds not in _dummy_hashes:
        _dummy_hashes[rounds] = hash_password(uuid.uuid4().hex, rounds)
    return _dummy_hashes[rounds]
