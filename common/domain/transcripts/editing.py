"""Editing a transcript while keeping its timings: new text is aligned with the old words, so unchanged words keep
their start and end, replaced ones share the time of what they replace, and inserted ones fill the gap they sit in.

An edit names a line by its index in the version the client read (If-Match): times never name a line, since two
lines can touch (one ends at 26,640 ms where the next starts). A dialogue line can also move to another speaker.
The provider's result is kept aside on the first edit ("revert to original"); a save against an older version is
refused (409), so two tabs never silently drop each other's work, and an index always means what the client saw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from common.domain.errors import Invalid
from common.domain.transcripts import transcript_lines
from common.domain.transcripts.alignment import opcodes

# Edits fix what was said; they do not write a new transcript. Past these, the words of a transcript outgrow what
# the search index takes (PostgreSQL refused a tsvector at ~82,000 words) and what a page loads comfortably.
MAX_GROWTH_WORDS = 10_000
MAX_GROWTH_CHARS = 100_000
MAX_SPEAKERS = 26  # labels A to Z, as speaker names allow

_WORD = re.compile(r"\S+")


_NOT_WORD = re.compile(r"[^\w']")


def _key(word: str) -> str:
    return _NOT_WORD.sub("", word.lower())


def _spread(texts: list[str], start: int, end: int, template: dict[str, Any]) -> list[dict[str, Any]]:
    """Words sharing [start, end] evenly (by length), keeping the template's speaker."""
    if not texts:
        return []
    end = max(end, start + len(texts))  # at least a millisecond each
    weights = [max(1, len(t)) for t in texts]
    total, at, out = sum(weights), start, []
    for text, weight in zip(texts, weights, strict=True):
        span = round((end - start) * weight / total)
        word_end = min(end, at + max(1, span))
        out.append({"text": text, "start": at, "end": word_end, "confidence": None, "speaker": template.get("speaker")})
        at = word_end
    out[-1]["end"] = end
    return out


def _kept(word: dict[str, Any], text: str) -> dict[str, Any]:
    """A word that keeps its timing under new text; one the person retyped (a capital, a comma) has been read, so it
    loses the engine's confidence and is no longer uncertain (pipeline/confidence.py)."""
    if word["text"] == text:
        return word
    return {**word, "text": text, "confidence": None}


def retime(old: list[dict[str, Any]], new_text: str, start: int, end: int) -> list[dict[str, Any]]:
    """The words of `new_text`, timed from `old` (the words it replaces, within [start, end])."""
    new = _WORD.findall(new_text)
    template = old[0] if old else {"speaker": None}
    out: list[dict[str, Any]] = []
    for op, a1, a2, b1, b2 in opcodes([_key(w["text"]) for w in old], [_key(t) for t in new]):
        if op == "equal":  # unchanged words keep their timings (and a fixed capital or comma keeps them too)
            out += [_kept(old[a1 + k], new[b1 + k]) for k in range(a2 - a1)]
        elif op == "replace":  # the new words share the time of the words they replace
            out += _spread(new[b1:b2], int(old[a1]["start"]), int(old[a2 - 1]["end"]), old[a1])
        elif op == "insert":  # the gap between the neighbours, or, with no room, a share of the previous word's time
            gap_start = int(out[-1]["end"]) if out else start
            gap_end = int(old[a1]["start"]) if a1 < len(old) else end
            if gap_end - gap_start >= b2 - b1:
                out += _spread(new[b1:b2], gap_start, gap_end, template)
            elif out:
                previous = out.pop()
                texts = [previous["text"], *new[b1:b2]]
                out += _spread(texts, int(previous["start"]), max(gap_end, int(previous["end"])), previous)
            else:
                out += _spread(new[b1:b2], gap_start, gap_start + (b2 - b1), template)
        # "delete": the old words simply go
    return out


class LineEdit(Protocol):
    line: int
    text: str | None
    speaker: str | None


@dataclass(frozen=True)
class Content:
    text: str
    words: list[dict[str, Any]]
    utterances: list[dict[str, Any]]


def _no_line(index: int, count: int) -> Invalid:
    return Invalid(f"this transcript has no line {index} (it has {count}); reload it and edit again", "no_such_line")


def apply(current: Content, edits: Sequence[LineEdit], dialogue: bool, duration_ms: int) -> Content:
    """The transcript with these edits made, each naming a line of `current` by its index."""
    seen: set[int] = set()
    for edit in edits:
        if edit.line in seen:
            raise Invalid(f"line {edit.line} is edited twice in one save; send it once", "duplicate_line")
        seen.add(edit.line)
    if transcript_lines.by_lines(dialogue, current.utterances):
        return _apply_to_utterances(current, edits)
    if any(edit.speaker is not None for edit in edits):
        raise Invalid("this transcript has one speaker: its lines cannot move to another", "not_a_dialogue")
    return _apply_to_paragraphs(current, edits, duration_ms)


def _apply_to_utterances(current: Content, edits: Sequence[LineEdit]) -> Content:
    utterances = [dict(u) for u in current.utterances]
    for edit in edits:
        if edit.line >= len(utterances):
            raise _no_line(edit.line, len(utterances))
        u = utterances[edit.line]
        if edit.text is not None:
            u["words"] = retime(list(u.get("words") or []), edit.text, int(u["start"]), int(u["end"]))
            u["text"] = edit.text.strip()
        if edit.speaker is not None:
            u["speaker"] = edit.speaker
            u["words"] = [{**w, "speaker": edit.speaker} for w in u.get("words") or []]
    speakers = {u.get("speaker") for u in utterances if u.get("speaker")}
    if len(speakers) > MAX_SPEAKERS:
        raise Invalid(f"a transcript can have at most {MAX_SPEAKERS} speakers", "too_many_speakers")
    text = " ".join(t for t in (str(u.get("text", "")).strip() for u in utterances) if t)
    return Content(text, [w for u in utterances for w in u.get("words") or []], utterances)


def _apply_to_paragraphs(current: Content, edits: Sequence[LineEdit], duration_ms: int) -> Content:
    words = transcript_lines.mono_words(current.words, current.utterances)
    bounds = transcript_lines.paragraph_bounds(words) or ([(0, 0)] if current.text.strip() else [])
    replaced: dict[int, list[dict[str, Any]]] = {}
    for edit in edits:
        if edit.line >= len(bounds):
            raise _no_line(edit.line, len(bounds))
        first, end = bounds[edit.line]
        old = words[first:end]
        start_ms, end_ms = (int(old[0]["start"]), int(old[-1]["end"])) if old else (0, max(duration_ms, 1))
        replaced[edit.line] = retime(old, edit.text or "", start_ms, end_ms)
    out: list[dict[str, Any]] = []
    for index, (first, end) in enumerate(bounds):
        out += replaced[index] if index in replaced else words[first:end]
    return Content(" ".join(str(w["text"]) for w in out), out, current.utterances)


def check_growth(original: Content, edited: Content) -> None:
    """An edited transcript stays within a bounded distance of its original size (security probe F2)."""
    words = len(edited.words) - len(original.words)
    chars = len(edited.text) - len(original.text)
    if words > MAX_GROWTH_WORDS or chars > MAX_GROWTH_CHARS:
        raise Invalid(
            f"edits can make a transcript at most {MAX_GROWTH_WORDS:,} words and {MAX_GROWTH_CHARS:,} characters"
            f" longer than the original; this save would add {max(words, 0):,} words and {max(chars, 0):,}"
            " characters. Shorten the text.",
            "transcript_too_long",
        )
