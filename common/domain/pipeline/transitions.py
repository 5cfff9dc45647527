"""Every job state change as one conditional UPDATE: only the caller whose expectation still holds wins.

Status is what the API has always shown (pending, processing, completed, failed); stage is the finer step:
  pending/waiting_for_upload → pending/queued → processing/submitting → processing/submitted → completed
  processing/submitting → pending/retrying (transient provider error, with next_attempt_at) → …
  any unfinished stage → failed/failed (with error_message)
Reaching completed or failed queues the job.completed / job.failed webhooks in the same transaction (hook_events).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from common.adapters.ports import ProviderTranscript
from common.domain.pipeline import hook_events
from common.domain.pipeline.confidence import count_uncertain
from common.runtime.redaction import redact
from common.store.db import is_postgres
from common.store.dialect import insert_ignore
from common.store.models import MediaFile, ProviderSlot, Transcript, TranscriptionJob

Job = TranscriptionJob
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
    content_type: str = ""
    speaker_identification: dict[str, Any] | None = None  # the names the user gave: {"speaker_type", "values"}


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

    No global lock: concurrent claims (containers, threads) lock different candidate jobs and different slot rows
    (FOR UPDATE SKIP LOCKED), so they proceed side by side; a slot row is held by one claim at a time, which is what
    keeps the jobs in flight at or under `limit`. A user's own claims queue on a lock of that user, which keeps
    `per_user`. (SQLite runs one writer at a time: there the statements simply run in turn.)
    """
    # One round trip: is anything ready, and how many are in flight (jobs outside any slot count too: a webhook
    # may adopt a stalled submission). Both cheap: partial indexes.
    ready = select(Job.id).where(_ready(now))
    some_ready, in_flight = s.execute(
        select(
            (ready.where(Job.id == job_id) if job_id else ready).exists(),
            select(func.count()).select_from(Job).where(Job.status == "processing").scalar_subquery(),
        )
    ).one()
    if not some_ready or in_flight >= limit:
        return None  # nothing is ready (as after most completions), or every slot is busy
    slot = _free_slot(s, limit)
    if slot is None:
        return None  # every slot is busy
    passed = set(skip)
    for _ in range(_CANDIDATES_PER_CLAIM):
        picked = _pick(s, now, job_id, passed, per_user)
        if picked is None:
            return None
        candidate, owner = picked
        if per_user is None or _owner_has_room(s, owner, per_user):
            started = _start(s, now, candidate)
            if started is not None:
                _hold(s, slot, candidate)
            return started
        if job_id:
            return None
        passed.add(candidate)  # this user's slots filled up meanwhile: the next fairest
    return None


_CANDIDATES_PER_CLAIM = 5
_SLOTS_PER_GROWTH = 16
_OWNER_LOCK_CLASS = 7_171_902  # pg_advisory_xact_lock(class, key): a user's claims, one at a time


def _free_slot(s: Session, limit: int) -> int | None:
    """A slot below `limit` whose job is no longer processing, locked for this transaction (others skip it)."""
    passed: list[int] = []
    grown = False
    while True:
        slot = s.scalar(_free_query(limit, passed))
        if slot is None and not grown:
            # Slots are rows made on demand, a few at a time, up to the limit in force (which a deploy may raise): as
            # many as have ever been busy at once, not as many as the limit allows (a benchmark sets it to millions).
            grown = True
            made = s.scalar(select(func.count()).select_from(ProviderSlot)) or 0
            if made < limit:
                more = [{"slot": number} for number in range(made, min(limit, made + _SLOTS_PER_GROWTH))]
                s.execute(insert_ignore(s, ProviderSlot, more))
                slot = s.scalar(_free_query(limit, passed))
        if slot is None:
            return None
        # Ask again now that the row is ours. The query judged the slot's job by the snapshot it started with: if a
        # claim that held the row committed while this one waited for it, PostgreSQL re-read the slot row (its new
        # job) but not that job, which still looked unstarted, so the slot looked free. A new statement sees it.
        if not s.scalar(_busy(slot)):
            return slot
        passed.append(slot)


def _free_query(limit: int, passed: list[int]) -> Select[int]:
    holder = aliased(Job)
    return (
        select(ProviderSlot.slot)
        .outerjoin(holder, and_(holder.id == ProviderSlot.job_id, holder.status == "processing"))
        .where(ProviderSlot.slot < limit, holder.id.is_(None), ProviderSlot.slot.not_in(passed))
        .order_by(ProviderSlot.slot)
        .limit(1)
        .with_for_update(of=ProviderSlot, skip_locked=True)
    )


def _busy(slot: int) -> Select[bool]:
    holder = select(ProviderSlot.job_id).where(ProviderSlot.slot == slot).scalar_subquery()
    return select(select(Job.id).where(Job.id == holder, Job.status == "processing").exists())


def _hold(s: Session, slot: int, job_id: uuid.UUID) -> None:
    """The slot is the job's; any slot it held before (a retried job) is let go, so it is not counted twice. Rows
    another claim has locked are skipped, not waited for: that claim is taking them over anyway."""
    earlier = (
        select(ProviderSlot.slot)
        .where(ProviderSlot.job_id == job_id, ProviderSlot.slot != slot)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    s.execute(
        update(ProviderSlot)
        .where(or_(ProviderSlot.slot == slot, ProviderSlot.slot.in_(earlier)))
        .values(job_id=case((ProviderSlot.slot == slot, job_id), else_=None))
    )


def _pick(
    s: Session, now: datetime, job_id: uuid.UUID | None, skip: Collection[uuid.UUID], per_user: int | None
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The fairest ready job no other claim holds (locked for this transaction), and its owner."""
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
    pick = select(Job.id, Job.owner_id).outerjoin(loads, loads.c.owner_id == Job.owner_id).where(_ready(now))
    if per_user is not None:
        pick = pick.where(owner_load < per_user)
    if job_id:
        pick = pick.where(Job.id == job_id)
    else:
        pick = pick.where(Job.id.not_in(skip)) if skip else pick
        pick = pick.order_by(owner_load, Job.created_at, Job.id).limit(1)
    row = s.execute(pick.with_for_update(of=Job, skip_locked=True)).first()
    return (row.id, row.owner_id) if row else None


def _owner_has_room(s: Session, owner: uuid.UUID, per_user: int) -> bool:
    """Counted under the user's lock: two claims for one user cannot both take the user's last slot."""
    if is_postgres(s):
        key = int.from_bytes(owner.bytes[:4], "big", signed=True)  # any int4 of the id will do
        s.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": _OWNER_LOCK_CLASS, "k": key})
    held = s.scalar(select(func.count()).select_from(Job).where(Job.owner_id == owner, Job.status == "processing"))
    return (held or 0) < per_user


def _start(s: Session, now: datetime, candidate: uuid.UUID) -> Claim | None:
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
        .returning(
            Job.attempts, Job.media_file_id, Job.language, Job.mode, Job.speakers_expected, Job.speaker_identification
        )
    ).first()
    if row is None:
        return None
    return _claim(s, candidate, token, row)


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
            .returning(
                Job.attempts,
                Job.media_file_id,
                Job.language,
                Job.mode,
                Job.speakers_expected,
                Job.speaker_identification,
            )
        ).first()
        if row:
            claims.append(_claim(s, job_id, token, row))
    return claims


def _claim(s: Session, job_id: uuid.UUID, token: uuid.UUID, row: Row[Any]) -> Claim:
    """The claim of a job just taken (`row`: what the UPDATE returned), with its recording's key and type."""
    key, source, content_type = s.execute(
        select(media_key(), MediaFile.source_url, MediaFile.content_type).where(MediaFile.id == row.media_file_id)
    ).one()
    return Claim(
        job_id,
        token,
        row.attempts,
        key,
        row.language,
        row.mode,
        row.speakers_expected,
        source,
        content_type,
        row.speaker_identification,
    )


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
    if result.rowcount and not retry_at:  # type: ignore[attr-defined]
        hook_events.announce(s, job_id, now, hook_events.SUBMISSION_FAILED)
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
            uncertain_words=count_uncertain(t.words),
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
            # Speaker identification's names pre-fill the rename, which stays the user's to change.
            speaker_names=dict(t.speaker_names),
            speaker_embeddings=dict(t.speaker_embeddings) or None,
        )
    )
    hook_events.announce(s, job_id, now)
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
    if result.rowcount:  # type: ignore[attr-defined]
        hook_events.announce(s, job_id, now, hook_events.TRANSCRIPTION_FAILED)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def fail_waiting(s: Session, file_id: uuid.UUID, message: str, now: datetime) -> int:
    failed = s.scalars(
        update(Job)
        .where(Job.media_file_id == file_id, Job.status == "pending", Job.stage == "waiting_for_upload")
        .values(status="failed", stage="failed", error_message=redact(message), error_retryable=False, completed_at=now)
        .returning(Job.id)
    ).all()
    for job_id in failed:
        hook_events.announce(s, job_id, now, hook_events.UPLOAD_FAILED)
    return len(failed)


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
