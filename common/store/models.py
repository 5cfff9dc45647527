"""SQLAlchemy models: users, login throttles, uploads (media files), transcription jobs and transcripts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONDoc = JSON().with_variant(JSONB(), "postgresql")

JOB_STATUSES = ("pending", "processing", "completed", "failed")
JOB_STAGES = ("waiting_for_upload", "queued", "retrying", "submitting", "submitted", "completed", "failed")
FILE_STATUSES = ("awaiting_upload", "uploaded", "rejected", "expired")
MODES = ("mono", "dialogue")


def _partial(name: str, columns: list[str], where: str) -> Index:
    """A partial index, the same on PostgreSQL and SQLite."""
    return Index(name, *columns, postgresql_where=text(where), sqlite_where=text(where))


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime, uuid.UUID: Uuid}


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # normalised: trimmed, lower-case
    password_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Stamped into every access token (`ver`); signing out everywhere or changing the password bumps it, and
    # tokens carrying an older version open nothing.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The web app's language for this person ("en" or "ru"): mail (the reset link) is written in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")


class LoginThrottle(Base):
    """Sign-in attempts counted per window, under a hashed key: (email, client address) and (email) alone.

    Keyed by the normalised email whether or not the account exists, so a throttle reveals nothing; hashed so the
    table holds neither addresses nor emails in the clear.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaFile(Base):
    __tablename__ = "media_files"
    __table_args__ = (
        CheckConstraint(_one_of("status", FILE_STATUSES), name="ck_media_files_status"),
        Index("ix_media_files_owner_created", "owner_id", "created_at"),
        Index("ix_media_files_status_created", "status", "created_at"),
        Index("uq_media_files_stored_key", "stored_key", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    object_key: Mapped[str] = mapped_column(String(1024), unique=True)  # where the presigned PUT writes
    # Where the accepted bytes live: a server-side copy outside uploads/, which no presigned URL can reach, so a
    # second PUT to object_key can never change or remove an accepted recording.
    stored_key: Mapped[str | None] = mapped_column(String(1024), default=None)
    # An import from a public URL: the provider fetches the recording from here; nothing is stored with us.
    source_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    # A large file uploaded in parts: the storage's multipart upload id, until it is completed or aborted.
    multipart_upload_id: Mapped[str | None] = mapped_column(String(1024), default=None)
    filename: Mapped[str] = mapped_column(String(1024))
    content_type: Mapped[str] = mapped_column(String(255))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="awaiting_upload")
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    uploaded_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    etag: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_at: Mapped[datetime | None] = mapped_column(default=None)


class TranscriptionJob(Base):
    __tablename__ = "transcription_jobs"
    __table_args__ = (
        CheckConstraint(_one_of("status", JOB_STATUSES), name="ck_jobs_status"),
        CheckConstraint(_one_of("stage", JOB_STAGES), name="ck_jobs_stage"),
        CheckConstraint(_one_of("mode", MODES), name="ck_jobs_mode"),
        # A user's list, newest first, with or without a status filter: keyset pages walk these in order.
        Index("ix_jobs_owner_created", "owner_id", "created_at", "id"),
        Index("ix_jobs_owner_status_created", "owner_id", "status", "created_at", "id"),
        Index("ix_jobs_media_file", "media_file_id"),
        # The few unfinished jobs the pipeline and the reconcile sweep look for, whatever the table's size.
        _partial("ix_jobs_ready", ["created_at", "id"], "status = 'pending'"),
        _partial("ix_jobs_processing_owner", ["owner_id"], "status = 'processing'"),
        _partial("ix_jobs_submitted_since", ["submitted_at"], "stage = 'submitted'"),
        _partial("ix_jobs_submitting_claimed", ["claimed_at"], "stage = 'submitting'"),
        _partial("ix_jobs_waiting_file", ["media_file_id"], "stage = 'waiting_for_upload'"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    media_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16), default="auto")
    mode: Mapped[str] = mapped_column(String(16), default="mono")
    speakers_expected: Mapped[int | None] = mapped_column(Integer, default=None)
    # The names (or roles) the user gave for the provider's speaker identification: {"speaker_type", "values"}.
    speaker_identification: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    stage: Mapped[str] = mapped_column(String(24), default="waiting_for_upload")
    provider_transcript_id: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    claim_token: Mapped[uuid.UUID | None] = mapped_column(default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    # Whether retrying can change the outcome (a transient or provider-side failure), not e.g. "not audio".
    error_retryable: Mapped[bool | None] = mapped_column(Boolean, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_polled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Words the engine was unsure of (pipeline/confidence.py), counted when the transcript is stored and again after
    # each edit, so the list shows it without reading transcripts. None: stored before the count existed.
    uncertain_words: Mapped[int | None] = mapped_column(Integer, default=None)


class Transcript(Base):
    __tablename__ = "transcripts"

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("transcription_jobs.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # json, not jsonb, on PostgreSQL (lz4-compressed, migration 0009): written once, read whole, never queried inside;
    # ~1 MB for a 30-minute recording, which jsonb parsed on every write and printed back on every read.
    utterances: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    audio_duration: Mapped[float | None] = mapped_column(Float, default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    # The user's names for the provider's speaker labels ({"A": "Anna"}); the stored result itself never changes.
    speaker_names: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict, server_default="{}")
    # Edits rewrite text/words/utterances (so exports and the search index follow them); the provider's result is
    # kept here, untouched, from the first edit on, for "revert to original". None: never edited.
    original: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # the ETag of conflict-safe saves
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Each speaker label's voice embedding ({"A": [256 floats]}), when the engine gives one (the local engine does,
    # AssemblyAI does not): personal data, deleted with the transcript; a named speaker's joins the voice directory.
    speaker_embeddings: Mapped[dict[str, list[float]] | None] = mapped_column(JSON, default=None)


class IdempotencyRecord(Base):
    """The first answer to a POST carrying an `Idempotency-Key`, replayed to the same user's retries."""

    __tablename__ = "idempotency_records"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)  # None while the first is in flight
    response: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the request created (a job), written in the transaction that created it: a retry after the request died
    # mid-way is answered with it instead of creating another (idempotency.bind_resource).
    resource_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class CleanupTask(Base):
    """Outbox of deletions outside the database (a provider's transcript copy, a stored object).

    Written in the same transaction as the change that needs it, done right after commit, and retried by
    the reconciler until it succeeds, so a crash between the two never leaves the user's data behind.
    """

    __tablename__ = "cleanup_tasks"
    __table_args__ = (
        CheckConstraint("kind IN ('provider_transcript', 'storage_object')", name="ck_cleanup_kind"),
        UniqueConstraint("kind", "ref", name="uq_cleanup_kind_ref"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(1024))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProviderSlot(Base):
    """One of the MAX_PARALLEL_TRANSCRIPTIONS provider slots, and the job that last took it.

    A slot is free when its job is no longer processing (or gone), so every transition out of processing frees it
    without touching this table. Claims lock one free slot row each (FOR UPDATE SKIP LOCKED) instead of one global
    lock: two claims never share a slot, and claims on different slots run side by side.
    """

    __tablename__ = "provider_slots"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)


class ApiKey(Base):
    """A personal API key: only its SHA-256 is kept (the key is random, 256 bits: no salt or slow hash is needed),
    found by its public `prefix`. Exchanged for short-lived access tokens (accounts/api_keys.py); revoking deletes
    the row, and tokens that name it open nothing from then on (accounts/users.require_user)."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("scopes IN ('read', 'read write')", name="ck_api_keys_scopes"),
        Index("ix_api_keys_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(16))  # space-separated, as the token's `scope` claim carries them
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


WEBHOOK_EVENTS = ("job.completed", "job.failed")
DELIVERY_STATUSES = ("pending", "succeeded", "failed")


class WebhookEndpoint(Base):
    """A user's HTTPS endpoint for job events, with the secret its deliveries are signed with (Standard Webhooks).

    The secret is kept as given to the user (`whsec_` + base64): signing needs it, so it cannot be a one-way hash.
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_owner", "owner_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(100))
    events: Mapped[str] = mapped_column(String(200))  # comma-separated, of WEBHOOK_EVENTS
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """The webhook outbox: one event for one endpoint, written in the transaction of the job's transition, sent by the
    reconcile timer until a 2xx or expiry. Its id is the `webhook-id` of every attempt; the body never changes."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="ck_webhook_deliveries_status"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
        # The few the timer looks for, whatever the table's size.
        _partial("ix_webhook_deliveries_due", ["next_attempt_at"], "status = 'pending'"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)  # no foreign key: the log outlives the job
    event_type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # the exact body, signed afresh (new timestamp) on each attempt
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class TranscriptShare(Base):
    """A read-only link to one transcript. The link's token is kept only as its SHA-256 (hex): the table opens nothing.

    Revoking stamps `revoked_at` (the owner still sees the link, and when it stopped); deleting the job deletes its
    links (ON DELETE CASCADE). A link is found by an indexed equality on the hash, then its state is checked.
    """

    __tablename__ = "transcript_shares"
    __table_args__ = (
        Index("uq_transcript_shares_token_hash", "token_hash", unique=True),
        Index("ix_transcript_shares_job_created", "job_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("transcription_jobs.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    include_media: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_opened_at: Mapped[datetime | None] = mapped_column(default=None)
    open_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Folder(Base):
    """A user's folder of jobs (issue 24 §2: folders, not tags: docs/folders.md says why)."""

    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("owner_id", "name_key", name="uq_folders_owner_name_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    # The name case-folded in Python (SQLite's lower() folds ASCII only): "Interviews" and "INTERVIEWS", or "Отчёты"
    # and "ОТЧЁТЫ", are one name per user.
    name_key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FolderEntry(Base):
    """A job's place in one of its owner's folders (at most one: the job is the key)."""

    __tablename__ = "folder_entries"
    __table_args__ = (
        # A folder's page of the job list, newest first: one range of this index, in order (read_path.py).
        Index("ix_folder_entries_folder_created", "folder_id", "job_created_at", "job_id"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("transcription_jobs.id", ondelete="CASCADE"), primary_key=True)
    folder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("folders.id", ondelete="CASCADE"))
    # The job's created_at, copied (it never changes): the order of a folder's page, readable from the index alone.
    job_created_at: Mapped[datetime] = mapped_column()


class VocabularyTerm(Base):
    """A term of a user's vocabulary (how a name or word is written) and what the engine wrote instead of it.

    New jobs send the terms as AssemblyAI's `keyterms_prompt` and the spellings as `custom_spelling`; the local engine
    gets them as Whisper hotwords. Edited as one list (PUT), kept in the user's order.
    """

    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("owner_id", "term", name="uq_vocabulary_owner_term"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    term: Mapped[str] = mapped_column(String(100))
    # Words or phrases the engine wrote for it, each replaced by the term (["cooper nettys"]); [] for a term alone.
    spellings: Mapped[list[str]] = mapped_column(JSON, default=list)


class Voice(Base):
    """A name in a user's directory of voices: a speaker the user named, to be recognised in later recordings.

    The voice itself is its uses' embeddings (VoiceUse): a voice left with no use is deleted with its last one.
    """

    __tablename__ = "voices"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_voices_owner_name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoiceUse(Base):
    """A recording's speaker named with a voice, and that speaker's embedding (personal data: goes with the job)."""

    __tablename__ = "voice_uses"
    __table_args__ = (Index("ix_voice_uses_voice", "voice_id"),)

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("transcription_jobs.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(16), primary_key=True)
    voice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voices.id", ondelete="CASCADE"))
    embedding: Mapped[list[float]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


REDACTED_AUDIO_STATES = ("pending", "copied", "unavailable")


class JobUnderstanding(Base):
    """What a job asked beyond words (redaction, translation, entities), what came back, and the redacted recording.

    AssemblyAI keeps a redacted recording for 24 hours only: `redacted_audio` is "pending" from the result until the
    copy is in our bucket at `redacted_key` ("copied"), or known to be lost ("unavailable"). The copy is claimed
    (`copy_claimed_at`) like a submission, so concurrent webhooks and sweeps download it once.
    """

    __tablename__ = "job_understanding"
    __table_args__ = (
        CheckConstraint(
            f"redacted_audio IS NULL OR {_one_of('redacted_audio', REDACTED_AUDIO_STATES)}",
            name="ck_job_understanding_redacted_audio",
        ),
        _partial("ix_job_understanding_pending_copy", ["result_at"], "redacted_audio = 'pending'"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("transcription_jobs.id", ondelete="CASCADE"), primary_key=True)
    redact_policies: Mapped[list[str] | None] = mapped_column(JSON, default=None)  # None: no redaction
    redact_sub: Mapped[str | None] = mapped_column(String(16), default=None)
    redact_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    translation_targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    entity_detection: Mapped[bool] = mapped_column(Boolean, default=False)
    # Results, as the provider gave them (json: written once, read whole).
    translations: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    translated_lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    entities: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    result_at: Mapped[datetime | None] = mapped_column(default=None)
    # The redacted recording's copy.
    provider_transcript_id: Mapped[str | None] = mapped_column(String(64), default=None)
    redacted_audio: Mapped[str | None] = mapped_column(String(16), default=None)
    redacted_key: Mapped[str | None] = mapped_column(String(1024), default=None)
    copy_claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    copy_attempts: Mapped[int] = mapped_column(Integer, default=0)
    copy_error: Mapped[str | None] = mapped_column(Text, default=None)
