"""What this deployment can transcribe, for people before they upload: engine, languages, formats and limits.

In the cloud the engine is the provider's (providers.py: AssemblyAI or Yandex SpeechKit, as documented); the local
cloud describes its own engine through SPEECH_* settings. Uploads and jobs are checked against the same answer.
"""

from __future__ import annotations

from common.domain import languages, understanding
from common.domain.errors import Invalid, UnsupportedMedia
from common.domain.pipeline import providers
from common.domain.schemas import CapabilitiesOut, JobRequest, UrlImport
from common.runtime.config import Settings

_NAMES = {"en": "English", "de": "German", "es": "Spanish", "fr": "French", "it": "Italian", "pt": "Portuguese"}


def _named(codes: list[str]) -> str:
    return ", ".join(_NAMES.get(code, code) for code in codes)


def _csv(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def _languages(settings: Settings) -> list[str]:
    return _csv(settings.SPEECH_LANGUAGES) or list(providers.profile(settings).languages)


def _formats(settings: Settings) -> list[str]:
    return _csv(settings.SPEECH_FORMATS) or list(providers.profile(settings).formats)


def describe(settings: Settings) -> CapabilitiesOut:
    profile = providers.profile(settings)
    return CapabilitiesOut(
        engine=settings.engine,
        provider=settings.SPEECH_PROVIDER,
        languages=_languages(settings),
        auto_detect=settings.SPEECH_AUTO_DETECT,
        formats=_formats(settings),
        max_upload_bytes=providers.max_upload_bytes(settings),
        max_duration_seconds=profile.max_duration_seconds,
        max_speakers=profile.max_speakers,
        url_import=profile.url_import,
        max_parallel_per_user=settings.MAX_PARALLEL_PER_USER,
        max_active_jobs_per_user=settings.MAX_ACTIVE_JOBS_PER_USER,
        max_stored_bytes_per_user=settings.MAX_STORED_BYTES_PER_USER,
        max_recording_seconds=min(settings.MAX_RECORDING_SECONDS, profile.max_duration_seconds or 10**9),
        realtime_factor=settings.SPEECH_REALTIME_FACTOR,
        url_import_note=settings.URL_IMPORT_NOTE or None,
        word_confidence=providers.word_confidence(settings),
        vocabulary=providers.vocabulary(settings),
        speaker_identification=providers.speaker_identification(settings),
        voice_directory=providers.voice_directory(settings),
        redaction=providers.redaction(settings),
        redaction_policies=list(understanding.PII_POLICIES) if providers.redaction(settings) else [],
        translation_targets=translation_targets(settings),
        entities=providers.entities(settings),
    )


def translation_targets(settings: Settings) -> list[str]:
    if not providers.profile(settings).translation:
        return []  # SpeechKit's RecognizeFile translates nothing
    value = settings.SPEECH_TRANSLATION_TARGETS.strip()
    return list(understanding.TRANSLATION_TARGETS) if value == "*" else _csv(value)


def job_understanding(settings: Settings, req: JobRequest | UrlImport) -> None:
    """Refuse, with a sentence, what this engine cannot do beyond words (the request itself is already valid)."""
    engine = settings.engine
    if req.redact_pii and not providers.redaction(settings):
        raise Invalid(f"{engine} cannot redact personal data; leave redaction off", "redaction_not_available")
    if req.entity_detection and not providers.entities(settings):
        raise Invalid(f"{engine} cannot detect entities; leave entity detection off", "entities_not_available")
    offered = translation_targets(settings)
    refused = [t for t in req.translation_targets if t not in offered]
    if refused:
        into = f"into {_named(offered)} only" if offered else "nothing"
        raise Invalid(
            f"{engine} cannot translate into {_named(refused)}; it translates {into}", "translation_not_available"
        )


def accepts_format(settings: Settings, content_type: str) -> None:
    """Refuse, before any byte is uploaded, a type the engine cannot decode."""
    formats = _formats(settings)
    base = content_type.split(";", 1)[0].strip().lower()
    if base not in formats and f"{base.split('/')[0]}/*" not in formats:
        raise UnsupportedMedia(
            f"{settings.engine} cannot read {base} files; it takes {', '.join(formats)}",
            "format_not_supported",
        )


def job_language(settings: Settings, requested: str) -> str:
    """The language to ask for: as requested, if this engine has it; "auto" only where it really detects."""
    langs = _languages(settings)
    if requested == languages.AUTO:
        if settings.SPEECH_AUTO_DETECT:
            return requested
        if len(langs) == 1:
            return langs[0]  # one language only: nothing to detect, and the UI says which
        raise Invalid(f"{settings.engine} cannot detect the language; choose one of {_named(langs)}")
    if requested not in langs:
        names = _named(langs)
        raise Invalid(f"{settings.engine} transcribes {names} only; choose one of them", "language_not_supported")
    return requested


def job_speakers(settings: Settings, expected: int | None) -> int | None:
    """The speaker count asked for, if this provider can tell that many voices apart."""
    most = providers.profile(settings).max_speakers
    if expected is not None and most is not None and expected > most:
        raise Invalid(f"{settings.engine} tells at most {most} speakers apart", "too_many_speakers")
    return expected


def url_imports(settings: Settings) -> None:
    """Refuse a link import where the provider reads only our own bucket."""
    if not providers.profile(settings).url_import:
        message = f"{settings.engine} reads only uploaded files; download the recording and upload it"
        raise Invalid(message, "no_url_import")


def speaker_identification(settings: Settings, names: list[str] | None, speaker_type: str) -> dict[str, object] | None:
    """What a job asks the provider to identify, if anything; refused where the engine cannot."""
    if not names:
        return None
    if not providers.speaker_identification(settings):
        raise Invalid(f"{settings.engine} cannot name speakers; rename them when the transcript is ready")
    return {"speaker_type": speaker_type, "values": list(names)}
