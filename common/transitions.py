"""Every job state change as one conditional UPDATE: only the caller whose expectation still holds wins.

Status is what the API has always shown (pending, processing, completed, failed); stage is the finer step:
  pending/waiting_for_upload → pending/queued → processing/submitting → processing/submitted → completed
  processing/submitting → pending/retrying (transient provider error, with next_attempt_at) → …
  any unfinished stage → failed/failed (with error_message)
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from common.db import is_postgres
from common.models import MediaFile, Transcript, TranscriptionJob
from common.provider import ProviderTranscript
from common.redaction import redact

Job = TranscriptionJob
_SLOT_LOCK_KEY = 7_171_901  # pg advisory lock serialising slot accounting across containers
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Claim:
    job_id: uuid.UUID
    token: uuid.UUID
    attempt: int
    object_key: str
    language: str
    mode: str
    speakers_expected: int | None
    source_url: str | None = None  # a URL import: the provider fetches this instead of our stored object


def _ready(now: datetime):
    return and_(
        Job.status == "pending",
        or_(Job.stage == "queued", and_(Job.stage == "retrying", Job.next_attempt_at <= now)),
    )


def promote_waiting(s: Session, file_id: uuid.UUID) -> list[uuid.UUID]:
    """The file has arrived: its jobs waiting for the upload join the queue."""
    rows = s.execute(
        update(Job)
        .where(Job.media_file_id == file_id, Job.status == "pending", Job.stage == "waiting_for_upload")
        .values(stage="queued")
        .returning(Job.id)
    )
    return [r[0] for r in rows]


def claim(
    s: Session,
    now: datetime,
    limit: int,
    job_id: uuid.UUID | None = None,
    skip: Collection[uuid.UUID] = (),
    per_user: int | None = None,
) -> Claim | None:
    """Take one ready job into processing if a slot is free: this one, or the fairest not in `skip`.

    Fair: no user holds more than `per_user` slots, and a free slot goes to the user with the fewest jobs in
    flight (oldest job first among equals), so one user's 500 uploads never starve another's one.
    """
    ready = select(Job.id).where(_ready(now))
    if not s.scalar((ready.where(Job.id == job_id) if job_id else ready).exists().select()):
        return None  # nothing is ready (as after most completions): no need to queue for the slot lock to see that
    if is_postgres(s):
        # Counting and claiming must be one step for all containers, or two claims could share a last slot.
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SLOT_LOCK_KEY})
    in_flight = s.scalar(select(func.count()).select_from(Job).where(Job.status == "processing")) or 0
    if in_flight >= limit:
        return None
    # Each owner's jobs in flight, counted once (the partial index on processing jobs), then joined: not a
    # correlated count per candidate, which made every claim scale with the whole queue.
    running = aliased(Job)
    loads = (
        select(running.owner_id, func.count().label("n"))
        .where(running.status == "processing")
        .group_by(running.owner_id)
        .subquery()
    )
    owner_load = func.coalesce(loads.c.n, 0)
    pick = select(Job.id).outerjoin(loads, loads.c.owner_id == Job.owner_id).where(_ready(now))
    if per_user is not None:
        pick = pick.where(owner_load < per_user)
    if job_id:
        pick = pick.where(Job.id == job_id)
    else:
        pick = pick.where(Job.id.not_in(skip)) if skip else pick
        pick = pick.order_by(owner_load, Job.created_at, Job.id).limit(1)
    candidate = s.scalar(pick)
    if candidate is None:
        return None
    token = uuid.uuid4()
    row = s.execute(
        update(Job)
        .where(Job.id == candidate, _ready(now))
        .values(
            status="processing",
            stage="submitting",
            claim_token=token,
            claimed_at=now,
            attempts=Job.attempts + 1,
            next_attempt_at=None,
        )
        .returning(Job.attempts, Job.media_file_id, Job.language, Job.mode, Job.speakers_expected)
    ).first()
    if row is None:
        return None
    key, source = s.execute(select(media_key(), MediaFile.source_url).where(MediaFile.id == row.media_file_id)).one()
    return Claim(candidate, token, row.attempts, key, row.language, row.mode, row.speakers_expected, source)


def media_key() -> ColumnElement[str]:
    """The key a file's recording is read from: its immutable stored copy (older rows: the upload key)."""
    return func.coalesce(MediaFile.stored_key, MediaFile.object_key)


def reclaim_stale(s: Session, now: datetime, older_than: timedelta) -> list[Claim]:
    """Claims whose submitter died before storing a provider id are taken over (a new token)."""
    stale = s.scalars(
        select(Job.id).where(Job.status == "processing", Job.stage == "submitting", Job.claimed_at < now - older_than)
    ).all()
    claims = []
    for job_id in stale:
        token = uuid.uuid4()
        row = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.stage == "submitting", Job.claimed_at < now - older_than)
            .values(claim_token=token, claimed_at=now, attempts=Job.attempts + 1)
            .returning(Job.attempts, Job.media_file_id, Job.language, Job.mode, Job.speakers_expected)
        ).first()
        if row:
            key, source = s.execute(
                select(media_key(), MediaFile.source_url).where(MediaFile.id == row.media_file_id)
            ).one()
            claims.append(
                Claim(job_id, token, row.attempts, key, row.language, row.mode, row.speakers_expected, source)
            )
    return claims


def mark_submitted(s: Session, job_id: uuid.UUID, token: uuid.UUID, transcript_id: str, now: datetime) -> bool:
    result = s.execute(
        update(Job)
        .where(
            Job.id == job_id, Job.claim_token == token, Job.stage == "submitting", Job.provider_transcript_id.is_(None)
        )
        .values(stage="submitted", provider_transcript_id=transcript_id, submitted_at=now, error_message=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def submission_failed(
    s: Session,
    job_id: uuid.UUID,
    token: uuid.UUID,
    message: str,
    retry_at: datetime | None,
    now: datetime,
    retryable: bool = True,
) -> bool:
    values: dict[str, object] = (
        {"status": "pending", "stage": "retrying", "next_attempt_at": retry_at}
        if retry_at
        else {"status": "failed", "stage": "failed", "completed_at": now, "error_retryable": retryable}
    )
    result = s.execute(
        update(Job)
        .where(Job.id == job_id, Job.claim_token == token, Job.stage == "submitting")
        .values(error_message=redact(message), claim_token=None, **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def backoff(attempt: int, base_seconds: float) -> timedelta:
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempt - 1)), MAX_BACKOFF)


def _may_take(transcript_id: str):
    # A job takes a provider result if it has no transcript id yet (crash before storing it, or a timed-out
    # submit that did reach the provider) or if the result is the one it is waiting for.
    return or_(Job.provider_transcript_id.is_(None), Job.provider_transcript_id == transcript_id)


def adopt(s: Session, job_id: uuid.UUID, transcript_id: str, now: datetime) -> bool:
    """A provider transcript named this job before we stored its id: record it so nothing resubmits."""
    result = s.execute(
        update(Job)
        .where(Job.id == job_id, Job.provider_transcript_id.is_(None), Job.stage.in_(("submitting", "retrying")))
        .values(
            status="processing",
            stage="submitted",
            provider_transcript_id=transcript_id,
            submitted_at=now,
            claim_token=None,
            next_attempt_at=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def complete(s: Session, job_id: uuid.UUID, t: ProviderTranscript, now: datetime) -> bool:
    """Store the result and finish the job, once: a duplicate or late notification changes nothing."""
    result = s.execute(
        update(Job)
        .where(Job.id == job_id, Job.status != "completed", _may_take(t.id))
        .values(
            status="completed",
            stage="completed",
            provider_transcript_id=t.id,
            completed_at=now,
            error_message=None,
            claim_token=None,
            next_attempt_at=None,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    s.add(
        Transcript(
            job_id=job_id,
            text=t.text,
            utterances=t.utterances,
            words=t.words,
            language=t.language,
            audio_duration=t.audio_duration,
            confidence=t.confidence,
        )
    )
    return True


def fail(
    s: Session,
    job_id: uuid.UUID,
    message: str,
    now: datetime,
    transcript_id: str | None = None,
    retryable: bool = True,
) -> bool:
    conditions = [Job.id == job_id, Job.status.in_(("pending", "processing"))]
    if transcript_id is not None:
        conditions.append(
            or_(
                Job.provider_transcript_id == transcript_id,
                and_(Job.provider_transcript_id.is_(None), Job.stage.in_(("submitting", "retrying"))),
            )
        )
    result = s.execute(
        update(Job)
        .where(*conditions)
        .values(
            status="failed",
            stage="failed",
            error_message=redact(message),
            error_retryable=retryable,
            completed_at=now,
            claim_token=None,
            next_attempt_at=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def fail_waiting(s: Session, file_id: uuid.UUID, message: str, now: datetime) -> int:
    result = s.execute(
        update(Job)
        .where(Job.media_file_id == file_id, Job.status == "pending", Job.stage == "waiting_for_upload")
        .values(status="failed", stage="failed", error_message=redact(message), error_retryable=False, completed_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def restart(s: Session, job_id: uuid.UUID, file_uploaded: bool) -> bool:
    """A failed job starts over (user's retry): attempts reset, last error cleared."""
    result = s.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "failed")
        .values(
            status="pending",
            stage="queued" if file_uploaded else "waiting_for_upload",
            attempts=0,
            error_message=None,
            error_retryable=None,
            provider_transcript_id=None,
            completed_at=None,
            submitted_at=None,
            claim_token=None,
            claimed_at=None,
            next_attempt_at=None,
            last_polled_at=None,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_polled(s: Session, job_id: uuid.UUID, now: datetime, interval: timedelta) -> bool:
    result = s.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.stage == "submitted",
            or_(Job.last_polled_at.is_(None), Job.last_polled_at < now - interval),
        )
        .values(last_polled_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
