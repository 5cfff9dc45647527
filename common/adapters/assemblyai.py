"""AssemblyAI adapter over the official SDK: submit, fetch and delete transcripts, with errors sorted by kind."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, NotRequired, TypedDict
from urllib.parse import quote, unquote

from common.adapters.ports import ProviderError, ProviderTranscript, Submission
from common.runtime.config import Settings
from common.runtime.redaction import redact

if TYPE_CHECKING:
    from pydantic import TypeAdapter

WEBHOOK_SECRET_HEADER = "X-Transcribe-Webhook-Secret"
WEBHOOK_PATH = "/api/v1/webhooks/assemblyai"


# keyterms_prompt: up to 1000 terms with Universal-3 Pro, 200 with Universal-2, where it is an English-only beta; the
# languages Universal-3 Pro transcribes are where it applies (AssemblyAI's keyterms-prompting and models pages).
KEYTERMS_PRO, KEYTERMS_U2 = 1000, 200
KEYTERM_LANGUAGES = frozenset({"auto", "en", "es", "de", "fr", "it", "pt"})
KEYTERM_LANGUAGES_U2 = frozenset({"auto", "en"})


def keyterms_for(sub: Submission, models: list[str]) -> list[str] | None:
    """The terms to send as keyterms_prompt, within the smallest limit of the models the job may be routed to; none
    for a language no model takes them in (there `custom_spelling` alone applies the vocabulary)."""
    languages = KEYTERM_LANGUAGES if "universal-3-pro" in models else KEYTERM_LANGUAGES_U2
    if not sub.keyterms or sub.language.split("_")[0] not in languages:
        return None
    limit = KEYTERMS_PRO if models and all(m == "universal-3-pro" for m in models) else KEYTERMS_U2
    return list(sub.keyterms[:limit])


def custom_spelling_for(sub: Submission) -> list[dict[str, Any]] | None:
    return [{"from": list(found), "to": term} for found, term in sub.spellings] or None


def webhook_url(public_base_url: str, job_id: str) -> str:
    return f"{public_base_url.rstrip('/')}{WEBHOOK_PATH}?job_id={job_id}"


# GET /v2/transcript/{id}, as much of it as we keep, with the SDK's own rules for those fields (its models: Word,
# Utterance, TranscriptResponse): required fields and their types, a null word start read as 0. Validated from the
# JSON in one pass into plain dicts, in the order we store: a 30-minute transcript (~5,000 words, each twice: in
# `words` and in its utterance) took ~50 ms through the SDK's pydantic models, plus ~10 ms to turn them into dicts.
class _Word(TypedDict):
    text: str
    start: int | None
    end: int
    confidence: float
    speaker: NotRequired[str | None]


class _Utterance(TypedDict):
    speaker: NotRequired[str | None]
    start: int | None
    end: int
    text: str
    confidence: float
    words: list[_Word]
    translated_texts: NotRequired[dict[str, str] | None]


class _Entity(TypedDict):
    entity_type: str
    text: str
    start: int
    end: int


class _Transcript(TypedDict):
    id: NotRequired[str | None]
    status: Literal["queued", "processing", "completed", "error"]
    audio_url: str
    error: NotRequired[str | None]
    text: NotRequired[str | None]
    words: NotRequired[list[_Word] | None]
    utterances: NotRequired[list[_Utterance] | None]
    language_code: NotRequired[str | None]
    audio_duration: NotRequired[int | None]
    confidence: NotRequired[float | None]
    webhook_url: NotRequired[str | None]
    speech_understanding: NotRequired[dict[str, Any] | None]
    x_speaker_embeddings: NotRequired[dict[str, list[float]] | None]  # the local server's extension (VOICES_FIELD)
    redact_pii: NotRequired[bool | None]
    redact_pii_audio: NotRequired[bool | None]
    translated_texts: NotRequired[dict[str, str] | None]
    entities: NotRequired[list[_Entity] | None]


@cache
def _transcript_json() -> TypeAdapter[_Transcript]:
    from pydantic import TypeAdapter  # lazy, like the SDK: only functions that fetch transcripts pay for it

    return TypeAdapter(_Transcript)


def _stored_words(words: list[_Word]) -> list[dict[str, Any]]:
    """Words as we store them: text, start, end, confidence, and the speaker only when there is one."""
    for w in words:
        if w["start"] is None:
            w["start"] = 0
        if not w.get("speaker"):
            w.pop("speaker", None)
    return words  # type: ignore[return-value]  # the same dicts, now in the stored shape


def _identified(t: _Transcript) -> dict[str, str]:
    """Speaker identification's mapping, label to name, put back into labels in the words and utterances (where the
    provider wrote the names), so the names are the user's to change like any other rename. A mapping that gives two
    labels one name cannot be undone: those speakers stay as the provider named them, and no mapping is taken."""
    response = ((t.get("speech_understanding") or {}).get("response") or {}).get("speaker_identification") or {}
    mapping = {str(k): str(v) for k, v in (response.get("mapping") or {}).items() if v}
    labels = {name: label for label, name in mapping.items()}
    if len(labels) != len(mapping):
        return {}
    for u in t.get("utterances") or []:
        u["speaker"] = labels.get(u.get("speaker") or "", u.get("speaker"))
        for w in u["words"]:
            w["speaker"] = labels.get(w.get("speaker") or "", w.get("speaker"))
    for w in t.get("words") or []:
        w["speaker"] = labels.get(w.get("speaker") or "", w.get("speaker"))
    return mapping


def parse_transcript(body: bytes | str) -> ProviderTranscript:
    """A transcript from the provider's JSON (a pydantic ValidationError when it is not one)."""
    t = _transcript_json().validate_json(body)
    names = _identified(t)
    translated_lines = [
        {"start": u["start"] or 0, "end": u["end"], "speaker": u.get("speaker"), "texts": u["translated_texts"]}
        for u in t.get("utterances") or []
        if u.get("translated_texts")
    ]
    utterances = [
        {
            "speaker": u.get("speaker"),
            "start": u["start"] or 0,
            "end": u["end"],
            "text": u["text"],
            "words": _stored_words(u["words"]),
        }
        for u in t.get("utterances") or []
    ]
    duration, confidence = t.get("audio_duration"), t.get("confidence")
    return ProviderTranscript(
        id=str(t.get("id")),
        status=t["status"],
        error=t.get("error"),
        text=t.get("text") or "",
        words=_stored_words(t.get("words") or []),
        utterances=utterances,
        language=t.get("language_code"),
        audio_duration=float(duration) if duration is not None else None,
        confidence=float(confidence) if confidence is not None else None,
        webhook_url=t.get("webhook_url"),
        speaker_names=names,
        speaker_embeddings=t.get("x_speaker_embeddings") or {},
        redacted=bool(t.get("redact_pii")),
        redacted_audio=bool(t.get("redact_pii_audio")),
        translations=dict(t.get("translated_texts") or {}),
        translated_lines=translated_lines,
        entities=[dict(e) for e in t.get("entities") or []],
    )


_TRANSCRIPT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_transcript_id(value: object) -> bool:
    """AssemblyAI ids are UUIDs (older ones other letters, digits and dashes): nothing that could bend a URL path."""
    return isinstance(value, str) and _TRANSCRIPT_ID.fullmatch(value) is not None


def _error_message(response: Any) -> str:
    """What the SDK reports for a failed request: the body's `error`, or the whole body."""
    try:
        return str(response.json()["error"])
    except Exception:
        return f"\nReason: {response.text}\nRequest: {response.request}"


def _classify(exc: Exception) -> ProviderError:
    import httpx

    if isinstance(exc, httpx.HTTPError):
        return ProviderError(f"AssemblyAI did not answer: {type(exc).__name__}", None, transient=True)
    status = getattr(exc, "status_code", None)
    message = redact(str(exc).strip()) or type(exc).__name__
    # 429 and 5xx pass; 401/403 are a key problem an operator fixes, so jobs wait for it rather than fail.
    transient = status is None or status in (401, 403, 408, 429) or status >= 500
    return ProviderError(message, status, transient)


def _understanding(sub: Submission) -> dict[str, Any]:
    """The request fields for what the job asks beyond words (none when it asks nothing): redaction, entities, and
    speech understanding's translation and speaker identification (one `speech_understanding.request`)."""
    u = sub.understanding
    fields: dict[str, Any] = {}
    if u.redact_policies:
        fields.update(redact_pii=True, redact_pii_policies=list(u.redact_policies), redact_pii_sub=u.redact_sub)
        if u.redact_audio:
            fields.update(redact_pii_audio=True, redact_pii_audio_quality="mp3")
    if u.entity_detection:
        fields["entity_detection"] = True
    if u.translation_targets:
        translation = {
            "target_languages": list(u.translation_targets),
            "formal": True,  # AssemblyAI's own default (the SDK would send false)
            # Line by line needs utterances, which only speaker labels give.
            "match_original_utterance": sub.dialogue,
        }
        fields["speech_understanding"] = {"request": {"translation": translation}}
    asked = sub.speaker_identification
    if asked is not None and sub.dialogue:
        # Speaker identification with the user's names (or roles), in the same request: no second charge.
        request = fields.setdefault("speech_understanding", {"request": {}})["request"]
        request["speaker_identification"] = {"speaker_type": asked.speaker_type, "known_values": list(asked.values)}
    return fields


class AssemblyAI:
    finds_submissions = True

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
            keyterms_prompt=keyterms_for(sub, models),
            custom_spelling=custom_spelling_for(sub),
            webhook_url=webhook_url(s.PUBLIC_BASE_URL, sub.job_id),
            webhook_auth_header_name=WEBHOOK_SECRET_HEADER,
            webhook_auth_header_value=s.WEBHOOK_SECRET,
            **_understanding(sub),  # speech_understanding carries speaker identification and translation
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
            # The SDK's client and request (its get_transcript, whose response models cost more than the rest of a
            # webhook together for a long recording): its errors, then our parse of the body.
            response = self._http.get(f"/v2/transcript/{quote(transcript_id, safe='')}")
            if response.status_code != 200:
                raise self._aai.types.TranscriptError(
                    f"failed to retrieve transcript {transcript_id}: {_error_message(response)}",
                    response.status_code,
                )
            return parse_transcript(response.content)
        except Exception as exc:
            err = _classify(exc)
            if err.status in (400, 404):
                return None
            raise err from exc

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

    def fetch_redacted_audio(self, transcript_id: str, into: BinaryIO) -> str | None:
        """The redacted recording, downloaded from the URL AssemblyAI gives (a presigned one, valid for 24 hours)."""
        import httpx

        if not is_transcript_id(transcript_id):
            raise ProviderError("not an AssemblyAI transcript id", 404, transient=False)
        try:
            # The SDK's get_redacted_audio: 202 while it is made, 400 once it has expired.
            found = self._api.get_redacted_audio(self._http, quote(transcript_id, safe=""))
        except self._aai.types.RedactedAudioIncompleteError:
            return None
        except self._aai.types.RedactedAudioExpiredError as exc:
            raise ProviderError("the redacted audio has expired or was never made", 400, transient=False) from exc
        except Exception as exc:
            raise _classify(exc) from exc
        try:
            with httpx.stream("GET", found.redacted_audio_url, timeout=60.0, follow_redirects=True) as response:
                if response.status_code != 200:
                    gone = response.status_code in (403, 404)  # an expired presigned URL answers 403
                    raise ProviderError(
                        f"the redacted audio download answered {response.status_code}",
                        response.status_code,
                        transient=not gone,
                    )
                for chunk in response.iter_bytes(1 << 20):
                    into.write(chunk)
                return response.headers.get("content-type", "audio/mpeg").split(";")[0].strip() or "audio/mpeg"
        except httpx.HTTPError as exc:
            raise _classify(exc) from exc
