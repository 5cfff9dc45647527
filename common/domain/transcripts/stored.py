"""A completed job's stored transcript, as the API shows it (with the names its speakers are shown by)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, object_session

from common.domain.accounts.users import require_user
from common.domain.errors import Conflict
from common.domain.jobs.read_path import owned_job
from common.domain.schemas import EntityOut, JobOut, RedactionOut, TranscriptOut, TranslatedLine
from common.domain.transcripts import exports, transcript_lines
from common.store.models import JobUnderstanding, Transcript


def understanding_of(s: Session, job_id: uuid.UUID) -> JobUnderstanding | None:
    return s.get(JobUnderstanding, job_id)


def _beyond_words(extras: JobUnderstanding | None) -> dict[str, object]:
    """Redaction, translations and entities, as TranscriptOut shows them (nothing when the job asked none)."""
    if extras is None:
        return {}
    redaction = (
        RedactionOut(
            policies=list(extras.redact_policies),
            substitution=extras.redact_sub or "entity_name",
            audio=(extras.redacted_audio or "unavailable") if extras.redact_audio else None,  # type: ignore[arg-type]
        )
        if extras.redact_policies
        else None
    )
    return {
        "redaction": redaction,
        "translations": dict(extras.translations or {}),
        "translated_lines": [TranslatedLine.model_validate(line) for line in extras.translated_lines or []],
        "entities": [EntityOut.model_validate(e) for e in extras.entities or []],
    }


def transcript_out(
    job: JobOut,
    stored: Transcript,
    suggestions: dict[str, str] | None = None,
    extras: JobUnderstanding | None = None,
) -> TranscriptOut:
    """The stored result as the provider gave it, each utterance also carrying the name its speaker is shown by;
    `suggestions`: names the directory of voices offers for unnamed speakers (transcripts/voices.suggest); `extras`:
    redaction, translations and entities (read here when not given)."""
    if extras is None and (s := object_session(stored)) is not None:
        extras = understanding_of(s, job.id)
    names = dict(stored.speaker_names or {})
    utterances = [
        {**u, "speaker_name": exports.speaker_label(u.get("speaker"), names)} if u.get("speaker") else u
        for u in stored.utterances
    ]
    dialogue = transcript_lines.by_lines(job.mode == "dialogue", stored.utterances)
    words = transcript_lines.mono_words(stored.words, stored.utterances)
    paragraphs = [] if dialogue else transcript_lines.paragraph_starts(words)
    return TranscriptOut(
        job_id=job.id,
        mode=job.mode,
        text=stored.text,
        language=stored.language,
        audio_duration=stored.audio_duration,
        confidence=stored.confidence,
        utterances=utterances,
        words=stored.words,
        speaker_names=names,
        speaker_suggestions=suggestions or {},
        paragraphs=paragraphs,
        version=stored.version,
        edited=stored.original is not None,
        **_beyond_words(extras),  # type: ignore[arg-type]
    )


def completed_transcript(s: Session, user_id: uuid.UUID, job_id: uuid.UUID) -> tuple[JobOut, Transcript]:
    require_user(s, user_id)
    job = owned_job(s, user_id, job_id)
    stored = s.get(Transcript, job_id)
    if job.status != "completed" or stored is None:
        raise Conflict(f"the transcript is not ready yet (job is {job.status})", "transcript_not_ready")
    return job, stored
