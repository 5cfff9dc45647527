"""The job's redacted recording (personal data beeped out), handed out like the original: a short-lived GET link."""

from __future__ import annotations

import mimetypes
import uuid
from datetime import timedelta

from common.adapters.services import Services
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, NotFound
from common.domain.jobs.read_path import owned_job
from common.domain.schemas import DownloadLinkOut
from common.domain.uploads.keys import sanitise_filename
from common.store.db import transaction
from common.store.models import JobUnderstanding, utcnow

_WAITING = {
    "pending": "the redacted recording is still being copied; try again in a minute",
    "unavailable": "AssemblyAI made no redacted recording for this job, or it expired before it could be kept",
}


def redacted_audio_link(user_id: uuid.UUID, job_id: uuid.UUID, services: Services) -> DownloadLinkOut:
    with transaction() as s:
        require_user(s, user_id)
        job = owned_job(s, user_id, job_id)
        row = s.get(JobUnderstanding, job_id)
    if row is None or not row.redact_audio:
        raise NotFound("this job has no redacted recording: it was not asked for", "no_redacted_audio")
    if row.redacted_audio != "copied" or not row.redacted_key:
        state = row.redacted_audio or "pending"
        raise Conflict(_WAITING.get(state, _WAITING["pending"]), f"redacted_audio_{state}")
    stored = services.storage.head(row.redacted_key)
    extension = mimetypes.guess_extension(stored.content_type if stored else "") or ".mp3"
    stem = sanitise_filename(job.file.filename).rsplit(".", 1)[0] or "recording"
    expires = services.settings.DOWNLOAD_URL_EXPIRE_SECONDS
    url = services.storage.presign_get(row.redacted_key, expires, filename=f"{stem}.redacted{extension}")
    return DownloadLinkOut(url=url, expires_at=utcnow() + timedelta(seconds=expires))
