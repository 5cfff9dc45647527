"""The events a job's end announces to its owner's webhook endpoints (job.completed, job.failed), written into the
webhook outbox by the transition itself, so exactly one event follows each transition that was won."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.runtime.config import get_settings
from common.store import outbox
from common.store.models import MediaFile, TranscriptionJob, WebhookEndpoint

COMPLETED, FAILED = "job.completed", "job.failed"
# Why a job failed, as a word a program can branch on (the sentence stays in the app: it may name the recording).
UPLOAD_FAILED = "upload_failed"  # never uploaded, cancelled, or refused on arrival
SUBMISSION_FAILED = "submission_failed"  # the speech service refused the job or stayed unavailable
TRANSCRIPTION_FAILED = "transcription_failed"  # the speech service could not transcribe it


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def announce(s: Session, job_id: uuid.UUID, now: datetime, error_code: str | None = None) -> int:
    """Queue the job's completion (or failure, with `error_code`) for each endpoint of its owner that wants it; how
    many. One round trip when the owner has none."""
    event = FAILED if error_code else COMPLETED
    rows = s.execute(
        select(
            WebhookEndpoint.id,
            WebhookEndpoint.owner_id,
            WebhookEndpoint.events,
            MediaFile.id.label("file_id"),
            MediaFile.filename,
            TranscriptionJob.error_retryable,
        )
        .join(TranscriptionJob, TranscriptionJob.owner_id == WebhookEndpoint.owner_id)
        .join(MediaFile, MediaFile.id == TranscriptionJob.media_file_id)
        .where(TranscriptionJob.id == job_id)
    ).all()
    wanted = [row for row in rows if event in row.events.split(",")]
    if not wanted:
        return 0
    data: dict[str, object] = {
        "job_id": str(job_id),
        "status": "failed" if error_code else "completed",
        "file_id": str(wanted[0].file_id),
        "file_name": wanted[0].filename,
    }
    if error_code:
        data.update(error_code=error_code, retryable=bool(wanted[0].error_retryable))
    body = json.dumps({"type": event, "timestamp": iso(now), "data": data}, ensure_ascii=False, separators=(",", ":"))
    expires = now + timedelta(seconds=get_settings().OUTGOING_WEBHOOK_EXPIRE_SECONDS)
    outbox.enqueue_deliveries(
        s,
        [
            {
                "id": uuid.uuid4(),
                "endpoint_id": row.id,
                "owner_id": row.owner_id,
                "job_id": job_id,
                "event_type": event,
                "payload": body,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "expires_at": expires,
                "created_at": now,
            }
            for row in wanted
        ],
    )
    return len(wanted)
