"""A completed job with a known transcript, stored the way the pipeline stores a provider's result."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from common.adapters.ports import ProviderTranscript
from common.domain.pipeline import transitions
from common.store.db import transaction
from common.store.models import TranscriptionJob, utcnow
from tests.api import Api


def timed_words(text: str, start_ms: int = 0, step_ms: int = 400, speaker: str | None = None) -> list[dict[str, Any]]:
    return [
        {"text": w, "start": start_ms + i * step_ms, "end": start_ms + i * step_ms + 300, "speaker": speaker}
        for i, w in enumerate(text.split())
    ]


def completed_job(
    api: Api,
    text: str,
    utterances: list[dict[str, Any]] | None = None,
    name: str = "talk.wav",
    words: list[dict[str, Any]] | None = None,
) -> str:
    """Declare a file, create a job (dialogue when utterances are given) and complete it with this transcript (its
    words given, or timed from the text)."""
    declared = api.post("/api/v1/files", {"filename": name, "content_type": "audio/wav", "size": 10}).json
    mode = "dialogue" if utterances else "mono"
    job = api.post("/api/v1/jobs", {"file_id": declared["file"]["id"], "mode": mode}).json
    if words is None:
        words = [w for u in utterances for w in u["words"]] if utterances else timed_words(text)
    result = ProviderTranscript(
        id=f"t-{uuid.uuid4().hex[:8]}",
        status="completed",
        error=None,
        text=text,
        words=words,
        utterances=utterances or [],
        language="en",
        audio_duration=60.0,
        confidence=0.9,
        webhook_url=None,
    )
    job_id = uuid.UUID(job["id"])
    with transaction() as s:
        s.execute(
            update(TranscriptionJob)
            .where(TranscriptionJob.id == job_id)
            .values(status="processing", stage="submitted", provider_transcript_id=result.id)
        )
        assert transitions.complete(s, job_id, result, utcnow())
    return str(job_id)
