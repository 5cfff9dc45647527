"""Does a vocabulary entry fix a name the offline engine got wrong? Made-up names, spoken by espeak-ng.

Each name is said in two sentences (espeak-ng's en-us voice). For each, Whisper base (as the local engine runs it)
transcribes the sentence three ways:
  before:   no vocabulary (what a new user gets);
  keyterm:  the name in the request's keyterms_prompt, which the engine passes to faster-whisper as hotwords;
  learnt:   what a user who corrected the FIRST sentence's transcript gets on the SECOND: the name as a keyterm and
            what the engine wrote for it as a custom_spelling (applied by the server, local/assemblyai/vocabulary.py).
Reported: how many names come out exactly right (case and punctuation ignored), and the sentences' word error rate.

Run (about 50 s of audio, two to three minutes on 2 shared cores):
    nice -n 10 .venv/bin/python bench/vocabulary.py
"""

from __future__ import annotations

import difflib
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from local.assemblyai import espeak
from local.assemblyai.vocabulary import apply_spelling
from local.assemblyai.whisper import Whisper, decode

# Names that are no word of any language Whisper knows well, each in two ordinary sentences.
NAMES: list[tuple[str, str, str]] = [
    ("Zorvath", "Please send the report to Zorvath before Friday.", "I spoke with Zorvath about the budget."),
    ("Kelmirra", "Our new manager Kelmirra starts on Monday.", "Kelmirra will lead the planning meeting."),
    ("Drubnik", "The invoice from Drubnik arrived this morning.", "We should call Drubnik again next week."),
    ("Quillon", "Ask Quillon to review the second chapter.", "Quillon sent the slides an hour ago."),
    ("Vantrell", "The contract with Vantrell ends in June.", "Vantrell agreed to the new price."),
    ("Osmerin", "Osmerin found a bug in the release.", "Thank Osmerin for the careful testing."),
    ("Pellacor", "The samples go to Pellacor for analysis.", "Pellacor will publish the results soon."),
    ("Brisvane", "Our office in Brisvane is closed today.", "The train to Brisvane leaves at noon."),
]


def _key(text: str) -> str:
    return re.sub(r"[^\w']", "", text.lower())


def has_name(words: list[dict[str, object]], name: str) -> bool:
    return any(_key(str(w["text"])) == name.lower() for w in words)


def misheard(words: list[dict[str, object]], sentence: str, name: str) -> str | None:
    """What the engine wrote where the name is (the words a person would select and retype), or None if it got it."""
    said = [_key(w) for w in sentence.split()]
    heard = [_key(str(w["text"])) for w in words]
    at = said.index(name.lower())
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=said, b=heard, autojunk=False).get_opcodes():
        if i1 <= at < i2:
            return " ".join(heard[j1:j2]) if op != "equal" and j2 > j1 else None
    return None


def main() -> None:
    if not espeak.available():
        raise SystemExit("espeak-ng is not installed (apt-get install espeak-ng)")
    engine = Whisper(cpu_threads=2)
    score = {"before": 0, "keyterm": 0, "learnt": 0}
    errors: dict[str, list[float]] = {k: [] for k in score}
    began = time.perf_counter()
    for name, first, second in NAMES:
        learnt_from = misheard(engine.words(decode(espeak.speech(first))), first, name)
        samples = decode(espeak.speech(second))
        before = engine.words(samples)
        keyterm = engine.words(samples, keyterms=(name,))
        spellings = [{"from": [learnt_from], "to": name}] if learnt_from and learnt_from != name.lower() else []
        _, learnt, _ = apply_spelling(spellings, engine.words(samples, keyterms=(name,)), None)
        for label, words in (("before", before), ("keyterm", keyterm), ("learnt", learnt)):
            score[label] += has_name(words, name)
            errors[label].append(espeak.wer(second, " ".join(str(w["text"]) for w in words)))
        shown = " | ".join(" ".join(str(w["text"]) for w in ws) for ws in (before, keyterm, learnt))
        print(f"{name:10} learnt from {learnt_from!r:24} {shown}", flush=True)
    print(f"\n{len(NAMES)} made-up names, second sentence of each, Whisper base, espeak-ng en-us:")
    for label in score:
        wer = 100 * sum(errors[label]) / len(errors[label])
        print(f"  {label:8} name right {score[label]}/{len(NAMES)}   WER {wer:.1f} %")
    print(f"({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
