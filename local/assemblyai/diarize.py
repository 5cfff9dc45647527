"""Who spoke each word, offline: speaker diarization for the local engine with a trained voice encoder.

* Whisper's words are grouped into stretches of speech, split at pauses (a change of speaker nearly always
  comes with one);
* each stretch is cut into 1.6 s windows every 0.5 s (a shorter stretch is one window, its frames repeated to
  1.6 s), and every window becomes a voice embedding (`voice_encoder`: resemblyzer's GE2E encoder in numpy);
* with the count blank, average-linkage agglomerative clustering (cosine distance) says how many voices there are:
  clusters closer than `CUT` are one voice, and one holding under `MIN_SHARE` of the windows is no voice (a blank
  count is a question, so one voice is a possible answer);
* the windows are then split into that many voices (or `speakers_expected`) by spherical k-means;
* each word takes the cluster of the window of its stretch whose centre is nearest.

Labels are "A", "B", ... in order of first appearance. The thresholds were tuned with `bench/speakers.py --tune`
on dialogues that the reported figures (bench/README.md) do not use. People talking over each other are not
handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from local.assemblyai.speech import EngineError
from local.assemblyai.voice_encoder import HOP, PARTIAL_FRAMES, RATE, WeightsError, encoder, normalise_volume

PAUSE_S = 0.3  # a gap this long between words ends a stretch
WINDOW_HOP = 50  # frames (0.5 s) between windows within a stretch
MIN_FRAMES = 20  # a stretch shorter than 0.2 s says too little about the voice
MAX_ITEMS = 600  # windows clustered directly; the rest join the nearest cluster (bounds time and memory)
MAX_SPEAKERS = 10
SEED = 1234
CUT = 0.26  # cosine distance (average linkage) above which two clusters are different voices (tuned on DEV)
MIN_SHARE = 0.2  # with the count blank, a cluster holding less of the windows than this is not a voice (DEV)


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


def _linkage_labels(x: np.ndarray, cut: float) -> np.ndarray:
    """Average-linkage agglomerative clustering of unit vectors, merging while the closest clusters are nearer than
    `cut`. Lance-Williams updates on an n x n distance matrix (n <= MAX_ITEMS)."""
    n = len(x)
    distance = np.clip(1.0 - x @ x.T, 0.0, 2.0).astype(np.float64)
    np.fill_diagonal(distance, np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]
    while alive.sum() > 1:
        a, b = divmod(int(np.argmin(distance)), n)
        if distance[a, b] > cut:
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


def _kmeans(x: np.ndarray, k: int, restarts: int = 10) -> np.ndarray:
    """Spherical k-means (cosine), k-means++ seeding, the best of `restarts`; seeded, so a file always splits alike."""
    rng = np.random.default_rng(SEED)
    best, best_cost = np.zeros(len(x), dtype=int), np.inf
    for _ in range(restarts):
        centres = [x[rng.integers(len(x))]]
        for _ in range(1, k):
            d = np.clip(1.0 - np.max(x @ np.array(centres).T, axis=1), 0.0, None)
            centres.append(x[rng.choice(len(x), p=d / d.sum())] if d.sum() > 0 else x[rng.integers(len(x))])
        c = np.array(centres)
        labels = np.zeros(len(x), dtype=int)
        for _ in range(50):
            labels = np.argmax(x @ c.T, axis=1)
            sums = np.array([x[labels == j].sum(axis=0) if np.any(labels == j) else c[j] for j in range(k)])
            new = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
            if np.allclose(new, c):
                break
            c = new
        cost = float(np.sum(1.0 - np.sum(x * c[labels], axis=1)))
        if cost < best_cost:
            best, best_cost = labels, cost
    return best


def count_voices(x: np.ndarray, cut: float = CUT, min_share: float = MIN_SHARE) -> int:
    """How many voices: average-linkage clusters closer than `cut` merged, and those holding less than `min_share`
    of the windows not counted (a cough, a laugh, a window across a change of speaker is not a speaker)."""
    labels = _linkage_labels(x, cut)
    counts = np.bincount(labels)
    return max(1, min(MAX_SPEAKERS, int(np.sum(counts >= max(2, min_share * len(x))))))


def cluster(embeddings: np.ndarray, expected: int | None, cut: float = CUT, min_share: float = MIN_SHARE) -> np.ndarray:
    """A cluster per embedding: `expected` voices when given, otherwise as many as `count_voices` finds.

    The partition itself is k-means: average linkage is good at saying how many, but with few windows it gladly
    makes one stray window a cluster of its own and the rest another.
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    step = max(1, -(-n // MAX_ITEMS))  # an even sample of at most MAX_ITEMS windows spans the whole recording
    sample = embeddings[::step]
    k = max(1, min(expected, len(sample))) if expected is not None else count_voices(sample, cut, min_share)
    if k == 1:
        return np.zeros(n, dtype=int)
    labels = _kmeans(sample, k)
    return np.asarray(np.argmax(embeddings @ _centroids(sample, labels).T, axis=1), dtype=int)  # the nearest voice


@dataclass(frozen=True)
class Windows:
    """The voice windows of a recording: embeddings, their centres (ms) and the stretch each lies in."""

    groups: list[list[int]]
    embeddings: np.ndarray
    centres_ms: np.ndarray
    owners: np.ndarray
    frames: np.ndarray  # how much real speech each window holds (a shorter stretch is repeated to 1.6 s)


def voice_windows(samples: np.ndarray, rate: int, words: list[dict[str, Any]]) -> Windows:
    """Embeddings of 1.6 s windows over the stretches of speech the words mark (see the module's docstring)."""
    if rate != RATE:
        raise ValueError(f"the voice encoder takes {RATE} Hz audio, not {rate}")
    try:
        model = encoder()
    except WeightsError as exc:
        raise EngineError(str(exc)) from None
    mel = model.mel(normalise_volume(samples))
    groups, spans, owners = stretches(words), [], []
    for g, group in enumerate(groups):
        first = int(words[group[0]]["start"] / 1000 * RATE / HOP)
        last = min(int(np.ceil(words[group[-1]]["end"] / 1000 * RATE / HOP)), len(mel))
        if last - first < MIN_FRAMES:
            continue
        for window in _windows(len(mel), first, last):
            spans.append(window)
            owners.append(g)
    if not spans:
        return Windows(groups, np.zeros((0, 256), np.float32), np.zeros(0), np.zeros(0, dtype=int), np.zeros(0))
    embeddings = np.concatenate(  # 64 windows at a time: an hour's windows at once would be 180 MB of mel frames
        [
            model.embed_mels(np.stack([np.resize(mel[s:e], (PARTIAL_FRAMES, mel.shape[1])) for s, e in batch]))
            for batch in (spans[i : i + 64] for i in range(0, len(spans), 64))
        ]
    )  # np.resize repeats a short stretch's frames to 1.6 s
    centres = np.array([(s + e) / 2 * HOP / RATE * 1000 for s, e in spans])
    return Windows(groups, embeddings, centres, np.array(owners), np.array([e - s for s, e in spans]))


def word_labels(
    words: list[dict[str, Any]], found: Windows, expected: int | None, cut: float = CUT, min_share: float = MIN_SHARE
) -> list[str]:
    """Each word takes the cluster of the nearest window of its own stretch (of any stretch if its has none)."""
    return _labelled(words, found, expected, cut, min_share)[0]


def _labelled(
    words: list[dict[str, Any]], found: Windows, expected: int | None, cut: float = CUT, min_share: float = MIN_SHARE
) -> tuple[list[str], dict[str, list[float]]]:
    """word_labels, and each label's voice: the unit-length mean of its windows' embeddings."""
    if len(found.embeddings) < 2:
        return ["A"] * len(words), voice_of(found.embeddings)
    labels = cluster(found.embeddings, expected, cut, min_share)
    per_word: list[int] = []
    for g, group in enumerate(found.groups):
        mine = np.flatnonzero(found.owners == g)
        candidates = mine if len(mine) else np.arange(len(labels))
        for i in group:
            middle = (words[i]["start"] + words[i]["end"]) / 2
            per_word.append(int(labels[candidates[np.argmin(np.abs(found.centres_ms[candidates] - middle))]]))
    order: dict[int, str] = {}
    for p in per_word:
        order.setdefault(p, chr(ord("A") + len(order)))
    voices = {name: voice_of(found.embeddings[labels == p]) for p, name in order.items()}
    return [order[p] for p in per_word], {name: v["A"] for name, v in voices.items() if v}


def voice_of(embeddings: np.ndarray) -> dict[str, list[float]]:
    """{"A": the windows' mean embedding, at unit length, rounded to 4 places (2 kB in JSON)}; {} without windows."""
    if not len(embeddings):
        return {}
    mean = embeddings.mean(axis=0)
    mean = mean / (np.linalg.norm(mean) or 1.0)
    return {"A": [round(float(x), 4) for x in mean]}


def speakers(samples: np.ndarray, rate: int, words: list[dict[str, Any]], expected: int | None = None) -> list[str]:
    """A speaker label per word ("A", "B", ... in order of first appearance)."""
    return speakers_and_voices(samples, rate, words, expected)[0]


def speakers_and_voices(
    samples: np.ndarray, rate: int, words: list[dict[str, Any]], expected: int | None = None
) -> tuple[list[str], dict[str, list[float]]]:
    """A speaker label per word, and each label's voice embedding (for the app's directory of named voices)."""
    if not words:
        return [], {}
    found = voice_windows(samples, rate, words)
    if expected == 1:
        return ["A"] * len(words), voice_of(found.embeddings)
    return _labelled(words, found, expected)
