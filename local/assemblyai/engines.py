"""Speech engines: `deterministic` reads the expected result from the test WAV; `whisper` really listens.

The Whisper engine itself lives in `local.assemblyai.whisper` and runs in a worker process (`local.assemblyai.worker`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from local.assemblyai.media import read_script, wav_duration


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


class Engine(Protocol):
    def transcribe(self, audio: bytes, req: Request) -> Result: ...


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


class Deterministic:
    """Returns what the WAV's `tscr` chunk says; a WAV without one is silence, anything else is not audio."""

    def transcribe(self, audio: bytes, req: Request) -> Result:
        duration = wav_duration(audio)
        if duration is None:
            raise EngineError(NOT_AUDIO)
        script = read_script(audio) or {}
        if script.get("error"):
            raise EngineError(str(script["error"]))
        utterances = script.get("utterances")
        words = script.get("words") or [w for u in utterances or [] for w in u["words"]]
        for u in utterances or []:
            u.setdefault("confidence", script.get("confidence", 0.95))
        language = (script.get("language_code") or "en") if req.language_detection else (req.language_code or "en")
        result = _shape(words, utterances, req, language, float(script.get("confidence", 0.95)), duration)
        result.processing_s = float(script.get("processing_ms", 50)) / 1000
        return result


ENGINES = ("whisper", "deterministic")


def engine_named(name: str) -> Engine:
    """`deterministic` runs in the server's process; `whisper` in a worker process (local.assemblyai.worker)."""
    if name == "deterministic":
        return Deterministic()
    if name == "whisper":
        from local.assemblyai.worker import WorkerEngine

        return WorkerEngine("whisper")
    raise ValueError(f"unknown engine {name!r}; use {' or '.join(ENGINES)}")
