"""What a reader sees through a share link, with no account: the page's facts, the recording (a presigned GET minted
per view, short-lived), the transcript and its exports. The link's token is the only key, and it opens one transcript.

Every public route enters through `_open`: throttled per client address first, then one indexed equality on the
token's hash, then the link's state, and one refusal for every reason (unknown, revoked, expired), so a reader learns
nothing from which one it was, by the answer or by the work done.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from common.adapters.services import Services
from common.domain.accounts.throttle import Limit, spend, throttle_key
from common.domain.errors import NotFound
from common.domain.schemas import TranscriptOut, _Out
from common.domain.transcripts import formats
from common.domain.transcripts.shares import Share, state_of, token_digest
from common.runtime.config import Settings
from common.store.db import transaction
from common.store.models import MediaFile, Transcript, TranscriptionJob, utcnow

GONE = (
    "This link does not open anything: it was revoked, it has expired, or it never existed. "
    "Ask the person who sent it for a new one."
)
MIN_MEDIA_URL_SECONDS = 10  # the storage's shortest presigned URL worth minting


class SharedMedia(_Out):
    url: str
    expires_at: datetime


class SharedViewOut(_Out):
    """The transcript page's facts as a reader sees them: no ids, no account, nothing of the owner's other work."""

    title: str
    content_type: str
    size: int
    audio_duration: float | None
    mode: str
    language: str | None
    expires_at: datetime | None  # the link's own expiry
    recording: Literal["included", "withheld", "unavailable"]
    media: SharedMedia | None


def _throttle(client_ip: str, settings: Settings) -> None:
    """Reads through links, per client address per window, taken before the lookup (every request pays the same)."""
    limit = Limit(
        throttle_key("share-read", client_ip), settings.SHARE_READS_PER_ADDRESS, settings.SHARE_READS_WINDOW_SECONDS
    )
    spend([limit], utcnow(), "requests for shared transcripts", "share_throttled")


def _open(s: Session, token: str, now: datetime) -> Share:
    """The live link with this token, or the one 404. Unknown, revoked and expired links run the same statement and
    raise the same error from the same line: there is no earlier return for any of them."""
    share = s.scalar(select(Share).where(Share.token_hash == token_digest(token)))
    if share is None or state_of(share, now) != "active":
        raise NotFound(GONE, "share_not_found")
    return share


# What a share shows is decided in the two functions below and nowhere else. Today: the transcript as its owner sees
# it (speaker names, edits) and the accepted recording. When redacted versions exist (the redaction work), a share
# shows the redacted version where there is one: `_recording_key` returns the redacted copy's key, `_transcript` the
# redacted transcript; the routes, the exports and the tests of who may see what need no other change.


def _recording_key(s: Session, job: TranscriptionJob) -> tuple[str | None, str | None]:
    """(object key, public URL of an import) of the recording a share plays; (None, None) when there is none."""
    media = s.get(MediaFile, job.media_file_id)
    if media is None or media.status != "uploaded":
        return None, None
    if media.source_url:
        return None, media.source_url
    return media.stored_key or media.object_key, None


def _transcript(share: Share, fmt: str) -> formats.Export | TranscriptOut:
    return formats.transcript(share.owner_id, share.job_id, fmt)


def view(token: str, client_ip: str, services: Services) -> SharedViewOut:
    """The page of a shared transcript; each view counts as an open and mints its own short-lived media URL."""
    settings = services.settings
    _throttle(client_ip, settings)
    now = utcnow()
    with transaction() as s:  # objects stay readable after it (expire_on_commit is off)
        share = _open(s, token, now)
        s.execute(update(Share).where(Share.id == share.id).values(open_count=Share.open_count + 1, last_opened_at=now))
        job = s.get(TranscriptionJob, share.job_id)
        stored = s.get(Transcript, share.job_id)
        recording = s.get(MediaFile, job.media_file_id) if job else None
        if job is None or stored is None or recording is None:  # a link is made for a finished job only
            raise NotFound(GONE, "share_not_found")
        key, outside_url = _recording_key(s, job) if share.include_media else (None, None)
    seconds = settings.DOWNLOAD_URL_EXPIRE_SECONDS
    if share.expires_at is not None:  # a URL never outlives its link
        seconds = max(MIN_MEDIA_URL_SECONDS, min(seconds, int((share.expires_at - now).total_seconds())))
    url = services.storage.presign_get(key, seconds, filename=recording.filename) if key else outside_url
    media = SharedMedia(url=url, expires_at=now + timedelta(seconds=seconds)) if url else None
    return SharedViewOut(
        title=recording.filename,
        content_type=recording.content_type,
        size=recording.declared_size,
        audio_duration=stored.audio_duration,
        mode=job.mode,
        language=stored.language,
        expires_at=share.expires_at,
        recording="withheld" if not share.include_media else ("included" if media else "unavailable"),
        media=media,
    )


def transcript(token: str, fmt: str, client_ip: str, settings: Settings) -> formats.Export | TranscriptOut:
    """The shared transcript as JSON, or an export (txt, srt, vtt), exactly as its owner's page offers them."""
    _throttle(client_ip, settings)
    with transaction() as s:
        share = _open(s, token, utcnow())
        s.expunge(share)
    return _transcript(share, fmt)
