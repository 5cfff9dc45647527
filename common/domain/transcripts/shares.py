"""Read-only links to one transcript, the owner's side: create (the token shown once), list, revoke.

A link's token is 256 random bits, URL-safe; only its SHA-256 is stored, so neither the table nor a backup opens a
transcript. What a reader sees through a link is in `shared.py`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field, StrictBool, StrictInt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, NotFound
from common.domain.jobs.read_path import owned_job
from common.domain.schemas import _In, _Out
from common.store.db import transaction
from common.store.models import TranscriptShare, utcnow

Share = TranscriptShare
TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG; the brief's floor is 128
MAX_LIVE_PER_JOB = 20  # links that still open, per transcript: the owner's list stays short and bounded
MAX_LISTED = 100  # the newest links of a transcript the list shows (revoked and expired ones included)
MAX_EXPIRY_DAYS = 365
SHARE_PATH = "/s/"  # the web app's page of a shared transcript: SHARE_PATH + token


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What is stored of a token, and how it is looked up: whatever the caller sent (a malformed one too) is hashed,
    so every lookup is the same work and the same indexed equality."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ShareRequest(_In):
    """A new link: it expires after `expires_in_days` (never when null), and plays the recording or not."""

    expires_in_days: StrictInt | None = Field(default=None, ge=1, le=MAX_EXPIRY_DAYS)
    include_media: StrictBool = True


ShareState = Literal["active", "expired", "revoked"]


class ShareOut(_Out):
    id: uuid.UUID
    state: ShareState
    include_media: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_opened_at: datetime | None
    open_count: int


class ShareCreatedOut(ShareOut):
    """The new link, with its token: shown this once (only its hash is kept)."""

    token: str
    path: str  # where the web app shows it, on the app's own origin


class ShareListOut(_Out):
    items: list[ShareOut]


def state_of(share: Share, now: datetime) -> ShareState:
    if share.revoked_at is not None:
        return "revoked"
    if share.expires_at is not None and share.expires_at <= now:
        return "expired"
    return "active"


def share_out(share: Share, now: datetime) -> ShareOut:
    return ShareOut(
        id=share.id,
        state=state_of(share, now),
        include_media=share.include_media,
        created_at=share.created_at,
        expires_at=share.expires_at,
        revoked_at=share.revoked_at,
        last_opened_at=share.last_opened_at,
        open_count=share.open_count,
    )


def _live_count(s: Session, job_id: uuid.UUID, now: datetime) -> int:
    unexpired = (Share.expires_at.is_(None)) | (Share.expires_at > now)
    query = select(func.count()).select_from(Share).where(Share.job_id == job_id, Share.revoked_at.is_(None), unexpired)
    return int(s.scalar(query) or 0)


def create_share(user_id: uuid.UUID, job_id: uuid.UUID, request: ShareRequest) -> ShareCreatedOut:
    """A new link to this completed transcript; its token is in this answer only."""
    now = utcnow()
    with transaction() as s:
        require_user(s, user_id)
        job = owned_job(s, user_id, job_id)
        if job.status != "completed":
            status = job.status
            raise Conflict(f"only a finished transcript can be shared (this job is {status})", "transcript_not_ready")
        if _live_count(s, job_id, now) >= MAX_LIVE_PER_JOB:
            raise Conflict(
                f"this transcript already has {MAX_LIVE_PER_JOB} working links; revoke one first", "too_many_shares"
            )
        token = new_token()
        expires = now + timedelta(days=request.expires_in_days) if request.expires_in_days else None
        share = Share(
            job_id=job_id,
            owner_id=user_id,
            token_hash=token_digest(token),
            include_media=request.include_media,
            expires_at=expires,
            created_at=now,
        )
        s.add(share)
        s.flush()
        return ShareCreatedOut(**share_out(share, now).model_dump(), token=token, path=SHARE_PATH + token)


def list_shares(user_id: uuid.UUID, job_id: uuid.UUID) -> ShareListOut:
    now = utcnow()
    with transaction() as s:
        require_user(s, user_id)
        owned_job(s, user_id, job_id)
        shares = s.scalars(
            select(Share)
            .where(Share.job_id == job_id, Share.owner_id == user_id)
            .order_by(Share.created_at.desc(), Share.id.desc())
            .limit(MAX_LISTED)
        ).all()
        return ShareListOut(items=[share_out(share, now) for share in shares])


def revoke_share(user_id: uuid.UUID, job_id: uuid.UUID, share_id: uuid.UUID | None) -> None:
    """The link stops at once (the next request through it is a 404); revoking it again changes nothing."""
    with transaction() as s:
        require_user(s, user_id)
        owned_job(s, user_id, job_id)  # another user's job is 404 before its links are looked at
        share = s.scalar(select(Share).where(Share.id == share_id, Share.job_id == job_id, Share.owner_id == user_id))
        if share is None or share_id is None:
            raise NotFound("no such link", "share_not_found")
        if share.revoked_at is None:
            share.revoked_at = utcnow()
