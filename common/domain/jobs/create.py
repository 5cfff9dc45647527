"""A new job: for an uploaded (or still uploading) file of the caller's, or for a public file's URL."""

from __future__ import annotations

import mimetypes
import uuid
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.adapters.services import Services
from common.domain import idempotency
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, Invalid
from common.domain.jobs.read_path import get_job
from common.domain.pipeline import capabilities, pipeline, quotas, transitions, understanding
from common.domain.schemas import JobOut, JobRequest, UrlImport
from common.domain.uploads.keys import sanitise_filename
from common.domain.uploads.uploads import owned_file
from common.store.db import transaction
from common.store.models import MediaFile, TranscriptionJob, utcnow

Job = TranscriptionJob


def _keep_understanding(s: Session, job_id: uuid.UUID, req: JobRequest | UrlImport) -> None:
    understanding.keep_options(
        s,
        job_id,
        redact_policies=req.redact_pii_policies if req.redact_pii else [],
        redact_sub=req.redact_pii_sub,
        redact_audio=req.redact_pii_audio,
        translation_targets=req.translation_targets,
        entity_detection=req.entity_detection,
    )


def create_job(user_id: uuid.UUID, req: JobRequest, services: Services) -> JobOut:
    capabilities.job_understanding(services.settings, req)
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
            speakers_expected=capabilities.job_speakers(services.settings, req.speakers_expected),
            speaker_identification=capabilities.speaker_identification(
                services.settings, req.speaker_names, req.speaker_type
            ),
            stage="queued" if media.status == "uploaded" else "waiting_for_upload",
        )
        s.add(job)
        s.flush()
        _keep_understanding(s, job.id, req)
        idempotency.bind_resource(s, job.id)  # a retry after this request dies gets this job, not a second one
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
    capabilities.url_imports(settings)
    capabilities.job_understanding(settings, req)
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
            speakers_expected=capabilities.job_speakers(settings, req.speakers_expected),
            speaker_identification=capabilities.speaker_identification(settings, req.speaker_names, req.speaker_type),
            stage="queued",
        )
        s.add(job)
        s.flush()
        _keep_understanding(s, job.id, req)
        idempotency.bind_resource(s, job.id)
    pipeline.start_job(job.id, services)
    return get_job(user_id, job.id)
