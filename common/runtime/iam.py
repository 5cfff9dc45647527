"""The function's IAM token, as Cloud Functions hands it over with each invocation (`context.token`).

"If a function has a service account specified, the `token` parameter contains … `access_token`: IAM token"
(Yandex Cloud Functions, Python, "Invocation context"). Whether it is a dict or an object is not stated, so both are
read. Kept for the invocation, so an adapter deep below the handler can sign with it without threading it through.
"""

from __future__ import annotations

from typing import Any

_token: str | None = None


def remember(context: Any) -> None:
    """Called by every entry point with its context; a context without a token (no service account) clears it."""
    global _token
    raw = getattr(context, "token", None)
    if raw is None and isinstance(context, dict):
        raw = context.get("token")
    value = raw.get("access_token") if isinstance(raw, dict) else getattr(raw, "access_token", None)
    _token = value if isinstance(value, str) and value else None


def token() -> str | None:
    return _token
