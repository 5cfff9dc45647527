"""Typed domain errors; the HTTP layer maps each to a status and a JSON error body in one place."""

from __future__ import annotations


class AppError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}  # e.g. Retry-After on a 429
        if code:
            self.code = code


class Invalid(AppError):
    status = 422
    code = "invalid"


class BadRequest(AppError):
    status = 400
    code = "bad_request"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    """Signed in, but this credential may not do this (a read-only API key writing, a key managing keys)."""

    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class PreconditionRequired(AppError):
    status = 428
    code = "precondition_required"


class TooLarge(AppError):
    status = 413
    code = "file_too_large"


class UnsupportedMedia(AppError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"


class Unavailable(AppError):
    """A dependency is down for now; the caller should try again (5xx, so webhooks are retried)."""

    status = 503
    code = "unavailable"
