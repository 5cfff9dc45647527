"""Per-user quotas, checked in the transaction that would exceed them (serialised per user on PostgreSQL)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from common.domain.errors import TooLarge, TooManyRequests
from common.domain.sizes import human_size
from common.runtime.config import Settings
from common.store.db import is_postgres
from common.store.models import MediaFile, TranscriptionJob


def _lock_user(s: Session, user_id: uuid.UUID) -> None:
    """Two concurrent requests of one user cannot both take the last unit of a quota (SQLite is serial anyway)."""
    if is_postgres(s):
        key = (user_id.int >> 64) - (1 << 63)  # a signed 64-bit advisory lock key from the id
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def check_new_upload(s: Session, user_id: uuid.UUID, size: int, settings: Settings) -> None:
    _lock_user(s, user_id)
    pending = s.scalar(select(func.count()).where(MediaFile.owner_id == user_id, MediaFile.status == "awaiting_upload"))
    if (pending or 0) >= settings.MAX_PENDING_UPLOADS_PER_USER:
        raise TooManyRequests(
            f"you have {pending} uploads in progress, the most allowed at once; finish or wait for them first",
            "upload_quota",
        )
    kept = s.scalar(
        select(func.coalesce(func.sum(MediaFile.declared_size), 0)).where(
            MediaFile.owner_id == user_id, MediaFile.status.in_(("awaiting_upload", "uploaded"))
        )
    )
    if int(kept or 0) + size > settings.MAX_STORED_BYTES_PER_USER:
        raise TooLarge(
            f"this file would take your recordings past your {human_size(settings.MAX_STORED_BYTES_PER_USER)} storage"
            f" quota ({human_size(int(kept or 0))} used); delete some jobs first",
            "storage_quota",
        )


def check_new_job(s: Session, user_id: uuid.UUID, settings: Settings) -> None:
    _lock_user(s, user_id)
    active = s.scalar(
        select(func.count()).where(
            TranscriptionJob.owner_id == user_id, TranscriptionJob.status.in_(("pending", "processing"))
        )
    )
    if (active or 0) >= settings.MAX_ACTIVE_JOBS_PER_USER:
        raise TooManyRequests(
            f"you have {active} transcriptions waiting or running, the most allowed at once; retry when some finish",
            "job_quota",
        )
