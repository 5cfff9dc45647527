"""Cloud function `reconcile` (timer): poll silent jobs, resubmit stalled claims, start queued, expire uploads."""

from common.adapters.services import current
from common.edge import events
from common.runtime import iam, logs
from common.runtime.config import load_settings
from common.runtime.lazy import on_first_use

load_settings("database", "storage", "provider")  # fail the cold start, naming any missing variable
sweep = on_first_use("common.domain.uploads.reconcile")  # SQLAlchemy, pydantic: with the first event, not cold


def handler(event: dict, context: object = None) -> dict:
    iam.remember(context)  # SpeechKit is called with the function's own IAM token
    if not events.is_timer(event):
        logs.warn("reconcile_unexpected_event")
    report = sweep().reconcile(current())
    return {k: v for k, v in report.__dict__.items()}
