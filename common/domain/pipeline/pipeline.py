"""The transcription pipeline: start jobs, take provider results in, and repair what events missed.

Every entry point may run twice, concurrently, or die between any two lines: state only moves through the
conditional updates in `transitions`, a submission happens only after a claim is won, and the webhook URL
names the job, so a result whose id we failed to store still finds its job.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from common.adapters.assemblyai import is_transcript_id
from common.adapters.ports import ProviderError, ProviderTranscript, SpeakerIdentification, Submission
from common.adapters.services import Services
from common.domain import idempotency
from common.domain.accounts import vocabulary
from common.domain.errors import BadRequest, Unavailable
from common.domain.pipeline import cleanups, hook_delivery, providers, transitions, understanding
from common.domain.pipeline.transitions import Claim
from common.runtime import logs
from common.store.db import transaction
from common.store.models import LoginThrottle, MediaFile, TranscriptionJob, utcnow

Job = TranscriptionJob


# Starting jobs


def _identification(claim: Claim) -> SpeakerIdentification | None:
    asked = claim.speaker_identification
    if not asked or claim.mode != "dialogue":
        return None
    return SpeakerIdentification(str(asked["speaker_type"]), tuple(str(v) for v in asked["values"]))


def _submit(claim: Claim, services: Services) -> None:
    settings = services.settings
    audio_url = claim.source_url or services.storage.presign_get(claim.object_key, settings.AUDIO_URL_EXPIRE_SECONDS)
    keyterms: tuple[str, ...] = ()
    spellings: tuple[tuple[tuple[str, ...], str], ...] = ()
    with transaction() as s:
        if providers.vocabulary(settings):
            keyterms, spellings = vocabulary.for_job(s, claim.job_id)
        asked = understanding.asked(s, claim.job_id)
    submission = Submission(
        job_id=str(claim.job_id),
        audio_url=audio_url,
        language=claim.language,
        dialogue=claim.mode == "dialogue",
        speakers_expected=claim.speakers_expected,
        object_key=claim.object_key,
        content_type=claim.content_type,
        keyterms=keyterms,
        spellings=spellings,
        speaker_identification=_identification(claim),
        understanding=asked,
    )
    try:
        transcript_id = services.provider.submit(submission)
    except ProviderError as exc:
        now = utcnow()
        # Sent and unanswered, to a provider that cannot be asked what it received: not sent again by itself (that
        # could transcribe and bill the recording twice); the person may retry, knowing why.
        unknown = exc.may_have_started and not services.provider.finds_submissions
        retry = exc.transient and not unknown and claim.attempt < settings.SUBMIT_MAX_ATTEMPTS
        retry_at = now + transitions.backoff(claim.attempt, settings.RETRY_BASE_SECONDS) if retry else None
        engine = settings.engine
        if unknown:
            message = f"{engine} did not answer whether it took the job ({exc.message}); retry it"
        elif retry:
            message = (
                f"{engine} is unavailable ({exc.message}); retrying (attempt {claim.attempt} of "
                f"{settings.SUBMIT_MAX_ATTEMPTS})"
            )
        else:
            message = f"{engine} refused the job after {claim.attempt} attempt(s): {exc.message}"
        with transaction() as s:
            # Given up after transient errors, a retry later may work; a refusal of the request itself will not.
            retryable = exc.transient or unknown
            transitions.submission_failed(s, claim.job_id, claim.token, message, retry_at, now, retryable=retryable)
        logs.warn("submit_failed", job=claim.job_id, attempt=claim.attempt, status=exc.status, retry=retry)
        return
    with transaction() as s:
        stored = transitions.mark_submitted(s, claim.job_id, claim.token, transcript_id, utcnow())
        if not stored:
            # Lost the job meanwhile (deleted, taken over after a stall, or the webhook adopted this very
            # transcript). Anything but the last is a surplus copy at the provider.
            current = s.scalar(select(Job.provider_transcript_id).where(Job.id == claim.job_id))
            if current != transcript_id:
                cleanups.enqueue(s, cleanups.PROVIDER_TRANSCRIPT, transcript_id)
    if stored:
        logs.log("submitted", job=claim.job_id, transcript=transcript_id, attempt=claim.attempt)
    else:
        logs.warn("submission_superseded", job=claim.job_id, transcript=transcript_id)
        cleanups.run(services, [(cleanups.PROVIDER_TRANSCRIPT, transcript_id)])


def start_job(job_id: uuid.UUID, services: Services) -> bool:
    """A job became ready: fill free slots fairly (it may or may not be the next); True if this one started."""
    settings = services.settings
    with transaction() as s:
        claim = transitions.claim(
            s, utcnow(), settings.MAX_PARALLEL_TRANSCRIPTIONS, job_id, per_user=settings.MAX_PARALLEL_PER_USER
        )
    if claim is None:
        start_ready(services)  # a slot this job may not take may still be someone else's turn
        return False
    _submit(claim, services)
    return True


def start_ready(services: Services, budget: int = 50, claimed: Claim | None = None) -> int:
    """Fill free slots with ready jobs (queued, or retries that are due), fairly across users, each once a pass.

    `claimed`: the pass's first claim, already taken in the caller's transaction (that freed the slot).
    """
    settings = services.settings
    tried: set[uuid.UUID] = set()
    if claimed is not None:
        tried.add(claimed.job_id)
        _submit(claimed, services)
    while len(tried) < budget:
        with transaction() as s:
            claim = transitions.claim(
                s, utcnow(), settings.MAX_PARALLEL_TRANSCRIPTIONS, skip=tried, per_user=settings.MAX_PARALLEL_PER_USER
            )
        if claim is None:
            break
        tried.add(claim.job_id)
        _submit(claim, services)
    return len(tried)


def provider_error_is_transient(error: str) -> bool:
    """Whether a provider's transcript error may go away on a retry (a download or service hiccup), or says
    something about the file itself (not audio, too short, unsupported language) that a retry cannot change."""
    text = error.lower()
    return any(word in text for word in ("download", "timeout", "timed out", "internal", "unavailable", "try again"))


def finish(job_id: uuid.UUID, t: ProviderTranscript, services: Services) -> str:
    """Apply a provider transcript (already fetched by id) to the job its webhook URL names."""
    settings = services.settings
    now = utcnow()
    outcome = "unchanged"
    to_delete: list[tuple[str, str]] = []
    claim: Claim | None = None
    copy_waits = False
    with transaction() as s:
        final = t.status in ("completed", "error")
        # The usual case first, in one statement: it completes only a job that exists, is not completed and takes this
        # transcript; anything else reads the job to tell an orphan or a duplicate from a repeat (unchanged).
        completed = t.status == "completed" and transitions.complete(s, job_id, t, now)
        job = None if completed else s.get(Job, job_id)
        if completed:
            outcome = "completed"
            # A redacted recording goes with the provider's transcript: that waits until the copy is ours.
            copy_waits = understanding.keep_results(s, job_id, t, now)
            if settings.DELETE_PROVIDER_COPY and not copy_waits:
                to_delete.append((cleanups.PROVIDER_TRANSCRIPT, t.id))
        elif job is None:
            outcome = "orphan"  # the user deleted the job: nothing of theirs stays at the provider
        elif job.provider_transcript_id and job.provider_transcript_id != t.id:
            outcome = "duplicate"  # a surplus submission of a job that already has its transcript
        elif t.status == "completed":
            pass  # already completed (a repeated notification)
        elif t.status == "error":
            message = f"{settings.engine} could not transcribe this file: {t.error or 'unknown error'}"
            retryable = provider_error_is_transient(t.error or "")
            if transitions.fail(s, job_id, message, now, transcript_id=t.id, retryable=retryable):
                outcome = "failed"
                if settings.DELETE_PROVIDER_COPY:  # an errored transcript still names the recording there
                    to_delete.append((cleanups.PROVIDER_TRANSCRIPT, t.id))
        elif transitions.adopt(s, job_id, t.id, now):
            outcome = "adopted"
        if outcome in ("orphan", "duplicate") and final:
            to_delete.append((cleanups.PROVIDER_TRANSCRIPT, t.id))
        for kind, ref in to_delete:
            cleanups.enqueue(s, kind, ref)
        if outcome in ("completed", "failed"):
            # A slot is free: the next job takes it in this same transaction (one round of the database fewer).
            claim = transitions.claim(
                s, utcnow(), settings.MAX_PARALLEL_TRANSCRIPTIONS, per_user=settings.MAX_PARALLEL_PER_USER
            )
    logs.log("provider_result", job=job_id, transcript=t.id, status=t.status, outcome=outcome)
    cleanups.run(services, to_delete, enqueued=True)
    if copy_waits:
        understanding.copy_redacted_audio(job_id, services)  # if not ready yet, its notification or the sweep copies
    if claim is not None:
        start_ready(services, claimed=claim)  # and any other free slot
    return outcome


def handle_webhook(
    job_ref: str | None, transcript_ref: object, services: Services, *, redacted_audio_ready: bool = False
) -> str:
    """AssemblyAI says a transcript is ready. The body is a hint: the transcript is re-fetched by id.

    `redacted_audio_ready`: the second notification, for a redacted recording; its body names no transcript and its
    URL is not trusted either: the copy asks the provider by the transcript id stored with the job."""
    try:
        job_id = uuid.UUID(str(job_ref))
    except ValueError:
        raise BadRequest("job_id query parameter must be a UUID", "invalid_job_id") from None
    if redacted_audio_ready:
        return "redacted_audio_" + understanding.copy_redacted_audio(job_id, services)
    if not is_transcript_id(transcript_ref):
        raise BadRequest("transcript_id is not an AssemblyAI transcript id", "invalid_transcript_id")
    assert isinstance(transcript_ref, str)
    try:
        t = services.provider.get(transcript_ref)
    except ProviderError as exc:
        # Transient by nature here: a 5xx makes AssemblyAI try again, a 4xx would end its retries. The detail goes
        # to the log, not to the caller.
        logs.warn("webhook_fetch_failed", job=job_id, status=exc.status, error=exc.message[:300])
        raise Unavailable("could not fetch the transcript from AssemblyAI; try again") from None
    if t is None:
        logs.warn("webhook_unknown_transcript", job=job_id, transcript=transcript_ref)
        return "unknown_transcript"
    if t.job_id != str(job_id):
        logs.warn("webhook_job_mismatch", job=job_id, transcript=t.id, transcript_job=t.job_id)
        return "job_mismatch"
    return finish(job_id, t, services)


# Reconciliation


@dataclass
class ReconcileReport:
    expired_uploads: int = 0
    aborted_uploads: int = 0
    resubmitted: int = 0
    adopted: int = 0
    polled: int = 0
    finished: int = 0
    started: int = 0
    cleaned: int = 0
    webhooks_sent: int = 0
    redacted_copies: int = 0
    errors: list[str] = field(default_factory=list)


# What takes in an object found at an upload key whose ObjectCreate event never came (uploads/accept.py's
# handle_upload: checked, copied, jobs started, or rejected); its outcome, "missing" when nothing is there.
TakeIn = Callable[[str, str, Services], str]


def _arrived_unannounced(key: str, services: Services, take_in: TakeIn) -> bool:
    """An object sits at this upload key though its event never came: take it in as the trigger would have. True
    unless nothing is there to take."""
    if services.storage.head(key) is None:
        return False
    outcome = take_in(services.settings.S3_BUCKET, key, services)
    logs.warn("upload_event_missed", key=key, outcome=outcome)
    return outcome != "missing"


def _expire_uploads(services: Services, now: datetime, take_in: TakeIn) -> int:
    cutoff = now - timedelta(seconds=services.settings.UPLOAD_EXPIRE_SECONDS)
    expired = 0
    with transaction() as s:
        stale = s.execute(
            select(MediaFile.id, MediaFile.object_key)
            .where(MediaFile.status == "awaiting_upload", MediaFile.created_at < cutoff)
            .limit(500)
        ).all()
    never_came = [(file_id, key) for file_id, key in stale if not _arrived_unannounced(key, services, take_in)]
    with transaction() as s:
        for file_id, key in never_came:
            done = s.execute(
                update(MediaFile)
                .where(MediaFile.id == file_id, MediaFile.status == "awaiting_upload")
                .values(status="expired", status_reason="the upload was never completed")
            ).rowcount  # type: ignore[attr-defined]
            if done:
                expired += 1
                transitions.fail_waiting(s, file_id, "The upload never completed; upload the file again.", now)
                cleanups.enqueue(s, cleanups.STORAGE_OBJECT, key)  # a late or partial object goes too
    return expired


def _poll_silent(services: Services, now: datetime, report: ReconcileReport) -> None:
    settings = services.settings
    # With webhooks, only jobs whose webhook is overdue; without (SpeechKit), every job in flight, each in turn.
    silent_for = settings.SILENT_AFTER_SECONDS if providers.profile(settings).webhooks else 0
    silent_since = now - timedelta(seconds=silent_for)
    interval = timedelta(seconds=settings.POLL_INTERVAL_SECONDS)
    with transaction() as s:
        candidates = s.execute(
            select(Job.id, Job.provider_transcript_id, Job.submitted_at)
            .where(Job.status == "processing", Job.stage == "submitted", Job.submitted_at < silent_since)
            .order_by(Job.submitted_at)
            .limit(200)
        ).all()
    for job_id, transcript_id, submitted_at in candidates:
        assert transcript_id is not None and submitted_at is not None  # stage 'submitted' guarantees both
        with transaction() as s:
            if not transitions.mark_polled(s, job_id, now, interval):
                continue
        report.polled += 1
        try:
            t = services.provider.get(transcript_id)
        except ProviderError as exc:
            report.errors.append(f"poll {job_id}: {exc.message}")
            continue
        if t is None:
            with transaction() as s:
                transitions.fail(
                    s,
                    job_id,
                    f"{settings.engine} no longer knows this transcript; retry the job.",
                    now,
                    transcript_id=transcript_id,
                )
            report.finished += 1
        elif t.status in ("completed", "error"):
            finish(job_id, t, services)
            report.finished += 1
        elif submitted_at < now - timedelta(seconds=settings.PROVIDER_MAX_WAIT_SECONDS):
            with transaction() as s:
                transitions.fail(
                    s,
                    job_id,
                    f"{settings.engine} did not finish in time; retry the job.",
                    now,
                    transcript_id=transcript_id,
                )
                cleanups.enqueue(s, cleanups.PROVIDER_TRANSCRIPT, transcript_id)
            report.finished += 1


def reconcile(services: Services, *, take_in: TakeIn, now: datetime | None = None) -> ReconcileReport:
    """The timer's sweep: everything an event should have done and did not, done now (idempotently). `take_in` is
    how an upload that arrived without its event is accepted (uploads/reconcile.py passes the trigger's own)."""
    now = now or utcnow()
    settings = services.settings
    report = ReconcileReport()
    report.expired_uploads = _expire_uploads(services, now, take_in)
    with transaction() as s:
        stale_claims = transitions.reclaim_stale(s, now, timedelta(seconds=settings.CLAIM_TIMEOUT_SECONDS))
    for claim in stale_claims:
        # The submitter may have died after the provider accepted the job: adopt that transcript, never pay twice.
        if not services.provider.finds_submissions:
            # No way to ask (SpeechKit lists no recognitions): the job fails, and the person may retry it.
            message = f"The submission to {settings.engine} was interrupted before its answer was kept; retry the job."
            with transaction() as s:
                transitions.fail(s, claim.job_id, message, now, retryable=True)
            logs.warn("stalled_submission_unknowable", job=claim.job_id, attempt=claim.attempt)
            report.finished += 1
            continue
        try:
            existing = services.provider.find_submitted(str(claim.job_id), claim.source_url or claim.object_key)
        except ProviderError as exc:
            report.errors.append(f"list {claim.job_id}: {exc.message}")
            continue  # the claim stays stale; the next sweep looks again
        if existing:
            with transaction() as s:
                transitions.adopt(s, claim.job_id, existing, now)
            logs.warn("adopted_stalled_submission", job=claim.job_id, transcript=existing)
            report.adopted += 1
            continue
        logs.warn("resubmitting_stalled_claim", job=claim.job_id, attempt=claim.attempt)
        _submit(claim, services)
        report.resubmitted += 1
    _poll_silent(services, now, report)
    report.redacted_copies = understanding.copy_pending(services, now)
    # Files that arrived while their event was lost still start their jobs.
    with transaction() as s:
        arrived = s.scalars(
            select(Job.media_file_id)
            .join(MediaFile, MediaFile.id == Job.media_file_id)
            .where(Job.stage == "waiting_for_upload", MediaFile.status == "uploaded")
            .distinct()
        ).all()
        for file_id in arrived:
            transitions.promote_waiting(s, file_id)
    report.started = start_ready(services)
    report.cleaned = cleanups.run(services)
    report.webhooks_sent = hook_delivery.deliver_due(services, now)
    hook_delivery.forget_finished(now)
    with transaction() as s:
        window = max(settings.LOGIN_LOCK_SECONDS, settings.LOGIN_ACCOUNT_WINDOW_SECONDS)
        s.execute(delete(LoginThrottle).where(LoginThrottle.window_started_at < now - timedelta(seconds=window)))
    idempotency.forget_older_than(now - timedelta(seconds=idempotency.RETENTION_SECONDS))
    logs.log(
        "reconciled", **{k: v for k, v in report.__dict__.items() if k != "errors"}, errors=len(report.errors) or None
    )
    return report
