"""Deleting a job: its row and transcript now, the provider's copy, its redacted recording and an unshared recording
through the outbox."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, exists, func, select

from common.adapters.services import Services
from common.domain.accounts.users import require_user
from common.domain.errors import NotFound
from common.domain.pipeline import cleanups, pipeline, understanding
from common.runtime import logs
from common.store.db import transaction
from common.store.models import MediaFile, TranscriptionJob, Voice, VoiceUse

Job = TranscriptionJob


def delete_job(user_id: uuid.UUID, job_id: uuid.UUID, services: Services) -> None:
    """The job, its transcript, the provider's copy and (when no other job uses it) the recording go."""
    refs: list[tuple[str, str]] = []
    open_upload: tuple[str, str] | None = None
    with transaction() as s:
        require_user(s, user_id)
        job = s.scalar(select(Job).where(Job.id == job_id, Job.owner_id == user_id))
        if job is None:
            raise NotFound("no such job", "job_not_found")
        if job.provider_transcript_id:
            refs.append((cleanups.PROVIDER_TRANSCRIPT, job.provider_transcript_id))
        refs += [(cleanups.STORAGE_OBJECT, key) for key in understanding.stored_copy_keys(s, job_id)]
        media_id = job.media_file_id
        s.delete(job)
        s.flush()
        # Its speakers' voice embeddings went with it (cascade); a named voice no other recording uses goes too
        # (transcripts/voices.drop_unused, written here: the jobs capability sits above the transcripts one).
        s.execute(delete(Voice).where(Voice.owner_id == user_id, ~exists().where(VoiceUse.voice_id == Voice.id)))
        others = s.scalar(select(func.count()).select_from(Job).where(Job.media_file_id == media_id))
        if not others:
            media = s.get(MediaFile, media_id)
            if media is not None:
                if media.multipart_upload_id and media.status == "awaiting_upload":
                    open_upload = (media.object_key, media.multipart_upload_id)
                refs.append((cleanups.STORAGE_OBJECT, media.object_key))
                if media.stored_key:
                    refs.append((cleanups.STORAGE_OBJECT, media.stored_key))
                s.delete(media)
        for kind, ref in refs:
            cleanups.enqueue(s, kind, ref)
    if open_upload:  # its part URLs stop now; if this fails, the timer's sweep aborts it (abandoned_uploads)
        try:
            services.storage.abort_multipart(*open_upload)
        except Exception as exc:
            logs.warn("abort_upload_failed", key=open_upload[0], error=str(exc)[:200])
    cleanups.run(services, refs)
    pipeline.start_ready(services)  # it may have held a slot
