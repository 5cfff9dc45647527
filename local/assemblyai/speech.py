"""What a speech engine of the local AssemblyAI server is asked (Request) and answers (Result or EngineError), in the
provider's result shape (_shape). The engines (engines.py, whisper.py) and the worker that hosts Whisper import it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class EngineError(Exception):
    """The transcript ends in status `error` with this message."""


@dataclass
class Result:
    text: str
    words: list[dict[str, Any]]
    utterances: list[dict[str, Any]] | None
    language_code: str
    confidence: float
    audio_duration: int
    processing_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    speaker_labels: bool
    language_code: str | None
    language_detection: bool
    speakers_expected: int | None = None
    keyterms: tuple[str, ...] = ()  # keyterms_prompt: names and terms to listen for (Whisper's hotwords)
    translate: bool = False  # also into English (Whisper's task="translate"): segments in Result.extra["translation"]


class Engine(Protocol):
    def transcribe(self, audio: bytes, req: Request) -> Result: ...


# An extension of the transcript JSON (AssemblyAI has no such field): {"A": [256 floats], ...}, each speaker's mean
# voice embedding, which the app keeps when the user names that speaker (its directory of named voices).
VOICES_FIELD = "x_speaker_embeddings"

NOT_AUDIO = "File does not appear to contain audio. File type is application/octet-stream (data)."


def _shape(
    words: list[dict[str, Any]],
    utterances: list[dict[str, Any]] | None,
    req: Request,
    language: str,
    confidence: float,
    duration: float,
) -> Result:
    """The provider's result shape: utterances and word speakers only when speaker labels were asked for."""
    if req.speaker_labels:
        if utterances is None:
            utterances = (
                [
                    {
                        "speaker": "A",
                        "start": words[0]["start"],
                        "end": words[-1]["end"],
                        "text": " ".join(w["text"] for w in words),
                        "confidence": confidence,
                        "words": [{**w, "speaker": "A"} for w in words],
                    }
                ]
                if words
                else []
            )
        words = [{**w, "speaker": u["speaker"]} for u in utterances for w in u["words"]]
    else:
        words = [{**w, "speaker": None} for w in words]
        utterances = None
    text = " ".join(w["text"] for w in words)
    return Result(text, words, utterances, language, confidence, max(0, round(duration)))
