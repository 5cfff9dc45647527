"""Editing a transcript while keeping its timings: new text is aligned with the old words, so unchanged words keep
their start and end, replaced ones share the time of what they replace, and inserted ones fill the gap they sit in.

The provider's result is kept aside on the first edit ("revert to original"); every save names the version it edits
(If-Match), and a save against an older version is refused (409), so two tabs never silently drop each other's work.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

_WORD = re.compile(r"\S+")


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


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


def retime(old: list[dict[str, Any]], new_text: str, start: int, end: int) -> list[dict[str, Any]]:
    """The words of `new_text`, timed from `old` (the words it replaces, within [start, end])."""
    new = _WORD.findall(new_text)
    template = old[0] if old else {"speaker": None}
    matcher = difflib.SequenceMatcher(a=[_key(w["text"]) for w in old], b=[_key(t) for t in new], autojunk=False)
    out: list[dict[str, Any]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":  # unchanged words keep their timings (and a fixed capital or comma keeps them too)
            out += [{**old[a1 + k], "text": new[b1 + k]} for k in range(a2 - a1)]
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
