"""Cloud function `jobs`: create, list, read, delete and retry jobs; export, name speakers and search transcripts."""

import uuid

from common.adapters.services import current
from common.domain.errors import BadRequest, PreconditionRequired
from common.edge.api import caller, idempotent, path_id, query_int
from common.edge.http import JSON, Request, Response, Router, json_response
from common.runtime.config import load_settings
from common.runtime.lazy import on_first_use

load_settings("database", "storage", "provider")  # fail the cold start, naming any missing variable
router = Router()
STATUSES = ("pending", "processing", "completed", "failed")
MAX_PAGE = 100  # the spec's `limit` maximum
# Imported by the first request that needs them, not at cold start (SQLAlchemy, pydantic).
job_reads = on_first_use("common.domain.jobs.read_path")
job_creation = on_first_use("common.domain.jobs.create")
job_deletion = on_first_use("common.domain.jobs.delete")
job_retries = on_first_use("common.domain.jobs.retry")
redacted_audio = on_first_use("common.domain.jobs.redacted_audio")
transcript_formats = on_first_use("common.domain.transcripts.formats")
transcript_edits = on_first_use("common.domain.transcripts.edits")
speaker_names = on_first_use("common.domain.transcripts.speakers")
transcript_search = on_first_use("common.domain.transcripts.search")
schemas = on_first_use("common.domain.schemas")


@router.route("POST", "/api/v1/jobs")
def create(req: Request) -> Response:
    user_id = caller(req)

    def created() -> Response:
        return json_response(201, job_creation().create_job(user_id, req.parse(schemas().JobRequest), current()))

    return idempotent(req, user_id, "createJob", created, lambda job_id: _created(user_id, job_id))


@router.route("POST", "/api/v1/imports")
def import_url(req: Request) -> Response:
    user_id = caller(req)

    def created() -> Response:
        return json_response(201, job_creation().import_url(user_id, req.parse(schemas().UrlImport), current()))

    return idempotent(req, user_id, "importUrl", created, lambda job_id: _created(user_id, job_id))


def _created(user_id: uuid.UUID, job_id: uuid.UUID) -> Response:
    """The answer a keyed creation that died mid-way would have given: its job as it stands now."""
    return json_response(201, job_reads().get_job(user_id, job_id))


@router.route("GET", "/api/v1/jobs")
def list_(req: Request) -> Response:
    user_id = caller(req)
    status = req.query.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}", "invalid_status")
    limit = query_int(req, "limit", 20, 1, MAX_PAGE)
    page = job_reads().list_jobs(user_id, status, limit, req.query.get("cursor") or None)
    return Response(200, job_reads().page_json(page), {"Content-Type": JSON})  # what json_response writes, sooner


@router.route("GET", "/api/v1/jobs/{job_id}")
def get(req: Request) -> Response:
    return json_response(200, job_reads().get_job(caller(req), path_id(req, "job_id")))


@router.route("DELETE", "/api/v1/jobs/{job_id}")
def delete(req: Request) -> Response:
    job_deletion().delete_job(caller(req), path_id(req, "job_id"), current())
    return Response(204)


@router.route("POST", "/api/v1/jobs/{job_id}/retry")
def retry(req: Request) -> Response:
    return json_response(200, job_retries().retry_job(caller(req), path_id(req, "job_id"), current()))


@router.route("GET", "/api/v1/jobs/{job_id}/redacted-audio")
def redacted_audio_link(req: Request) -> Response:
    return json_response(200, redacted_audio().redacted_audio_link(caller(req), path_id(req, "job_id"), current()))


@router.route("GET", "/api/v1/jobs/{job_id}/transcript")
def transcript(req: Request) -> Response:
    user_id = caller(req)
    fmt, translation = req.query.get("format", "json"), req.query.get("translation") or None
    result = transcript_formats().transcript(user_id, path_id(req, "job_id"), fmt, translation)
    if isinstance(result, transcript_formats().Export):
        disposition = f'attachment; filename="{result.filename}"'
        return Response(200, result.body, {"Content-Type": result.content_type, "Content-Disposition": disposition})
    return json_response(200, result, {"ETag": f'"{result.version}"'})


def if_match(req: Request) -> int:
    """The version a save edits, from If-Match (the ETag of the transcript it was made on)."""
    raw = (req.header("if-match") or "").strip().removeprefix("W/").strip('"')
    if not raw:
        raise PreconditionRequired("send If-Match with the transcript's ETag, so edits never overwrite each other")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise BadRequest("If-Match must be the transcript's ETag", "invalid_if_match")
    return int(raw)


@router.route("PUT", "/api/v1/jobs/{job_id}/transcript")
def edit(req: Request) -> Response:
    user_id, job_id = caller(req), path_id(req, "job_id")
    job_reads().get_job(user_id, job_id)  # another user's job is 404 whatever the body says
    version, changes = if_match(req), req.parse(schemas().TranscriptEdit).edits
    result = transcript_edits().edit_transcript(user_id, job_id, version, changes)
    return json_response(200, result, {"ETag": f'"{result.version}"'})


@router.route("DELETE", "/api/v1/jobs/{job_id}/transcript/edits")
def revert(req: Request) -> Response:
    user_id, job_id = caller(req), path_id(req, "job_id")
    job_reads().get_job(user_id, job_id)
    result = transcript_edits().revert_transcript(user_id, job_id, if_match(req))
    return json_response(200, result, {"ETag": f'"{result.version}"'})


@router.route("PUT", "/api/v1/jobs/{job_id}/speakers")
def rename_speakers(req: Request) -> Response:
    user_id, job_id = caller(req), path_id(req, "job_id")
    job_reads().get_job(user_id, job_id)  # another user's job is 404 whatever the body says
    names = req.parse(schemas().SpeakerNames).names
    return json_response(200, speaker_names().rename_speakers(user_id, job_id, names))


@router.route("GET", "/api/v1/search")
def search(req: Request) -> Response:
    limit = query_int(req, "limit", 20, 1, 50)
    return json_response(200, transcript_search().search(caller(req), req.query.get("q", ""), limit))


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
