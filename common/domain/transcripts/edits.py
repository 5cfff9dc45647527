"""Edits of a transcript's lines that keep the words' timings (editing.retime), and the way back to the original."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from common.domain.errors import Conflict, Invalid
from common.domain.schemas import TranscriptOut
from common.domain.transcripts import editing
from common.domain.transcripts.stored import completed_transcript, transcript_out
from common.store.db import transaction
from common.store.models import Transcript


def _save(s: Session, stored: Transcript, expected: int, content: dict[str, Any], original: Any) -> None:
    """One conditional UPDATE: a save against another version than the stored one changes nothing (409)."""
    saved = s.execute(
        update(Transcript)
        .where(Transcript.job_id == stored.job_id, Transcript.version == expected)
        .values(**content, original=original, version=expected + 1)
    ).rowcount  # type: ignore[attr-defined]
    if not saved:
        raise Conflict("the transcript was changed elsewhere (another tab?); reload to see it", "edit_conflict")
    s.expire(stored)


def edit_transcript(user_id: uuid.UUID, job_id: uuid.UUID, version: int, edits: list[Any]) -> TranscriptOut:
    """Replace the text of lines (their [start, end] in ms), re-timing the words; the original is kept aside."""
    with transaction() as s:
        job, stored = completed_transcript(s, user_id, job_id)
        words, utterances = [dict(w) for w in stored.words], [dict(u) for u in stored.utterances]
        for edit in sorted(edits, key=lambda e: e.start):
            if utterances:  # a dialogue line is an utterance
                u = next((u for u in utterances if u["start"] <= edit.start <= u["end"]), None)
                if u is None:
                    raise Invalid(f"no line of this transcript starts at {edit.start} ms", "no_such_line")
                u["words"] = editing.retime(list(u.get("words") or []), edit.text, int(u["start"]), int(u["end"]))
                u["text"] = edit.text.strip()
                words = [w for x in utterances for w in x.get("words") or []]
            else:  # mono: the words within the line's range
                inside = [w for w in words if edit.start <= int(w["start"]) < max(edit.end, edit.start + 1)]
                if not inside and not edit.text.strip():
                    continue
                first = (
                    words.index(inside[0])
                    if inside
                    else next((i for i, w in enumerate(words) if int(w["start"]) >= edit.start), len(words))
                )
                replaced = editing.retime(inside, edit.text, edit.start, edit.end)
                words = words[:first] + replaced + words[first + len(inside) :]
        text = (
            " ".join(str(u.get("text", "")).strip() for u in utterances)
            if utterances
            else " ".join(str(w["text"]) for w in words)
        )
        original = stored.original or {"text": stored.text, "words": stored.words, "utterances": stored.utterances}
        _save(s, stored, version, {"text": text, "words": words, "utterances": utterances}, original)
        return transcript_out(job, s.get(Transcript, job_id))  # type: ignore[arg-type]


def revert_transcript(user_id: uuid.UUID, job_id: uuid.UUID, version: int) -> TranscriptOut:
    """Back to the provider's result, as it was first stored."""
    with transaction() as s:
        job, stored = completed_transcript(s, user_id, job_id)
        if stored.original is None:
            return transcript_out(job, stored)
        _save(s, stored, version, dict(stored.original), None)
        return transcript_out(job, s.get(Transcript, job_id))  # type: ignore[arg-type]
