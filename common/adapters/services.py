"""Adapters built on first use and kept for the container's life, so a cold start imports only what it calls. The
domain sees them through their ports (ports.py): the methods it calls, not boto3 or the provider's SDK."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from common.runtime.config import Settings, get_settings

if TYPE_CHECKING:
    from common.adapters.ports import ObjectStore, SpeechProvider, WebhookSender


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def storage(self) -> ObjectStore:
        from common.adapters.storage import Storage

        return Storage(self.settings)

    @cached_property
    def provider(self) -> SpeechProvider:
        if self.settings.SPEECH_PROVIDER == "speechkit":
            from common.adapters.speechkit import SpeechKit

            return SpeechKit(self.settings)
        from common.adapters.assemblyai import AssemblyAI

        return AssemblyAI(self.settings)

    @cached_property
    def webhooks(self) -> WebhookSender:
        from common.adapters.webhook_sender import HttpWebhookSender

        return HttpWebhookSender(self.settings)


_current: Services | None = None


def current() -> Services:
    """The container's adapters, built once and reused by warm invocations (rebuilt only if settings are reloaded)."""
    global _current
    settings = get_settings()
    if _current is None or _current.settings is not settings:
        _current = Services(settings)
    return _current
