"""Pipeline test helpers: upload real WAVs, deliver trigger events, wait for jobs to settle."""

from __future__ import annotations

import time
import uuid
from typing import Any

from common.edge.events import OBJECT_CREATE
from local.assemblyai.media import dialogue_script, make_wav, mono_script
from tests import http_client
from tests.api import Api

FILES, JOBS = "/api/v1/files", "/api/v1/jobs"
DIALOGUE = [("A", "Good morning, thanks for joining."), ("B", "Happy to be here."), ("A", "Shall we start?")]


def dialogue_wav(turns: list[tuple[str, str]] = DIALOGUE, seconds: float = 6.0) -> tuple[bytes, dict[str, Any]]:
    script = dialogue_script(turns, seconds)
    return make_wav(script, seconds), script


def mono_wav(
    text: str = "The quick brown fox jumps over the lazy dog.", seconds: float = 4.0
) -> tuple[bytes, dict[str, Any]]:
    script = mono_script(text, seconds)
    return make_wav(script, seconds), script


def declare(api: Api, data: bytes, name: str = "meeting.wav") -> dict[str, Any]:
    res = api.post(FILES, {"filename": name, "content_type": "audio/wav", "size": len(data)})
    assert res.status == 201, res.text
    return res.json


def put_bytes(declared: dict[str, Any], data: bytes) -> None:
    upload = declared["upload"]
    assert http_client.put(upload["url"], data, upload["headers"]) == 200


def create_job(api: Api, file_id: str, **extra: Any) -> dict[str, Any]:
    res = api.post(JOBS, {"file_id": file_id, **extra})
    assert res.status == 201, res.text
    return res.json


def object_key(declared: dict[str, Any]) -> str:
    return str(declared["upload"]["url"].split("?", 1)[0].split("/", 4)[4])


def storage_event(bucket: str, *keys: str) -> dict[str, Any]:
    return {
        "messages": [
            {
                "event_metadata": {
                    "event_id": uuid.uuid4().hex,
                    "event_type": OBJECT_CREATE,
                    "created_at": "2026-11-24T10:00:00Z",
                    "cloud_id": "local",
                    "folder_id": "local",
                    "tracing_context": {},
                },
                "details": {"bucket_id": bucket, "object_id": key},
            }
            for key in keys
        ]
    }


def wait_for(
    api: Api, job_id: str, statuses: tuple[str, ...] = ("completed", "failed"), timeout: float = 20.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"{JOBS}/{job_id}").json
        if job["status"] in statuses:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']}/{job['stage']} after {timeout}s")
        time.sleep(0.05)


def wait_until(predicate: Any, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def provider_id(job_id: str) -> str | None:
    from sqlalchemy import select

    from common.store.db import transaction
    from common.store.models import TranscriptionJob

    with transaction() as s:
        return s.scalar(select(TranscriptionJob.provider_transcript_id).where(TranscriptionJob.id == uuid.UUID(job_id)))


def object_key_of(file_id: str) -> str:
    """Where the file's recording is kept (its stored copy once accepted)."""
    from sqlalchemy import select

    from common.domain.pipeline.transitions import media_key
    from common.store.db import transaction
    from common.store.models import MediaFile

    with transaction() as s:
        key = s.scalar(select(media_key()).where(MediaFile.id == uuid.UUID(file_id)))
    assert key is not None
    return key


def claim_without_submitting(file_id: str, job_id: str) -> Any:
    """What a submitter does up to the provider call: the upload recorded, the job claimed. Returns the claim."""
    from sqlalchemy import update

    from common.domain.pipeline import transitions
    from common.store.db import transaction
    from common.store.models import MediaFile, utcnow

    with transaction() as s:
        s.execute(update(MediaFile).where(MediaFile.id == uuid.UUID(file_id)).values(status="uploaded"))
        transitions.promote_waiting(s, uuid.UUID(file_id))
        claim = transitions.claim(s, utcnow(), 100, uuid.UUID(job_id))
    assert claim is not None
    return claim
