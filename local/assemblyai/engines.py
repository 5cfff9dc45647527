"""Speech engines: `deterministic` reads the expected result from the test WAV; `whisper` really listens.

The Whisper engine itself lives in `local.assemblyai.whisper` and runs in a worker process (`local.assemblyai.worker`);
what every engine is asked and answers is `local.assemblyai.speech`, which all three import (none imports another back).
"""

from __future__ import annotations

from pathlib import Path

from local.assemblyai.media import read_script, wav_duration
from local.assemblyai.speech import NOT_AUDIO, Engine, EngineError, Request, Result, _shape


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
        if script.get("speaker_embeddings"):  # a test's stand-in for each speaker's voice (see speech.VOICES_FIELD)
            result.extra["speaker_embeddings"] = script["speaker_embeddings"]
        return result


ENGINES = ("whisper", "deterministic")


def engine_named(name: str, models_dir: Path | None = None) -> Engine:
    """`deterministic` runs in the server's process; `whisper` in a worker process (local.assemblyai.worker)."""
    if name == "deterministic":
        return Deterministic()
    if name == "whisper":
        from local.assemblyai.worker import WorkerEngine

        return WorkerEngine("whisper", models_dir=models_dir)
    raise ValueError(f"unknown engine {name!r}; use {' or '.join(ENGINES)}")
