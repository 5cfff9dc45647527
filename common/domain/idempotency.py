"""Idempotency keys (IETF draft-ietf-httpapi-idempotency-key-header): the first answer to a keyed POST is kept and
replayed to the same user's retries; the same key with another body is 422, and while the first runs, 409.

A first request that dies mid-way (its function killed or timed out) leaves its record in progress. As in Powertools'
idempotency utility, that mark expires a little after the function's own timeout: the next retry then runs the
request again, and only the run holding the latest mark stores its answer. A request that creates something binds it
to the record in the creating transaction (`bind_resource`); a retry after such a death is then answered with that
resource (`replay`), so a killed job creation never becomes two jobs."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

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


# The keyed run in progress in this call stack: (owner, key, its mark). bind_resource writes through it.
_RUN: ContextVar[tuple[uuid.UUID, str, str] | None] = ContextVar("idempotency_run", default=None)


def bind_resource(s: Session, resource_id: uuid.UUID) -> None:
    """In the transaction that creates a keyed request's resource: remember it on the key's record (nothing without a
    key), so that it commits or rolls back with the resource itself."""
    run = _RUN.get()
    if run is None:
        return
    owner_id, key, mark = run
    s.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.key == key, IdempotencyRecord.response == mark)
        .values(resource_id=resource_id)
    )


def run_once(
    owner_id: uuid.UUID,
    key: str,
    operation: str,
    request: bytes,
    produce: Callable[[], Answer],
    replay: Callable[[uuid.UUID], Answer] | None = None,
) -> Answer:
    """`produce`'s answer, computed at most once per (user, key); later calls get the stored one. When a run that
    died had already created its resource, `replay(resource_id)` answers instead of running again."""
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
        created = row.resource_id  # bound by a run that died after creating it
    ours = (*where, IdempotencyRecord.status_code.is_(None), IdempotencyRecord.response == mark)
    token = _RUN.set((owner_id, key, mark))
    try:
        answer = replay(created) if created is not None and replay is not None else produce()
    except BaseException:
        with transaction() as s:  # a failed attempt that created nothing leaves nothing: the client may retry
            s.execute(delete(IdempotencyRecord).where(*ours, IdempotencyRecord.resource_id.is_(None)))
        raise
    finally:
        _RUN.reset(token)
    with transaction() as s:
        s.execute(update(IdempotencyRecord).where(*ours).values(status_code=answer.status, response=answer.body))
    return answer


RETENTION_SECONDS = 24 * 3600  # how long a key is remembered (the draft's advice: at least a day)


def forget_older_than(cutoff: datetime) -> int:
    with transaction() as s:
        return int(s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount)  # type: ignore[attr-defined]
