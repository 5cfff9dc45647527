"""Cloud function `upload_trigger`: Object Storage ObjectCreate events → uploaded files → started jobs."""

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
    created, skipped = events.object_creations(event)
    for note in skipped:
        logs.warn("trigger_message_skipped", reason=note)
    failures = []
    for item in created:
        try:
            outcome = _pipeline().handle_upload(item.bucket, item.key, current())
            logs.log("trigger_object", event_id=item.event_id, key=item.key, outcome=outcome)
        except Exception as exc:  # the rest of the batch still runs; the raise below makes the trigger retry
            logs.error("trigger_object_failed", event_id=item.event_id, key=item.key, error=repr(exc)[:300])
            failures.append(item.key)
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(created)} object event(s) failed; the trigger will retry")
    return {"processed": len(created), "skipped": len(skipped)}
