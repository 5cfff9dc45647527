"""A transcript in one of its translations, in the shape exports read (text, utterances, words).

A translation has no word timings of its own: each translated line keeps its original line's span, its words spread
evenly across it, so subtitles change when the speaker does. Without lines (a mono transcript, where AssemblyAI
gives one translated text), the words spread over the whole recording.
"""

from __future__ import annotations

from typing import Any

from common.domain.errors import NotFound
from common.store.models import JobUnderstanding


def _spread(text: str, start: int, end: int, speaker: str | None) -> list[dict[str, Any]]:
    words = text.split()
    slot = max(1, end - start) / max(1, len(words))
    return [
        {"text": w, "start": int(start + i * slot), "end": int(start + (i + 1) * slot), "speaker": speaker}
        for i, w in enumerate(words)
    ]


def translated(data: dict[str, Any], extras: JobUnderstanding | None, language: str) -> dict[str, Any]:
    """`data` (text, utterances, words, audio_duration, speaker_names) with its text in `language`."""
    texts = (extras.translations or {}) if extras else {}
    if language not in texts:
        raise NotFound(f"this transcript has no translation into {language!r}", "translation_not_found")
    lines = [line for line in (extras.translated_lines or []) if language in line.get("texts", {})] if extras else []
    if lines:
        utterances = [
            {
                "speaker": line.get("speaker"),
                "start": line["start"],
                "end": line["end"],
                "text": line["texts"][language],
                "words": _spread(line["texts"][language], line["start"], line["end"], line.get("speaker")),
            }
            for line in lines
        ]
        words = [w for u in utterances for w in u["words"]]
    else:
        duration_ms = int(float(data.get("audio_duration") or 0) * 1000)
        utterances, words = [], _spread(texts[language], 0, duration_ms, None)
    return {**data, "text": texts[language], "utterances": utterances, "words": words}
