"""Retrying a failed job, offered only where a retry can change the outcome."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from common.adapters.services import Services
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, NotFound
from common.domain.jobs.read_path import can_retry, get_job
from common.domain.pipeline import cleanups, pipeline, transitions
from common.domain.schemas import JobOut
from common.store.db import transaction
from common.store.models import MediaFile, TranscriptionJob

Job = TranscriptionJob


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
        if not can_retry(job.status, media.status, job.error_retryable):
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
