"""Declaring uploads, presigned PUT/GET against moto's S3 server over HTTP, and who may see what."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests import http_client
from tests.api import Api, signed_up
from tests.conftest import TEST_ENV, unique_email
from tests.pipeline.helpers import storage_event

pytestmark = pytest.mark.usefixtures("clean_db", "s3_endpoint")
FILES = "/api/v1/files"


def declare(api: Api, data: bytes = b"RIFF....WAVEfmt ", name: str = "talk.wav", ctype: str = "audio/wav") -> dict:
    res = api.post(FILES, {"filename": name, "content_type": ctype, "size": len(data)})
    assert res.status == 201, res.text
    return res.json


def object_key(url: str) -> str:
    path = urlsplit(url).path.lstrip("/")
    return path.split("/", 1)[1]  # path-style: /<bucket>/<key>


def test_presigned_put_uploads_the_bytes_and_get_downloads_them() -> None:
    api = signed_up(unique_email())
    data = b"RIFF" + bytes(range(256)) * 40
    declared = declare(api, data, name="Интервью #1 (final).wav")
    upload = declared["upload"]
    assert declared["file"]["status"] == "awaiting_upload"
    assert upload["method"] == "PUT" and upload["headers"] == {"Content-Type": "audio/wav"}
    assert http_client.put(upload["url"], data, upload["headers"]) == 200

    file_id = declared["file"]["id"]
    assert api.get(f"{FILES}/{file_id}/download").error_code == "file_not_uploaded"

    from functions.upload_trigger.index import handler as trigger

    trigger(storage_event(TEST_ENV["S3_BUCKET"], object_key(upload["url"])), None)
    link = api.get(f"{FILES}/{file_id}/download")
    assert link.status == 200
    status, body, _ = http_client.get(link.json["url"])
    assert (status, body) == (200, data)


def test_presigned_put_is_bound_to_key_type_and_a_short_expiry() -> None:
    api = signed_up(unique_email())
    me = api.get("/api/v1/auth/me").json["id"]
    declared = declare(api, name="../../etc/passwd.mp3", ctype="audio/mpeg")
    url = declared["upload"]["url"]
    key = object_key(url)
    assert key == f"uploads/{me}/{declared['file']['id']}/passwd.mp3"
    query = parse_qs(urlsplit(url).query)
    assert {"content-type", "content-length"} <= set(query["X-Amz-SignedHeaders"][0].split(";"))
    assert int(query["X-Amz-Expires"][0]) == 900


def test_the_upload_url_takes_exactly_the_declared_size_and_type() -> None:
    api = signed_up(unique_email())
    declared = declare(api, b"RIFF" + b"0" * 8)
    upload = declared["upload"]
    assert http_client.put(upload["url"], b"RIFF" + b"0" * 20, upload["headers"]) == 403  # more than declared
    assert http_client.put(upload["url"], b"RIFF", upload["headers"]) == 403  # less
    assert http_client.put(upload["url"], b"RIFF" + b"0" * 8, {"Content-Type": "text/html"}) == 403
    assert http_client.put(upload["url"], b"RIFF" + b"0" * 8, upload["headers"]) == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"filename": "a.pdf", "content_type": "application/pdf", "size": 10}, 415, "unsupported_media_type"),
        ({"filename": "a", "content_type": "", "size": 10}, 415, "unsupported_media_type"),
        ({"filename": "a.wav", "content_type": "audio/wav", "size": 5 * 1024**3 + 1}, 413, "file_too_large"),
        ({"filename": "a.wav", "content_type": "audio/wav", "size": 0}, 422, "invalid"),
        ({"filename": "a.wav", "content_type": "audio/wav", "size": "10"}, 422, "invalid"),
        ({"filename": "", "content_type": "audio/wav", "size": 10}, 422, "invalid"),
        ({"content_type": "audio/wav", "size": 10}, 422, "invalid"),
    ],
)
def test_bad_declarations_get_no_url(body: dict, status: int, code: str) -> None:
    res = signed_up(unique_email()).post(FILES, body)
    assert (res.status, res.error_code) == (status, code), res.text
    assert "upload" not in res.json


def test_too_large_message_names_the_limit() -> None:
    res = signed_up(unique_email()).post(FILES, {"filename": "a.wav", "content_type": "audio/wav", "size": 6 * 1024**3})
    assert "5.0 GB" in res.json["error"]["message"]


def test_another_users_file_is_not_found() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    file_id = declare(owner)["file"]["id"]
    res = other.get(f"{FILES}/{file_id}/download")
    assert (res.status, res.error_code) == (404, "file_not_found")
    assert other.get(f"{FILES}/not-a-uuid/download").status == 404
    assert Api().get(f"{FILES}/{file_id}/download").status == 401
