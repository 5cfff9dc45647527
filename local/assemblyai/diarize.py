"""Who spoke each word, offline: speaker diarization for the local engine with a trained voice encoder.

* Whisper's words are grouped into stretches of speech, split at pauses (a change of speaker nearly always
  comes with one);
* each stretch is cut into 1.6 s windows every 0.5 s (a shorter stretch is one window, its frames repeated to
  1.6 s), and every window becomes a voice embedding (`voice_encoder`: resemblyzer's GE2E encoder in numpy);
* the windows are clustered by agglomerative clustering (average linkage, cosine distance): into
  `speakers_expected` clusters when given, otherwise merged until the closest clusters are `CUT` apart;
  a blank count is a question ("how many?"), so one voice is a possible answer;
* each word takes the cluster of the window of its stretch whose centre is nearest.

Labels are "A", "B", ... in order of first appearance. The thresholds were tuned with `bench/speakers.py --tune`
on dialogues that the reported figures (bench/README.md) do not use. People talking over each other are not
handled.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from local.assemblyai.engines import EngineError
from local.assemblyai.voice_encoder import HOP, PARTIAL_FRAMES, RATE, WeightsError, encoder, normalise_volume

PAUSE_S = 0.3  # a gap this long between words ends a stretch
WINDOW_HOP = 50  # frames (0.5 s) between windows within a stretch
MIN_FRAMES = 20  # a stretch shorter than 0.2 s says too little about the voice
MAX_ITEMS = 600  # windows clustered directly; the rest join the nearest cluster (bounds time and memory)
MAX_SPEAKERS = 10
CUT = 0.35  # cosine distance (average linkage) above which two clusters are different voices
MIN_SHARE = 0.08  # with the count blank, a cluster holding less of the windows than this is folded in


def stretches(words: list[dict[str, Any]]) -> list[list[int]]:
    """Indexes of words grouped into stretches of speech without a pause of PAUSE_S."""
    groups: list[list[int]] = []
    for i, w in enumerate(words):
        if groups and (w["start"] - words[groups[-1][-1]]["end"]) / 1000 < PAUSE_S:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _windows(mel_frames: int, first: int, last: int) -> list[tuple[int, int]]:
    """(start, end) mel frames of the windows over one stretch; the last one ends where the stretch does."""
    length = last - first
    if length <= PARTIAL_FRAMES:
        return [(first, last)]
    starts = list(range(first, last - PARTIAL_FRAMES + 1, WINDOW_HOP))
    if starts[-1] + PARTIAL_FRAMES < last:
        starts.append(last - PARTIAL_FRAMES)
    return [(s, min(s + PARTIAL_FRAMES, mel_frames)) for s in starts]


def _linkage_labels(x: np.ndarray, expected: int | None, cut: float) -> np.ndarray:
    """Average-linkage agglomerative clustering of unit vectors: `expected` clusters, or merge while closer than
    `cut`. Lance-Williams updates on an n x n distance matrix (n <= MAX_ITEMS)."""
    n = len(x)
    distance = np.clip(1.0 - x @ x.T, 0.0, 2.0).astype(np.float64)
    np.fill_diagonal(distance, np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]
    target = max(1, expected) if expected else 1
    while alive.sum() > target:
        flat = int(np.argmin(distance))
        a, b = divmod(flat, n)
        if expected is None and distance[a, b] > cut:
            break
        merged = (size[a] * distance[a] + size[b] * distance[b]) / (size[a] + size[b])
        distance[a], distance[:, a] = merged, merged
        distance[a, a] = np.inf
        distance[b], distance[:, b] = np.inf, np.inf
        size[a] += size[b]
        alive[b] = False
        members[a] += members[b]
    labels = np.empty(n, dtype=int)
    for label, root in enumerate(np.flatnonzero(alive)):
        labels[members[root]] = label
    return labels


def _centroids(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    sums = np.stack([x[labels == k].sum(axis=0) for k in range(int(labels.max()) + 1)])
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)


def cluster(embeddings: np.ndarray, expected: int | None, cut: float = CUT, min_share: float = MIN_SHARE) -> np.ndarray:
    """A cluster per embedding: `expected` voices when given, otherwise as many as the distances show."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    if expected is not None:
        expected = max(1, min(expected, n))
    step = max(1, -(-n // MAX_ITEMS))  # an even sample of at most MAX_ITEMS windows spans the whole recording
    sample = embeddings[::step]
    labels = _linkage_labels(sample, expected, cut)
    centroids = _centroids(sample, labels)
    if expected is None:  # a handful of odd windows (a cough, a laugh, a boundary) is not a speaker
        counts = np.bincount(labels, minlength=len(centroids))
        kept = counts >= max(2, min_share * len(sample))
        if kept.any() and not kept.all():
            centroids = centroids[kept]
    assigned = np.argmax(embeddings @ centroids.T, axis=1)
    return np.asarray(assigned, dtype=int)


def speakers(
    samples: np.ndarray,
    rate: int,
    words: list[dict[str, Any]],
    expected: int | None = None,
    cut: float = CUT,
    min_share: float = MIN_SHARE,
) -> list[str]:
    """A speaker label per word ("A", "B", ... in order of first appearance)."""
    if not words:
        return []
    if expected == 1:
        return ["A"] * len(words)
    if rate != RATE:
        raise ValueError(f"the voice encoder takes {RATE} Hz audio, not {rate}")
    try:
        model = encoder()
    except WeightsError as exc:
        raise EngineError(str(exc)) from None
    mel = model.mel(normalise_volume(samples))
    groups, spans, owner = stretches(words), [], []
    for g, group in enumerate(stretches(words)):
        first = int(words[group[0]]["start"] / 1000 * RATE / HOP)
        last = min(int(np.ceil(words[group[-1]]["end"] / 1000 * RATE / HOP)), len(mel))
        if last - first < MIN_FRAMES:
            continue
        for window in _windows(len(mel), first, last):
            spans.append(window)
            owner.append(g)
    if len(spans) < 2:
        return ["A"] * len(words)
    batch = np.stack([np.resize(mel[s:e], (PARTIAL_FRAMES, mel.shape[1])) for s, e in spans])  # repeats short ones
    embeddings = np.concatenate([model.embed_mels(batch[i : i + 64]) for i in range(0, len(batch), 64)])
    labels = cluster(embeddings, expected, cut, min_share)
    centres = np.array([(s + e) / 2 * HOP / RATE * 1000 for s, e in spans])
    owners = np.array(owner)
    per_word: list[int] = []
    for g, group in enumerate(groups):
        mine = np.flatnonzero(owners == g)
        for i in group:
            if len(mine):
                middle = (words[i]["start"] + words[i]["end"]) / 2
                per_word.append(int(labels[mine[np.argmin(np.abs(centres[mine] - middle))]]))
            else:  # a stretch too short to describe: the label of the nearest window in time
                middle = (words[i]["start"] + words[i]["end"]) / 2
                per_word.append(int(labels[np.argmin(np.abs(centres - middle))]))
    order: dict[int, str] = {}
    for p in per_word:
        order.setdefault(p, chr(ord("A") + len(order)))
    return [order[p] for p in per_word]
