"""Transcript exports built locally from stored words and utterances: plain text, SRT and WebVTT."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from common.domain.transcripts import transcript_lines

MAX_CUE_CHARS = 84  # two lines of 42, the usual subtitle limit
MAX_LINE_CHARS = 42
MAX_CUE_MS = 7000
PAUSE_BREAK_MS = 1500
_SENTENCE_END = re.compile(r"[.?!…]['\")\]]*$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Cue:
    start: int  # milliseconds
    end: int
    text: str
    speaker: str | None = None


def _clean(text: Any) -> str:
    # A newline inside a word would end an SRT/VTT cue early.
    return _SPACE.sub(" ", str(text or "")).strip()


def speaker_label(speaker: str | None, names: Mapping[str, str] | None = None) -> str | None:
    """The name the user gave this speaker, else "Speaker A"."""
    if not speaker:
        return None
    if names and _clean(names.get(speaker)):
        return _clean(names[speaker])
    speaker = _clean(speaker)
    return speaker if speaker.lower().startswith("speaker") else f"Speaker {speaker}"


def _ms(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    speaker: str | None


def _runs(
    utterances: Sequence[dict[str, Any]],
    words: Sequence[dict[str, Any]],
    dialogue: bool,
    text: str,
    duration_ms: int,
    names: Mapping[str, str] | None = None,
) -> list[list[_Word]]:
    """Runs of timed words that may share cues: one run per utterance in dialogue, one in all for mono."""

    def timed(ws: Iterable[dict[str, Any]], speaker: str | None) -> list[_Word]:
        out = []
        for w in ws:
            t = _clean(w.get("text"))
            if t:
                start = _ms(w.get("start"))
                out.append(_Word(t, start, max(start, _ms(w.get("end"))), speaker))
        return out

    if dialogue and utterances:
        runs = []
        for u in utterances:
            speaker = speaker_label(u.get("speaker"), names)
            run = timed(u.get("words") or [], speaker)
            if not run and _clean(u.get("text")):  # no word timings: the utterance is one unit
                start = _ms(u.get("start"))
                run = [_Word(_clean(u.get("text")), start, max(start, _ms(u.get("end"))), speaker)]
            runs.append(run)
        return [r for r in runs if r]
    run = timed(words, None)
    if not run and utterances:
        run = [w for u in utterances for w in timed(u.get("words") or [], None)]
    if not run and _clean(text):
        run = [_Word(_clean(text), 0, max(duration_ms, 1), None)]
    return [run] if run else []


def build_cues(transcript: dict[str, Any], dialogue: bool) -> list[Cue]:
    duration_ms = int(float(transcript.get("audio_duration") or 0) * 1000)
    runs = _runs(
        transcript.get("utterances") or [],
        transcript.get("words") or [],
        dialogue,
        transcript.get("text") or "",
        duration_ms,
        transcript.get("speaker_names") or {},
    )
    cues: list[Cue] = []
    for run in runs:
        current: list[_Word] = []
        for word in run:
            if current:
                text_len = sum(len(w.text) + 1 for w in current) + len(word.text)
                too_long = text_len > MAX_CUE_CHARS or word.end - current[0].start > MAX_CUE_MS
                paused = word.start - current[-1].end > PAUSE_BREAK_MS
                sentence_done = _SENTENCE_END.search(current[-1].text) and text_len > MAX_CUE_CHARS // 2
                if too_long or paused or sentence_done:
                    cues.append(_cue(current))
                    current = []
            current.append(word)
        if current:
            cues.append(_cue(current))
    return _untangle(sorted(cues, key=lambda c: (c.start, c.end)))


def _cue(words: list[_Word]) -> Cue:
    return Cue(words[0].start, max(w.end for w in words), " ".join(w.text for w in words), words[0].speaker)


def _untangle(cues: list[Cue]) -> list[Cue]:
    """Every cue ends after it starts and before the next one starts, as players expect."""
    out: list[Cue] = []
    for i, cue in enumerate(cues):
        end = max(cue.end, cue.start + 1)
        if i + 1 < len(cues) and end > cues[i + 1].start:
            end = max(cues[i + 1].start, cue.start + 1)
        out.append(Cue(cue.start, end, cue.text, cue.speaker))
    for i in range(1, len(out)):  # identical starts: nudge the later cue past the earlier one's end
        if out[i].start < out[i - 1].end:
            start = out[i - 1].end
            out[i] = Cue(start, max(out[i].end, start + 1), out[i].text, out[i].speaker)
    return out


def wrap(text: str, width: int = MAX_LINE_CHARS) -> list[str]:
    """At most two balanced lines when the text is longer than one; words are never split."""
    if len(text) <= width or " " not in text:
        return [text]
    middle = len(text) // 2
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    split = min(spaces, key=lambda i: abs(i - middle))
    return [text[:split], text[split + 1 :]]


def _clock(ms: int, sep: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def srt_time(ms: int) -> str:
    return _clock(ms, ",")


def vtt_time(ms: int) -> str:
    return _clock(ms, ".")


def to_srt(cues: Sequence[Cue]) -> str:
    blocks = []
    for n, cue in enumerate(cues, 1):
        text = f"{cue.speaker}: {cue.text}" if cue.speaker else cue.text
        lines = "\n".join(wrap(text))
        blocks.append(f"{n}\n{srt_time(cue.start)} --> {srt_time(cue.end)}\n{lines}\n")
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: Sequence[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        lines = "\n".join(_vtt_escape(line) for line in wrap(cue.text))
        voice = f"<v {_vtt_escape(cue.speaker)}>" if cue.speaker else ""
        blocks.append(f"{vtt_time(cue.start)} --> {vtt_time(cue.end)}\n{voice}{lines}\n")
    return "\n".join(blocks)


def to_txt(transcript: dict[str, Any], dialogue: bool) -> str:
    """Mono: the page's paragraphs. Dialogue: one paragraph per turn, `Speaker A: …`, consecutive lines of one speaker
    merged, as the page shows them."""
    utterances = transcript.get("utterances") or []
    names = transcript.get("speaker_names") or {}
    if not transcript_lines.by_lines(dialogue, utterances):
        words = transcript_lines.mono_words(transcript.get("words") or [], utterances)
        texts = [
            " ".join(t for t in (_clean(w.get("text")) for w in p) if t) for p in transcript_lines.paragraphs(words)
        ]
        texts = [t for t in texts if t] or [_clean(transcript.get("text"))]
        return "\n\n".join(texts) + "\n" if any(texts) else ""
    turns: list[tuple[str | None, list[str]]] = []
    for u in utterances:
        speaker, text = speaker_label(u.get("speaker"), names), _clean(u.get("text"))
        if not text:
            continue
        if turns and turns[-1][0] == speaker:
            turns[-1][1].append(text)
        else:
            turns.append((speaker, [text]))
    return "".join(f"{s + ': ' if s else ''}{' '.join(parts)}\n\n" for s, parts in turns).rstrip("\n") + "\n"
