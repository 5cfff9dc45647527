"""Edits of a transcript's lines, each named by its index in the version the client read (editing.apply keeps the
words' timings), and the way back to the original."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from common.domain.errors import Conflict
from common.domain.pipeline.confidence import count_uncertain
from common.domain.schemas import TranscriptOut
from common.domain.transcripts import editing
from common.domain.transcripts.stored import completed_transcript, transcript_out
from common.store.db import transaction
from common.store.models import Transcript, TranscriptionJob


def _save(s: Session, job_id: uuid.UUID, expected: int, content: dict[str, Any], original: Any) -> Transcript:
    """One conditional UPDATE: a save against another version than the stored one changes nothing (409)."""
    saved = s.execute(
        update(Transcript)
        .where(Transcript.job_id == job_id, Transcript.version == expected)
        .values(**content, original=original, version=expected + 1)
    ).rowcount  # type: ignore[attr-defined]
    if not saved:
        raise _edited_elsewhere()
    # The list's count follows the words: an edited word is no longer uncertain, a revert brings the engine's back.
    s.execute(
        update(TranscriptionJob)
        .where(TranscriptionJob.id == job_id)
        .values(uncertain_words=count_uncertain(content["words"]))
    )
    stored = s.get(Transcript, job_id, populate_existing=True)
    assert stored is not None
    return stored


def _edited_elsewhere() -> Conflict:
    return Conflict("the transcript was changed elsewhere (another tab?); reload to see it", "edit_conflict")


def edit_transcript(user_id: uuid.UUID, job_id: uuid.UUID, version: int, edits: list[Any]) -> TranscriptOut:
    """New text or another speaker for lines, each named by its index in `version`; the original is kept aside.

    The words are aligned between two transactions, not inside one: the conditional UPDATE of the save refuses the
    result if another save came first, so nothing holds the row (or a connection) while the words are aligned.
    """
    with transaction() as s:
        job, stored = completed_transcript(s, user_id, job_id)
        if stored.version != version:  # the indices name lines of another version
            raise _edited_elsewhere()
        current = editing.Content(stored.text, list(stored.words), list(stored.utterances))
        kept = stored.original
        duration_ms = int((stored.audio_duration or 0) * 1000)
    original = (
        editing.Content(str(kept.get("text") or ""), list(kept.get("words") or []), list(kept.get("utterances") or []))
        if kept
        else current
    )
    edited = editing.apply(current, edits, job.mode == "dialogue", duration_ms)
    editing.check_growth(original, edited)
    content = {"text": edited.text, "words": edited.words, "utterances": edited.utterances}
    aside = kept or {"text": current.text, "words": current.words, "utterances": current.utterances}
    with transaction() as s:
        return transcript_out(job, _save(s, job_id, version, content, aside))


def revert_transcript(user_id: uuid.UUID, job_id: uuid.UUID, version: int) -> TranscriptOut:
    """Back to the provider's result, as it was first stored."""
    with transaction() as s:
        job, stored = completed_transcript(s, user_id, job_id)
        if stored.original is None:
            return transcript_out(job, stored)
        return transcript_out(job, _save(s, job_id, version, dict(stored.original), None))
