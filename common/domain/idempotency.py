"""Idempotency keys (IETF draft-ietf-httpapi-idempotency-key-header): the first answer to a keyed POST is kept and
replayed to the same user's retries; the same key with another body is 422, and while the first runs, 409.

A first request that dies mid-way (its function killed or timed out) leaves its record in progress. As in Powertools'
idempotency utility, that mark expires a little after the function's own timeout: the next retry then runs the
request again, and only the run holding the latest mark stores its answer."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from common.domain.accounts.users import require_user
from common.domain.errors import BadRequest, Conflict, Invalid
from common.runtime.config import get_settings
from common.store.db import transaction
from common.store.dialect import insert_ignore
from common.store.models import IdempotencyRecord, utcnow

_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII: what a client library puts in a header


IN_PROGRESS = "in progress: "  # a record's response while a run holds it, followed by that run's id


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def run_once(owner_id: uuid.UUID, key: str, operation: str, request: bytes, produce: Callable[[], Answer]) -> Answer:
    """`produce`'s answer, computed at most once per (user, key); later calls get the stored one."""
    digest = hashlib.sha256(operation.encode() + b"\0" + request).hexdigest()
    where = (IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.key == key)
    with transaction() as s:
        require_user(s, owner_id)  # a replay must not outlive the account or its sign-out either
        if not _KEY.fullmatch(key):
            raise BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters", "invalid_idempotency_key")
        record = {"owner_id": owner_id, "key": key, "operation": operation, "request_hash": digest}
        s.execute(insert_ignore(s, IdempotencyRecord, record))
        # The row is ours if it has no answer yet and nobody else claimed it: claim it by setting a marker.
        row = s.execute(select(IdempotencyRecord).where(*where)).scalar_one()
        if row.request_hash != digest:
            raise Invalid("this Idempotency-Key was used with a different request", "idempotency_key_reused")
        if row.status_code is not None:
            return Answer(row.status_code, row.response or "")
        now = utcnow()
        abandoned = now - timedelta(seconds=get_settings().IDEMPOTENCY_IN_PROGRESS_SECONDS)
        # The in-progress mark names this run, so a first run that was only slow, not dead, cannot overwrite it.
        mark = f"{IN_PROGRESS}{uuid.uuid4()}"
        claimed = s.execute(
            update(IdempotencyRecord)
            .where(
                *where,
                IdempotencyRecord.status_code.is_(None),
                or_(IdempotencyRecord.response.is_(None), IdempotencyRecord.created_at < abandoned),
            )
            .values(response=mark, created_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed:
            raise Conflict(
                "a request with this Idempotency-Key is still in progress; retry shortly", "request_in_progress"
            )
    ours = (*where, IdempotencyRecord.status_code.is_(None), IdempotencyRecord.response == mark)
    try:
        answer = produce()
    except BaseException:
        with transaction() as s:  # a failed first attempt leaves nothing: the client may retry with the key
            s.execute(delete(IdempotencyRecord).where(*ours))
        raise
    with transaction() as s:
        s.execute(update(IdempotencyRecord).where(*ours).values(status_code=answer.status, response=answer.body))
    return answer


RETENTION_SECONDS = 24 * 3600  # how long a key is remembered (the draft's advice: at least a day)


def forget_older_than(cutoff: datetime) -> int:
    with transaction() as s:
        return int(s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount)  # type: ignore[attr-defined]
