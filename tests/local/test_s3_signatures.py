"""The local S3 enforces Signature V4 as Object Storage does: what a browser, a boto3 caller or an attacker sees."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local.storage import S3Server
from tests import http_client

BUCKET, PUBLIC, REGION = "media", "public", "ru-central1"


@pytest.fixture
def key() -> str:
    return f"uploads/u1/{uuid.uuid4()}/talk.wav"  # moto's store outlives a server: every test writes its own keys


@pytest.fixture
def seen() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def s3(seen: list[tuple[str, str]]) -> Iterator[S3Server]:
    server = S3Server("127.0.0.1", 0, BUCKET, REGION, lambda b, k: seen.append((b, k)), public_read_buckets=[PUBLIC])
    server.start()
    yield server
    server.stop()


def client(s3: S3Server, key_id: str = "local", secret: str = "local") -> Any:
    return boto3.client(
        "s3",
        endpoint_url=s3.endpoint,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )


def presign_put(s3: S3Server, key: str, content_type: str = "audio/wav", expires: int = 900) -> str:
    params = {"Bucket": BUCKET, "Key": key, "ContentType": content_type}
    return str(s3.client().generate_presigned_url("put_object", Params=params, ExpiresIn=expires))


def call(url: str, method: str = "GET", data: bytes | None = None, **headers: str) -> tuple[int, bytes, Any]:
    """A browser-like request; header names use underscores (Content_Type=...)."""
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    req = urllib.request.Request(url, data=data, method=method, headers=named)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return int(res.status), res.read(), res.headers
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(), exc.headers


def s3_error(body: bytes) -> tuple[str, str]:
    root = ET.fromstring(body)  # noqa: S314 - our own server's answer
    assert root.tag == "Error" and root.findtext("RequestId")
    return root.findtext("Code") or "", root.findtext("Message") or ""


def exists(s3: S3Server, key: str, bucket: str = BUCKET) -> bool:
    try:
        s3.client().head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def code_of(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_a_presigned_put_with_the_signed_type_uploads(s3: S3Server, key: str, seen: list[tuple[str, str]]) -> None:
    assert http_client.put(presign_put(s3, key), b"RIFF", {"Content-Type": "audio/wav"}) == 200
    assert s3.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"RIFF"
    assert seen == [(BUCKET, key)]


def test_the_url_cannot_upload_to_another_users_path(s3: S3Server, key: str, seen: list[tuple[str, str]]) -> None:
    stolen = presign_put(s3, key).replace("/uploads/u1/", "/uploads/u2/")
    status, body, headers = call(stolen, "PUT", b"RIFF", Content_Type="audio/wav")
    assert status == 403 and s3_error(body)[0] == "SignatureDoesNotMatch"
    assert headers["Content-Type"] == "application/xml"
    assert not exists(s3, key.replace("/u1/", "/u2/"))
    assert seen == []  # a rejected upload never becomes a trigger event


def test_a_corrupted_signature_is_refused(s3: S3Server, key: str) -> None:
    url = presign_put(s3, key)
    last = url[-1]
    corrupted = url[:-1] + ("0" if last != "0" else "1")
    status, body, _ = call(corrupted, "PUT", b"RIFF", Content_Type="audio/wav")
    assert (status, s3_error(body)[0]) == (403, "SignatureDoesNotMatch")
    assert not exists(s3, key)


def test_an_expired_url_is_refused(s3: S3Server, key: str) -> None:
    url = presign_put(s3, key, expires=60)
    s3.auth.clock = lambda: time.time() + 61
    status, body, _ = call(url, "PUT", b"RIFF", Content_Type="audio/wav")
    code, message = s3_error(body)
    assert (status, code) == (403, "AccessDenied") and "expired" in message
    assert not exists(s3, key)


def test_a_url_valid_for_over_a_week_is_malformed(s3: S3Server, key: str) -> None:
    url = presign_put(s3, key, expires=604801)
    status, body, _ = call(url, "PUT", b"RIFF", Content_Type="audio/wav")
    assert (status, s3_error(body)[0]) == (400, "AuthorizationQueryParametersError")


def test_another_content_type_than_signed_is_refused(s3: S3Server, key: str) -> None:
    status, body, _ = call(presign_put(s3, key), "PUT", b"<html>", Content_Type="text/html")
    assert (status, s3_error(body)[0]) == (403, "SignatureDoesNotMatch")
    assert not exists(s3, key)


def test_unsigned_writes_and_private_reads_are_denied(s3: S3Server, key: str, seen: list[tuple[str, str]]) -> None:
    status, body, _ = call(f"{s3.endpoint}/{BUCKET}/{key}", "PUT", b"RIFF", Content_Type="audio/wav")
    assert (status, s3_error(body)[0]) == (403, "AccessDenied")
    assert not exists(s3, key) and seen == []
    s3.client().put_object(Bucket=BUCKET, Key=f"{key}.private", Body=b"secret")
    status, body, _ = call(f"{s3.endpoint}/{BUCKET}/{key}.private")
    assert (status, s3_error(body)[0]) == (403, "AccessDenied") and b"secret" not in body
    assert call(f"{s3.endpoint}/{BUCKET}/{key}.private", "HEAD")[0] == 403


def test_a_wrong_secret_or_an_unknown_key_id_is_refused(s3: S3Server, key: str) -> None:
    with pytest.raises(ClientError) as wrong_secret:
        client(s3, secret="guessed").put_object(Bucket=BUCKET, Key=key, Body=b"x")
    assert code_of(wrong_secret) == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as unknown:
        client(s3, key_id="AKIDSTRANGER").get_object(Bucket=BUCKET, Key=key)
    assert code_of(unknown) == "InvalidAccessKeyId"
    assert not exists(s3, key)


def test_a_body_swapped_after_signing_is_refused(s3: S3Server, key: str, seen: list[tuple[str, str]]) -> None:
    c = s3.client()
    c.meta.events.register("before-send.s3.PutObject", lambda request, **_: setattr(request, "body", b"EVIL"))
    with pytest.raises(ClientError) as swapped:
        c.put_object(Bucket=BUCKET, Key=key, Body=b"GOOD")
    assert code_of(swapped) == "XAmzContentSHA256Mismatch"
    assert not exists(s3, key) and seen == []


def test_boto3_header_signed_calls_work(s3: S3Server, key: str, seen: list[tuple[str, str]]) -> None:
    c = s3.client()
    folder = key.rsplit("/", 1)[0]
    key = f"{folder}/Интервью #1 (final)+x.wav"  # the key's percent-encoding is part of what is signed
    c.put_object(Bucket=BUCKET, Key=key, Body=b"RIFF" * 100, ContentType="audio/wav")
    assert c.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == 400
    assert c.get_object(Bucket=BUCKET, Key=key, Range="bytes=0-3")["Body"].read() == b"RIFF"
    listed = c.list_objects_v2(Bucket=BUCKET, Prefix=f"{folder}/")
    assert [o["Key"] for o in listed["Contents"]] == [key]

    big = f"{folder}/long.wav"
    upload_id = c.create_multipart_upload(Bucket=BUCKET, Key=big, ContentType="audio/wav")["UploadId"]
    parts = [(b"a" * 5 * 1024 * 1024), b"tail"]
    etags = [
        c.upload_part(Bucket=BUCKET, Key=big, UploadId=upload_id, PartNumber=n, Body=part)["ETag"]
        for n, part in enumerate(parts, 1)
    ]
    c.complete_multipart_upload(
        Bucket=BUCKET,
        Key=big,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"ETag": e, "PartNumber": n} for n, e in enumerate(etags, 1)]},
    )
    assert c.head_object(Bucket=BUCKET, Key=big)["ContentLength"] == 5 * 1024 * 1024 + 4
    assert seen == [(BUCKET, key), (BUCKET, big)]

    c.delete_object(Bucket=BUCKET, Key=key)
    assert not exists(s3, key)


def test_a_presigned_get_downloads_and_a_public_object_needs_no_signature(s3: S3Server, key: str) -> None:
    c = s3.client()
    c.put_object(Bucket=BUCKET, Key=key, Body=b"RIFF")
    url = c.generate_presigned_url(
        "get_object",
        Params={"Bucket": BUCKET, "Key": key, "ResponseContentDisposition": "inline; filename*=UTF-8''%D0%98.wav"},
        ExpiresIn=60,
    )
    status, body, headers = call(url)
    assert (status, body) == (200, b"RIFF")
    assert headers["Content-Disposition"] == "inline; filename*=UTF-8''%D0%98.wav"

    c.put_object(Bucket=PUBLIC, Key=".well-known/jwks.json", Body=b'{"keys": []}')
    assert call(f"{s3.endpoint}/{PUBLIC}/.well-known/jwks.json")[:2] == (200, b'{"keys": []}')
    status, body, _ = call(f"{s3.endpoint}/{PUBLIC}/anything", "PUT", b"x")  # public-read is not public-write
    assert (status, s3_error(body)[0]) == (403, "AccessDenied")


def test_cors_preflight_passes_and_errors_are_readable_by_the_page(s3: S3Server, key: str) -> None:
    origin = "http://localhost:5173"
    status, _, headers = call(
        presign_put(s3, key),  # a browser's preflight goes to the presigned URL itself, query and all
        "OPTIONS",
        Origin=origin,
        Access_Control_Request_Method="PUT",
        Access_Control_Request_Headers="content-type",
    )
    assert status == 200 and headers["Access-Control-Allow-Origin"] in (origin, "*")
    assert "PUT" in headers["Access-Control-Allow-Methods"]

    status, _, headers = call(presign_put(s3, key), "PUT", b"x", Origin=origin, Content_Type="text/html")
    assert status == 403 and headers["Access-Control-Allow-Origin"] in (origin, "*")
