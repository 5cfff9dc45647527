"""Cloud function `reconcile` (timer): poll silent jobs, resubmit stalled claims, start queued, expire uploads."""

from types import ModuleType

from common.adapters.services import current
from common.edge import events
from common.runtime import logs
from common.runtime.config import load_settings

load_settings("database", "storage", "provider")  # fail the cold start, naming any missing variable


def _pipeline() -> ModuleType:
    """The pipeline (SQLAlchemy, pydantic), imported by the first event, not at cold start."""
    from common.domain.pipeline import pipeline

    return pipeline


def handler(event: dict, context: object = None) -> dict:
    if not events.is_timer(event):
        logs.warn("reconcile_unexpected_event")
    report = _pipeline().reconcile(current())
    return {k: v for k, v in report.__dict__.items()}
