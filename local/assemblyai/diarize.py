"""Who spoke each word, offline: an approximation of speaker diarization for the local engine.

This is NOT real diarization. AssemblyAI does that in the cloud with trained speaker models; offline there is
no such model to hand (no model hubs), so the local engine clusters simple voice features instead:

* the words Whisper found are grouped into short stretches of speech (split at pauses and every ~2.5 s);
* each stretch is described by the mean of its MFCCs (log-mel cepstrum, computed here with numpy
  from the 16 kHz audio) and by its median pitch;
* the stretches are clustered with k-means; `speakers_expected` fixes k, otherwise clusters are split in two
  (up to 4) while the two halves are clearly apart (one speaker unless a split is clearly separated).

Labels are "A", "B", ... in order of first appearance. It separates clearly different voices (a man and a
woman, two synthetic voices) well and similar voices poorly; people talking over each other are not handled.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FRAME_S, HOP_S, PITCH_FRAME_S = 0.025, 0.010, 0.040
N_FFT, N_MELS, N_MFCC = 512, 40, 13
BLOCK = 3000  # frames per block (30 s)
MAX_SPEAKERS = 4
PAUSE_S = 0.25  # a gap this long ends a stretch
MAX_STRETCH_S = 2.5
MIN_SEPARATION = 8.0  # two clusters closer than this (see `separation`) are one voice
MIN_CLUSTER, MIN_SHARE = 3, 0.1  # a voice has at least this many stretches and this share of them
PITCH_WEIGHT = 3.0
SEED = 1234


def _mel_filters(rate: int, n_fft: int) -> np.ndarray:
    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(np.array(60.0)), mel(np.array(min(7600.0, rate / 2))), N_MELS + 2))
    bins = np.fft.rfftfreq(n_fft, 1.0 / rate)
    filters = np.zeros((N_MELS, len(bins)))
    for i in range(N_MELS):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        rising = (bins - lo) / max(mid - lo, 1e-9)
        falling = (hi - bins) / max(hi - mid, 1e-9)
        filters[i] = np.clip(np.minimum(rising, falling), 0.0, None)
    return filters


def frame_features(samples: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per 10 ms frame: MFCCs 1..12, log energy and pitch in Hz (0 where unvoiced).

    Computed BLOCK frames at a time, so an hour of audio needs tens of megabytes, not gigabytes.
    """
    frame, hop, pitch_frame = int(FRAME_S * rate), int(HOP_S * rate), int(PITCH_FRAME_S * rate)
    count = 1 + max(0, len(samples) - frame) // hop
    filters, window = _mel_filters(rate, N_FFT), np.hamming(frame)
    dct = np.cos(np.pi / N_MELS * (np.arange(N_MELS)[None, :] + 0.5) * np.arange(N_MFCC)[:, None])
    mfcc, energy, pitch, rms = [], [], [], []
    for first in range(0, count, BLOCK):
        frames_here = min(count, first + BLOCK) - first
        span = hop * (frames_here - 1) + pitch_frame
        block = np.asarray(samples[hop * first : hop * first + span], dtype=np.float64)
        block = np.pad(block, (0, span - len(block)))  # the last frames run past the end
        starts = hop * np.arange(frames_here)[:, None]
        frames = block[starts + np.arange(frame)[None, :]] * window
        power = np.abs(np.fft.rfft(frames, N_FFT)) ** 2
        mfcc.append(np.log(power @ filters.T + 1e-10) @ dct.T)
        energy.append(np.log(np.sum(frames**2, axis=1) + 1e-10))
        f0, level = _pitch(block[starts + np.arange(pitch_frame)[None, :]], rate)
        pitch.append(f0)
        rms.append(level)
    levels = np.concatenate(rms)
    loud = levels > 0.1 * np.percentile(levels, 95)  # pitch only where someone is clearly speaking
    return np.concatenate(mfcc)[:, 1:], np.concatenate(energy), np.where(loud, np.concatenate(pitch), 0.0)


def _pitch(frames: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Autocorrelation pitch per frame (60-400 Hz; 0 where not clearly voiced) and each frame's RMS level."""
    n = frames.shape[1]
    frames = frames - frames.mean(axis=1, keepdims=True)
    ac = np.fft.irfft(np.abs(np.fft.rfft(frames, 2 * n)) ** 2)[:, :n]
    ac = ac / (n - np.arange(n))[None, :] * n  # unbiased: long lags are not penalised
    lo, hi = int(rate / 400), int(rate / 60)
    lags = ac[:, lo:hi]
    best = np.argmax(lags, axis=1)
    strength = lags[np.arange(len(lags)), best] / (ac[:, 0] + 1e-10)
    return np.where(strength > 0.5, rate / (best + lo), 0.0), np.sqrt(np.mean(frames**2, axis=1))


def stretches(words: list[dict[str, Any]]) -> list[list[int]]:
    """Indexes of words grouped into stretches of continuous speech."""
    groups: list[list[int]] = []
    for i, w in enumerate(words):
        if groups:
            first, last = words[groups[-1][0]], words[groups[-1][-1]]
            if (w["start"] - last["end"]) / 1000 < PAUSE_S and (w["end"] - first["start"]) / 1000 <= MAX_STRETCH_S:
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _describe(mfcc: np.ndarray, energy: np.ndarray, pitch: np.ndarray, lo: int, hi: int) -> np.ndarray | None:
    hi = min(max(hi, lo + 10), len(energy))  # at least 100 ms
    lo = max(0, min(lo, hi - 10))
    if hi - lo < 3:
        return None
    e = energy[lo:hi]
    loud = e > max(e.max() - 6.0, np.median(e))  # speech frames, not the silence around a word
    if loud.sum() < 3:
        loud = np.ones_like(e, dtype=bool)
    m, p = mfcc[lo:hi][loud], pitch[lo:hi][loud]
    voiced = p[p > 0]
    f0 = np.log(np.median(voiced)) if len(voiced) >= 3 else np.nan
    return np.concatenate([m.mean(axis=0), [f0]])


def _kmeans(x: np.ndarray, k: int, rng: np.random.Generator, restarts: int = 8) -> tuple[np.ndarray, float]:
    best_labels, best_cost = np.zeros(len(x), dtype=int), np.inf
    for _ in range(restarts):
        centres = [x[rng.integers(len(x))]]
        for _ in range(1, k):  # k-means++ seeding
            d = np.min([((x - c) ** 2).sum(axis=1) for c in centres], axis=0)
            centres.append(x[rng.choice(len(x), p=d / d.sum())] if d.sum() > 0 else x[rng.integers(len(x))])
        c = np.array(centres)
        labels = np.zeros(len(x), dtype=int)
        for _ in range(50):
            labels = np.argmin(((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
            new = np.array([x[labels == j].mean(axis=0) if np.any(labels == j) else c[j] for j in range(k)])
            if np.allclose(new, c):
                break
            c = new
        cost = float(((x - c[labels]) ** 2).sum())
        if cost < best_cost:
            best_labels, best_cost = labels, cost
    return best_labels, best_cost


def separation(x: np.ndarray, labels: np.ndarray) -> float:
    """How far apart two clusters are: the distance of their means along the line joining them, in units of
    the spread around each mean on that line (a one-dimensional Fisher ratio)."""
    a, b = x[labels == 0], x[labels == 1]
    direction = a.mean(axis=0) - b.mean(axis=0)
    norm = float(np.linalg.norm(direction))
    if norm == 0.0:
        return 0.0
    pa, pb = a @ (direction / norm), b @ (direction / norm)
    spread = np.sqrt((pa.var() + pb.var()) / 2)
    return float(abs(pa.mean() - pb.mean()) / max(spread, 1e-9))


def _bisect(x: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """Two clusters if the rows clearly hold two voices (both sizable and well apart), else None."""
    if len(x) < 2 * MIN_CLUSTER:
        return None
    labels = _kmeans(x, 2, rng)[0]
    smaller = int(np.bincount(labels, minlength=2).min())
    if smaller < max(MIN_CLUSTER, MIN_SHARE * len(x)) or separation(x, labels) < MIN_SEPARATION:
        return None
    return labels


def cluster(x: np.ndarray, expected: int | None) -> np.ndarray:
    """Cluster labels for the rows of x: `expected` clusters, or as many (1..MAX_SPEAKERS) as splitting finds.

    Without `expected`, clusters are split in two while the split is clearly separated (see `separation`);
    the largest cluster is tried first.
    """
    rng = np.random.default_rng(SEED)
    if expected is not None:
        k = max(1, min(expected, len(x), 26))
        return _kmeans(x, k, rng)[0] if k > 1 else np.zeros(len(x), dtype=int)
    labels = np.zeros(len(x), dtype=int)
    tried: set[int] = set()
    while len(set(labels.tolist())) < MAX_SPEAKERS:
        sizes = {c: int((labels == c).sum()) for c in set(labels.tolist()) if c not in tried}
        if not sizes:
            break
        c = max(sizes, key=lambda k: sizes[k])
        tried.add(c)
        members = np.flatnonzero(labels == c)
        halves = _bisect(x[members], rng)
        if halves is not None:
            new = int(labels.max()) + 1
            labels[members[halves == 1]] = new
            tried.discard(c)
    return labels


def speakers(samples: np.ndarray, rate: int, words: list[dict[str, Any]], expected: int | None = None) -> list[str]:
    """A speaker label per word ("A", "B", ... in order of first appearance)."""
    if not words:
        return []
    if expected == 1:
        return ["A"] * len(words)
    mfcc, energy, pitch = frame_features(samples, rate)
    groups = stretches(words)
    rows, described = [], []
    for g in groups:
        lo = int(words[g[0]]["start"] / 1000 / HOP_S)
        hi = int(words[g[-1]]["end"] / 1000 / HOP_S)
        feature = _describe(mfcc, energy, pitch, lo, hi)
        if feature is not None:
            rows.append(feature)
            described.append(g)
    if len(rows) < 2:
        return ["A"] * len(words)
    x = np.array(rows)
    f0 = x[:, -1]
    x[:, -1] = np.where(np.isnan(f0), np.nanmedian(f0) if np.any(~np.isnan(f0)) else 0.0, f0)
    # One scale for all cepstral coefficients (their relative sizes matter), pitch weighted on top: it tells
    # voices apart better than any single coefficient.
    x = x - x.mean(axis=0)
    x[:, :-1] /= max(float(x[:, :-1].std(axis=0).mean()), 1e-9)
    x[:, -1] *= PITCH_WEIGHT / max(float(x[:, -1].std()), 1e-9)
    labels = cluster(x, expected)
    per_word: list[int | None] = [None] * len(words)
    for g, label in zip(described, labels, strict=True):
        for i in g:
            per_word[i] = int(label)
    for i in range(len(words)):  # words too short to describe take their neighbour's label
        if per_word[i] is None:
            per_word[i] = next((per_word[j] for j in range(i - 1, -1, -1) if per_word[j] is not None), None)
    first = next(p for p in per_word if p is not None)
    order: dict[int, str] = {}
    out = []
    for p in per_word:
        cluster_id = first if p is None else p
        if cluster_id not in order:
            order[cluster_id] = chr(ord("A") + len(order))
        out.append(order[cluster_id])
    return out
