"""Declaring an upload (a media file row and a presigned PUT) and handing out download links."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from common import capabilities, quotas
from common.db import transaction
from common.errors import Conflict, NotFound, TooLarge, UnsupportedMedia
from common.keys import upload_key
from common.models import MediaFile, utcnow
from common.schemas import (
    DeclaredUploadOut,
    DownloadLinkOut,
    FileDeclaration,
    MediaFileOut,
    UploadInstructions,
)
from common.services import Services
from common.users import require_user

_MEDIA_TYPE = re.compile(r"^(audio|video)/[a-z0-9][a-z0-9.+-]{0,100}(\s*;.{0,120})?$")


def media_file_out(f: MediaFile) -> MediaFileOut:
    return MediaFileOut(
        id=f.id,
        filename=f.filename,
        content_type=f.content_type,
        size=f.declared_size,
        uploaded_size=f.uploaded_size,
        status=f.status,
        status_reason=f.status_reason,
        created_at=f.created_at,
        uploaded_at=f.uploaded_at,
    )


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def check_declaration(decl: FileDeclaration, max_bytes: int) -> str:
    """The content type to sign, or the error a person needs to pick another file."""
    content_type = decl.content_type.strip().lower()
    if not _MEDIA_TYPE.match(content_type):
        shown = content_type or "unknown"
        raise UnsupportedMedia(f"only audio and video files can be transcribed (this file's type: {shown})")
    if decl.size > max_bytes:
        raise TooLarge(f"the file is {_human(decl.size)}; the largest accepted is {_human(max_bytes)}")
    return content_type


def declare(user_id: uuid.UUID, decl: FileDeclaration, services: Services) -> DeclaredUploadOut:
    settings = services.settings
    content_type = check_declaration(decl, settings.MAX_UPLOAD_BYTES)
    capabilities.accepts_format(settings, content_type)
    file_id = uuid.uuid4()
    key = upload_key(user_id, file_id, decl.filename)
    expires_at = utcnow() + timedelta(seconds=settings.UPLOAD_URL_EXPIRE_SECONDS)
    url = services.storage.presign_put(key, content_type, decl.size, settings.UPLOAD_URL_EXPIRE_SECONDS)
    media = MediaFile(
        id=file_id,
        owner_id=user_id,
        object_key=key,
        filename=decl.filename,
        content_type=content_type,
        declared_size=decl.size,
    )
    with transaction() as s:
        require_user(s, user_id)
        quotas.check_new_upload(s, user_id, decl.size, settings)
        s.add(media)
    return DeclaredUploadOut(
        file=media_file_out(media),
        upload=UploadInstructions(url=url, headers={"Content-Type": content_type}, expires_at=expires_at),
    )


def owned_file(s: Session, user_id: uuid.UUID, file_id: uuid.UUID) -> MediaFile:
    media = s.scalar(select(MediaFile).where(MediaFile.id == file_id, MediaFile.owner_id == user_id))
    if media is None:
        raise NotFound("no such file", "file_not_found")
    return media


def download_link(user_id: uuid.UUID, file_id: uuid.UUID, services: Services) -> DownloadLinkOut:
    with transaction() as s:
        require_user(s, user_id)
        media = owned_file(s, user_id, file_id)
    if media.status != "uploaded":
        raise Conflict(f"the file is not available (status: {media.status})", "file_not_uploaded")
    expires = services.settings.DOWNLOAD_URL_EXPIRE_SECONDS
    if media.source_url:  # an import: the recording stays where it was published
        return DownloadLinkOut(url=media.source_url, expires_at=utcnow() + timedelta(seconds=expires))
    url = services.storage.presign_get(media.stored_key or media.object_key, expires, filename=media.filename)
    return DownloadLinkOut(url=url, expires_at=utcnow() + timedelta(seconds=expires))


def owned_file_out(user_id: uuid.UUID, file_id: uuid.UUID) -> MediaFileOut:
    with transaction() as s:
        require_user(s, user_id)
        return media_file_out(owned_file(s, user_id, file_id))


def rename(user_id: uuid.UUID, file_id: uuid.UUID, filename: str) -> MediaFileOut:
    """A new display name; the stored object keeps its key (names never enter keys)."""
    with transaction() as s:
        require_user(s, user_id)
        media = owned_file(s, user_id, file_id)
        media.filename = filename.strip()
        s.flush()
        return media_file_out(media)
