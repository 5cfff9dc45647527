"""Request and response shapes of the API (mirroring infra/api/openapi.yaml), validated with pydantic."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from common.domain import languages, password_policy, understanding

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# C0/C1 controls (NUL included), bidi overrides that disguise a name, and lone surrogates (not valid text).
_NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(value: str) -> str:
    if _NOT_TEXT.search(value):
        raise ValueError("must not contain control characters")
    return value


def _encodable(value: str) -> str:
    if _SURROGATE.search(value):
        raise ValueError("contains characters that are not valid text")
    return value


# Every text field a user sends is this, except the password: any character is fair there, and it is only hashed.
CleanStr = Annotated[StrictStr, AfterValidator(_printable)]


def normalise_email(email: str) -> str:
    return email.strip().lower()


class _Out(BaseModel):
    # Validators and serializers are built when a model is first used, not at import: a function's first request
    # builds the few it needs instead of all ~30 (~70 ms of every cold start, bench/cold_start.py).
    model_config = ConfigDict(defer_build=True)


class _In(_Out):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def _email(value: str) -> str:
    value = normalise_email(value)
    if not _EMAIL.match(value):
        raise ValueError("enter an email address like name@example.com")
    return value


Email = Annotated[CleanStr, Field(max_length=254), AfterValidator(_email)]


class Credentials(_In):
    email: Email
    password: Password


def _acceptable_new_password(value: str) -> str:
    reason = password_policy.problem(value)
    if reason:
        raise ValueError(reason)
    return value


Password = Annotated[StrictStr, AfterValidator(_encodable), Field(max_length=1024)]
NewPassword = Annotated[Password, AfterValidator(_acceptable_new_password)]


# The languages the web app and its mail are written in; the first is the default.
UiLanguage = Literal["en", "ru"]


class Registration(Credentials):
    password: NewPassword
    language: UiLanguage = "en"


class ProfileChange(_In):
    language: UiLanguage


class AccountDeletion(_In):
    password: Password


class PasswordChange(_In):
    current_password: Password
    new_password: NewPassword


class PasswordResetRequest(_In):
    email: Email


class PasswordReset(_In):
    token: StrictStr = Field(min_length=1, max_length=4096)
    new_password: NewPassword


class Accepted(_Out):
    message: str


class Login(Credentials):
    @field_validator("password")
    @classmethod
    def _present(cls, value: str) -> str:
        if not value:
            raise ValueError("enter your password")
        return value


class FileDeclaration(_In):
    filename: CleanStr = Field(min_length=1, max_length=1024)
    content_type: CleanStr = Field(max_length=255)
    size: StrictInt = Field(ge=1)


class FileRename(_In):
    filename: CleanStr = Field(min_length=1, max_length=1024)

    @field_validator("filename")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("enter a name")
        return value


MAX_SPEAKER_NAMES = 10  # as many as speakers_expected allows
MAX_SPEAKER_NAME_CHARS = 35  # AssemblyAI's limit for each known value


def _speaker_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("a speaker name cannot be empty")
    if len(value) > MAX_SPEAKER_NAME_CHARS:
        raise ValueError(f"a speaker name can be at most {MAX_SPEAKER_NAME_CHARS} characters")
    return value


SpeakerName = Annotated[CleanStr, Field(max_length=200), AfterValidator(_speaker_name)]


class _JobOptions(_In):
    language: CleanStr = Field(languages.AUTO, max_length=16)
    mode: Literal["mono", "dialogue"] = "mono"
    speakers_expected: Annotated[StrictInt, Field(ge=1, le=10)] | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = languages.normalise(value)
        if value != languages.AUTO and value not in languages.SUPPORTED:
            raise ValueError(f"unsupported language {value!r}; use 'auto' or a code such as 'en', 'es', 'de'")
        return value

    # Speaker identification: the people (or roles) speaking, for the provider to tell which label is whom.
    speaker_names: list[SpeakerName] | None = Field(default=None, max_length=MAX_SPEAKER_NAMES)
    speaker_type: Literal["name", "role"] = "name"
    # Personal data redaction (AssemblyAI's names): the policies to redact, how (entity_name or hash), and whether a
    # redacted copy of the recording is made too.
    redact_pii: StrictBool = False
    redact_pii_policies: list[Annotated[CleanStr, Field(max_length=40)]] = Field(default_factory=list, max_length=44)
    redact_pii_sub: Literal["entity_name", "hash"] = "entity_name"
    redact_pii_audio: StrictBool = False
    translation_targets: list[Annotated[CleanStr, Field(max_length=8)]] = Field(
        default_factory=list, max_length=understanding.MAX_TRANSLATION_TARGETS
    )
    entity_detection: StrictBool = False

    @model_validator(mode="after")
    def _speakers_need_dialogue(self) -> _JobOptions:
        if self.speakers_expected is not None and self.mode != "dialogue":
            raise ValueError("speakers_expected applies to mode 'dialogue' only")
        return self

    @model_validator(mode="after")
    def _names_fit_the_speakers(self) -> _JobOptions:
        names = self.speaker_names or []
        if not names:
            return self
        if self.mode != "dialogue":
            raise ValueError("speaker names apply to mode 'dialogue' only")
        if len({n.casefold() for n in names}) != len(names):
            raise ValueError("each speaker name must be different")
        if self.speakers_expected is not None and len(names) > self.speakers_expected:
            raise ValueError(
                f"{len(names)} names were given for {self.speakers_expected} expected speakers; give at most "
                f"{self.speakers_expected}"
            )
        return self

    @model_validator(mode="after")
    def _redaction(self) -> _JobOptions:
        unknown = understanding.unknown(self.redact_pii_policies, understanding.PII_POLICIES)
        if unknown:
            raise ValueError(
                f"AssemblyAI knows no redaction policy {', '.join(repr(u) for u in unknown)}; "
                "use policies such as 'person_name', 'phone_number', 'email_address'"
            )
        if self.redact_pii and not self.redact_pii_policies:
            raise ValueError("choose at least one kind of personal data to redact (redact_pii_policies)")
        if not self.redact_pii and (self.redact_pii_policies or self.redact_pii_audio):
            raise ValueError("redact_pii_policies and redact_pii_audio need redact_pii: true")
        self.redact_pii_policies = list(dict.fromkeys(self.redact_pii_policies))
        return self

    @model_validator(mode="after")
    def _translation(self) -> _JobOptions:
        targets = [languages.normalise(t) for t in self.translation_targets]
        unknown = understanding.unknown(targets, understanding.TRANSLATION_TARGETS)
        if unknown:
            raise ValueError(
                f"AssemblyAI does not translate into {', '.join(repr(u) for u in unknown)}; "
                "use language codes such as 'de', 'es', 'ru'"
            )
        self.translation_targets = list(dict.fromkeys(targets))
        return self


class JobRequest(_JobOptions):
    file_id: uuid.UUID


class UrlImport(_JobOptions):
    """A job for a public audio or video file's URL: the provider fetches it; no bytes pass through us."""

    url: CleanStr = Field(min_length=1, max_length=2048)


# Responses


class UserOut(_Out):
    id: uuid.UUID
    email: str
    created_at: datetime
    language: UiLanguage = "en"


class SessionOut(_Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: UserOut


class MediaFileOut(_Out):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    uploaded_size: int | None
    status: str
    status_reason: str | None
    created_at: datetime
    uploaded_at: datetime | None


class UploadInstructions(_Out):
    method: Literal["PUT"] = "PUT"
    url: str
    headers: dict[str, str]
    expires_at: datetime


class MultipartInstructions(_Out):
    """Upload in `parts` parts of `part_size` bytes (the last one the rest): ask for part URLs, PUT each, then
    complete with the parts' ETags; abort to give up."""

    part_size: int
    parts: int
    expires_at: datetime


class DeclaredUploadOut(_Out):
    file: MediaFileOut
    upload: UploadInstructions | None = None  # one PUT, for files up to the multipart threshold
    multipart: MultipartInstructions | None = None  # parts, for larger files


class PartNumbers(_In):
    part_numbers: list[Annotated[StrictInt, Field(ge=1, le=10_000)]] = Field(min_length=1, max_length=100)


class PartUrl(_Out):
    part_number: int
    url: str


class PartUrlsOut(_Out):
    parts: list[PartUrl]
    expires_at: datetime


class UploadedPart(_Out):
    part_number: int
    size: int
    etag: str


class UploadedPartsOut(_Out):
    """What storage holds of an upload in parts: a client resuming sends only the parts missing here."""

    part_size: int
    parts: int
    uploaded: list[UploadedPart]


class CompletedPart(_In):
    part_number: StrictInt = Field(ge=1, le=10_000)
    etag: CleanStr = Field(min_length=1, max_length=128)


class MultipartCompletion(_In):
    parts: list[CompletedPart] = Field(min_length=1, max_length=10_000)


class DownloadLinkOut(_Out):
    url: str
    expires_at: datetime


class JobOut(_Out):
    id: uuid.UUID
    file: MediaFileOut
    status: str
    stage: str
    language: str
    mode: str
    speakers_expected: int | None
    language_detected: str | None
    audio_duration: float | None
    uncertain_words: int | None = None  # words below the confidence threshold; None before the transcript (or count)
    error_message: str | None
    retryable: bool
    attempts: int
    created_at: datetime
    submitted_at: datetime | None
    completed_at: datetime | None
    folder_id: uuid.UUID | None = None  # the caller's folder it is in (folders.py), if any


class JobPageOut(_Out):
    items: list[JobOut]
    next_cursor: str | None


class RedactionOut(_Out):
    policies: list[str]
    substitution: str
    # The redacted copy of the recording: None when not asked for; "pending" until it is in our bucket, "copied",
    # or "unavailable" (AssemblyAI made none, or it expired before it could be copied).
    audio: Literal["pending", "copied", "unavailable"] | None = None


class TranslatedLine(_Out):
    start: int
    end: int
    speaker: str | None = None
    texts: dict[str, str]  # language code -> this line in that language


class EntityOut(_Out):
    entity_type: str
    text: str
    start: int
    end: int


class TranscriptOut(_Out):
    job_id: uuid.UUID
    mode: str
    text: str
    language: str | None
    audio_duration: float | None
    confidence: float | None
    utterances: list[dict[str, Any]]
    words: list[dict[str, Any]]
    speaker_names: dict[str, str] = Field(default_factory=dict)
    # Unnamed speakers whose voice matches a named voice of the user's: a suggestion, applied only when confirmed.
    speaker_suggestions: dict[str, str] = Field(default_factory=dict)
    # One-speaker transcripts: the index in `words` of each paragraph's first word, the lines an edit names.
    paragraphs: list[int] = Field(default_factory=list)
    version: int = 1  # also the ETag: send it back as If-Match to save an edit
    edited: bool = False
    redaction: RedactionOut | None = None  # the text is redacted (AssemblyAI's redacted text is all it gives)
    translations: dict[str, str] = Field(default_factory=dict)  # language code -> the whole text translated
    translated_lines: list[TranslatedLine] = Field(default_factory=list)  # per utterance, when there are utterances
    entities: list[EntityOut] = Field(default_factory=list)


class LineEdit(_In):
    """A line (its index in the version edited: an utterance of a dialogue, else a paragraph) and what changes."""

    line: StrictInt = Field(ge=0, le=1_000_000)
    text: Annotated[StrictStr, AfterValidator(_encodable)] | None = Field(default=None, max_length=10_000)
    speaker: Annotated[CleanStr, Field(min_length=1, max_length=16, pattern=r"^\S(?:.*\S)?$")] | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> LineEdit:
        if self.text is None and self.speaker is None:
            raise ValueError("an edit gives the line new text, a speaker, or both")
        return self


class TranscriptEdit(_In):
    """New text or another speaker for lines of the transcript, each named by its index in the version read."""

    edits: list[LineEdit] = Field(min_length=1, max_length=200)


class SpeakerNames(_In):
    """{"names": {"A": "Anna"}}: a name per speaker label; an empty name restores "Speaker A"."""

    names: dict[Annotated[CleanStr, Field(min_length=1, max_length=16)], Annotated[CleanStr, Field(max_length=60)]] = (
        Field(min_length=1, max_length=26)
    )


class VoiceOut(_Out):
    """A named voice in the caller's directory, and in how many recordings it was named."""

    id: uuid.UUID
    name: str
    recordings: int
    created_at: datetime


class VoicesOut(_Out):
    items: list[VoiceOut]


class CapabilitiesOut(_Out):
    engine: str
    provider: str  # assemblyai | speechkit: where recordings go (docs/data-residency.md)
    languages: list[str]
    auto_detect: bool
    formats: list[str]
    max_upload_bytes: int
    max_duration_seconds: int | None = None
    max_speakers: int | None = None  # the most voices the engine tells apart; None: as many as asked for
    url_import: bool = True  # whether a public link can be imported
    max_parallel_per_user: int
    max_active_jobs_per_user: int
    max_stored_bytes_per_user: int
    max_recording_seconds: int
    realtime_factor: float | None = None
    url_import_note: str | None = None
    word_confidence: bool = False  # the engine rates each word: the review mode marks and counts uncertain ones
    vocabulary: bool = False  # the engine takes a user's vocabulary (terms and spellings) with each new job
    speaker_identification: bool = False  # names for speakers, given when the job is created
    voice_directory: bool = False  # named voices recognised across recordings (needs the engine's voice embeddings)
    # What the engine understands beyond words: redaction (and of which kinds), translation targets, entities.
    redaction: bool = False
    redaction_policies: list[str] = Field(default_factory=list)
    translation_targets: list[str] = Field(default_factory=list)
    entities: bool = False


class SearchHit(_Out):
    job_id: uuid.UUID
    filename: str
    snippet: str
    offset_ms: int | None  # where in the recording the words are said, when the words have timings


class SearchResults(_Out):
    query: str
    items: list[SearchHit]


# Personal API keys (accounts/api_keys.py)

ApiScope = Literal["read", "write"]


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("give the key a name, e.g. the script that will use it")
    return value


class ApiKeyRequest(_In):
    name: Annotated[CleanStr, Field(max_length=100), AfterValidator(_name)]
    # "write" includes "read": a key that may change things may also see them.
    scopes: list[ApiScope] = Field(min_length=1, max_length=2)
    expires_in_days: StrictInt = Field(ge=1, le=365)


class ApiKeyOut(_Out):
    id: uuid.UUID
    name: str
    prefix: str  # the key's public start, to tell keys apart; the rest is never shown again
    scopes: list[ApiScope]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class CreatedApiKeyOut(ApiKeyOut):
    key: str  # the whole key: in this answer only


class ApiKeyList(_Out):
    items: list[ApiKeyOut]


class TokenRequest(_In):
    api_key: StrictStr = Field(min_length=1, max_length=200)


class AccessTokenOut(_Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    scope: str


class FolderName(_In):
    """{"name": "Interviews"}: a new folder, or a folder's new name (normalised and limited in jobs/folders.py)."""

    name: CleanStr = Field(min_length=1, max_length=200)


class FolderOut(_Out):
    id: uuid.UUID
    name: str
    jobs: int  # how many of the caller's jobs it holds
    created_at: datetime


class FolderListOut(_Out):
    items: list[FolderOut]
    max_folders: int
    max_name_length: int


class JobFolderMove(_In):
    """{"folder_id": "..."} puts a job in one of the caller's folders; null takes it out of any."""

    folder_id: uuid.UUID | None


class VocabularyTermIn(_In):
    """A term as it should be written, and what the engine wrote instead of it (each replaced by the term)."""

    # Shapes only (and a bound on the work per request); accounts/vocabulary.py checks the limits with a sentence each.
    term: Annotated[CleanStr, Field(max_length=1000)]
    spellings: Annotated[list[Annotated[CleanStr, Field(max_length=1000)]], Field(max_length=100)] = Field(
        default_factory=list
    )


class VocabularyIn(_In):
    terms: Annotated[list[VocabularyTermIn], Field(max_length=1000)]


class VocabularyTermOut(_Out):
    term: str
    spellings: list[str]


class VocabularyOut(_Out):
    terms: list[VocabularyTermOut]
    max_terms: int
    max_term_chars: int
    max_spellings: int
