"""Names for a transcript's speaker labels (and, where the engine gives voices, the directory of named voices)."""

from __future__ import annotations

import uuid

from common.domain.errors import Invalid
from common.domain.schemas import TranscriptOut
from common.domain.transcripts import voices
from common.domain.transcripts.stored import completed_transcript, transcript_out
from common.runtime.config import get_settings
from common.store.db import transaction


def rename_speakers(user_id: uuid.UUID, job_id: uuid.UUID, names: dict[str, str]) -> TranscriptOut:
    """Names for the transcript's speaker labels ("A" → "Anna"); an empty name goes back to "Speaker A"."""
    with transaction() as s:
        job, stored = completed_transcript(s, user_id, job_id)
        labels = {str(u.get("speaker")) for u in stored.utterances if u.get("speaker")}
        unknown = sorted(set(names) - labels)
        if unknown:
            known = ", ".join(sorted(labels)) or "none"
            raise Invalid(
                f"this transcript has no speaker {', '.join(unknown)} (its speakers: {known})", "unknown_speaker"
            )
        merged = {**(stored.speaker_names or {}), **{k: v.strip() for k, v in names.items()}}
        stored.speaker_names = {k: v for k, v in merged.items() if v}
        voices.remember(s, user_id, job_id, stored, names)  # a named speaker's voice joins the directory
        s.flush()
        threshold = get_settings().VOICE_MATCH_THRESHOLD
        return transcript_out(job, stored, voices.suggest(s, user_id, job_id, stored, threshold))
