"""Cloud function `jobs`: create, list, read, delete and retry jobs; export, name speakers and search transcripts."""

from types import ModuleType

from common.adapters.services import current
from common.domain.errors import BadRequest, PreconditionRequired
from common.edge.api import caller, idempotent, path_id, query_int
from common.edge.http import JSON, Request, Response, Router, json_response
from common.runtime.config import load_settings

load_settings("database", "storage", "provider")  # fail the cold start, naming any missing variable
router = Router()
STATUSES = ("pending", "processing", "completed", "failed")
MAX_PAGE = 100  # the spec's `limit` maximum


def domain() -> ModuleType:
    """The jobs domain (SQLAlchemy, pydantic), imported by the first request that needs it, not at cold start."""
    from common.domain.jobs import read_path as jobs

    return jobs


@router.route("POST", "/api/v1/jobs")
def create(req: Request) -> Response:
    user_id = caller(req)

    def created() -> Response:
        from common.domain.schemas import JobRequest

        return json_response(201, domain().create_job(user_id, req.parse(JobRequest), current()))

    return idempotent(req, user_id, "createJob", created)


@router.route("POST", "/api/v1/imports")
def import_url(req: Request) -> Response:
    user_id = caller(req)

    def created() -> Response:
        from common.domain.schemas import UrlImport

        return json_response(201, domain().import_url(user_id, req.parse(UrlImport), current()))

    return idempotent(req, user_id, "importUrl", created)


@router.route("GET", "/api/v1/jobs")
def list_(req: Request) -> Response:
    user_id = caller(req)
    status = req.query.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}", "invalid_status")
    limit = query_int(req, "limit", 20, 1, MAX_PAGE)
    jobs = domain()
    page = jobs.list_jobs(user_id, status, limit, req.query.get("cursor") or None)
    return Response(200, jobs.page_json(page), {"Content-Type": JSON})  # what json_response writes, sooner


@router.route("GET", "/api/v1/jobs/{job_id}")
def get(req: Request) -> Response:
    return json_response(200, domain().get_job(caller(req), path_id(req, "job_id")))


@router.route("DELETE", "/api/v1/jobs/{job_id}")
def delete(req: Request) -> Response:
    domain().delete_job(caller(req), path_id(req, "job_id"), current())
    return Response(204)


@router.route("POST", "/api/v1/jobs/{job_id}/retry")
def retry(req: Request) -> Response:
    return json_response(200, domain().retry_job(caller(req), path_id(req, "job_id"), current()))


@router.route("GET", "/api/v1/jobs/{job_id}/transcript")
def transcript(req: Request) -> Response:
    user_id = caller(req)
    jobs = domain()
    result = jobs.transcript(user_id, path_id(req, "job_id"), req.query.get("format", "json"))
    if isinstance(result, jobs.Export):
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
    from common.domain.schemas import TranscriptEdit

    user_id, job_id = caller(req), path_id(req, "job_id")
    domain().get_job(user_id, job_id)  # another user's job is 404 whatever the body says
    version, edits = if_match(req), req.parse(TranscriptEdit).edits
    result = domain().edit_transcript(user_id, job_id, version, edits)
    return json_response(200, result, {"ETag": f'"{result.version}"'})


@router.route("DELETE", "/api/v1/jobs/{job_id}/transcript/edits")
def revert(req: Request) -> Response:
    user_id, job_id = caller(req), path_id(req, "job_id")
    domain().get_job(user_id, job_id)
    result = domain().revert_transcript(user_id, job_id, if_match(req))
    return json_response(200, result, {"ETag": f'"{result.version}"'})


@router.route("PUT", "/api/v1/jobs/{job_id}/speakers")
def rename_speakers(req: Request) -> Response:
    from common.domain.schemas import SpeakerNames

    user_id, job_id = caller(req), path_id(req, "job_id")
    domain().get_job(user_id, job_id)  # another user's job is 404 whatever the body says
    names = req.parse(SpeakerNames).names
    return json_response(200, domain().rename_speakers(user_id, job_id, names))


@router.route("GET", "/api/v1/search")
def search(req: Request) -> Response:
    from common.domain.transcripts.search import search as find

    limit = query_int(req, "limit", 20, 1, 50)
    return json_response(200, find(caller(req), req.query.get("q", ""), limit))


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
