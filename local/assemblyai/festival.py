"""Russian speech for tests and benchmarks, synthesised offline with Festival's Russian voice.

`apt-get install festival festvox-ru` (Debian): the voice `msu_ru_nsh_clunits` reads UTF-8 Cyrillic text at 16 kHz.
espeak-ng's Russian is too robotic for Whisper (it hears Latin); this unit-selection voice is heard as Russian.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from local.assemblyai.espeak import word_error_rate

VOICE = "(voice_msu_ru_nsh_clunits)"


def available() -> bool:
    """text2wave and the Russian voice are installed (the voice's folder is Debian's festvox-ru)."""
    return shutil.which("text2wave") is not None and Path("/usr/share/festival/voices/russian").is_dir()


def speech(text: str) -> bytes:
    """A mono 16-bit WAV of `text` (Cyrillic, UTF-8) spoken by the Russian voice."""
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "text.txt", Path(tmp) / "speech.wav"
        source.write_text(text, encoding="utf-8")
        subprocess.run(["text2wave", "-eval", VOICE, str(source), "-o", str(out)], check=True, timeout=120)
        return out.read_bytes()


def spoken_words(text: str) -> list[str]:
    """The words Festival will say for `text` (its Word relation): a check that no number or sign is read in a way
    the reference does not expect (Festival reads digits as cardinals, not always grammatically)."""
    script = (
        f'{VOICE}\n(set! u (utt.synth (Utterance Text "{text.replace(chr(34), "")}")))\n'
        '(mapcar (lambda (w) (format t "%s " (item.name w))) (utt.relation.items u \'Word))\n'
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "words.scm"
        path.write_text(script, encoding="utf-8")
        out = subprocess.run(["festival", "-b", str(path)], capture_output=True, check=True, timeout=120)
        return normalised(out.stdout.decode("utf-8", "replace"))


# scoring Russian: words compared lower-case, "ё" as "е", without punctuation; small numbers as digits ("три" = "3")

SMALL = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять"]
FOLD = {**{w: str(i) for i, w in enumerate(SMALL)}, "одна": "1", "одно": "1", "две": "2"}


def normalised(text: str) -> list[str]:
    text = re.sub(r"(\d)[\s,.\u00a0](\d{3})\b", r"\1\2", text.replace("%", " процентов"))  # "15 000" = "15000"
    text = re.sub(r"(\d)\s*-\s*(го|е|й|я|м|х|ого|ому|ом)\b", r"\1", text)  # "15-го" = "15": the ending is spelling
    folded = text.lower().replace("ё", "е").replace("-", " ")
    words = re.sub(r"[^0-9a-zа-я ]+", " ", folded).split()
    return [FOLD.get(w, w) for w in words]


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate on `normalised` words: (substitutions + deletions + insertions) / reference words."""
    return word_error_rate(normalised(reference), normalised(hypothesis))
