"""A completed transcript in one of four formats: JSON as stored, or txt, srt and vtt built here from its words."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from common.domain.errors import BadRequest
from common.domain.schemas import TranscriptOut
from common.domain.transcripts import exports, voices
from common.domain.transcripts.stored import completed_transcript, transcript_out, understanding_of
from common.domain.transcripts.translated import translated
from common.domain.uploads.keys import sanitise_filename
from common.runtime.config import get_settings
from common.store.db import transaction


@dataclass(frozen=True)
class Export:
    body: str
    content_type: str
    filename: str | None  # None: shown inline (JSON)


FORMATS = ("json", "txt", "srt", "vtt")


def transcript(
    user_id: uuid.UUID, job_id: uuid.UUID, fmt: str, translation: str | None = None
) -> Export | TranscriptOut:
    """`translation`: a language code the transcript was translated into; txt, srt and vtt are then written in it."""
    if fmt not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}", "invalid_format")
    if translation is not None and fmt == "json":
        raise BadRequest(
            "a translation is exported as txt, srt or vtt; json carries every translation", "invalid_format"
        )
    with transaction() as s:
        job, stored = completed_transcript(s, user_id, job_id)
        offered = (
            voices.suggest(s, user_id, job_id, stored, get_settings().VOICE_MATCH_THRESHOLD) if fmt == "json" else {}
        )
        extras = understanding_of(s, job_id)
    names = dict(stored.speaker_names or {})
    data: dict[str, Any] = {
        "text": stored.text,
        "utterances": stored.utterances,
        "words": stored.words,
        "audio_duration": stored.audio_duration,
        "speaker_names": names,
    }
    dialogue = job.mode == "dialogue"
    if fmt == "json":
        return transcript_out(job, stored, offered, extras)
    stem = sanitise_filename(job.file.filename).rsplit(".", 1)[0] or "transcript"
    if translation is not None:
        data, stem = translated(data, extras, translation), f"{stem}.{translation}"
    if fmt == "txt":
        return Export(exports.to_txt(data, dialogue), "text/plain; charset=utf-8", f"{stem}.txt")
    cues = exports.build_cues(data, dialogue)
    if fmt == "srt":
        return Export(exports.to_srt(cues), "application/x-subrip; charset=utf-8", f"{stem}.srt")
    return Export(exports.to_vtt(cues), "text/vtt; charset=utf-8", f"{stem}.vtt")
