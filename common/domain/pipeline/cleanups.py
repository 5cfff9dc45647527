"""The deletion outbox: enqueue inside a transaction, carry out after commit, retried by the reconciler."""

from __future__ import annotations

from sqlalchemy import and_, delete, or_, select, update

from common.adapters.services import Services
from common.runtime import logs
from common.store.db import transaction
from common.store.models import CleanupTask
from common.store.outbox import PROVIDER_TRANSCRIPT, STORAGE_OBJECT, enqueue

__all__ = ["PROVIDER_TRANSCRIPT", "STORAGE_OBJECT", "enqueue", "run"]


def run(
    services: Services, refs: list[tuple[str, str]] | None = None, limit: int = 100, *, enqueued: bool = False
) -> int:
    """Carry out pending deletions (the given ones, or the oldest `limit`); returns how many succeeded.

    Given ones are looked up first: only those still pending are done. `enqueued`: the caller's committed
    transaction enqueued every one of them, so they are done without the look-up (if a concurrent run did one
    already, doing it again deletes what is already gone).
    """
    if refs is not None and not refs:
        return 0
    if refs and enqueued:
        tasks = list(refs)
    else:
        query = select(CleanupTask.kind, CleanupTask.ref).order_by(CleanupTask.created_at).limit(limit)
        if refs:
            query = query.where(or_(*(and_(CleanupTask.kind == k, CleanupTask.ref == r) for k, r in refs)))
        with transaction() as s:
            tasks = [(str(k), str(r)) for k, r in s.execute(query)]
    done = 0
    for kind, ref in tasks:
        try:
            if kind == PROVIDER_TRANSCRIPT:
                services.provider.delete(ref)
            else:
                services.storage.delete(ref)
        except Exception as exc:
            logs.warn("cleanup_failed", kind=kind, ref=ref, error=str(exc)[:200])
            with transaction() as s:
                s.execute(
                    update(CleanupTask)
                    .where(CleanupTask.kind == kind, CleanupTask.ref == ref)
                    .values(attempts=CleanupTask.attempts + 1, last_error=str(exc)[:1000])
                )
            continue
        with transaction() as s:
            s.execute(delete(CleanupTask).where(CleanupTask.kind == kind, CleanupTask.ref == ref))
        logs.log("cleanup_done", kind=kind, ref=ref)
        done += 1
    return done
