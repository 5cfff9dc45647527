"""Cloud function `assemblyai_webhook`: AssemblyAI's transcript-ready callback, checked by a secret header."""

import hmac

from common.adapters.assemblyai import WEBHOOK_PATH, WEBHOOK_SECRET_HEADER
from common.adapters.services import current
from common.domain.errors import Unauthorized
from common.edge.http import Request, Response, Router, json_response
from common.runtime.config import load_settings
from common.runtime.lazy import on_first_use

load_settings("database", "storage", "provider", "webhook")  # fail the cold start, naming any missing variable
router = Router()
pipeline = on_first_use("common.domain.pipeline.pipeline")  # SQLAlchemy, pydantic: with the first event, not cold


@router.route("POST", WEBHOOK_PATH)
def transcript_ready(req: Request) -> Response:
    given = (req.header(WEBHOOK_SECRET_HEADER) or "").encode()
    if not hmac.compare_digest(given, current().settings.WEBHOOK_SECRET.encode()):
        raise Unauthorized("wrong or missing webhook secret", "bad_webhook_secret")
    body = req.json()
    transcript_id = body.get("transcript_id") if isinstance(body, dict) else None
    # The second notification, when a redacted recording is ready, names no transcript (RedactedAudioNotification).
    redacted = isinstance(body, dict) and body.get("status") == "redacted_audio_ready" and transcript_id is None
    outcome = pipeline().handle_webhook(
        req.query.get("job_id"), transcript_id, current(), redacted_audio_ready=redacted
    )
    return json_response(200, {"ok": True, "detail": outcome})


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
