"""Russian speech for tests and benchmarks, synthesised offline with Festival's Russian voice.

`apt-get install festival festvox-ru` (Debian): the voice `msu_ru_nsh_clunits` reads UTF-8 Cyrillic text at 16 kHz.
espeak-ng's Russian is too robotic for Whisper (it hears Latin); this unit-selection voice is heard as Russian.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

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
