"""Yandex Cloud trigger events (Object Storage, timer) parsed into plain values; anything else is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OBJECT_CREATE = "yandex.cloud.events.storage.ObjectCreate"
TIMER = "yandex.cloud.events.serverless.triggers.TimerMessage"


class EventError(ValueError):
    """The event is not of the shape Yandex Cloud sends."""


@dataclass(frozen=True)
class ObjectCreated:
    event_id: str
    bucket: str
    key: str


def _messages(event: Any) -> list[Mapping[str, Any]]:
    if not isinstance(event, Mapping) or not isinstance(event.get("messages"), list):
        raise EventError("a trigger event has a 'messages' list")
    messages = event["messages"]
    if not all(isinstance(m, Mapping) for m in messages):
        raise EventError("every message is an object")
    return messages


def _type(message: Mapping[str, Any]) -> str:
    meta = message.get("event_metadata")
    return str(meta.get("event_type", "")) if isinstance(meta, Mapping) else ""


def object_creations(event: Any) -> tuple[list[ObjectCreated], list[str]]:
    """The ObjectCreate messages of a storage trigger batch, and a note for each message skipped."""
    created, skipped = [], []
    for message in _messages(event):
        kind = _type(message)
        details = message.get("details")
        if kind != OBJECT_CREATE or not isinstance(details, Mapping):
            skipped.append(kind or "no event_type")
            continue
        bucket, key = details.get("bucket_id"), details.get("object_id")
        if not isinstance(bucket, str) or not isinstance(key, str) or not bucket or not key:
            skipped.append(f"{kind} without bucket_id/object_id")
            continue
        meta = message.get("event_metadata") or {}
        created.append(ObjectCreated(str(meta.get("event_id", "")), bucket, key))
    return created, skipped


def is_timer(event: Any) -> bool:
    try:
        return any(_type(m) == TIMER for m in _messages(event))
    except EventError:
        return False
