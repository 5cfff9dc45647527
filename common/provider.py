"""AssemblyAI adapter over the official SDK: submit, fetch and delete transcripts, with errors sorted by kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from common.config import Settings
from common.redaction import redact

WEBHOOK_SECRET_HEADER = "X-Transcribe-Webhook-Secret"
WEBHOOK_PATH = "/api/v1/webhooks/assemblyai"


class ProviderError(Exception):
    """A failed call to the provider; `transient` ones are worth retrying later."""

    def __init__(self, message: str, status: int | None, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.transient = transient


@dataclass(frozen=True)
class Submission:
    job_id: str
    audio_url: str
    language: str  # a code, or "auto" for detection
    dialogue: bool
    speakers_expected: int | None


@dataclass(frozen=True)
class ProviderTranscript:
    id: str
    status: str  # queued | processing | completed | error
    error: str | None = None
    text: str = ""
    words: list[dict[str, Any]] = field(default_factory=list)
    utterances: list[dict[str, Any]] = field(default_factory=list)
    language: str | None = None
    audio_duration: float | None = None
    confidence: float | None = None
    webhook_url: str | None = None

    @property
    def job_id(self) -> str | None:
        """The job this transcript was submitted for, read from the webhook URL we gave it."""
        if not self.webhook_url:
            return None
        values = parse_qs(urlsplit(self.webhook_url).query).get("job_id")
        return values[0] if values else None


def webhook_url(public_base_url: str, job_id: str) -> str:
    return f"{public_base_url.rstrip('/')}{WEBHOOK_PATH}?job_id={job_id}"


def _word(w: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": w.text, "start": int(w.start), "end": int(w.end)}
    if getattr(w, "confidence", None) is not None:
        out["confidence"] = float(w.confidence)
    if getattr(w, "speaker", None):
        out["speaker"] = str(w.speaker)
    return out


_TRANSCRIPT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_transcript_id(value: object) -> bool:
    """AssemblyAI ids are UUIDs (older ones other letters, digits and dashes): nothing that could bend a URL path."""
    return isinstance(value, str) and _TRANSCRIPT_ID.fullmatch(value) is not None


def _classify(exc: Exception) -> ProviderError:
    import httpx

    if isinstance(exc, httpx.HTTPError):
        return ProviderError(f"AssemblyAI did not answer: {type(exc).__name__}", None, transient=True)
    status = getattr(exc, "status_code", None)
    message = redact(str(exc).strip()) or type(exc).__name__
    # 429 and 5xx pass; 401/403 are a key problem an operator fixes, so jobs wait for it rather than fail.
    transient = status is None or status in (401, 403, 408, 429) or status >= 500
    return ProviderError(message, status, transient)


class AssemblyAI:
    def __init__(self, settings: Settings) -> None:
        import assemblyai as aai  # lazy: ~0.3 s of imports, paid only by functions that talk to the provider

        self._aai = aai
        self._api = aai.api
        self._settings = settings
        client_settings = aai.Settings(
            api_key=settings.ASSEMBLYAI_API_KEY,
            base_url=settings.ASSEMBLYAI_BASE_URL,
            http_timeout=settings.ASSEMBLYAI_TIMEOUT_SECONDS,
        )
        self._http = aai.Client(settings=client_settings).http_client

    def submit(self, sub: Submission) -> str:
        s = self._settings
        models = [m.strip() for m in s.ASSEMBLYAI_SPEECH_MODELS.split(",") if m.strip()]
        request = self._aai.types.TranscriptRequest(
            audio_url=sub.audio_url,
            speech_models=models or None,
            language_detection=True if sub.language == "auto" else None,
            language_code=None if sub.language == "auto" else sub.language,
            speaker_labels=True if sub.dialogue else None,
            speakers_expected=sub.speakers_expected if sub.dialogue else None,
            webhook_url=webhook_url(s.PUBLIC_BASE_URL, sub.job_id),
            webhook_auth_header_name=WEBHOOK_SECRET_HEADER,
            webhook_auth_header_value=s.WEBHOOK_SECRET,
        )
        try:
            return str(self._api.create_transcript(self._http, request).id)
        except Exception as exc:
            raise _classify(exc) from exc

    def get(self, transcript_id: str) -> ProviderTranscript | None:
        """The transcript, or None when the provider does not know the id (or it cannot be one)."""
        if not is_transcript_id(transcript_id):
            return None
        try:
            t = self._api.get_transcript(self._http, quote(transcript_id, safe=""))
        except Exception as exc:
            err = _classify(exc)
            if err.status in (400, 404):
                return None
            raise err from exc
        status = t.status.value if hasattr(t.status, "value") else str(t.status)
        utterances = [
            {
                "speaker": u.speaker,
                "start": int(u.start),
                "end": int(u.end),
                "text": u.text,
                "words": [_word(w) for w in (u.words or [])],
            }
            for u in (t.utterances or [])
        ]
        language = getattr(t.language_code, "value", t.language_code)
        return ProviderTranscript(
            id=str(t.id),
            status=status,
            error=t.error,
            text=t.text or "",
            words=[_word(w) for w in (t.words or [])],
            utterances=utterances,
            language=language,
            audio_duration=float(t.audio_duration) if t.audio_duration is not None else None,
            confidence=float(t.confidence) if t.confidence is not None else None,
            webhook_url=t.webhook_url,
        )

    def find_submitted(self, job_id: str, object_key: str, limit: int = 200) -> str | None:
        """A transcript already submitted for this job, if the provider has one among its most recent.

        Listed items carry the audio URL (which names the object) but not the webhook URL (which names the job),
        so candidates for the same recording are fetched and matched on the job their webhook URL names.
        """
        try:
            page = self._api.list_transcripts(self._http, self._aai.types.ListTranscriptParameters(limit=limit))
        except Exception as exc:
            raise _classify(exc) from exc
        quoted = quote(object_key)
        for item in page.transcripts:
            if quoted not in (item.audio_url or "") and object_key not in unquote(item.audio_url or ""):
                continue
            found = self.get(item.id)
            if found is not None and found.job_id == job_id:
                return found.id
        return None

    def delete(self, transcript_id: str) -> None:
        """Remove the provider's copy; an id it no longer knows is already gone."""
        if not is_transcript_id(transcript_id):
            return
        try:
            self._api.delete_transcript(self._http, quote(transcript_id, safe=""))
        except Exception as exc:
            err = _classify(exc)
            if err.status == 404:
                return
            raise err from exc
