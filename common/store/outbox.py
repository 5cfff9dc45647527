"""The deletion outbox's write side: what must go outside the database (a stored object, a provider's copy), written
in the same transaction as the change that needs it. Carrying it out is `cleanups.run` (storage and provider)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.store.dialect import insert_ignore
from common.store.models import CleanupTask

PROVIDER_TRANSCRIPT = "provider_transcript"
STORAGE_OBJECT = "storage_object"


def enqueue(s: Session, kind: str, ref: str) -> None:
    s.execute(insert_ignore(s, CleanupTask, {"kind": kind, "ref": ref}))
