"""Deleting an account removes everything of it: rows at once, recordings and provider copies via the outbox."""

from __future__ import annotations

from typing import Any

import pytest

from local.cloud import LocalCloud
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, object_key_of, provider_id, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
PASSWORD = "correct horse battery"


def test_deleting_the_account_removes_recordings_transcripts_and_provider_copies(
    cloud: LocalCloud, configure: Any
) -> None:
    configure(DELETE_PROVIDER_COPY="false")  # so a copy is still at the provider to be removed
    email = unique_email()
    api = signed_up(email, PASSWORD)
    data, _ = mono_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    job = wait_for(api, create_job(api, declared["file"]["id"])["id"])
    assert job["status"] == "completed"
    stored, tid = object_key_of(declared["file"]["id"]), provider_id(job["id"])
    assert cloud.object_exists(stored) and cloud.assemblyai.transcript_status(tid) == "completed"

    wrong = api.call("DELETE", "/api/v1/auth/me", json_body={"password": "not the password"})
    assert (wrong.status, wrong.error_code) == (422, "wrong_password")  # the session goes on
    assert api.get("/api/v1/jobs").status == 200  # nothing happened

    assert api.call("DELETE", "/api/v1/auth/me", json_body={"password": PASSWORD}).status == 204
    assert api.get("/api/v1/auth/me").status == 401  # the token opens nothing any more
    assert Api().post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).status == 401
    cloud.run_reconcile()  # the outbox: recordings in storage, the transcript at the provider
    assert not cloud.object_exists(stored)
    assert tid in cloud.assemblyai.stats["deleted"]
    assert Api().post("/api/v1/auth/register", {"email": email, "password": PASSWORD}).status == 201  # free again


def test_another_users_data_is_untouched() -> None:
    keep, leave = signed_up(unique_email(), PASSWORD), signed_up(unique_email(), PASSWORD)
    kept = keep.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 10}).json
    assert leave.call("DELETE", "/api/v1/auth/me", json_body={"password": PASSWORD}).status == 204
    assert keep.get(f"/api/v1/files/{kept['file']['id']}/download").status == 409  # still there (not uploaded)
