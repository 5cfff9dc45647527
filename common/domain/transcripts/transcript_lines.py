"""A transcript's lines: what the page shows, what an edit names by its index, and the TXT export's paragraphs.

A dialogue's lines are its utterances. A one-speaker transcript's are paragraphs of its words: a new one every few
sentences, after a long pause, or at a size that still fits in one edit. The server decides them, and sends the
paragraphs' first words with the transcript, so the page, the edits and the export can never disagree on them.
"""

from __future__ import annotations

import re
from typing import Any

SENTENCES_PER_PARAGRAPH = 4
PARAGRAPH_PAUSE_MS = 2000
PARAGRAPH_MAX_WORDS = 200  # a paragraph's text then fits well within an edit's 10,000 characters
_SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")


def paragraph_starts(words: list[dict[str, Any]]) -> list[int]:
    """The index of each paragraph's first word."""
    starts: list[int] = []
    sentences, previous_end = 0, None
    for i, w in enumerate(words):
        size = i - starts[-1] if starts else 0
        paused = previous_end is not None and int(w.get("start") or 0) - previous_end > PARAGRAPH_PAUSE_MS
        if not starts or paused or sentences >= SENTENCES_PER_PARAGRAPH or size >= PARAGRAPH_MAX_WORDS:
            starts.append(i)
            sentences = 0
        if _SENTENCE_END.search(str(w.get("text") or "")):
            sentences += 1
        previous_end = int(w.get("end") or 0)
    return starts


def by_lines(dialogue: bool, utterances: list[dict[str, Any]]) -> bool:
    """Whether the lines are the utterances (a dialogue that has them) rather than paragraphs of words."""
    return dialogue and bool(utterances)


def mono_words(words: list[dict[str, Any]], utterances: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The words a one-speaker transcript's paragraphs are made of (from its utterances when it has no list)."""
    return words or [w for u in utterances for w in u.get("words") or []]


def paragraph_bounds(words: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Each paragraph's [first, end) word indices."""
    starts = paragraph_starts(words)
    return list(zip(starts, [*starts[1:], len(words)], strict=False))


def paragraphs(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [words[a:b] for a, b in paragraph_bounds(words)]
