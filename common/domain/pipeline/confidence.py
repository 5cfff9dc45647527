"""What counts as an uncertain word: one the engine gave a confidence below UNCERTAIN_BELOW.

AssemblyAI gives every word a `confidence` in [0, 1], and the offline Whisper engine its word probability there. A word
a person has edited carries none (transcripts/editing.py): it has been read, so it is no longer uncertain. The SPA
marks words by the same threshold (frontend/src/lib/review.ts), so the count in the job list is what the page marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Where AssemblyAI's words are wrong often enough to be worth a look, without marking most of a clean recording:
# Whisper base on bench/vocabulary.py's espeak voices gave the misheard made-up names 0.05-0.5 and most words above 0.8.
UNCERTAIN_BELOW = 0.6


def is_uncertain(word: dict[str, Any]) -> bool:
    confidence = word.get("confidence")
    return isinstance(confidence, int | float) and confidence < UNCERTAIN_BELOW


def count_uncertain(words: Iterable[dict[str, Any]]) -> int:
    return sum(1 for w in words if is_uncertain(w))
