"""Sending the webhook outbox: each due delivery is claimed (a conditional UPDATE), signed in the Standard Webhooks
style, POSTed to the address that passes the SSRF check at that moment, and recorded: succeeded on a 2xx, otherwise
tried again with exponential backoff until it expires, then failed. Run by the reconcile timer, bounded per run."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from common.adapters.ports import WebhookAnswer
from common.adapters.services import Services
from common.adapters.url_safety import UnsafeUrl
from common.runtime import logs
from common.store.db import transaction
from common.store.models import WebhookDelivery, WebhookEndpoint, utcnow

Delivery = WebhookDelivery
MAX_BACKOFF = timedelta(hours=1)
SECRET_PREFIX = "whsec_"
KEPT_FOR = timedelta(days=30)  # a finished delivery stays in the log this long


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}", keyed by the secret's base64-decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{delivery_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(mac).decode()}"


def headers(secret: str, delivery_id: str, body: bytes) -> dict[str, str]:
    timestamp = int(time.time())  # the wall clock: receivers refuse a timestamp far from theirs
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, delivery_id, timestamp, body),
    }


def backoff(attempt: int, base_seconds: float) -> timedelta:
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempt - 1)), MAX_BACKOFF)


def deliver_due(services: Services, now: datetime | None = None) -> int:
    """Attempt the deliveries that are due, oldest first, within the run's bounds; how many succeeded."""
    settings = services.settings
    now = now or utcnow()
    started = time.monotonic()
    with transaction() as s:
        due = s.scalars(
            select(Delivery.id)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at)
            .limit(settings.OUTGOING_WEBHOOK_SENDS_PER_RUN)
        ).all()
    succeeded = 0
    for delivery_id in due:
        if time.monotonic() - started > settings.OUTGOING_WEBHOOK_RUN_SECONDS:
            break  # the next run goes on from here
        succeeded += attempt(delivery_id, services, now) == "succeeded"
    return succeeded


def attempt(delivery_id: uuid.UUID, services: Services, now: datetime) -> str | None:
    """One attempt at a due delivery, if this caller wins it; its status afterwards (None: not ours to send)."""
    settings = services.settings
    # The claim moves the next attempt past this one's longest run, so a concurrent run does not send it too.
    lease = now + timedelta(seconds=2 * settings.OUTGOING_WEBHOOK_TIMEOUT_SECONDS + 30)
    with transaction() as s:
        claimed = s.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .values(attempts=Delivery.attempts + 1, next_attempt_at=lease)
            .returning(Delivery.attempts, Delivery.payload, Delivery.expires_at, Delivery.endpoint_id)
        ).first()
        if claimed is None:
            return None
        url, secret = s.execute(
            select(WebhookEndpoint.url, WebhookEndpoint.secret).where(WebhookEndpoint.id == claimed.endpoint_id)
        ).one()
    body = claimed.payload.encode()
    try:
        endpoint = services.webhooks.check(url)  # again now: the name may point elsewhere than at registration
    except UnsafeUrl as exc:
        answer = WebhookAnswer(None, f"not sent: {exc}")
    else:
        answer = services.webhooks.post(endpoint, body, headers(secret, str(delivery_id), body))
    ok = answer.status is not None and 200 <= answer.status < 300
    if ok:
        values: dict[str, object] = {"status": "succeeded", "delivered_at": now, "next_attempt_at": None}
    elif now >= claimed.expires_at:
        values = {"status": "failed", "next_attempt_at": None}
    else:
        retry_at = now + backoff(claimed.attempts, settings.OUTGOING_WEBHOOK_RETRY_BASE_SECONDS)
        values = {"next_attempt_at": min(retry_at, claimed.expires_at)}
    error = None if ok else answer.error or f"the endpoint answered {answer.status}"
    with transaction() as s:
        s.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == "pending")
            .values(last_status_code=answer.status, last_error=error, **values)
        )
    status = str(values.get("status", "pending"))
    logs.log("webhook_attempt", delivery=delivery_id, attempt=claimed.attempts, code=answer.status, outcome=status)
    return status


def forget_finished(now: datetime, limit: int = 1000) -> int:
    """Drop deliveries that ended (succeeded or failed) more than KEPT_FOR ago, a bounded batch per run."""
    old = (
        select(Delivery.id)
        .where(Delivery.status != "pending", Delivery.created_at < now - KEPT_FOR)
        .order_by(Delivery.created_at)
        .limit(limit)
    )
    with transaction() as s:
        return int(s.execute(delete(Delivery).where(Delivery.id.in_(old))).rowcount)  # type: ignore[attr-defined]
