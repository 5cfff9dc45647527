"""Yandex SpeechKit, API v3 asynchronous recognition, over its REST mapping (docs/speechkit.md cites every shape).

RecognizeFile is given the recording's Object Storage URI, which SpeechKit reads as the caller: the function's
service account, whose IAM token signs every call (no presigned URL leaves the cloud). There is no webhook: the
reconcile timer polls the Operation, then reads the result with GetRecognition (a stream of {"result": …} objects)
and, once it is stored, deletes it with DeleteRecognition. Only the standard library: no SDK, no gRPC.
"""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO
from urllib.parse import quote

from common.adapters.ports import ProviderError, ProviderTranscript, Submission
from common.runtime import iam
from common.runtime.config import Settings
from common.runtime.redaction import redact

# Our language code → SpeechKit's ("Supported recognition languages", models.md). pt-BR is general:rc only, so
# Portuguese is Portugal's; Uzbek is the Latin script.
LANGUAGES = {
    "de": "de-DE",
    "en": "en-US",
    "es": "es-ES",
    "fi": "fi-FI",
    "fr": "fr-FR",
    "he": "he-HE",
    "it": "it-IT",
    "kk": "kk-KZ",
    "nl": "nl-NL",
    "pl": "pl-PL",
    "pt": "pt-PT",
    "ru": "ru-RU",
    "sv": "sv-SE",
    "tr": "tr-TR",
    "uz": "uz-UZ",
}
# The containers RecognizeFile reads (ContainerAudioType), by the media types files and browsers declare for them.
CONTAINERS = {
    "audio/wav": "WAV",
    "audio/x-wav": "WAV",
    "audio/wave": "WAV",
    "audio/vnd.wave": "WAV",
    "audio/ogg": "OGG_OPUS",
    "audio/opus": "OGG_OPUS",
    "audio/mpeg": "MP3",
    "audio/mp3": "MP3",
}
_OPERATION_ID = re.compile(r"[A-Za-z0-9]{1,50}")  # the proto: operation_id, length <= 50
MAX_RESULT_BYTES = 64 * 1024**2  # four hours of speech is a few MB of JSON


def is_operation_id(value: object) -> bool:
    return isinstance(value, str) and _OPERATION_ID.fullmatch(value) is not None


def recognition_request(sub: Submission, settings: Settings) -> dict[str, Any]:
    """RecognizeFileRequest as the REST reference writes it (lowerCamelCase)."""
    base = sub.content_type.split(";", 1)[0].strip().lower()
    container = CONTAINERS.get(base)
    if container is None:
        raise ProviderError(f"SpeechKit cannot read {base or 'this'} files", None, transient=False)
    model: dict[str, Any] = {
        "model": settings.SPEECHKIT_MODEL,
        "audioFormat": {"containerAudio": {"containerAudioType": container}},
        # Punctuation and capitals need literatureText; numbers as digits come with normalization.
        "textNormalization": {
            "textNormalization": "TEXT_NORMALIZATION_ENABLED",
            "profanityFilter": False,
            "literatureText": True,
        },
    }
    if sub.language != "auto":
        model["languageRestriction"] = {"restrictionType": "WHITELIST", "languageCode": [LANGUAGES[sub.language]]}
    body: dict[str, Any] = {"uri": object_uri(settings, sub.object_key), "recognitionModel": model}
    if sub.dialogue:
        body["speakerLabeling"] = {"speakerLabeling": "SPEAKER_LABELING_ENABLED"}
    return body


def object_uri(settings: Settings, key: str) -> str:
    """The object as SpeechKit is given it: "https://storage.yandexcloud.net/<bucket>/<key>", no query."""
    return f"{settings.S3_ENDPOINT_URL.rstrip('/')}/{settings.S3_BUCKET}/{quote(key)}"


def _values(body: bytes) -> list[Any]:
    """The JSON values of a REST stream: one per line or pretty-printed one after another (either is accepted)."""
    text, at = body.decode("utf-8"), 0
    out: list[Any] = []
    decoder = json.JSONDecoder()
    while True:
        while at < len(text) and text[at] in " \t\r\n,[]":
            at += 1
        if at >= len(text):
            return out
        value, at = decoder.raw_decode(text, at)
        out.append(value)


def _ms(value: Any) -> int:
    return int(value or 0)  # int64 arrives as a string


def parse_recognition(operation_id: str, body: bytes) -> ProviderTranscript:
    """GetRecognition's stream as a transcript: each `final` an utterance, its `finalRefinement` (normalized text)
    preferred; the speaker is the response's channelTag ("0"/"1") where more than one is heard."""
    finals: dict[int, tuple[dict[str, Any], str]] = {}
    refined: dict[int, dict[str, Any]] = {}
    languages: dict[str, float] = {}
    end_ms = 0
    for value in _values(body):
        if "error" in value:
            error = value["error"] or {}
            raise ProviderError(f"SpeechKit: {error.get('message') or error}", None, transient=True)
        r = value.get("result") or {}
        channel = str(r.get("channelTag") or "0")
        # "receivedDataMs": the audio received so far; at the end, the recording's length (silence included)
        end_ms = max(end_ms, _ms((r.get("audioCursors") or {}).get("receivedDataMs")))
        if "final" in r:
            alternatives = r["final"].get("alternatives") or []
            if alternatives:
                finals[_ms(r.get("audioCursors", {}).get("finalIndex"))] = (alternatives[0], channel)
        elif "finalRefinement" in r:
            alternatives = (r["finalRefinement"].get("normalizedText") or {}).get("alternatives") or []
            if alternatives:
                refined[_ms(r["finalRefinement"].get("finalIndex"))] = alternatives[0]
        elif "eouUpdate" in r:
            end_ms = max(end_ms, _ms(r["eouUpdate"].get("timeMs")))
    channels = {channel for _, channel in finals.values()}
    speakers = len(channels) > 1
    words: list[dict[str, Any]] = []
    utterances: list[dict[str, Any]] = []
    for index in sorted(finals):
        final, channel = finals[index]
        alt = refined.get(index) or final
        for lang in alt.get("languages") or final.get("languages") or []:
            code = str(lang.get("languageCode") or "").split("-")[0].lower()
            if code:
                languages[code] = languages.get(code, 0.0) + float(lang.get("probability") or 0)
        speaker = chr(ord("A") + int(channel)) if speakers and channel.isdigit() else None
        said = [
            {"text": w["text"], "start": _ms(w.get("startTimeMs")), "end": _ms(w.get("endTimeMs")), "confidence": None}
            for w in (alt.get("words") or final.get("words") or [])
            if str(w.get("text") or "").strip()
        ]
        if speaker:
            for w in said:
                w["speaker"] = speaker
        words += said
        end_ms = max(end_ms, _ms(alt.get("endTimeMs")), *(w["end"] for w in said[-1:]))
        if speaker and said:
            text = str(alt.get("text") or " ".join(w["text"] for w in said))
            utterances.append({"speaker": speaker, "start": said[0]["start"], "end": said[-1]["end"], "text": text})
            utterances[-1]["words"] = said
    return ProviderTranscript(
        id=operation_id,
        status="completed",
        text=" ".join(str((refined.get(i) or finals[i][0]).get("text") or "") for i in sorted(finals)).strip(),
        words=words,
        utterances=utterances,
        language=max(languages, key=languages.__getitem__) if languages else None,
        audio_duration=end_ms / 1000 if end_ms else None,
        confidence=None,  # "Currently is not used" (Alternative.confidence); words have none
    )


class SpeechKit:
    finds_submissions = False  # no list of recognitions: a lost answer is never resubmitted by itself

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _headers(self) -> dict[str, str]:
        token = iam.token()
        if token:
            auth = f"Bearer {token}"
        elif self._settings.SPEECHKIT_API_KEY:
            auth = f"Api-Key {self._settings.SPEECHKIT_API_KEY}"
        else:
            raise ProviderError(
                "no IAM token: give the function a service account (or set SPEECHKIT_API_KEY)", None, transient=True
            )
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        if self._settings.SPEECHKIT_FOLDER_ID:
            headers["x-folder-id"] = self._settings.SPEECHKIT_FOLDER_ID
        return headers  # never x-data-logging-enabled: nothing of the recording is kept to train models

    def _call(self, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        """(status, body); 4xx and 5xx are answers too. Raises ProviderError when no answer came."""
        import urllib.error
        import urllib.request

        if not url.startswith(("https://", "http://")):
            raise ProviderError(f"SpeechKit's URL must be http(s): {url[:60]}", None, transient=False)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers())  # noqa: S310 (checked above)
        try:
            timeout = self._settings.SPEECHKIT_TIMEOUT_SECONDS
            with urllib.request.urlopen(request, timeout=timeout) as res:  # noqa: S310 (checked above)
                return res.status, res.read(MAX_RESULT_BYTES)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(64 * 1024)
        except urllib.error.URLError as exc:  # the request was not sent (no connection, DNS, TLS)
            raise ProviderError(f"SpeechKit did not answer: {exc.reason}", None, transient=True) from exc
        except OSError as exc:  # sent, then no answer in time: it may have been taken
            raise ProviderError(
                f"SpeechKit did not answer: {type(exc).__name__}", None, transient=True, may_have_started=True
            ) from exc

    @staticmethod
    def _error(status: int, body: bytes) -> ProviderError:
        try:
            message = str(json.loads(body).get("message") or body[:300].decode("utf-8", "replace"))
        except (ValueError, AttributeError):
            message = body[:300].decode("utf-8", "replace")
        # 429 and 5xx pass; 401/403 are an account or role problem an operator fixes, so jobs wait for it.
        transient = status in (401, 403, 408, 429) or status >= 500
        return ProviderError(f"SpeechKit answered {status}: {redact(message)}", status, transient)

    def submit(self, sub: Submission) -> str:
        s = self._settings
        status, body = self._call(
            "POST", f"{s.SPEECHKIT_STT_URL.rstrip('/')}/stt/v3/recognizeFileAsync", recognition_request(sub, s)
        )
        if status != 200:
            raise self._error(status, body)
        operation_id = json.loads(body).get("id")
        if not is_operation_id(operation_id):
            raise ProviderError("SpeechKit answered without an operation id", status, transient=True)
        return str(operation_id)

    def get(self, operation_id: str) -> ProviderTranscript | None:
        """The recognition as it stands; None when SpeechKit does not know the operation (or results expired)."""
        if not is_operation_id(operation_id):
            return None
        s = self._settings
        status, body = self._call("GET", f"{s.SPEECHKIT_OPERATION_URL.rstrip('/')}/operations/{operation_id}")
        if status in (400, 404):
            return None
        if status != 200:
            raise self._error(status, body)
        operation = json.loads(body)
        if operation.get("error"):
            message = str(operation["error"].get("message") or "recognition failed")
            return ProviderTranscript(id=operation_id, status="error", error=message)
        if not operation.get("done"):
            return ProviderTranscript(id=operation_id, status="processing")
        # done without error is success (Yandex's own example carries no `response`: RecognizeFile returns Empty)
        url = f"{s.SPEECHKIT_STT_URL.rstrip('/')}/stt/v3/getRecognition?operationId={operation_id}"
        status, body = self._call("GET", url)
        if status == 404:
            return None
        if status != 200:
            raise self._error(status, body)
        return parse_recognition(operation_id, body)

    def find_submitted(self, job_id: str, object_key: str, limit: int = 200) -> str | None:
        return None  # nothing to look in (finds_submissions is False)

    def fetch_redacted_audio(self, transcript_id: str, into: BinaryIO) -> str | None:
        # Never asked: the capabilities offer no redaction with SpeechKit, so no SpeechKit job has a redacted copy.
        raise ProviderError("SpeechKit makes no redacted recording", None, transient=False)

    def delete(self, operation_id: str) -> None:
        """Delete the results at SpeechKit; an operation it no longer knows is already gone."""
        if not is_operation_id(operation_id):
            return
        s = self._settings
        url = f"{s.SPEECHKIT_STT_URL.rstrip('/')}/stt/v3/deleteRecognition?operationId={operation_id}"
        status, body = self._call("DELETE", url)
        if status not in (200, 204, 404):
            raise self._error(status, body)
