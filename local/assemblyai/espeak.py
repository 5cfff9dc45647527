"""Real speech for tests and benchmarks, synthesised offline with espeak-ng (`apt-get install espeak-ng`).

`say` makes one clip; `dialogue` joins turns by several voices with pauses and says where each turn lies,
so a test can score which speaker the engine gave each word (`attribution`); `wer` scores the words.

Note: in espeak-ng 1.51 a variant on a regional voice ("en-gb+f3") is ignored (it sounds like "en-gb");
"en-us+f3" or "en+f4" do give a female voice.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import wave
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def say(text: str, voice: str = "en-us", speed: int = 150) -> tuple[bytes, int]:
    """Mono 16-bit PCM frames and their sample rate (espeak-ng speaks at 22050 Hz)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        subprocess.run(["espeak-ng", "-w", str(out), "-v", voice, "-s", str(speed), text], check=True, timeout=60)
        with wave.open(str(out)) as w:
            return w.readframes(w.getnframes()), w.getframerate()


def wav(frames: bytes, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


def silence(seconds: float, rate: int = 22050) -> bytes:
    return wav(b"\x00\x00" * int(seconds * rate), rate)


def speech(text: str, voice: str = "en-us", speed: int = 150) -> bytes:
    """A WAV file of `text` spoken by `voice`."""
    return wav(*say(text, voice, speed))


@dataclass(frozen=True)
class Turn:
    speaker: str  # the voice, e.g. "en-us"
    text: str
    start_ms: int
    end_ms: int


def dialogue(turns: list[tuple[str, str]], pause_s: float = 0.6, speed: int = 150) -> tuple[bytes, list[Turn]]:
    """A WAV of (voice, text) turns one after another with `pause_s` between them, and where each turn lies."""
    rate = 22050
    pause = b"\x00\x00" * int(pause_s * rate)
    frames, spans = b"", []
    for voice, text in turns:
        clip, clip_rate = say(text, voice, speed)
        if clip_rate != rate:
            raise RuntimeError(f"espeak-ng spoke at {clip_rate} Hz, expected {rate}")
        start = len(frames) // 2 * 1000 // rate
        frames += clip
        spans.append(Turn(voice, text, start, len(frames) // 2 * 1000 // rate))
        frames += pause
    return wav(frames, rate), spans


def speaker_at(spans: list[Turn], ms: float) -> str | None:
    """The voice speaking at `ms`, or the nearest turn's voice within a pause."""
    best, distance = None, float("inf")
    for t in spans:
        d = 0.0 if t.start_ms <= ms <= t.end_ms else min(abs(ms - t.start_ms), abs(ms - t.end_ms))
        if d < distance:
            best, distance = t.speaker, d
    return best


# scoring


def normalised(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing transcripts."""
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: (substitutions + deletions + insertions) / reference words, case and punctuation ignored."""
    return word_error_rate(normalised(reference), normalised(hypothesis))


def word_error_rate(ref: list[str], hyp: list[str]) -> float:
    """(substitutions + deletions + insertions) / reference words, on words already normalised."""
    row = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        diagonal, row[0] = row[0], i
        for j in range(1, len(hyp) + 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (ref[i - 1] != hyp[j - 1]))
    return row[len(hyp)] / max(1, len(ref))


def attribution(words: list[dict[str, Any]], spans: list[Turn]) -> tuple[float, dict[str, str]]:
    """Share of words whose speaker label is the right voice, each label mapped to the voice it mostly covers."""
    truth = [speaker_at(spans, (w["start"] + w["end"]) / 2) for w in words]
    pairs = Counter((w["speaker"], t) for w, t in zip(words, truth, strict=True))
    mapping: dict[str, str] = {}
    for (label, voice), _ in pairs.most_common():
        if label not in mapping and voice not in mapping.values():
            mapping[label] = str(voice)
    right = sum(1 for w, t in zip(words, truth, strict=True) if mapping.get(w["speaker"]) == t)
    return right / max(1, len(words)), mapping
