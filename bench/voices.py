"""How well a named voice is recognised in a later recording: precision and recall of the name suggestion.

The app keeps, for each speaker a user names, that speaker's voice embedding (the mean of the 1.6 s windows of the
resemblyzer encoder in numpy, as local/assemblyai/diarize.py computes it for every speaker it finds), and suggests that
name for a speaker of a later recording whose embedding has a cosine similarity at or above VOICE_MATCH_THRESHOLD with
the voice (common/domain/transcripts/voices.py: best_matches, the code the app runs).

Material: synthetic people, each an espeak-ng voice with its own pitch and speed (distinct voices, languages' voices
reading English, variants, pitch and speed; every person's audio is checked to differ from every other's, since
espeak-ng 1.51 ignores "+fN" on "en-gb"). Each person says three sentences to be named ("enrolment") and three other
sentences later ("query"). Half the people are named; every person's later recording is a query: a named person's
should get their name (a hit), an unnamed person's should get none (any name is a false suggestion).

    precision = right suggestions / all suggestions;  recall = right suggestions / queries by named people

Two disjoint sets: DEV chooses the threshold (the lowest with no false suggestion on DEV: a wrong name is worse than
none), TEST reports it. No Whisper here: each sentence's span is known, so the windows cover exactly the speech.

Run (about a minute on 2 shared cores):
    nice -n 10 .venv/bin/python bench/voices.py
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.domain.transcripts.voices import best_matches, cosine  # noqa: E402

ENROL = [
    "Thanks for coming in today, I hope the traffic was not too bad.",
    "We should finish the budget before the end of the month.",
    "My sister moved to the coast last year and loves it there.",
]
LATER = [
    "The printer on the second floor is out of paper again.",
    "Could you send me the slides from yesterday's meeting?",
    "I think the train leaves at a quarter past seven.",
]


@dataclass(frozen=True)
class Person:
    voice: str
    pitch: int = 50
    speed: int = 160

    def __str__(self) -> str:
        return f"{self.voice} p{self.pitch} s{self.speed}"


DEV = [
    Person("en-us", 40, 150),
    Person("en+f3", 60, 170),
    Person("en-us+m3", 35, 140),
    Person("en-gb-scotland", 50, 160),
    Person("en-us+f2", 70, 165),
    Person("en-029", 45, 175),
    Person("de", 50, 150),
    Person("fr+m4", 40, 160),
    Person("en+Annie", 60, 155),
    Person("en-us+Andy", 45, 170),
    Person("es+f4", 65, 150),
    Person("en-gb-x-rp", 30, 145),
    Person("it+m2", 50, 165),
    Person("en+klatt", 55, 160),
    Person("nl+f1", 60, 150),
    Person("pl+m5", 40, 170),
]
TEST = [
    Person("en+m3", 45, 155),
    Person("en-us+f4", 65, 160),
    Person("en-gb-x-gbclan", 50, 150),
    Person("en+m7", 35, 165),
    Person("en-us+f1", 70, 150),
    Person("en-gb-x-gbcwmd", 45, 170),
    Person("sv", 50, 160),
    Person("pt+f3", 60, 155),
    Person("en+Alex", 40, 150),
    Person("en-us+belinda", 65, 165),
    Person("cs+m1", 50, 145),
    Person("en+m6", 55, 175),
    Person("da+f5", 60, 160),
    Person("ro+m4", 45, 155),
    Person("en-us+m7", 30, 160),
    Person("en+f5", 75, 150),
]


def say(text: str, p: Person) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "say.wav"
        cmd = ["espeak-ng", "-w", str(out), "-v", p.voice, "-p", str(p.pitch), "-s", str(p.speed), text]
        subprocess.run(cmd, check=True, timeout=60, capture_output=True)
        return out.read_bytes()


def check_distinct(people: list[Person]) -> None:
    seen: dict[str, Person] = {}
    for p in people:
        h = hashlib.md5(say("One two three, this is a voice check.", p)).hexdigest()  # noqa: S324 (a fingerprint)
        if h in seen:
            sys.exit(f"{seen[h]} and {p} give byte-identical audio: not two people")
        seen[h] = p


def embedding(p: Person, sentences: list[str]) -> list[float]:
    """The speaker's voice as the app stores it: the unit mean of the encoder's windows over their speech."""
    import numpy as np

    from local.assemblyai import diarize
    from local.assemblyai.whisper import decode

    clips = [decode(say(s, p)) for s in sentences]
    gap = np.zeros(8000, np.float32)  # 0.5 s between sentences
    samples, words, at = [], [], 0
    for clip in clips:
        words.append({"text": "x", "start": at * 1000 // 16000, "end": (at + len(clip)) * 1000 // 16000})
        samples += [clip, gap]
        at += len(clip) + len(gap)
    found = diarize.voice_windows(np.concatenate(samples), 16000, words)
    return diarize.voice_of(found.embeddings)["A"]


def material(people: list[Person]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Enrolment embeddings of the named half (even positions) and the later recording of everybody."""
    check_distinct(people)
    named = {str(p): embedding(p, ENROL) for p in people[::2]}
    later = {str(p): embedding(p, LATER) for p in people}
    return named, later


def score(named: dict[str, Any], later: dict[str, Any], threshold: float) -> tuple[float, float, int, int, int]:
    """(precision, recall, right, wrong, missed) of one suggestion per later recording."""
    right = wrong = missed = 0
    for who, vec in later.items():
        got = best_matches({"q": vec}, named, threshold).get("q")
        if got is None:
            missed += who in named
        elif got == who:
            right += 1
        else:
            wrong += 1
    suggested = right + wrong
    return (right / suggested if suggested else 1.0), right / len(named), right, wrong, missed


def main() -> None:
    grid = [round(0.80 + 0.005 * i, 3) for i in range(40)]
    print("DEV (threshold chosen here) ...", flush=True)
    dev_named, dev_later = material(DEV)
    dev = {t: score(dev_named, dev_later, t) for t in grid}
    chosen = next(t for t in grid if dev[t][3] == 0)  # the lowest with no false suggestion on DEV
    print("TEST ...", flush=True)
    test_named, test_later = material(TEST)
    same = [cosine(test_named[w], test_later[w]) for w in test_named]
    other = [cosine(test_named[n], test_later[w]) for n in test_named for w in test_later if w != n]
    print(f"\nTEST cosine: same person {min(same):.3f}..{max(same):.3f}; different people max {max(other):.3f}")
    print("\n| threshold | DEV precision | DEV recall | TEST precision | TEST recall | TEST right / wrong / missed |")
    print("|---|---|---|---|---|---|")
    for t in grid:
        if t < chosen - 0.03 or t > chosen + 0.025:
            continue
        d, x = dev[t], score(test_named, test_later, t)
        mark = " **(chosen on DEV)**" if t == chosen else ""
        print(f"| {t:.3f}{mark} | {d[0]:.2f} | {d[1]:.2f} | {x[0]:.2f} | {x[1]:.2f} | {x[2]} / {x[3]} / {x[4]} |")


if __name__ == "__main__":
    main()
