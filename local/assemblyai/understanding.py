"""The local AssemblyAI server's understanding beyond words, in the spec's request fields and response shapes.

- PII redaction (`redact_pii`, `redact_pii_policies`, `redact_pii_sub`, `redact_pii_audio`, `redact_pii_audio_quality`,
  `redact_pii_audio_options`): a small, deterministic rule set finds personal data (a list of first names, cities and
  organisations, month names, e-mail addresses, digit runs and money amounts); text, words and utterances are
  redacted as AssemblyAI does (`[PERSON_NAME]`, or `#` per character), and the redacted recording is the original
  with those spans beeped (a 1 kHz tone) or silenced, as MP3 (the default) or a 16-bit WAV.
- Entity detection (`entity_detection`): the same rules, before redaction, as `entities[]`.
- Translation (`speech_understanding.request.translation`): the test WAV's script may carry its translations
  (`"translations": {"de": ["line 1", ...]}` per utterance, or a string for the whole text); otherwise the text is
  written as `[de] text`, so a test can tell it apart. Whisper translates into English for real (`task="translate"`).

These rules are for tests, not a redaction model: the offline engine reports redaction and entities as unavailable.
"""

from __future__ import annotations

import math
import re
import struct
import sys
from array import array
from dataclasses import dataclass
from typing import Any

from common.domain.understanding import PII_POLICIES, SUBSTITUTIONS, TRANSLATION_TARGETS
from local.assemblyai.media import chunks, read_script, wav_bytes

NAMES = {"anna", "john", "maria", "ivan", "olga", "peter", "smith", "alice", "bob", "elena", "dmitry", "sarah"}
PLACES = {"london", "paris", "moscow", "berlin", "canada", "madrid", "boston", "kazan", "tokyo"}
ORGANISATIONS = {"google", "yandex", "assemblyai", "microsoft", "acme", "unicef"}
MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_MONEY = re.compile(r"^[$€£₽]\d[\d,.]*$")
_DIGITS = re.compile(r"^\+?\d[\d-]*\d$|^\d$")
_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)
QUALITIES = ("mp3", "wav")
METHODS = ("silence",)


class RequestError(ValueError):
    """A request field the spec does not allow (answered 400 with this message)."""


@dataclass(frozen=True)
class Asked:
    policies: tuple[str, ...] = ()
    quality: str = "mp3"  # redact_pii_audio_quality
    substitution: str = "entity_name"
    audio: bool = False
    silence: bool = False
    no_speech_audio: bool = False  # return_redacted_no_speech_audio: a redacted recording even of silence
    entities: bool = False
    targets: tuple[str, ...] = ()
    per_utterance: bool = False

    @property
    def redact(self) -> bool:
        return bool(self.policies)


def _bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise RequestError(f"{name} must be a Boolean")
    return bool(value)


def read_request(body: dict[str, Any]) -> Asked:
    """The understanding fields of a POST /v2/transcript body, checked as the spec types them."""
    redact, audio = _bool(body, "redact_pii"), _bool(body, "redact_pii_audio")
    entities = _bool(body, "entity_detection")
    policies = body.get("redact_pii_policies") or []
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        raise RequestError("redact_pii_policies must be a list of policy names")
    unknown = [p for p in policies if p not in PII_POLICIES]
    if unknown:
        raise RequestError(f"Invalid redact_pii_policies: {', '.join(unknown)}")
    if redact and not policies:
        raise RequestError("redact_pii_policies must be provided when redact_pii is enabled")
    sub = body.get("redact_pii_sub") or "entity_name"
    if sub not in SUBSTITUTIONS:
        raise RequestError(f"redact_pii_sub must be one of {', '.join(SUBSTITUTIONS)}")
    if (body.get("redact_pii_audio_quality") or "mp3") not in QUALITIES:  # checked here, kept in `Asked.quality`
        raise RequestError("redact_pii_audio_quality must be mp3 or wav")
    if audio and not redact:
        raise RequestError("redact_pii_audio requires redact_pii")
    options = body.get("redact_pii_audio_options") or {}
    if not isinstance(options, dict):
        raise RequestError("redact_pii_audio_options must be an object")
    method = options.get("override_audio_redaction_method")
    no_speech = options.get("return_redacted_no_speech_audio")
    if no_speech is not None and not isinstance(no_speech, bool):
        raise RequestError("return_redacted_no_speech_audio must be a Boolean")
    if method is not None and method not in METHODS:
        raise RequestError("override_audio_redaction_method must be silence")
    targets, per_utterance = _translation(body.get("speech_understanding"))
    if per_utterance and not body.get("speaker_labels"):
        raise RequestError("match_original_utterance requires speaker_labels")
    quality = body.get("redact_pii_audio_quality") or "mp3"
    return Asked(
        tuple(policies) if redact else (),
        quality,
        sub,
        audio,
        method == "silence",
        bool(no_speech),
        entities,
        targets,
        per_utterance,
    )


def _translation(understanding: Any) -> tuple[tuple[str, ...], bool]:
    if understanding is None:
        return (), False
    request = understanding.get("request") if isinstance(understanding, dict) else None
    if not isinstance(request, dict):
        raise RequestError("speech_understanding.request is required")
    translation = request.get("translation")
    if translation is None:
        return (), False
    targets = translation.get("target_languages") if isinstance(translation, dict) else None
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise RequestError("translation.target_languages must be a non-empty list of language codes")
    unknown = [t for t in targets if t not in TRANSLATION_TARGETS]
    if unknown:
        raise RequestError(f"Unsupported translation target language(s): {', '.join(unknown)}")
    return tuple(dict.fromkeys(targets)), bool(translation.get("match_original_utterance"))


def kind_of(word: str) -> str | None:
    """The entity type (a PiiPolicy name too) of one word, by the rules above; None for an ordinary word."""
    core = _EDGE.match(word).group(2)  # type: ignore[union-attr]
    low = core.lower()
    if not core:
        return None
    if _EMAIL.match(core):
        return "email_address"
    if _MONEY.match(core):
        return "money_amount"
    if _DIGITS.match(core):
        return "phone_number" if sum(c.isdigit() for c in core) >= 7 else "number_sequence"
    if core[0].isupper() and low in NAMES:
        return "person_name"
    if core[0].isupper() and low in PLACES:
        return "location"
    if core[0].isupper() and low in ORGANISATIONS:
        return "organization"
    if core[0].isupper() and low in MONTHS:
        return "date"
    return None


def _substitute(word: str, kind: str, substitution: str) -> str:
    lead, core, trail = _EDGE.match(word).groups()  # type: ignore[union-attr]
    return lead + (f"[{kind.upper()}]" if substitution == "entity_name" else "#" * len(core)) + trail


def entities_of(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entities[]`: runs of adjacent words of one type, with their times."""
    found: list[dict[str, Any]] = []
    previous = -2
    for i, w in enumerate(words):
        kind = kind_of(w["text"])
        if kind is None:
            continue
        text = _EDGE.match(w["text"]).group(2)  # type: ignore[union-attr]
        if found and found[-1]["entity_type"] == kind and previous == i - 1:
            found[-1].update(text=f"{found[-1]['text']} {text}", end=w["end"])
        else:
            found.append({"entity_type": kind, "text": text, "start": w["start"], "end": w["end"]})
        previous = i
    return found


def redact_words(words: list[dict[str, Any]], asked: Asked) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """The words with personal data replaced, and the spans (ms) that were."""
    out, spans = [], []
    for w in words:
        kind = kind_of(w["text"])
        if kind in asked.policies:
            out.append({**w, "text": _substitute(w["text"], kind, asked.substitution)})
            spans.append((int(w["start"]), int(w["end"])))
        else:
            out.append(w)
    return out, spans


def apply(
    asked: Asked, result: dict[str, Any], audio: bytes, translation: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The completed transcript's fields for what was asked beyond words, and the spans to take out of the audio.
    `result`: text, words, utterances as transcribed; `translation`: Whisper's English segments, when it made them."""
    fields: dict[str, Any] = {}
    words = list(result.get("words") or [])
    utterances = [dict(u) for u in result.get("utterances") or []]
    if asked.entities:
        fields["entities"] = entities_of(words)
    spans: list[tuple[int, int]] = []
    if asked.redact:
        words, spans = redact_words(words, asked)
        for u in utterances:
            u["words"], _ = redact_words(u["words"], asked)
            u["text"] = " ".join(w["text"] for w in u["words"])
        fields.update(words=words, utterances=utterances or result.get("utterances"))
        fields["text"] = " ".join(w["text"] for w in words) if words else result.get("text")
    if asked.targets:
        text = fields.get("text", result.get("text")) or ""
        script = read_script(audio) or {}
        given = script.get("translations") or {}
        fields["translated_texts"] = {}
        for lang in asked.targets:
            lines = _translated_lines(lang, given.get(lang), utterances, translation)
            if asked.per_utterance:
                for u, line in zip(utterances, lines, strict=True):
                    u.setdefault("translated_texts", {})[lang] = line
            if translation is not None and lang == "en":  # Whisper's own English, whole
                fields["translated_texts"][lang] = " ".join(seg["text"].strip() for seg in translation).strip()
            else:
                fields["translated_texts"][lang] = " ".join(lines) if lines else _translate(lang, given.get(lang), text)
        if asked.per_utterance:
            fields["utterances"] = utterances
        fields["speech_understanding"] = {
            "request": {
                "translation": {
                    "target_languages": list(asked.targets),
                    "formal": True,
                    "match_original_utterance": asked.per_utterance,
                }
            },
            "response": {"translation": {"status": "success"}},
        }
    return fields, spans


def _translate(lang: str, given: Any, text: str) -> str:
    if isinstance(given, str):
        return given
    if isinstance(given, list):
        return " ".join(str(x) for x in given)
    return f"[{lang}] {text}" if text else ""


def _translated_lines(
    lang: str, given: Any, utterances: list[dict[str, Any]], whisper: list[dict[str, Any]] | None
) -> list[str]:
    """One translated text per utterance: the script's, Whisper's segments by overlap (English), or `[xx] text`."""
    if isinstance(given, list) and len(given) == len(utterances):
        return [str(x) for x in given]
    if whisper is not None and lang == "en":
        return [
            " ".join(s["text"].strip() for s in whisper if s["start"] < u["end"] and s["end"] > u["start"]).strip()
            for u in utterances
        ]
    return [f"[{lang}] {u['text']}" for u in utterances]


# The redacted recording


def _pcm(audio: bytes) -> tuple[array, int]:
    """16-bit mono samples and their rate: a 16-bit WAV read directly, anything else decoded by PyAV (16 kHz)."""
    parts = chunks(audio)
    fmt, data = parts.get(b"fmt "), parts.get(b"data")
    if fmt and data is not None and len(fmt) >= 16:
        tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
        if tag == 1 and channels == 1 and bits == 16:
            samples = array("h")
            samples.frombytes(data[: len(data) - len(data) % 2])
            if sys.byteorder != "little":
                samples.byteswap()
            return samples, rate
    from local.assemblyai.whisper import SAMPLE_RATE, decode

    floats = decode(audio)
    return array("h", (int(max(-1.0, min(1.0, float(x))) * 32767) for x in floats)), SAMPLE_RATE


def redacted_wav(audio: bytes, spans: list[tuple[int, int]], silence: bool = False) -> bytes:
    """The recording with each span beeped (1 kHz, as AssemblyAI's default) or silenced, as a 16-bit mono WAV."""
    samples, rate = _pcm(audio)
    step = 2 * math.pi * 1000 / rate
    for start_ms, end_ms in spans:
        first, last = max(0, start_ms * rate // 1000), min(len(samples), end_ms * rate // 1000)
        for i in range(first, last):
            samples[i] = 0 if silence else int(8000 * math.sin((i - first) * step))
    return wav_bytes(samples, rate)


def mp3_of(wav: bytes) -> bytes:
    """The WAV as MP3 (AssemblyAI's default `redact_pii_audio_quality`), by the LAME encoder PyAV's libraries carry."""
    import io

    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(wav), mode="r") as source, av.open(out, mode="w", format="mp3") as target:
        stream = target.add_stream("libmp3lame", rate=source.streams.audio[0].rate)
        stream.layout = "mono"  # type: ignore[attr-defined]
        for frame in source.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):  # type: ignore[attr-defined]
                target.mux(packet)
        for packet in stream.encode(None):  # type: ignore[attr-defined]
            target.mux(packet)
    return out.getvalue()


def redacted_recording(audio: bytes, spans: list[tuple[int, int]], silence: bool, quality: str) -> tuple[bytes, str]:
    """The redacted recording in the quality asked (mp3 by default, or wav) and its file extension."""
    wav = redacted_wav(audio, spans, silence)
    return (mp3_of(wav), "mp3") if quality == "mp3" else (wav, "wav")
