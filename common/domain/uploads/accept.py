"""Accepted copies: an ObjectCreate event's upload checked against its declaration, kept where no presigned URL
reaches, and its jobs started (the pipeline's claims do the starting)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update

from common.adapters.services import Services
from common.domain.pipeline import cleanups, providers, transitions
from common.domain.pipeline.pipeline import start_job
from common.domain.uploads import keys
from common.runtime import logs
from common.store.db import transaction
from common.store.models import MediaFile, TranscriptionJob, utcnow

Job = TranscriptionJob


def _base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def handle_upload(bucket: str, key: str, services: Services) -> str:
    """An ObjectCreate event: check what really arrived, keep an immutable copy, mark the file uploaded, start its jobs.

    The presigned PUT stays valid after an upload, so the upload key can be written again; the accepted bytes are
    therefore copied (only if still the ones checked, by etag) to a key no presigned URL reaches, and everything
    downstream reads that copy. Events for a file no longer awaiting its upload only ever clear the upload key.
    """
    settings = services.settings
    if bucket != settings.S3_BUCKET:
        logs.warn("upload_other_bucket", bucket=bucket, key=key)
        return "ignored"
    with transaction() as s:
        media = s.scalar(select(MediaFile).where(MediaFile.object_key == key))
    if media is None:
        # Nobody declared this key: never process it, and do not keep bytes nobody owns.
        logs.warn("upload_unknown_key", key=key)
        services.storage.delete(key)
        return "deleted_unknown"
    if media.status != "awaiting_upload":
        # A duplicate event, or a second PUT through a still-valid URL: the accepted recording (if any) is at
        # stored_key, out of reach; what may sit at the upload key now is a stray.
        _clear_upload_key(key, services)
        return f"stray_{media.status}"
    stored = services.storage.head(key)
    if stored is None:
        logs.warn("upload_missing", file=media.id, key=key)
        return "missing"
    problem = None
    if stored.size > providers.max_upload_bytes(settings):
        problem = f"the uploaded file is larger than the {providers.max_upload_bytes(settings)} byte limit"
    elif stored.size != media.declared_size:
        problem = f"the uploaded file has {stored.size} bytes but {media.declared_size} were declared"
    elif stored.content_type and _base_type(stored.content_type) != _base_type(media.content_type):
        problem = f"the uploaded file's type {stored.content_type} differs from the declared {media.content_type}"
    now = utcnow()
    if problem:
        with transaction() as s:
            rejected = s.execute(
                update(MediaFile)
                .where(MediaFile.id == media.id, MediaFile.status == "awaiting_upload")
                .values(status="rejected", status_reason=problem)
            ).rowcount  # type: ignore[attr-defined]
            if rejected:
                transitions.fail_waiting(s, media.id, f"Upload rejected: {problem}.", now)
        logs.warn("upload_rejected", file=media.id, reason=problem)
        _clear_upload_key(key, services)
        return "rejected"
    target = keys.stored_key(key, stored.etag)
    if not services.storage.copy_if_unchanged(key, target, stored.etag):
        logs.warn("upload_changed_while_checked", file=media.id)
        return "changed"  # another PUT replaced the bytes; its own event checks them
    with transaction() as s:
        accepted = s.execute(
            update(MediaFile)
            .where(MediaFile.id == media.id, MediaFile.status == "awaiting_upload")
            .values(status="uploaded", uploaded_size=stored.size, etag=stored.etag, uploaded_at=now, stored_key=target)
        ).rowcount  # type: ignore[attr-defined]
        ready: Sequence[uuid.UUID] = []
        if accepted:
            transitions.promote_waiting(s, media.id)
            ready = s.scalars(
                select(Job.id)
                .where(Job.media_file_id == media.id, Job.status == "pending", Job.stage == "queued")
                .order_by(Job.created_at)
            ).all()
        elif s.scalar(select(MediaFile.stored_key).where(MediaFile.id == media.id)) != target:
            cleanups.enqueue(s, cleanups.STORAGE_OBJECT, target)  # a concurrent event accepted other bytes
    if not accepted:
        return "already_accepted"
    logs.log("upload_accepted", file=media.id, size=stored.size, jobs=len(ready))
    _clear_upload_key(key, services)
    for job_id in ready:
        start_job(job_id, services)
    return "uploaded"


def _clear_upload_key(key: str, services: Services) -> None:
    """Remove whatever sits at an upload key (never a stored recording), through the outbox."""
    assert key.startswith(keys.UPLOAD_PREFIX)
    with transaction() as s:
        cleanups.enqueue(s, cleanups.STORAGE_OBJECT, key)
    cleanups.run(services, [(cleanups.STORAGE_OBJECT, key)])


# Provider results
