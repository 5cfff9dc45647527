"""Cloud function `reconcile` (timer): poll silent jobs, resubmit stalled claims, start queued, expire uploads."""

from common import events, logs, pipeline
from common.config import load_settings
from common.services import current

load_settings("database", "storage", "provider")  # fail the cold start, naming any missing variable


def handler(event: dict, context: object = None) -> dict:
    if not events.is_timer(event):
        logs.warn("reconcile_unexpected_event")
    report = pipeline.reconcile(current())
    return {k: v for k, v in report.__dict__.items()}
