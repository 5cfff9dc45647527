"""The outboxes' write side: what must go outside the database (a stored object, a provider's copy, a webhook to a
user's endpoint), written in the same transaction as the change that needs it. Carrying it out is `cleanups.run`
(storage and provider) and `hook_delivery.deliver_due` (webhooks), both after commit and again from the timer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from common.store.dialect import insert_ignore
from common.store.models import CleanupTask, WebhookDelivery

PROVIDER_TRANSCRIPT = "provider_transcript"
STORAGE_OBJECT = "storage_object"


def enqueue(s: Session, kind: str, ref: str) -> None:
    s.execute(insert_ignore(s, CleanupTask, {"kind": kind, "ref": ref}))


def enqueue_deliveries(s: Session, deliveries: list[dict[str, Any]]) -> None:
    """Webhook deliveries (rows of WebhookDelivery), in the transaction of the job transition they announce: the
    transition's conditional UPDATE is won once, so each event is written once, however often its cause repeats."""
    if deliveries:
        s.execute(insert(WebhookDelivery), deliveries)
