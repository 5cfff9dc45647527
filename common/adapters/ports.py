"""The adapters as the domain sees them: the few methods it calls on object storage, a speech provider, mail and the
webhook sender, and the values those calls carry. The domain imports this module, never boto3 or a provider's SDK; the
adapters (storage.py, assemblyai.py, postbox.py, webhook_sender.py) implement these protocols, and tests swap in the
local servers behind them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, Protocol
from urllib.parse import parse_qs, urlsplit

from common.adapters.url_safety import Endpoint

# Object storage


@dataclass(frozen=True)
class StoredObject:
    size: int
    etag: str
    content_type: str


@dataclass(frozen=True)
class StoredPart:
    number: int
    size: int
    etag: str


@dataclass(frozen=True)
class OpenUpload:
    key: str
    upload_id: str
    initiated: datetime


class PartsNotJoined(Exception):
    """Object storage refused to join a multipart upload's parts (missing or changed parts); `code` is its reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ObjectStore(Protocol):
    def presign_put(self, key: str, content_type: str, size: int, expires_s: int) -> str: ...
    def start_multipart(self, key: str, content_type: str) -> str: ...
    def presign_part(self, key: str, upload_id: str, part_number: int, size: int, expires_s: int) -> str: ...
    def list_parts(self, key: str, upload_id: str) -> list[StoredPart] | None:
        """The parts stored so far; None when the upload is gone (completed or aborted)."""
        ...

    def open_uploads(self, prefix: str, limit: int = 1000) -> Iterator[OpenUpload]: ...
    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Join the parts; PartsNotJoined when storage refuses."""
        ...

    def abort_multipart(self, key: str, upload_id: str) -> None: ...
    def presign_get(self, key: str, expires_s: int, filename: str | None = None) -> str: ...
    def head(self, key: str) -> StoredObject | None: ...
    def copy_if_unchanged(self, source: str, target: str, etag: str) -> bool: ...
    def put(self, key: str, body: BinaryIO, content_type: str) -> None:
        """Store a file we made or fetched ourselves (a redacted recording), streamed in parts when large."""
        ...

    def delete(self, key: str) -> None: ...


# Speech provider


class ProviderError(Exception):
    """A failed call to the provider; `transient` ones are worth retrying later. `may_have_started`: the request went
    out and no answer came back, so the provider may be working on it; where a submission cannot be looked up again
    (SpeechKit), sending it again could transcribe, and charge for, the recording twice."""

    def __init__(self, message: str, status: int | None, transient: bool, may_have_started: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.transient = transient
        self.may_have_started = may_have_started


@dataclass(frozen=True)
class SpeakerIdentification:
    """Ask the provider to name the speakers: `speaker_type` "name" or "role", and the names (or roles) it may use."""

    speaker_type: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Understanding:
    """What a job asks beyond words: personal data redaction (and a redacted recording), translation, entities."""

    redact_policies: tuple[str, ...] = ()  # empty: no redaction
    redact_sub: str = "entity_name"
    redact_audio: bool = False
    translation_targets: tuple[str, ...] = ()
    entity_detection: bool = False


@dataclass(frozen=True)
class Submission:
    job_id: str
    audio_url: str  # a presigned GET of the recording, or the imported link (AssemblyAI fetches it)
    language: str  # a code, or "auto" for detection
    dialogue: bool
    speakers_expected: int | None
    object_key: str = ""  # the recording in our bucket (SpeechKit reads it there, as the function's account)
    content_type: str = ""  # as stored: SpeechKit must be told the container
    # The owner's vocabulary (domain/accounts/vocabulary.py): terms to listen for, and (what the engine may write,
    # the term to write instead) pairs.
    keyterms: tuple[str, ...] = ()
    spellings: tuple[tuple[tuple[str, ...], str], ...] = ()
    speaker_identification: SpeakerIdentification | None = None
    understanding: Understanding = Understanding()


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
    # Speaker identification's answer, label to name ({"A": "Anna"}); utterances and words keep the labels.
    speaker_names: dict[str, str] = field(default_factory=dict)
    # Each label's voice embedding, from an engine that gives them (the local one), for the directory of voices.
    speaker_embeddings: dict[str, list[float]] = field(default_factory=dict)
    redacted: bool = False  # text, words and utterances have personal data replaced
    redacted_audio: bool = False  # a redacted recording was asked for (GET .../redacted-audio)
    translations: dict[str, str] = field(default_factory=dict)  # language -> the whole text
    translated_lines: list[dict[str, Any]] = field(default_factory=list)  # {start, end, speaker, texts}
    entities: list[dict[str, Any]] = field(default_factory=list)  # {entity_type, text, start, end}

    @property
    def job_id(self) -> str | None:
        """The job this transcript was submitted for, read from the webhook URL we gave it."""
        if not self.webhook_url:
            return None
        values = parse_qs(urlsplit(self.webhook_url).query).get("job_id")
        return values[0] if values else None


class SpeechProvider(Protocol):
    # Whether find_submitted can see a submission whose id was never stored (AssemblyAI lists its transcripts;
    # SpeechKit has no list of recognitions, so a submission that died unanswered is never sent again by itself).
    finds_submissions: bool

    def submit(self, sub: Submission) -> str: ...
    def get(self, transcript_id: str) -> ProviderTranscript | None: ...
    def find_submitted(self, job_id: str, object_key: str, limit: int = 200) -> str | None: ...
    def delete(self, transcript_id: str) -> None: ...
    def fetch_redacted_audio(self, transcript_id: str, into: BinaryIO) -> str | None:
        """Write the redacted recording into `into` and return its content type; None while it is not ready yet. A
        ProviderError that is not transient means it is gone (expired after 24 hours, or never made)."""
        ...


# Mail


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


class MailSender(Protocol):
    def send(self, mail: Mail) -> str: ...


# Outgoing webhooks


@dataclass(frozen=True)
class WebhookAnswer:
    """What one POST to a user's endpoint came to: its HTTP status, or why none came (timeout, refused, TLS)."""

    status: int | None
    error: str | None = None


class WebhookSender(Protocol):
    def check(self, url: str) -> Endpoint:
        """The endpoint if it may be called now (UnsafeUrl otherwise): resolved, every address public."""
        ...

    def post(self, endpoint: Endpoint, body: bytes, headers: dict[str, str]) -> WebhookAnswer:
        """POST to the checked address; redirects are not followed and the answer's body is not read."""
        ...
