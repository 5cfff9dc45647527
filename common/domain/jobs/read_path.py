"""The hand-tuned read path of jobs: a page of `GET /jobs` and one job, read as plain rows of a fixed column list.

Why it exists: listing jobs is the API's most frequent request (the SPA polls it while a job runs), and the plain ORM
way of reading it cost 2.3-3.1x the same SQL run raw through psycopg. Measured with bench/warm_api.py (one user with
1,000 jobs, a warm `GET /api/v1/jobs?limit=20` through the handler, medians of 500 interleaved with the raw SQL; the
table in bench/README.md, "Warm API overhead"): Core rows of exactly the columns JobOut needs, each query shape built
once, the account check riding in the page query and one pydantic pass took it to 1.70-1.88x (commit 5f8757c); the
page read straight off psycopg's cursor (`plain_rows`) to 1.46-1.52x (83050fe); transactions in UTC, so no timestamp
is converted, held it at 1.48x (a14c253). Anything that is not this hot path (creating, deleting, retrying, the
transcript) reads through the ORM in its own module, as plainly as it likes.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Executable, Integer, Select, bindparam, select, tuple_
from sqlalchemy.orm import Session

from common.domain.accounts.users import TOKEN_VERSION, check_user, require_user, vouch, vouch_key
from common.domain.errors import BadRequest, NotFound
from common.domain.schemas import JobOut, JobPageOut
from common.runtime.redaction import redact
from common.store.db import read_transaction, transaction
from common.store.models import Folder, FolderEntry, MediaFile, Transcript, TranscriptionJob

Job = TranscriptionJob


# Exactly the columns a job's JSON is made of (JobOut), for the list and the single job alike: a page of 20 is the
# most frequent request, and every column more is one more value to fetch, convert and carry per row.
_COLUMNS = (
    Job.id,
    Job.status,
    Job.stage,
    Job.language,
    Job.mode,
    Job.speakers_expected,
    Job.error_message,
    Job.error_retryable,
    Job.attempts,
    Job.created_at,
    Job.submitted_at,
    Job.completed_at,
    MediaFile.id,
    MediaFile.filename,
    MediaFile.content_type,
    MediaFile.declared_size,
    MediaFile.uploaded_size,
    MediaFile.status,
    MediaFile.status_reason,
    MediaFile.created_at,
    MediaFile.uploaded_at,
    Transcript.language,
    Transcript.audio_duration,
    FolderEntry.folder_id,
    Job.uncertain_words,
)


def _job_fields(row: Any) -> dict[str, Any]:
    """A row of `_jobs_query` (plain columns, no ORM objects) as the fields of a JobOut, validated by the caller in one
    call of pydantic-core (a page's 20 jobs at once, not 40 model constructors). Its times are in UTC already: the
    ORM's column type makes them so, and `plain_rows` reads in a transaction whose zone is UTC (store/db.py)."""
    (
        job_id,
        status,
        stage,
        language,
        mode,
        speakers_expected,
        error_message,
        error_retryable,
        attempts,
        created_at,
        submitted_at,
        completed_at,
        file_id,
        filename,
        content_type,
        size,
        uploaded_size,
        file_status,
        status_reason,
        file_created_at,
        uploaded_at,
        language_detected,
        audio_duration,
        folder_id,
        uncertain_words,
        *_,  # a page's rows also carry the account's token version
    ) = row
    return {
        "id": job_id,
        "file": {
            "id": file_id,
            "filename": filename,
            "content_type": content_type,
            "size": size,
            "uploaded_size": uploaded_size,
            "status": file_status,
            "status_reason": status_reason,
            "created_at": file_created_at,
            "uploaded_at": uploaded_at,
        },
        "status": status,
        "stage": stage,
        "language": language,
        "mode": mode,
        "speakers_expected": speakers_expected,
        "language_detected": language_detected,
        "audio_duration": audio_duration,
        "uncertain_words": uncertain_words,
        "error_message": redact(error_message) if error_message else None,
        "retryable": can_retry(status, file_status, error_retryable),
        "attempts": attempts,
        "created_at": created_at,
        "submitted_at": submitted_at,
        "completed_at": completed_at,
        "folder_id": folder_id,
    }


def can_retry(status: str, file_status: str, error_retryable: bool | None) -> bool:
    """A retry is offered only where it can change the outcome: the recording is still there and the failure
    was transient or on the provider's side (not "this is not audio")."""
    recording_there = file_status in ("uploaded", "awaiting_upload")
    return status == "failed" and recording_there and error_retryable is not False


@cache
def _jobs_query(
    *, one: bool = False, by_status: bool = False, after: bool = False, in_folder: bool = False
) -> Select[*tuple[Any, ...]]:
    """The jobs query, built once per shape and then reused with new parameters (`owner_id`; `job_id` for one job;
    else `status`, `folder_id`, the cursor's `after_created`/`after_id`, `limit`): the same statement object skips
    SQLAlchemy's per-execution cache-key walk and result-map adaptation, which cost more than building rows from the
    result."""
    query: Select[*tuple[Any, ...]] = (
        select(*_COLUMNS)
        .join_from(Job, MediaFile, MediaFile.id == Job.media_file_id)
        .outerjoin(Transcript, Transcript.job_id == Job.id)
        .outerjoin(FolderEntry, FolderEntry.job_id == Job.id)
        .where(Job.owner_id == bindparam("owner_id"))
    )
    if one:
        return query.where(Job.id == bindparam("job_id"))
    # A folder's page walks the folder's entries in the order of their own index (folder_id, job_created_at, job_id),
    # whose time is the job's own created_at copied: the same order and cursor as the whole list, read from one
    # range of that index instead of every job of the owner's (test_folders.py reads the plan).
    created, ident = (FolderEntry.job_created_at, FolderEntry.job_id) if in_folder else (Job.created_at, Job.id)
    if in_folder:
        query = query.where(FolderEntry.folder_id == bindparam("folder_id", type_=FolderEntry.folder_id.type))
    if by_status:
        query = query.where(Job.status == bindparam("status"))
    if after:
        # A row-value comparison: one range on the (owner, [status,] created_at, id) index, not an OR of two.
        cursor = tuple_(bindparam("after_created", type_=Job.created_at.type), bindparam("after_id", type_=Job.id.type))
        query = query.where(tuple_(created, ident) < cursor)
    # The account check rides along (`user_id`): one uncorrelated subquery, evaluated once, no extra round trip.
    query = query.add_columns(TOKEN_VERSION.scalar_subquery().label("token_version"))
    return query.order_by(created.desc(), ident.desc()).limit(bindparam("limit", type_=Integer()))


def owned_job(s: Session, user_id: uuid.UUID, job_id: uuid.UUID) -> JobOut:
    row = s.execute(_jobs_query(one=True), {"owner_id": user_id, "job_id": job_id}).first()
    if row is None:
        raise NotFound("no such job", "job_not_found")  # another user's job looks exactly like a missing one
    return JobOut.model_validate(_job_fields(row))


def get_job(user_id: uuid.UUID, job_id: uuid.UUID) -> JobOut:
    with transaction() as s:
        require_user(s, user_id)
        return owned_job(s, user_id, job_id)


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), str(self.id)]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            if len(text) > 200:
                raise ValueError("too long")
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            stamp, ident = json.loads(raw)
            if not isinstance(stamp, str) or not isinstance(ident, str):
                raise TypeError("a cursor holds two strings")
            created = datetime.fromisoformat(stamp)
            if created.tzinfo is None:
                raise ValueError("naive")
            # In UTC, as stored: an offset that pushes the moment out of datetime's range fails here, not in the DB.
            return cls(created.astimezone(UTC), uuid.UUID(ident))
        except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error, UnicodeDecodeError):
            raise BadRequest("the cursor is not valid; start from the first page", "invalid_cursor") from None


def list_jobs(
    user_id: uuid.UUID, status: str | None, limit: int, cursor: str | None, folder_id: uuid.UUID | None = None
) -> JobPageOut:
    """Newest first; the cursor is the last row's (created_at, id), so inserts never shift a page. With a folder,
    only the jobs in it (the caller's folder: an unknown or another user's one is 404)."""
    params: dict[str, Any] = {"owner_id": user_id, "user_id": user_id, "limit": limit + 1}
    if status:
        params["status"] = status
    if folder_id:
        params["folder_id"] = folder_id
    if cursor:
        after = Cursor.decode(cursor)
        params.update(after_created=after.created_at, after_id=after.id)
    query = _jobs_query(by_status=bool(status), after=bool(cursor), in_folder=folder_id is not None)
    with read_transaction() as conn:  # plain rows, not ORM objects: this is the API's most frequent read
        rows = plain_rows(conn, query, params)
        if rows:
            vouch(user_id, rows[0][-1])  # the account's token version rides in every row
            vouch_key(conn, user_id)  # an API key's token: is the key still live (no query for a session)
        else:  # no rows say nothing about the account (or the folder): ask
            check_user(conn, user_id)
            if folder_id is not None:
                check_folder(conn, user_id, folder_id)
    items = [_job_fields(row) for row in rows[:limit]]
    more = len(rows) > limit
    next_cursor = Cursor(items[-1]["created_at"], items[-1]["id"]).encode() if more and items else None
    return JobPageOut.model_validate({"items": items, "next_cursor": next_cursor})


_FOLDER = select(Folder.id).where(Folder.id == bindparam("folder_id"), Folder.owner_id == bindparam("owner_id"))


def check_folder(conn: Connection, user_id: uuid.UUID, folder_id: uuid.UUID) -> None:
    """404 unless the folder is the caller's: asked only when its page came back empty (a row proves it)."""
    if conn.execute(_FOLDER, {"folder_id": folder_id, "owner_id": user_id}).first() is None:
        raise NotFound("no such folder", "folder_not_found")


def page_json(page: JobPageOut) -> str:
    """The page as `json_response` writes it (json.dumps of model_dump), byte for byte, in one pass of pydantic-core:
    half the time of the two passes. The two write every type of this page alike but floats below 1e-4 (0.00001 where
    json.dumps writes 1e-05) and inf/nan, so a page with such an audio_duration takes json_response's way."""
    if all(_plain(item.audio_duration) for item in page.items):
        return page.model_dump_json()
    return json.dumps(page.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def _plain(value: float | None) -> bool:
    return value is None or value == 0 or 1e-4 <= abs(value) < math.inf


def plain_rows(conn: Connection, query: Executable, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
    """The rows of a query built once (a hot read's), as plain tuples.

    On PostgreSQL they come straight off psycopg's cursor, in the transaction `conn` holds: psycopg already gives every
    type these reads select its Python value (uuid, int, float, bool, text, timestamptz as an aware datetime in the
    transaction's zone, UTC), and SQLAlchemy's per-execution and per-row work was about a sixth of a warm `GET /jobs`
    (bench/warm_api.py). Elsewhere through SQLAlchemy, whose result processors SQLite needs.
    """
    if conn.dialect.name != "postgresql":
        return conn.execute(query, dict(params)).all()
    sql, defaults = _compiled(query, conn.dialect)
    with conn.connection.driver_connection.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(sql, {**defaults, **params})
        return cur.fetchall()


@cache
def _compiled(query: Executable, dialect: Dialect) -> tuple[str, dict[str, Any]]:
    compiled = query.compile(dialect=dialect)  # type: ignore[attr-defined]
    return str(compiled), dict(compiled.params)
