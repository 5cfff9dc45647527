"""What each cloud speech provider can do, as documented, for the capabilities and the checks made before upload.

SpeechKit's figures are from Yandex's docs (docs/speechkit.md cites each): v3 asynchronous recognition reads WAV,
OGG_OPUS and MP3 only, up to 1 GB and 4 hours; labels at most two speakers (mono); has no word confidence; reads
only objects in Object Storage (no link imports); and knows these languages (`auto` detects among them).
"""

from __future__ import annotations

from dataclasses import dataclass

from common.adapters import speechkit
from common.domain import languages
from common.runtime.config import Settings

ANY_MEDIA = ("audio/*", "video/*")


@dataclass(frozen=True)
class Profile:
    languages: tuple[str, ...]  # our codes (common/domain/languages.py)
    formats: tuple[str, ...]  # media types, or the families "audio/*", "video/*"
    max_upload_bytes: int | None  # None: as the deployment sets it
    max_duration_seconds: int | None
    max_speakers: int | None  # the most speakers it can tell apart; None: as many as the request says
    word_confidence: bool
    vocabulary: bool  # takes a user's terms and spellings with a job (AssemblyAI: keyterms_prompt, custom_spelling)
    speaker_identification: bool  # names speakers from names given with the job
    redaction: bool  # replaces personal data in the text (and can make a redacted recording)
    translation: bool  # translates the transcript (the targets: SPEECH_TRANSLATION_TARGETS)
    entities: bool  # marks names, organisations, places and dates
    url_import: bool  # fetches a public link itself
    webhooks: bool  # says when a result is ready; without, every job in flight is polled (the reconcile timer)


ASSEMBLYAI = Profile(
    languages=tuple(sorted(languages.SUPPORTED)),
    formats=ANY_MEDIA,
    max_upload_bytes=None,
    max_duration_seconds=None,
    max_speakers=None,
    word_confidence=True,
    vocabulary=True,
    speaker_identification=True,
    redaction=True,
    translation=True,
    entities=True,
    url_import=True,
    webhooks=True,
)

SPEECHKIT = Profile(
    languages=tuple(sorted(speechkit.LANGUAGES)),
    formats=tuple(speechkit.CONTAINERS),
    max_upload_bytes=1024**3,
    max_duration_seconds=4 * 3600,
    max_speakers=2,
    word_confidence=False,
    vocabulary=False,  # RecognizeFileRequest has no terms or spellings (only model tuning, out of scope)
    speaker_identification=False,  # nor names; speakers are channel tags 0 and 1
    redaction=False,  # nor redaction, translation or entities (the request has none of them)
    translation=False,
    entities=False,
    url_import=False,
    webhooks=False,
)


def profile(settings: Settings) -> Profile:
    return SPEECHKIT if settings.SPEECH_PROVIDER == "speechkit" else ASSEMBLYAI


def max_upload_bytes(settings: Settings) -> int:
    """The deployment's limit, within what the provider reads."""
    cap = profile(settings).max_upload_bytes
    return min(settings.MAX_UPLOAD_BYTES, cap) if cap else settings.MAX_UPLOAD_BYTES


def word_confidence(settings: Settings) -> bool:
    """Words carry a confidence: the provider gives one, and the deployment has not turned review off."""
    return profile(settings).word_confidence and settings.SPEECH_WORD_CONFIDENCE


def vocabulary(settings: Settings) -> bool:
    """Jobs carry the owner's vocabulary: the provider takes one, and the deployment has not turned it off."""
    return profile(settings).vocabulary and settings.SPEECH_VOCABULARY


def speaker_identification(settings: Settings) -> bool:
    return profile(settings).speaker_identification and settings.SPEECH_SPEAKER_IDENTIFICATION


def voice_directory(settings: Settings) -> bool:
    """Named voices recognised in later recordings: only where the engine hands out voice embeddings (the local
    AssemblyAI server says so with SPEECH_VOICE_DIRECTORY; neither AssemblyAI nor SpeechKit gives them)."""
    return settings.SPEECH_VOICE_DIRECTORY and settings.SPEECH_PROVIDER == "assemblyai"


def redaction(settings: Settings) -> bool:
    return profile(settings).redaction and settings.SPEECH_REDACTION


def entities(settings: Settings) -> bool:
    return profile(settings).entities and settings.SPEECH_ENTITIES
