"""Yandex's documented events (tests/events/yandex/, verbatim) fed as they are to the real handlers.

The gateway event carries the caller only as JWT-authorizer claims; the functions must not need the
Authorization header, whose passing-through is not documented.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from common.store.db import transaction
from common.store.models import MediaFile, TranscriptionJob, User
from functions.jobs import index as jobs_function
from functions.reconcile import index as reconcile_function
from functions.upload_trigger import index as upload_trigger_function
from local.cloud import LocalCloud
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import declare, mono_wav, put_bytes

pytestmark = pytest.mark.usefixtures("clean_db")
EVENTS = Path(__file__).resolve().parents[1] / "events" / "yandex"


def documented(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def _owner_and_job_of(event: dict[str, Any]) -> tuple[uuid.UUID, uuid.UUID]:
    """The user and job the documented gateway event names, created in the database."""
    user_id = uuid.UUID(event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"])
    job_id = uuid.UUID(event["pathParameters"]["job_id"])
    with transaction() as s:
        s.add(User(id=user_id, email=unique_email(), password_hash="x"))
        s.flush()
        media = MediaFile(
            owner_id=user_id,
            object_key=f"uploads/{user_id}/{uuid.uuid4()}/a.wav",
            filename="a.wav",
            content_type="audio/wav",
            declared_size=10,
        )
        s.add(media)
        s.flush()
        s.add(TranscriptionJob(id=job_id, owner_id=user_id, media_file_id=media.id))
    return user_id, job_id


def test_the_documented_gateway_event_reaches_the_job_by_its_claims() -> None:
    event = documented("api-gateway-v1.0.json")
    _, job_id = _owner_and_job_of(event)
    result = jobs_function.handler(event, None)
    assert result["statusCode"] == 200, result["body"]
    assert json.loads(result["body"])["id"] == str(job_id)

    claims_only = copy.deepcopy(event)
    for headers in ("headers", "multiValueHeaders"):
        claims_only[headers].pop("Authorization")
    result = jobs_function.handler(claims_only, None)
    assert result["statusCode"] == 200 and json.loads(result["body"])["id"] == str(job_id)


def test_without_authorizer_claims_the_function_refuses_even_with_a_token_header() -> None:
    event = documented("api-gateway-v1.0.json")
    _owner_and_job_of(event)
    del event["requestContext"]["authorizer"]
    result = jobs_function.handler(event, None)
    assert result["statusCode"] == 401
    assert json.loads(result["body"])["error"]["code"] == "missing_token"


def test_claims_of_another_user_see_nothing() -> None:
    event = documented("api-gateway-v1.0.json")
    _owner_and_job_of(event)
    stranger = signed_up(unique_email()).get("/api/v1/auth/me").json["id"]
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = stranger
    result = jobs_function.handler(event, None)
    assert result["statusCode"] == 404


def test_the_documented_storage_message_is_accepted_and_a_foreign_bucket_ignored() -> None:
    assert upload_trigger_function.handler(documented("object-storage-create.json"), None) == {
        "processed": 1,
        "skipped": 0,
    }
    with transaction() as s:
        assert s.query(MediaFile).count() == 0


def test_the_documented_storage_message_for_a_real_upload_marks_it_uploaded(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(api, data)
    cloud.pause_triggers()  # deliver the event ourselves, in the documented shape
    put_bytes(declared, data)
    event = documented("object-storage-create.json")
    key = declared["upload"]["url"].split("?", 1)[0].split("/", 4)[4]
    event["messages"][0]["details"] = {"bucket_id": cloud.bucket, "object_id": key}
    assert upload_trigger_function.handler(event, None)["processed"] == 1
    with transaction() as s:
        media = s.get(MediaFile, uuid.UUID(declared["file"]["id"]))
        assert media is not None and media.status == "uploaded" and media.uploaded_size == len(data)


def test_the_documented_timer_message_runs_a_reconcile_pass() -> None:
    report = reconcile_function.handler(documented("timer.json"), None)
    assert isinstance(report, dict) and report  # a report of what the pass did, even when there was nothing
