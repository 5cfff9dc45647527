"""What a job asks beyond words (redaction, translation, entities): kept with the job, sent with its submission,
stored with its result, and the redacted recording copied from the provider to our bucket exactly once.

AssemblyAI keeps a redacted recording for 24 hours. A completed result that has one leaves the provider's copy in
place (deleting it would take the recording with it) and marks the copy "pending"; the webhook copies it right away
and the reconcile sweep retries it. A copy is claimed first (a conditional UPDATE, like a submission), written to
one key per job, and only then marked "copied" with the provider's transcript enqueued for deletion, so duplicate
webhooks, concurrent sweeps and a crash anywhere in between download it once, write one object, and leave nothing
behind at the provider.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from common.adapters.ports import ProviderError, ProviderTranscript, Understanding
from common.adapters.services import Services
from common.domain.pipeline import cleanups
from common.runtime import logs
from common.store.db import transaction
from common.store.models import JobUnderstanding, TranscriptionJob, utcnow

REDACTED_AUDIO_KEEP = timedelta(hours=24)  # AssemblyAI's promise; after that the copy is lost
COPY_CLAIM_TIMEOUT = timedelta(minutes=10)  # a copier that died mid-way lets another take over after this
COPY_MAX_ATTEMPTS = 20
_SPOOL_BYTES = 8 * 1024**2  # in memory up to this, then in /tmp: a long recording never sits in memory whole


def keep_options(
    s: Session,
    job_id: uuid.UUID,
    *,
    redact_policies: list[str],
    redact_sub: str,
    redact_audio: bool,
    translation_targets: list[str],
    entity_detection: bool,
) -> None:
    """Remember what the new job asks beyond words (nothing is written when it asks nothing)."""
    if not (redact_policies or translation_targets or entity_detection):
        return
    s.add(
        JobUnderstanding(
            job_id=job_id,
            redact_policies=list(redact_policies) or None,
            redact_sub=redact_sub if redact_policies else None,
            redact_audio=bool(redact_policies) and redact_audio,
            translation_targets=list(translation_targets),
            entity_detection=entity_detection,
        )
    )


def asked(s: Session, job_id: uuid.UUID) -> Understanding:
    row = s.get(JobUnderstanding, job_id)
    if row is None:
        return Understanding()
    return Understanding(
        redact_policies=tuple(row.redact_policies or ()),
        redact_sub=row.redact_sub or "entity_name",
        redact_audio=row.redact_audio,
        translation_targets=tuple(row.translation_targets or ()),
        entity_detection=row.entity_detection,
    )


def keep_results(s: Session, job_id: uuid.UUID, t: ProviderTranscript, now: datetime) -> bool:
    """Store what came back with a result just completed (same transaction); True when a redacted recording waits
    to be copied, so the provider's transcript must stay until it is."""
    wants_copy = t.redacted_audio
    if not (wants_copy or t.translations or t.translated_lines or t.entities):
        return False
    row = s.get(JobUnderstanding, job_id)
    redacted = set(row.redact_policies or ()) if row else set()
    values = {
        "translations": t.translations or None,
        "translated_lines": t.translated_lines or None,
        "entities": _masked(t.entities, redacted, row.redact_sub if row else None) or None,
        "result_at": now,
        "provider_transcript_id": t.id,
        "redacted_audio": "pending" if wants_copy else None,
    }
    done = s.execute(update(JobUnderstanding).where(JobUnderstanding.job_id == job_id).values(**values)).rowcount  # type: ignore[attr-defined]
    if not done:  # asked through the provider directly (no row): keep what came anyway
        s.add(JobUnderstanding(job_id=job_id, translation_targets=[], **values))
    return wants_copy


def _masked(entities: list[dict[str, Any]], redacted: set[str], sub: str | None) -> list[dict[str, Any]]:
    """Entities of a kind the text has redacted keep their moment but not their words: AssemblyAI redacts the text
    only, and a list of the names beside a text without them would undo the redaction."""
    return [
        {**e, "text": f"[{str(e['entity_type']).upper()}]" if sub != "hash" else "#" * len(str(e["text"]))}
        if e.get("entity_type") in redacted
        else e
        for e in entities
    ]


def redacted_key(owner_id: uuid.UUID, file_id: uuid.UUID, job_id: uuid.UUID) -> str:
    """Beside the recording (media/<user>/<file>/...), so the bucket's lifecycle for recordings applies to it too."""
    return f"media/{owner_id}/{file_id}/redacted-{job_id}"


def _claim_copy(job_id: uuid.UUID, now: datetime) -> tuple[str, str] | None:
    """(provider transcript id, target key) if this caller won the copy; None when it is done, gone or taken."""
    with transaction() as s:
        row = s.execute(
            select(JobUnderstanding.provider_transcript_id, TranscriptionJob.owner_id, TranscriptionJob.media_file_id)
            .join(TranscriptionJob, TranscriptionJob.id == JobUnderstanding.job_id)
            .where(JobUnderstanding.job_id == job_id, JobUnderstanding.redacted_audio == "pending")
        ).first()
        if row is None or row[0] is None:
            return None
        won = s.execute(
            update(JobUnderstanding)
            .where(
                JobUnderstanding.job_id == job_id,
                JobUnderstanding.redacted_audio == "pending",
                or_(
                    JobUnderstanding.copy_claimed_at.is_(None),
                    JobUnderstanding.copy_claimed_at < now - COPY_CLAIM_TIMEOUT,
                ),
            )
            .values(copy_claimed_at=now, copy_attempts=JobUnderstanding.copy_attempts + 1)
        ).rowcount  # type: ignore[attr-defined]
        return (str(row[0]), redacted_key(row[1], row[2], job_id)) if won else None


def _settle(job_id: uuid.UUID, transcript_id: str, let_go: bool, **values: object) -> bool:
    """Move a pending copy to its end ("copied" or "unavailable") and, with `let_go` (DELETE_PROVIDER_COPY), let the
    provider's transcript go; False when the job went meanwhile (deleted) or another copier settled it."""
    with transaction() as s:
        done = s.execute(
            update(JobUnderstanding)
            .where(JobUnderstanding.job_id == job_id, JobUnderstanding.redacted_audio == "pending")
            .values(copy_claimed_at=None, **values)
        ).rowcount  # type: ignore[attr-defined]
        if done and let_go:
            cleanups.enqueue(s, cleanups.PROVIDER_TRANSCRIPT, transcript_id)
    return bool(done)


def _release(job_id: uuid.UUID, error: str) -> None:
    with transaction() as s:
        s.execute(
            update(JobUnderstanding)
            .where(JobUnderstanding.job_id == job_id, JobUnderstanding.redacted_audio == "pending")
            .values(copy_claimed_at=None, copy_error=error[:1000])
        )


def copy_redacted_audio(job_id: uuid.UUID, services: Services, now: datetime | None = None) -> str:
    """Copy a job's redacted recording from the provider to our bucket, if it waits and nobody else is at it.
    Returns what happened: copied, waiting (not ready, or failed and left for the sweep), unavailable, or skipped."""
    now = now or utcnow()
    claim = _claim_copy(job_id, now)
    if claim is None:
        return "skipped"
    transcript_id, key = claim
    let_go = services.settings.DELETE_PROVIDER_COPY
    with transaction() as s:
        row = s.get(JobUnderstanding, job_id)
        attempts, since = (row.copy_attempts, row.result_at) if row else (0, None)
    try:
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
            content_type = services.provider.fetch_redacted_audio(transcript_id, spool)  # type: ignore[arg-type]
            if content_type is not None:
                spool.seek(0)
                services.storage.put(key, spool, content_type)  # type: ignore[arg-type]
    except ProviderError as exc:
        expired = since is not None and now - since > REDACTED_AUDIO_KEEP
        if not exc.transient or expired or attempts >= COPY_MAX_ATTEMPTS:
            _settle(job_id, transcript_id, let_go, redacted_audio="unavailable", copy_error=exc.message[:1000])
            logs.warn("redacted_audio_unavailable", job=job_id, transcript=transcript_id, error=exc.message[:200])
            if let_go:
                cleanups.run(services, [(cleanups.PROVIDER_TRANSCRIPT, transcript_id)])
            return "unavailable"
        _release(job_id, exc.message)
        logs.warn("redacted_audio_copy_failed", job=job_id, attempt=attempts, error=exc.message[:200])
        return "waiting"
    except Exception as exc:  # storage refused: the sweep tries again
        _release(job_id, f"{type(exc).__name__}: {exc}")
        logs.warn("redacted_audio_store_failed", job=job_id, attempt=attempts, error=str(exc)[:200])
        return "waiting"
    if content_type is None:
        _release(job_id, "not ready yet")
        return "waiting"
    if not _settle(job_id, transcript_id, let_go, redacted_audio="copied", redacted_key=key, copy_error=None):
        # The job was deleted while we copied (its deletion did not know of this object yet): take it away again.
        with transaction() as s:
            gone = s.get(JobUnderstanding, job_id) is None
            if gone:
                cleanups.enqueue(s, cleanups.STORAGE_OBJECT, key)
        if gone:
            cleanups.run(services, [(cleanups.STORAGE_OBJECT, key)])
        return "skipped"
    logs.log("redacted_audio_copied", job=job_id, transcript=transcript_id, key=key)
    if let_go:
        cleanups.run(services, [(cleanups.PROVIDER_TRANSCRIPT, transcript_id)])
    return "copied"


def copy_pending(services: Services, now: datetime | None = None, budget: int = 20) -> int:
    """The sweep: copies the webhook could not finish (not ready, a failure, a crash); returns how many were copied."""
    now = now or utcnow()
    with transaction() as s:
        pending = s.scalars(
            select(JobUnderstanding.job_id)
            .where(JobUnderstanding.redacted_audio == "pending")
            .order_by(JobUnderstanding.result_at)
            .limit(budget)
        ).all()
    return sum(copy_redacted_audio(job_id, services, now) == "copied" for job_id in pending)


def stored_copy_keys(s: Session, job_id: uuid.UUID) -> list[str]:
    """What a job's deletion must take from the bucket besides its recording: the redacted copy, made or in flight."""
    row = s.get(JobUnderstanding, job_id)
    if row is None:
        return []
    if row.redacted_key:
        return [row.redacted_key]
    if row.redacted_audio == "pending":  # a copier may be writing it now; its settle will find the job gone too
        job = s.get(TranscriptionJob, job_id)
        return [redacted_key(job.owner_id, job.media_file_id, job_id)] if job else []
    return []
