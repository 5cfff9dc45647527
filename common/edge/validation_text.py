"""Pydantic's validation errors as sentences a person can act on ("Email: enter an address like …"), never its
internal wording ("Value error, …", "Input should be …")."""

from __future__ import annotations

from typing import Any

_FIELDS = {
    "email": "Email",
    "password": "Password",
    "current_password": "Current password",
    "new_password": "New password",
    "filename": "File name",
    "content_type": "File type",
    "size": "File size",
    "file_id": "File",
    "language": "Language",
    "mode": "Mode",
    "speakers_expected": "Number of speakers",
}


def _field(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1]) if loc else ""
    return _FIELDS.get(name, name.replace("_", " ").capitalize() or "The request")


def _sentence(err: dict[str, Any]) -> str:
    kind, ctx, field = err.get("type", ""), err.get("ctx") or {}, _field(tuple(err.get("loc") or ()))
    if kind == "missing":
        return f"{field} is required"
    if kind == "extra_forbidden":
        return f"{field} is not something this request takes"
    if kind == "value_error":
        return f"{field}: {ctx.get('error', err.get('msg', ''))}".rstrip(": ")
    if kind in ("string_too_short", "too_short"):
        n = ctx.get("min_length", 1)
        return f"{field} cannot be empty" if n == 1 else f"{field} needs at least {n} characters"
    if kind in ("string_too_long", "too_long"):
        return f"{field} is too long (at most {ctx.get('max_length')} characters)"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{field} must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{field} must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{field} must be a whole number"
    if kind in ("string_type", "string_unicode"):
        return f"{field} must be text"
    if kind in ("uuid_type", "uuid_parsing"):
        return f"{field} is not a valid id"
    if kind in ("literal_error", "enum"):
        return f"{field} must be one of {ctx.get('expected', 'the listed values')}"
    if kind == "model_type" or kind == "dict_type":
        return "The request body must be a JSON object"
    return f"{field} is not valid"


def describe(errors: list[dict[str, Any]]) -> str:
    """One message for all the problems, each a short sentence; the first letter capitalised."""
    sentences = []
    for err in errors:
        sentence = _sentence(err)
        if sentence and sentence not in sentences:
            sentences.append(sentence[0].upper() + sentence[1:])
    return "; ".join(sentences) + "." if sentences else "The request is not valid."
