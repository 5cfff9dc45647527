"""Cloud function `upload_trigger`: Object Storage ObjectCreate events → uploaded files → started jobs."""

from common.adapters.services import current
from common.edge import events
from common.runtime import iam, logs
from common.runtime.config import load_settings
from common.runtime.lazy import on_first_use

load_settings("database", "storage", "provider")  # fail the cold start, naming any missing variable
accept = on_first_use("common.domain.uploads.accept")  # SQLAlchemy, pydantic: with the first event, not cold


def handler(event: dict, context: object = None) -> dict:
    iam.remember(context)  # SpeechKit is called with the function's own IAM token
    created, skipped = events.object_creations(event)
    for note in skipped:
        logs.warn("trigger_message_skipped", reason=note)
    failures = []
    for item in created:
        try:
            outcome = accept().handle_upload(item.bucket, item.key, current())
            logs.log("trigger_object", event_id=item.event_id, key=item.key, outcome=outcome)
        except Exception as exc:  # the rest of the batch still runs; the raise below makes the trigger retry
            logs.error("trigger_object_failed", event_id=item.event_id, key=item.key, error=repr(exc)[:300])
            failures.append(item.key)
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(created)} object event(s) failed; the trigger will retry")
    return {"processed": len(created), "skipped": len(skipped)}
