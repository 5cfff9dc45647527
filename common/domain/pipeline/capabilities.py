"""What this deployment can transcribe, for people before they upload: engine, languages, formats and limits.

In the cloud the engine is AssemblyAI (its languages, auto-detection, any audio or video type); the local cloud
describes its own engine through SPEECH_* settings. Uploads and jobs are checked against the same answer.
"""

from __future__ import annotations

from common.domain import languages, understanding
from common.domain.errors import Invalid, UnsupportedMedia
from common.domain.schemas import CapabilitiesOut, JobRequest, UrlImport
from common.runtime.config import Settings

ANY_MEDIA = ("audio/*", "video/*")


_NAMES = {"en": "English", "de": "German", "es": "Spanish", "fr": "French", "it": "Italian", "pt": "Portuguese"}


def _named(codes: list[str]) -> str:
    return ", ".join(_NAMES.get(code, code) for code in codes)


def _csv(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def describe(settings: Settings) -> CapabilitiesOut:
    langs = _csv(settings.SPEECH_LANGUAGES) or sorted(languages.SUPPORTED)
    return CapabilitiesOut(
        engine=settings.SPEECH_ENGINE,
        languages=langs,
        auto_detect=settings.SPEECH_AUTO_DETECT,
        formats=_csv(settings.SPEECH_FORMATS) or list(ANY_MEDIA),
        max_upload_bytes=settings.MAX_UPLOAD_BYTES,
        max_parallel_per_user=settings.MAX_PARALLEL_PER_USER,
        max_active_jobs_per_user=settings.MAX_ACTIVE_JOBS_PER_USER,
        max_stored_bytes_per_user=settings.MAX_STORED_BYTES_PER_USER,
        realtime_factor=settings.SPEECH_REALTIME_FACTOR,
        url_import_note=settings.URL_IMPORT_NOTE or None,
        redaction=settings.SPEECH_REDACTION,
        redaction_policies=list(understanding.PII_POLICIES) if settings.SPEECH_REDACTION else [],
        translation_targets=translation_targets(settings),
        entities=settings.SPEECH_ENTITIES,
    )


def translation_targets(settings: Settings) -> list[str]:
    value = settings.SPEECH_TRANSLATION_TARGETS.strip()
    return list(understanding.TRANSLATION_TARGETS) if value == "*" else _csv(value)


def job_understanding(settings: Settings, req: JobRequest | UrlImport) -> None:
    """Refuse, with a sentence, what this engine cannot do beyond words (the request itself is already valid)."""
    engine = settings.SPEECH_ENGINE
    if req.redact_pii and not settings.SPEECH_REDACTION:
        raise Invalid(f"{engine} cannot redact personal data; leave redaction off", "redaction_not_available")
    if req.entity_detection and not settings.SPEECH_ENTITIES:
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
    formats = _csv(settings.SPEECH_FORMATS)
    base = content_type.split(";", 1)[0].strip().lower()
    if formats and base not in formats and f"{base.split('/')[0]}/*" not in formats:
        raise UnsupportedMedia(
            f"{settings.SPEECH_ENGINE} cannot read {base} files; it takes {', '.join(formats)}",
            "format_not_supported",
        )


def job_language(settings: Settings, requested: str) -> str:
    """The language to ask for: as requested, if this engine has it; "auto" only where it really detects."""
    langs = _csv(settings.SPEECH_LANGUAGES)
    if requested == languages.AUTO:
        if settings.SPEECH_AUTO_DETECT:
            return requested
        if len(langs) == 1:
            return langs[0]  # one language only: nothing to detect, and the UI says which
        raise Invalid(f"{settings.SPEECH_ENGINE} cannot detect the language; choose one of {_named(langs)}")
    if langs and requested not in langs:
        names = _named(langs)
        raise Invalid(
            f"{settings.SPEECH_ENGINE} transcribes {names} only; choose {names}, or use AssemblyAI for other languages",
            "language_not_supported",
        )
    return requested
