"""The CPU one transcript save can cost, at the largest edit the API takes (security probe F1, issue #20).

A save carries at most 64 KB of JSON, so at most six lines of new text, 10,000 characters each (5,000 one-letter
words). Each line here is a dialogue utterance (the old side, whose length the provider decides: 5,000 words, and
50,000 in the last shape), and the shapes are the ones that made the old word diff (difflib, quadratic) slow, plus
the one that makes this alignment do the most exact work:
- same: "a a a …" on both sides (the probe's body: 21 s per save before);
- swapped: "a b a b …" against "b a b a …" (no common head, tail or unique word);
- anchored: a unique word every 50 words, "a b …" filler against "b a …" filler between (every block just small
  enough for the exact alignment: the most cells this alignment ever fills);
- realistic: a line of varied words, 10,000 characters, with 50 words changed here and there;
- long line: a 50,000-word utterance (about 5 hours of one voice) replaced by 10,000 characters of anchored text.
Runs `editing.apply` (what the save runs between its two transactions), median of `--runs`, and prints ms per save.

Run: nice -n 10 .venv/bin/python bench/edit_worst_case.py [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common.domain.transcripts import editing

LINES, WORDS = 6, 5_000


@dataclass(frozen=True)
class Edit:
    line: int
    text: str | None
    speaker: str | None = None


def utterance(words: list[str]) -> dict:
    timed = [{"text": w, "start": i * 300, "end": i * 300 + 250, "speaker": "A"} for i, w in enumerate(words)]
    return {"speaker": "A", "start": 0, "end": len(words) * 300, "text": " ".join(words), "words": timed}


def anchored(filler: tuple[str, str], count: int = WORDS) -> list[str]:
    return [f"u{i}" if i % 50 == 0 else filler[i % 2] for i in range(count)]


def fitting(words: list[str], limit: int = 10_000) -> list[str]:
    """As many leading words as one edit's text takes."""
    out, size = [], -1
    for w in words:
        size += len(w) + 1
        if size > limit:
            break
        out.append(w)
    return out


def shapes() -> dict[str, tuple[list[str], list[str]]]:
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(800)]
    varied = [rng.choice(vocabulary) for _ in range(WORDS)]
    changed = list(varied)
    for i in rng.sample(range(1400), 50):
        changed[i] = "changed"
    changed = fitting(changed)
    varied = varied[: len(changed)]
    return {
        "same": (["a"] * WORDS, ["a"] * WORDS),
        "swapped": (["a", "b"] * (WORDS // 2), ["b", "a"] * (WORDS // 2)),
        "anchored": (anchored(("a", "b")), fitting(anchored(("b", "a")))),
        "realistic": (varied, changed),
        "long line": (anchored(("a", "b"), 50_000), fitting(anchored(("b", "a")))),
    }


def one_save(old: list[str], new: list[str]) -> float:
    current = editing.Content(" ".join(old), [], [utterance(old) for _ in range(LINES)])
    edits = [Edit(i, " ".join(new)) for i in range(LINES)]
    started = time.perf_counter()
    editing.apply(current, edits, dialogue=True, duration_ms=WORDS * 300)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    worst = 0.0
    for name, (old, new) in shapes().items():
        assert len(" ".join(new)) <= 10_000  # what one edit's text may be
        ms = statistics.median(one_save(old, new) for _ in range(args.runs))
        worst = max(worst, ms)
        print(f"{name:10s} {LINES} lines, {len(old):,} old words → {len(new):,} new: {ms:8.1f} ms per save")
    print(f"worst: {worst:.1f} ms per save")


if __name__ == "__main__":
    main()
