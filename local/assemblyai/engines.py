"""Speech engines: `deterministic` reads the expected result from the test WAV; `pocketsphinx` really listens."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path
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


class PocketSphinx:
    """Offline English recognition with pocketsphinx's bundled model (16 kHz mono PCM)."""

    RATE = 16000

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError as exc:  # the server still starts; jobs fail with a message saying why
            self._decoder_error = f"pocketsphinx is not installed ({exc}); pip install pocketsphinx"
            return
        self._decoder_error = ""
        self._decoder_cls = Decoder

    def _pcm16k(self, audio: bytes) -> tuple[bytes, float]:
        try:
            with wave.open(io.BytesIO(audio)) as w:
                channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
                frames = w.readframes(w.getnframes())
        except (wave.Error, EOFError):
            return self._via_ffmpeg(audio)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import audioop  # in the stdlib up to 3.12, which this project pins

            if width != 2:
                frames = audioop.lin2lin(frames, width, 2)
            if channels == 2:
                frames = audioop.tomono(frames, 2, 0.5, 0.5)
            elif channels != 1:
                raise EngineError(f"{channels}-channel WAV files are not supported by the local engine")
            if rate != self.RATE:
                frames, _ = audioop.ratecv(frames, 2, 1, rate, self.RATE, None)
        return frames, len(frames) / (2 * self.RATE)

    def _via_ffmpeg(self, audio: bytes) -> tuple[bytes, float]:
        if not shutil.which("ffmpeg"):
            raise EngineError("This local engine reads WAV files; install ffmpeg to transcribe other formats.")
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "input"
            src.write_bytes(audio)
            done = subprocess.run(
                [
                    "ffmpeg",
                    "-nostdin",
                    "-loglevel",
                    "error",
                    "-i",
                    str(src),
                    "-ac",
                    "1",
                    "-ar",
                    str(self.RATE),
                    "-f",
                    "s16le",
                    "-",
                ],
                capture_output=True,
                check=False,
                timeout=600,
            )
        if done.returncode != 0:
            raise EngineError(NOT_AUDIO)
        return done.stdout, len(done.stdout) / (2 * self.RATE)

    def transcribe(self, audio: bytes, req: Request) -> Result:
        if self._decoder_error:
            raise EngineError(self._decoder_error)
        pcm, duration = self._pcm16k(audio)
        decoder = self._decoder_cls(samprate=self.RATE, loglevel="FATAL")
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        words = []
        for seg in decoder.seg():
            token = seg.word
            if token.startswith(("<", "[")) or token in ("<s>", "</s>"):
                continue
            text = token.split("(")[0]  # "read(2)" is the second pronunciation of "read"
            words.append(
                {"text": text, "start": seg.start_frame * 10, "end": seg.end_frame * 10 + 10, "confidence": 0.8}
            )
        return _shape(words, None, req, req.language_code or "en", 0.8 if words else 0.0, duration)


def engine_named(name: str) -> Engine:
    if name == "deterministic":
        return Deterministic()
    if name == "pocketsphinx":
        return PocketSphinx()
    raise ValueError(f"unknown engine {name!r}; use deterministic or pocketsphinx")
