"""What a new password must be: at least 8 characters, not only spaces, and not one of the commonest passwords.

No composition rules (ASVS 5.0 6.2.5); the list of common passwords ships in common/domain/data (6.2.4).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 8
_LIST = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


@cache
def _common() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.lower() for line in lines if line and not line.startswith("#"))


def problem(password: str) -> str | None:
    """Why a password cannot be chosen, in words for the person choosing it; None when it can."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if not password.strip():
        return "a password of only spaces is not allowed"
    if password.lower() in _common():
        return "this is one of the most common passwords; choose one that is harder to guess"
    return None
