"""Uploads in parts that nobody will complete are aborted, so their parts neither stay in storage nor take more.

Storage is the list to walk (ListMultipartUploads), not the database: an upload whose row is gone (a deleted
account or job) is found as surely as one whose file expired or was rejected. Its part URLs stop working once
it is aborted.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from common.adapters.services import Services
from common.domain.uploads import keys
from common.runtime import logs
from common.store.db import transaction
from common.store.models import MediaFile, User

# A declaration starts its upload in parts before its row commits: an upload without a row is left this long.
UNCLAIMED_GRACE = timedelta(minutes=10)


def abort_abandoned(services: Services, now: datetime, limit: int = 1000) -> int:
    """Abort every open upload in parts whose file no longer awaits it; how many were aborted."""
    try:
        open_uploads = list(services.storage.open_uploads(keys.UPLOAD_PREFIX, limit))
    except Exception as exc:  # storage unreachable: the rest of the sweep still runs; the next one looks again
        logs.warn("list_uploads_failed", error=str(exc)[:200])
        return 0
    if not open_uploads:
        return 0
    by_key = {u.key for u in open_uploads}
    owners = {ids[0] for u in open_uploads if (ids := keys.parse_upload_key(u.key))}
    with transaction() as s:
        awaited = {
            (key, upload_id)
            for key, upload_id in s.execute(
                select(MediaFile.object_key, MediaFile.multipart_upload_id).where(
                    MediaFile.object_key.in_(by_key), MediaFile.status == "awaiting_upload"
                )
            )
        }
        rows = set(s.scalars(select(MediaFile.object_key).where(MediaFile.object_key.in_(by_key))))
        users: set[uuid.UUID] = set(s.scalars(select(User.id).where(User.id.in_(owners)))) if owners else set()
    aborted = 0
    for upload in open_uploads:
        if (upload.key, upload.upload_id) in awaited:
            continue
        ids = keys.parse_upload_key(upload.key)
        owner_gone = ids is None or ids[0] not in users
        if upload.key not in rows and not owner_gone and upload.initiated > now - UNCLAIMED_GRACE:
            continue  # perhaps a declaration still committing
        try:
            services.storage.abort_multipart(upload.key, upload.upload_id)
        except Exception as exc:  # the next sweep tries again
            logs.warn("abort_upload_failed", key=upload.key, error=str(exc)[:200])
            continue
        aborted += 1
        logs.log("upload_in_parts_aborted", key=upload.key)
    return aborted
