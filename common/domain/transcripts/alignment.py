"""Which words of an edited line are the old words unchanged: an alignment of two word lists in near-linear time.

An exact alignment (the longest common subsequence) costs time proportional to the product of the two lengths, so
a 5,000-word line pasted back with one word changed took seconds, and a line of one repeated word was the worst case
(security probe F1). Real edits change a few places and leave long runs alone, so this keeps what is cheap and exact:
the common head and tail are matched word by word; words found once on each side anchor the rest, in order
(patience diff); only the small blocks left between anchors get the exact alignment, within a budget per line. A block
too large for that and with no anchor, or past the budget, is left unmatched: its new words share its time, as
replaced words always do.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

EXACT_CELLS = 2_500  # the exact alignment for blocks up to about 50 by 50 words: ~1 ms each
EXACT_BUDGET = 40_000  # cells of exact alignment per line, ~20 ms: past it, blocks are left unmatched
MAX_DEPTH = 4  # rounds of anchoring within anchored blocks; each round costs one pass over the words

Opcode = tuple[str, int, int, int, int]  # difflib's shape: (tag, a_start, a_end, b_start, b_end)


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """How to turn `a` into `b`: "equal", "replace", "insert" and "delete" runs, in order, as difflib gives them."""
    pairs: list[tuple[int, int]] = []
    _align(a, b, 0, len(a), 0, len(b), 0, pairs, [EXACT_BUDGET])
    out: list[Opcode] = []
    i = j = 0
    for pi, pj in [*pairs, (len(a), len(b))]:
        if i < pi or j < pj:
            tag = "replace" if i < pi and j < pj else "delete" if i < pi else "insert"
            out.append((tag, i, pi, j, pj))
        if pi < len(a):
            if out and out[-1][0] == "equal" and out[-1][2] == pi and out[-1][4] == pj:
                out[-1] = ("equal", out[-1][1], pi + 1, out[-1][3], pj + 1)
            else:
                out.append(("equal", pi, pi + 1, pj, pj + 1))
        i, j = pi + 1, pj + 1
    return out


def _align(
    a: Sequence[str],
    b: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    depth: int,
    out: list[tuple[int, int]],
    budget: list[int],
) -> None:
    """Append the matched pairs (i, j) of a[alo:ahi] and b[blo:bhi] to `out`, in order; `budget` holds the cells of
    exact alignment left (one counter shared by the whole line)."""
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        out.append((alo, blo))
        alo, blo = alo + 1, blo + 1
    tail: list[tuple[int, int]] = []
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
        tail.append((ahi, bhi))
    if alo < ahi and blo < bhi:
        cells = (ahi - alo) * (bhi - blo)
        if cells <= EXACT_CELLS:
            if cells <= budget[0]:
                budget[0] -= cells
                out += _exact(a, b, alo, ahi, blo, bhi)
        elif depth < MAX_DEPTH:
            i, j = alo, blo
            for ai, bj in _anchors(a, b, alo, ahi, blo, bhi):
                _align(a, b, i, ai, j, bj, depth + 1, out, budget)
                out.append((ai, bj))
                i, j = ai + 1, bj + 1
            if i > alo:  # anchored: the rest after the last anchor; unanchored: no match in this block
                _align(a, b, i, ahi, j, bhi, depth + 1, out, budget)
    out += reversed(tail)


def _anchors(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """Words found exactly once in each block, paired, keeping the longest run that is in order on both sides."""
    in_a, in_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if in_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if in_a[a[i]] == 1 and a[i] in where_b]
    # Longest increasing run of the b positions (patience sorting), remembering each pair's predecessor.
    tops: list[int] = []  # b position ending the best run of each length
    ends: list[int] = []  # index into `pairs` of that run's last pair
    before = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        length = bisect_left(tops, j)
        if length == len(tops):
            tops.append(j)
            ends.append(k)
        else:
            tops[length], ends[length] = j, k
        before[k] = ends[length - 1] if length else -1
    chain, k = [], ends[-1] if ends else -1
    while k >= 0:
        chain.append(pairs[k])
        k = before[k]
    return chain[::-1]


def _exact(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """The longest common subsequence of two small blocks (dynamic programming), as matched pairs."""
    m = bhi - blo
    bs = b[blo:bhi]
    table = [[0] * (m + 1)]
    for i in range(alo, ahi):
        word, above, row = a[i], table[-1], [0] * (m + 1)
        for j in range(m):
            row[j + 1] = above[j] + 1 if word == bs[j] else max(above[j + 1], row[j])
        table.append(row)
    pairs, i, j = [], ahi - alo, m
    while i and j:
        if a[alo + i - 1] == bs[j - 1]:
            pairs.append((alo + i - 1, blo + j - 1))
            i, j = i - 1, j - 1
        elif table[i - 1][j] >= table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]
