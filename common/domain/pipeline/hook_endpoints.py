"""A user's webhook endpoints and their delivery log: register (the secret is shown once), list, delete, redeliver."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import delete, func, select, update

from common.adapters.services import Services
from common.adapters.url_safety import UnsafeUrl
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, Invalid, NotFound
from common.domain.pipeline import hook_delivery
from common.domain.pipeline.hook_events import iso
from common.domain.schemas import CleanStr, _In
from common.runtime import logs
from common.store.db import transaction
from common.store.models import User, WebhookDelivery, WebhookEndpoint, utcnow

Event = Literal["job.completed", "job.failed"]
EVENTS: tuple[Event, ...] = ("job.completed", "job.failed")
DELIVERIES_SHOWN = 50


class EndpointRequest(_In):
    url: CleanStr = Field(min_length=1, max_length=2048)
    events: list[Event] = Field(default_factory=lambda: list(EVENTS), min_length=1, max_length=2)

    @field_validator("events")
    @classmethod
    def _distinct(cls, events: list[str]) -> list[str]:
        return sorted(set(events))


def new_secret() -> str:
    """24 random bytes, `whsec_` and base64, as the Standard Webhooks libraries expect."""
    return hook_delivery.SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _endpoint(e: WebhookEndpoint) -> dict[str, Any]:
    return {"id": str(e.id), "url": e.url, "events": e.events.split(","), "created_at": iso(e.created_at)}


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "endpoint_id": str(d.endpoint_id),
        "job_id": str(d.job_id) if d.job_id else None,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "next_attempt_at": iso(d.next_attempt_at) if d.next_attempt_at and d.status == "pending" else None,
        "created_at": iso(d.created_at),
        "delivered_at": iso(d.delivered_at) if d.delivered_at else None,
    }


def register(user_id: uuid.UUID, req: EndpointRequest, services: Services) -> dict[str, Any]:
    """A new endpoint, if its URL is safe to call and the user has room; the answer carries the secret, once."""
    try:
        endpoint = services.webhooks.check(req.url)
    except UnsafeUrl as exc:
        raise Invalid(f"This address cannot receive webhooks: {exc}.", "unsafe_webhook_url") from None
    limit = services.settings.OUTGOING_WEBHOOKS_PER_USER
    with transaction() as s:
        require_user(s, user_id)
        s.execute(select(User.id).where(User.id == user_id).with_for_update())  # one registration at a time per user
        held = s.scalar(select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.owner_id == user_id))
        if (held or 0) >= limit:
            raise Conflict(f"You can have at most {limit} webhook endpoints; delete one first.", "too_many_webhooks")
        row = WebhookEndpoint(
            owner_id=user_id, url=endpoint.url, secret=new_secret(), events=",".join(req.events), created_at=utcnow()
        )
        s.add(row)
        s.flush()
        created = {**_endpoint(row), "secret": row.secret}
    logs.log("webhook_endpoint_registered", user=user_id, endpoint=created["id"])
    return created


def list_endpoints(user_id: uuid.UUID) -> dict[str, Any]:
    with transaction() as s:
        require_user(s, user_id)
        rows = s.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.owner_id == user_id).order_by(WebhookEndpoint.created_at)
        ).all()
        return {"items": [_endpoint(e) for e in rows]}


def delete_endpoint(user_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    """The endpoint and its whole delivery log go (pending deliveries are never sent)."""
    with transaction() as s:
        require_user(s, user_id)
        s.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id, _owned_delivery(user_id)))
        gone = s.execute(
            delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.owner_id == user_id)
        ).rowcount  # type: ignore[attr-defined]
        if not gone:
            raise NotFound("no such webhook endpoint", "endpoint_not_found")


def _owned_delivery(user_id: uuid.UUID) -> Any:
    return WebhookDelivery.owner_id == user_id


def list_deliveries(user_id: uuid.UUID, endpoint_id: uuid.UUID) -> dict[str, Any]:
    """The endpoint's latest deliveries, newest first."""
    with transaction() as s:
        require_user(s, user_id)
        owned = s.scalar(
            select(WebhookEndpoint.id).where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.owner_id == user_id)
        )
        if owned is None:
            raise NotFound("no such webhook endpoint", "endpoint_not_found")
        rows = s.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
            .limit(DELIVERIES_SHOWN)
        ).all()
        return {"items": [_delivery(d) for d in rows]}


def redeliver(user_id: uuid.UUID, delivery_id: uuid.UUID, services: Services) -> dict[str, Any]:
    """The same delivery (same id, same body) pending again with a fresh expiry, and one attempt made now."""
    now = utcnow()
    expires = now + timedelta(seconds=services.settings.OUTGOING_WEBHOOK_EXPIRE_SECONDS)
    with transaction() as s:
        require_user(s, user_id)
        found = s.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, _owned_delivery(user_id))
            .values(status="pending", next_attempt_at=now, expires_at=expires, delivered_at=None)
        ).rowcount  # type: ignore[attr-defined]
        if not found:
            raise NotFound("no such webhook delivery", "delivery_not_found")
    hook_delivery.attempt(delivery_id, services, now)
    with transaction() as s:
        return _delivery(s.get_one(WebhookDelivery, delivery_id))
