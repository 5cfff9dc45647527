"""Test media: WAV files that carry their expected transcript in a `tscr` chunk, for the deterministic engine.

CLI: python -m local.assemblyai.media --out talk.wav --duration 8 --dialogue "A:Hello there" "B:Hi, how are you?"
     python -m local.assemblyai.media --out note.wav --duration 4 --mono "The quick brown fox."
"""

from __future__ import annotations

import argparse
import json
import math
import re
import struct
import sys
from array import array
from collections.abc import Collection
from pathlib import Path
from typing import Any

CHUNK_ID = b"tscr"


def _chunk(cid: bytes, payload: bytes) -> bytes:
    pad = b"\x00" if len(payload) % 2 else b""
    return cid + struct.pack("<I", len(payload)) + payload + pad


def make_wav(script: dict[str, Any] | None, duration_s: float, sample_rate: int = 8000) -> bytes:
    """A playable mono 16-bit WAV (a faint tone) of the given length, with the script embedded."""
    frames = max(1, int(duration_s * sample_rate))
    step = 2 * math.pi * 220 / sample_rate
    # 220 Hz fits a second exactly: build one second and repeat it (long test files in moments, not minutes).
    second = array("h", (int(300 * math.sin(i * step)) for i in range(sample_rate)))
    samples = second * (frames // sample_rate) + second[: frames % sample_rate]
    extra = [(CHUNK_ID, json.dumps(script, ensure_ascii=False).encode())] if script is not None else []
    return wav_bytes(samples, sample_rate, extra)


def wav_bytes(samples: array, sample_rate: int, extra: list[tuple[bytes, bytes]] | None = None) -> bytes:
    """A mono 16-bit PCM WAV of these samples, with any extra chunks (id, payload) before the data."""
    if sys.byteorder != "little":
        samples = array("h", samples)
        samples.byteswap()
    fmt = struct.pack("<HHIIHH", 1, 1, sample_rate, sample_rate * 2, 2, 16)
    body = b"WAVE" + _chunk(b"fmt ", fmt) + b"".join(_chunk(cid, payload) for cid, payload in extra or [])
    body += _chunk(b"data", samples.tobytes())
    return b"RIFF" + struct.pack("<I", len(body)) + body


def chunks(data: bytes) -> dict[bytes, bytes]:
    """The RIFF chunks of a WAV file; empty when it is not one."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return {}
    found, pos = {}, 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        found[cid] = data[pos + 8 : pos + 8 + size]
        pos += 8 + size + (size % 2)
    return found


def read_script(data: bytes) -> dict[str, Any] | None:
    raw = chunks(data).get(CHUNK_ID)
    return json.loads(raw) if raw else None


def wav_duration(data: bytes) -> float | None:
    parts = chunks(data)
    fmt, pcm = parts.get(b"fmt "), parts.get(b"data")
    if not fmt or pcm is None or len(fmt) < 16:
        return None
    _, _channels, rate, _, align, _ = struct.unpack("<HHIIHH", fmt[:16])
    return len(pcm) / (rate * align) if rate and align else None


UNSURE_CONFIDENCE = 0.3  # a word listed as unsure: below the review mode's threshold (pipeline/confidence.py)


def _timed_words(
    text: str, start_ms: int, end_ms: int, speaker: str | None, unsure: Collection[str] = ()
) -> list[dict[str, Any]]:
    """Words spread over [start_ms, end_ms]; those in `unsure` (compared without case or punctuation) get a low
    confidence, as a real engine gives a word it misheard: the review mode's tests need some, every time."""
    doubtful = {_bare(w) for w in unsure}
    words = text.split()
    if not words:
        return []
    slot = (end_ms - start_ms) / len(words)
    return [
        {
            "text": w,
            "start": int(start_ms + i * slot),
            "end": int(start_ms + (i + 0.85) * slot),
            "confidence": UNSURE_CONFIDENCE if _bare(w) in doubtful else 0.95,
            "speaker": speaker,
        }
        for i, w in enumerate(words)
    ]


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def mono_script(text: str, duration_s: float, language: str = "en", unsure: Collection[str] = ()) -> dict[str, Any]:
    end = int(duration_s * 1000)
    return {
        "language_code": language,
        "confidence": 0.95,
        "text": text,
        "words": _timed_words(text, min(200, end // 10), max(1, end - min(200, end // 10)), None, unsure),
    }


def dialogue_script(turns: list[tuple[str, str]], duration_s: float, language: str = "en") -> dict[str, Any]:
    """Turns spread over the recording in proportion to their length, each with word timings."""
    total_ms = int(duration_s * 1000)
    margin = min(200, total_ms // 10)
    span = total_ms - 2 * margin
    weights = [max(1, len(text.split())) for _, text in turns]
    cursor, utterances = float(margin), []
    for (speaker, text), weight in zip(turns, weights, strict=True):
        length = span * weight / sum(weights)
        start, end = int(cursor), int(cursor + length * 0.9)
        words = _timed_words(text, start, end, speaker)
        utterances.append(
            {"speaker": speaker, "start": start, "end": end, "text": text, "confidence": 0.95, "words": words}
        )
        cursor += length
    return {
        "language_code": language,
        "confidence": 0.95,
        "text": " ".join(t for _, t in turns),
        "utterances": utterances,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a WAV carrying its expected transcript.")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--language", default="en")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--mono", metavar="TEXT")
    group.add_argument("--dialogue", nargs="+", metavar="SPEAKER:TEXT")
    group.add_argument("--error", metavar="MESSAGE", help="the engine fails the transcript with this message")
    parser.add_argument("--unsure", nargs="*", default=[], metavar="WORD", help="words the engine is unsure of (mono)")
    args = parser.parse_args(argv)
    if args.mono:
        script = mono_script(args.mono, args.duration, args.language, args.unsure)
    elif args.dialogue:
        turns = [tuple(t.split(":", 1)) for t in args.dialogue]
        if any(len(t) != 2 for t in turns):
            parser.error("dialogue turns look like SPEAKER:TEXT")
        script = dialogue_script([(s.strip(), x.strip()) for s, x in turns], args.duration, args.language)
    else:
        script = {"error": args.error}
    args.out.write_bytes(make_wav(script, args.duration))
    print(args.out)


if __name__ == "__main__":
    main()
