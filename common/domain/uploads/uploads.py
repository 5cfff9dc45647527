"""Declaring an upload (a media file row and a presigned PUT) and handing out download links."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from common.adapters.ports import PartsNotJoined
from common.adapters.services import Services
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, Invalid, NotFound, TooLarge, UnsupportedMedia
from common.domain.pipeline import capabilities, providers, quotas, transitions
from common.domain.schemas import (
    DeclaredUploadOut,
    DownloadLinkOut,
    FileDeclaration,
    MediaFileOut,
    MultipartCompletion,
    MultipartInstructions,
    PartUrl,
    PartUrlsOut,
    UploadedPart,
    UploadedPartsOut,
    UploadInstructions,
)
from common.domain.sizes import human_size
from common.domain.uploads.keys import upload_key
from common.store.db import transaction
from common.store.models import MediaFile, utcnow

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


def check_declaration(decl: FileDeclaration, max_bytes: int) -> str:
    """The content type to sign, or the error a person needs to pick another file."""
    content_type = decl.content_type.strip().lower()
    if not _MEDIA_TYPE.match(content_type):
        shown = content_type or "unknown"
        raise UnsupportedMedia(f"only audio and video files can be transcribed (this file's type: {shown})")
    if decl.size > max_bytes:
        raise TooLarge(f"the file is {human_size(decl.size)}; the largest accepted is {human_size(max_bytes)}")
    return content_type


def declare(user_id: uuid.UUID, decl: FileDeclaration, services: Services) -> DeclaredUploadOut:
    settings = services.settings
    content_type = check_declaration(decl, providers.max_upload_bytes(settings))
    capabilities.accepts_format(settings, content_type)
    file_id = uuid.uuid4()
    key = upload_key(user_id, file_id, decl.filename)
    expires_at = utcnow() + timedelta(seconds=settings.UPLOAD_URL_EXPIRE_SECONDS)
    multipart = decl.size > settings.MULTIPART_THRESHOLD_BYTES
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
        if multipart:  # started inside the quota's transaction: a refused declaration leaves no open upload
            media.multipart_upload_id = services.storage.start_multipart(key, content_type)
        s.add(media)
    if multipart:
        part = settings.MULTIPART_PART_BYTES
        instructions = MultipartInstructions(part_size=part, parts=-(-decl.size // part), expires_at=expires_at)
        return DeclaredUploadOut(file=media_file_out(media), multipart=instructions)
    url = services.storage.presign_put(key, content_type, decl.size, settings.UPLOAD_URL_EXPIRE_SECONDS)
    return DeclaredUploadOut(
        file=media_file_out(media),
        upload=UploadInstructions(url=url, headers={"Content-Type": content_type}, expires_at=expires_at),
    )


def _open_multipart(s: Session, user_id: uuid.UUID, file_id: uuid.UUID) -> MediaFile:
    media = owned_file(s, user_id, file_id)
    if media.status != "awaiting_upload" or not media.multipart_upload_id:
        raise Conflict("this file has no upload in parts in progress", "no_multipart_upload")
    return media


def part_size(declared: int, part_bytes: int, number: int) -> int:
    """The exact length of part `number` of a `declared`-byte file cut in `part_bytes` parts (the last is the rest)."""
    return max(0, min(part_bytes, declared - (number - 1) * part_bytes))


def part_urls(user_id: uuid.UUID, file_id: uuid.UUID, numbers: list[int], services: Services) -> PartUrlsOut:
    """Presigned PUTs for these parts, each bound to its part's exact length (again after a network error)."""
    settings = services.settings
    with transaction() as s:
        require_user(s, user_id)
        media = _open_multipart(s, user_id, file_id)
    part = settings.MULTIPART_PART_BYTES
    last = -(-media.declared_size // part)
    if any(n > last for n in numbers):
        raise Invalid(f"this upload has parts 1 to {last}", "no_such_part")
    expires = settings.UPLOAD_URL_EXPIRE_SECONDS
    upload_id = media.multipart_upload_id or ""
    urls = [
        PartUrl(
            part_number=n,
            url=services.storage.presign_part(
                media.object_key, upload_id, n, part_size(media.declared_size, part, n), expires
            ),
        )
        for n in sorted(set(numbers))
    ]
    return PartUrlsOut(parts=urls, expires_at=utcnow() + timedelta(seconds=expires))


def uploaded_parts(user_id: uuid.UUID, file_id: uuid.UUID, services: Services) -> UploadedPartsOut:
    """The parts storage already holds (S3 ListParts), so a resumed upload never sends a finished part again."""
    part = services.settings.MULTIPART_PART_BYTES
    with transaction() as s:
        require_user(s, user_id)
        media = _open_multipart(s, user_id, file_id)
    stored = services.storage.list_parts(media.object_key, media.multipart_upload_id or "")
    if stored is None:
        raise Conflict("this file has no upload in parts in progress", "no_multipart_upload")
    return UploadedPartsOut(
        part_size=part,
        parts=-(-media.declared_size // part),
        uploaded=[UploadedPart(part_number=p.number, size=p.size, etag=p.etag) for p in stored],
    )


def complete_multipart(
    user_id: uuid.UUID, file_id: uuid.UUID, data: MultipartCompletion, services: Services
) -> MediaFileOut:
    """Join the parts into the object; its ObjectCreate event then checks and accepts it like any upload."""
    settings = services.settings
    with transaction() as s:
        require_user(s, user_id)
        media = owned_file(s, user_id, file_id)
        if not media.multipart_upload_id and _already_joined(media, services):
            return media_file_out(media)  # a repeat of a completion that went through: the same answer
        media = _open_multipart(s, user_id, file_id)
    expected = -(-media.declared_size // settings.MULTIPART_PART_BYTES)
    numbers = sorted(p.part_number for p in data.parts)
    if numbers != list(range(1, expected + 1)):
        raise Invalid(f"send every part from 1 to {expected}, each once", "incomplete_parts")
    # What storage really holds is checked before joining: the declared size (which the quota counted) is the most
    # that can become a recording, whatever was sent.
    stored = services.storage.list_parts(media.object_key, media.multipart_upload_id or "") or []
    sizes = {p.number: p.size for p in stored}
    for n in numbers:
        want = part_size(media.declared_size, settings.MULTIPART_PART_BYTES, n)
        if n in sizes and sizes[n] != want:
            raise Conflict(f"part {n} has {sizes[n]} bytes but {want} were expected; send it again", "part_size")
    try:
        services.storage.complete_multipart(
            media.object_key, media.multipart_upload_id or "", [(p.part_number, p.etag) for p in data.parts]
        )
    except PartsNotJoined as exc:
        # The upload gone but its object there, whole: an earlier try of this call joined it (botocore retries a slow
        # CompleteMultipartUpload, and the retry meets NoSuchUpload), so it went through.
        if exc.code != "NoSuchUpload" or not _already_joined(media, services):
            raise Conflict(
                f"the parts could not be joined ({exc.code}); send the missing or changed parts again",
                "parts_not_joined",
            ) from None
    with transaction() as s:
        s.execute(update(MediaFile).where(MediaFile.id == file_id).values(multipart_upload_id=None))
        return media_file_out(owned_file(s, user_id, file_id))


def _already_joined(media: MediaFile, services: Services) -> bool:
    """The parts are one object already: accepted, or at the upload key with the declared size."""
    if media.status == "uploaded":
        return True
    if media.status != "awaiting_upload":
        return False
    stored = services.storage.head(media.object_key)
    return stored is not None and stored.size == media.declared_size


def abort_multipart(user_id: uuid.UUID, file_id: uuid.UUID, services: Services) -> None:
    """Give up an upload in parts: the parts go, the file is marked expired (its jobs fail, saying so)."""
    with transaction() as s:
        require_user(s, user_id)
        media = _open_multipart(s, user_id, file_id)
    services.storage.abort_multipart(media.object_key, media.multipart_upload_id or "")
    with transaction() as s:
        s.execute(
            update(MediaFile)
            .where(MediaFile.id == file_id, MediaFile.status == "awaiting_upload")
            .values(status="expired", status_reason="the upload was cancelled", multipart_upload_id=None)
        )
        transitions.fail_waiting(s, file_id, "The upload was cancelled; upload the file again.", utcnow())


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
