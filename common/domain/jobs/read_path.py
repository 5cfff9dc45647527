"""The jobs API: create, list (keyset pages), read, delete, retry, and the transcript in four formats."""

from __future__ import annotations

import base64
import binascii
import json
import math
import mimetypes
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Integer, Select, bindparam, func, select, tuple_, update
from sqlalchemy.orm import Session

from common.adapters.services import Services
from common.domain.accounts.users import TOKEN_VERSION, check_user, require_user, vouch
from common.domain.errors import BadRequest, Conflict, Invalid, NotFound
from common.domain.pipeline import capabilities, cleanups, pipeline, quotas, transitions
from common.domain.schemas import JobOut, JobPageOut, JobRequest, TranscriptOut, UrlImport
from common.domain.transcripts import editing, exports
from common.domain.uploads.keys import sanitise_filename
from common.domain.uploads.uploads import owned_file
from common.runtime.redaction import redact
from common.store.db import plain_rows, read_transaction, transaction
from common.store.models import MediaFile, Transcript, TranscriptionJob, utcnow

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
)


def _job_fields(row: Any) -> dict[str, Any]:
    """A row of `_jobs_query` (plain columns, no ORM objects) as the fields of a JobOut, validated by the caller in one
    call of pydantic-core (a page's 20 jobs at once, not 40 model constructors). Its times are in UTC already: the
    ORM's column type makes them so, and `plain_rows` reads in a transaction whose zone is UTC (db.py)."""
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
        "error_message": redact(error_message) if error_message else None,
        "retryable": _can_retry(status, file_status, error_retryable),
        "attempts": attempts,
        "created_at": created_at,
        "submitted_at": submitted_at,
        "completed_at": completed_at,
    }


def _can_retry(status: str, file_status: str, error_retryable: bool | None) -> bool:
    """A retry is offered only where it can change the outcome: the recording is still there and the failure
    was transient or on the provider's side (not "this is not audio")."""
    recording_there = file_status in ("uploaded", "awaiting_upload")
    return status == "failed" and recording_there and error_retryable is not False


@cache
def _jobs_query(*, one: bool = False, by_status: bool = False, after: bool = False) -> Select[*tuple[Any, ...]]:
    """The jobs query, built once per shape and then reused with new parameters (`owner_id`; `job_id` for one job;
    else `status`, the cursor's `after_created`/`after_id`, `limit`): the same statement object skips SQLAlchemy's
    per-execution cache-key walk and result-map adaptation, which cost more than building rows from the result."""
    query: Select[*tuple[Any, ...]] = (
        select(*_COLUMNS)
        .join_from(Job, MediaFile, MediaFile.id == Job.media_file_id)
        .outerjoin(Transcript, Transcript.job_id == Job.id)
        .where(Job.owner_id == bindparam("owner_id"))
    )
    if one:
        return query.where(Job.id == bindparam("job_id"))
    if by_status:
        query = query.where(Job.status == bindparam("status"))
    if after:
        # A row-value comparison: one range on the (owner, [status,] created_at, id) index, not an OR of two.
        cursor = tuple_(bindparam("after_created", type_=Job.created_at.type), bindparam("after_id", type_=Job.id.type))
        query = query.where(tuple_(Job.created_at, Job.id) < cursor)
    # The account check rides along (`user_id`): one uncorrelated subquery, evaluated once, no extra round trip.
    query = query.add_columns(TOKEN_VERSION.scalar_subquery().label("token_version"))
    return query.order_by(Job.created_at.desc(), Job.id.desc()).limit(bindparam("limit", type_=Integer()))


def _owned(s: Session, user_id: uuid.UUID, job_id: uuid.UUID) -> JobOut:
    row = s.execute(_jobs_query(one=True), {"owner_id": user_id, "job_id": job_id}).first()
    if row is None:
        raise NotFound("no such job", "job_not_found")  # another user's job looks exactly like a missing one
    return JobOut.model_validate(_job_fields(row))


def get_job(user_id: uuid.UUID, job_id: uuid.UUID) -> JobOut:
    with transaction() as s:
        require_user(s, user_id)
        return _owned(s, user_id, job_id)


def create_job(user_id: uuid.UUID, req: JobRequest, services: Services) -> JobOut:
    with transaction() as s:
        require_user(s, user_id)
        media = owned_file(s, user_id, req.file_id)
        quotas.check_new_job(s, user_id, services.settings)
        if media.status in ("rejected", "expired"):
            raise Conflict(
                f"this file cannot be transcribed: {media.status_reason}; upload it again", "file_unavailable"
            )
        job = Job(
            owner_id=user_id,
            media_file_id=media.id,
            language=capabilities.job_language(services.settings, req.language),
            mode=req.mode,
            speakers_expected=req.speakers_expected,
            stage="queued" if media.status == "uploaded" else "waiting_for_upload",
        )
        s.add(job)
    if job.stage == "waiting_for_upload":
        # The upload may have landed between our read and our commit; its trigger then saw no job to start.
        with transaction() as s:
            uploaded = s.scalar(select(MediaFile.status).where(MediaFile.id == media.id)) == "uploaded"
            if uploaded:
                transitions.promote_waiting(s, media.id)
    pipeline.start_job(job.id, services)
    return get_job(user_id, job.id)


def import_url(user_id: uuid.UUID, req: UrlImport, services: Services) -> JobOut:
    """A job for a public file's URL, checked against SSRF first; the provider fetches it, nothing passes us."""
    from common.adapters.url_safety import UnsafeUrl, check

    settings = services.settings
    allowed = [h.strip() for h in settings.URL_IMPORT_ALLOWED_HOSTS.split(",") if h.strip()]
    try:
        url = check(req.url, allowed)
    except UnsafeUrl as exc:
        raise Invalid(f"This link cannot be imported: {exc}.", "url_not_importable") from None
    file_id = uuid.uuid4()
    name = sanitise_filename(unquote(urlsplit(url).path.rsplit("/", 1)[-1])) or urlsplit(url).hostname or "import"
    with transaction() as s:
        require_user(s, user_id)
        quotas.check_new_job(s, user_id, settings)
        media = MediaFile(
            id=file_id,
            owner_id=user_id,
            object_key=f"imports/{user_id}/{file_id}",  # never written: the recording stays at its URL
            filename=name,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            declared_size=0,
            status="uploaded",
            uploaded_at=utcnow(),
            source_url=url,
        )
        s.add(media)
        s.flush()
        job = Job(
            owner_id=user_id,
            media_file_id=file_id,
            language=capabilities.job_language(settings, req.language),
            mode=req.mode,
            speakers_expected=req.speakers_expected,
            stage="queued",
        )
        s.add(job)
    pipeline.start_job(job.id, services)
    return get_job(user_id, job.id)


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


def list_jobs(user_id: uuid.UUID, status: str | None, limit: int, cursor: str | None) -> JobPageOut:
    """Newest first; the cursor is the last row's (created_at, id), so inserts never shift a page."""
    params: dict[str, Any] = {"owner_id": user_id, "user_id": user_id, "limit": limit + 1}
    if status:
        params["status"] = status
    if cursor:
        after = Cursor.decode(cursor)
        params.update(after_created=after.created_at, after_id=after.id)
    query = _jobs_query(by_status=bool(status), after=bool(cursor))
    with read_transaction() as conn:  # plain rows, not ORM objects: this is the API's most frequent read
        rows = plain_rows(conn, query, params)
        if rows:
            vouch(user_id, rows[0][-1])  # the account's token version rides in every row
        else:  # no rows say nothing about the account: ask
            check_user(conn, user_id)
    items = [_job_fields(row) for row in rows[:limit]]
    more = len(rows) > limit
    next_cursor = Cursor(items[-1]["created_at"], items[-1]["id"]).encode() if more and items else None
    return JobPageOut.model_validate({"items": items, "next_cursor": next_cursor})


def page_json(page: JobPageOut) -> str:
    """The page as `json_response` writes it (json.dumps of model_dump), byte for byte, in one pass of pydantic-core:
    half the time of the two passes. The two write every type of this page alike but floats below 1e-4 (0.00001 where
    json.dumps writes 1e-05) and inf/nan, so a page with such an audio_duration takes json_response's way."""
    if all(_plain(item.audio_duration) for item in page.items):
        return page.model_dump_json()
    return json.dumps(page.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def _plain(value: float | None) -> bool:
    return value is None or value == 0 or 1e-4 <= abs(value) < math.inf


def delete_job(user_id: uuid.UUID, job_id: uuid.UUID, services: Services) -> None:
    """The job, its transcript, the provider's copy and (when no other job uses it) the recording go."""
    refs: list[tuple[str, str]] = []
    with transaction() as s:
        require_user(s, user_id)
        job = s.scalar(select(Job).where(Job.id == job_id, Job.owner_id == user_id))
        if job is None:
            raise NotFound("no such job", "job_not_found")
        if job.provider_transcript_id:
            refs.append((cleanups.PROVIDER_TRANSCRIPT, job.provider_transcript_id))
        media_id = job.media_file_id
        s.delete(job)
        s.flush()
        others = s.scalar(select(func.count()).select_from(Job).where(Job.media_file_id == media_id))
        if not others:
            media = s.get(MediaFile, media_id)
            if media is not None:
                refs.append((cleanups.STORAGE_OBJECT, media.object_key))
                if media.stored_key:
                    refs.append((cleanups.STORAGE_OBJECT, media.stored_key))
                s.delete(media)
        for kind, ref in refs:
            cleanups.enqueue(s, kind, ref)
    cleanups.run(services, refs)
    pipeline.start_ready(services)  # it may have held a slot


def retry_job(user_id: uuid.UUID, job_id: uuid.UUID, services: Services) -> JobOut:
    with transaction() as s:
        require_user(s, user_id)
        job = s.scalar(select(Job).where(Job.id == job_id, Job.owner_id == user_id))
        if job is None:
            raise NotFound("no such job", "job_not_found")
        if job.status != "failed":
            raise Conflict(f"only failed jobs can be retried (this one is {job.status})", "job_not_failed")
        media = s.get(MediaFile, job.media_file_id)
        assert media is not None
        if media.status in ("rejected", "expired"):
            raise Conflict(f"the recording is gone ({media.status_reason}); upload it again", "file_unavailable")
        if not _can_retry(job.status, media.status, job.error_retryable):
            raise Conflict(
                "retrying cannot change this outcome; upload another recording instead", "retry_would_not_help"
            )
        if job.provider_transcript_id:
            cleanups.enqueue(s, cleanups.PROVIDER_TRANSCRIPT, job.provider_transcript_id)
        if not transitions.restart(s, job_id, file_uploaded=media.status == "uploaded"):
            raise Conflict("the job changed meanwhile; reload it", "job_changed")
    cleanups.run(services)
    pipeline.start_job(job_id, services)
    return get_job(user_id, job_id)


def _transcript_out(job: JobOut, stored: Transcript) -> TranscriptOut:
    """The stored result as the provider gave it, each utterance also carrying the name its speaker is shown by."""
    names = dict(stored.speaker_names or {})
    utterances = [
        {**u, "speaker_name": exports.speaker_label(u.get("speaker"), names)} if u.get("speaker") else u
        for u in stored.utterances
    ]
    return TranscriptOut(
        job_id=job.id,
        mode=job.mode,
        text=stored.text,
        language=stored.language,
        audio_duration=stored.audio_duration,
        confidence=stored.confidence,
        utterances=utterances,
        words=stored.words,
        speaker_names=names,
        version=stored.version,
        edited=stored.original is not None,
    )


def _completed_transcript(s: Session, user_id: uuid.UUID, job_id: uuid.UUID) -> tuple[JobOut, Transcript]:
    require_user(s, user_id)
    job = _owned(s, user_id, job_id)
    stored = s.get(Transcript, job_id)
    if job.status != "completed" or stored is None:
        raise Conflict(f"the transcript is not ready yet (job is {job.status})", "transcript_not_ready")
    return job, stored


def _save(s: Session, stored: Transcript, expected: int, content: dict[str, Any], original: Any) -> None:
    """One conditional UPDATE: a save against another version than the stored one changes nothing (409)."""
    saved = s.execute(
        update(Transcript)
        .where(Transcript.job_id == stored.job_id, Transcript.version == expected)
        .values(**content, original=original, version=expected + 1)
    ).rowcount  # type: ignore[attr-defined]
    if not saved:
        raise Conflict("the transcript was changed elsewhere (another tab?); reload to see it", "edit_conflict")
    s.expire(stored)


def edit_transcript(user_id: uuid.UUID, job_id: uuid.UUID, version: int, edits: list[Any]) -> TranscriptOut:
    """Replace the text of lines (their [start, end] in ms), re-timing the words; the original is kept aside."""
    with transaction() as s:
        job, stored = _completed_transcript(s, user_id, job_id)
        words, utterances = [dict(w) for w in stored.words], [dict(u) for u in stored.utterances]
        for edit in sorted(edits, key=lambda e: e.start):
            if utterances:  # a dialogue line is an utterance
                u = next((u for u in utterances if u["start"] <= edit.start <= u["end"]), None)
                if u is None:
                    raise Invalid(f"no line of this transcript starts at {edit.start} ms", "no_such_line")
                u["words"] = editing.retime(list(u.get("words") or []), edit.text, int(u["start"]), int(u["end"]))
                u["text"] = edit.text.strip()
                words = [w for x in utterances for w in x.get("words") or []]
            else:  # mono: the words within the line's range
                inside = [w for w in words if edit.start <= int(w["start"]) < max(edit.end, edit.start + 1)]
                if not inside and not edit.text.strip():
                    continue
                first = (
                    words.index(inside[0])
                    if inside
                    else next((i for i, w in enumerate(words) if int(w["start"]) >= edit.start), len(words))
                )
                replaced = editing.retime(inside, edit.text, edit.start, edit.end)
                words = words[:first] + replaced + words[first + len(inside) :]
        text = (
            " ".join(str(u.get("text", "")).strip() for u in utterances)
            if utterances
            else " ".join(str(w["text"]) for w in words)
        )
        original = stored.original or {"text": stored.text, "words": stored.words, "utterances": stored.utterances}
        _save(s, stored, version, {"text": text, "words": words, "utterances": utterances}, original)
        return _transcript_out(job, s.get(Transcript, job_id))  # type: ignore[arg-type]


def revert_transcript(user_id: uuid.UUID, job_id: uuid.UUID, version: int) -> TranscriptOut:
    """Back to the provider's result, as it was first stored."""
    with transaction() as s:
        job, stored = _completed_transcript(s, user_id, job_id)
        if stored.original is None:
            return _transcript_out(job, stored)
        _save(s, stored, version, dict(stored.original), None)
        return _transcript_out(job, s.get(Transcript, job_id))  # type: ignore[arg-type]


def rename_speakers(user_id: uuid.UUID, job_id: uuid.UUID, names: dict[str, str]) -> TranscriptOut:
    """Names for the transcript's speaker labels ("A" → "Anna"); an empty name goes back to "Speaker A"."""
    with transaction() as s:
        job, stored = _completed_transcript(s, user_id, job_id)
        labels = {str(u.get("speaker")) for u in stored.utterances if u.get("speaker")}
        unknown = sorted(set(names) - labels)
        if unknown:
            known = ", ".join(sorted(labels)) or "none"
            raise Invalid(
                f"this transcript has no speaker {', '.join(unknown)} (its speakers: {known})", "unknown_speaker"
            )
        merged = {**(stored.speaker_names or {}), **{k: v.strip() for k, v in names.items()}}
        stored.speaker_names = {k: v for k, v in merged.items() if v}
        s.flush()
        return _transcript_out(job, stored)


@dataclass(frozen=True)
class Export:
    body: str
    content_type: str
    filename: str | None  # None: shown inline (JSON)


FORMATS = ("json", "txt", "srt", "vtt")


def transcript(user_id: uuid.UUID, job_id: uuid.UUID, fmt: str) -> Export | TranscriptOut:
    if fmt not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}", "invalid_format")
    with transaction() as s:
        job, stored = _completed_transcript(s, user_id, job_id)
    names = dict(stored.speaker_names or {})
    data: dict[str, Any] = {
        "text": stored.text,
        "utterances": stored.utterances,
        "words": stored.words,
        "audio_duration": stored.audio_duration,
        "speaker_names": names,
    }
    dialogue = job.mode == "dialogue"
    if fmt == "json":
        return _transcript_out(job, stored)
    stem = sanitise_filename(job.file.filename).rsplit(".", 1)[0] or "transcript"
    if fmt == "txt":
        return Export(exports.to_txt(data, dialogue), "text/plain; charset=utf-8", f"{stem}.txt")
    cues = exports.build_cues(data, dialogue)
    if fmt == "srt":
        return Export(exports.to_srt(cues), "application/x-subrip; charset=utf-8", f"{stem}.srt")
    return Export(exports.to_vtt(cues), "text/vtt; charset=utf-8", f"{stem}.vtt")
