"""A provider message quoting our presigned URL (access-key id, signature) never reaches users or logs."""

from __future__ import annotations

import logging

import pytest

from common.runtime.redaction import redact
from local.cloud import LocalCloud
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, object_key_of, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
SECRET_MARKS = ("http://", "https://", "X-Amz-Credential", "X-Amz-Signature", "Signature=")


def test_a_download_failure_is_reported_without_the_signed_url(
    cloud: LocalCloud, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="transcribe")
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    cloud.wait_idle()
    # The recording vanishes before AssemblyAI fetches it: its error quotes the audio URL it was given.
    cloud.s3.client().delete_object(Bucket=cloud.bucket, Key=object_key_of(declared["file"]["id"]))
    job = wait_for(api, create_job(api, declared["file"]["id"])["id"])
    assert job["status"] == "failed"
    message = job["error_message"]
    assert "unable to download" in message and "<url>" in message
    for mark in SECRET_MARKS:
        assert mark not in message
        assert mark not in api.get("/api/v1/jobs").text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "X-Amz-Signature" not in logged and "X-Amz-Credential" not in logged


@pytest.mark.parametrize(
    "text",
    [
        "Download error, unable to download https://s.example/b/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abc.",
        "failed: 'http://127.0.0.1:9000/bucket/key?AWSAccessKeyId=AKIA&Signature=zz&Expires=1'",
        "path /bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA/2026&X-Amz-Signature=ff",
    ],
)
def test_redaction_removes_urls_and_signing_parameters(text: str) -> None:
    cleaned = redact(text)
    assert "AKIA" not in cleaned and "abc" not in cleaned.split("download")[-1]
    assert "Signature=<redacted>" in cleaned or "<url>" in cleaned
