"""Plain HTTP for presigned URLs, as a browser would send it (no AWS SDK in the way)."""

from __future__ import annotations

import urllib.error
import urllib.request


def put(url: str, data: bytes, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=data, method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return int(res.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as res:
            return int(res.status), res.read(), dict(res.headers)
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(), dict(exc.headers)


def post_json(url: str, payload: object, headers: dict[str, str] | None = None) -> int:
    import json

    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=15) as res:
            return int(res.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def put_etag(url: str, data: bytes) -> tuple[int, str]:
    """A PUT of one part, and the ETag storage answered with (what completing the upload needs)."""
    # An explicit type: urllib would otherwise label the bytes a form, which moto then parses as one.
    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return int(res.status), str(res.headers.get("ETag", "")).strip('"')
