"""Server-chosen object keys: `uploads/<user>/<file>/<sanitised name>`, safe whatever the client named the file."""

from __future__ import annotations

import re
import unicodedata
import uuid

UPLOAD_PREFIX = "uploads/"
STORED_PREFIX = "media/"  # accepted recordings: written by server-side copy only, never by a presigned URL
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 120


def sanitise_filename(name: str) -> str:
    """ASCII letters, digits, dot, dash and underscore only; no path parts, no leading dots, bounded length."""
    base = re.split(r"[\\/]", name)[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_name).strip("._-")
    cleaned = re.sub(r"_+", "_", cleaned)
    if len(cleaned) > _MAX_NAME:
        stem, dot, ext = cleaned.rpartition(".")
        ext = ext[:16] if dot and stem else ""
        cleaned = cleaned[: _MAX_NAME - len(ext) - 1].rstrip("._-") + (f".{ext}" if ext else "")
    return cleaned or "recording"


def upload_key(user_id: uuid.UUID, file_id: uuid.UUID, filename: str) -> str:
    return f"{UPLOAD_PREFIX}{user_id}/{file_id}/{sanitise_filename(filename)}"


def stored_key(upload: str, etag: str) -> str:
    """Where an accepted upload's verified bytes are kept: named by their etag, so each copy has its own key."""
    return STORED_PREFIX + upload.removeprefix(UPLOAD_PREFIX).rsplit("/", 1)[0] + f"/{etag.replace('-', '_')}"


def parse_upload_key(key: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(user id, file id) of a key we issued, or None for anything else."""
    parts = key.split("/")
    if len(parts) != 4 or f"{parts[0]}/" != UPLOAD_PREFIX:
        return None
    try:
        return uuid.UUID(parts[1]), uuid.UUID(parts[2])
    except ValueError:
        return None
