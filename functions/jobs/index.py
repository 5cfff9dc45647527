"""Cloud function `jobs`: create, list, read, delete and retry jobs; export, name speakers (and their voices) and
search transcripts; the webhook endpoints that hear of jobs ending, and their deliveries; share a transcript by link,
and show it through the link (public routes, no account); the folders jobs are kept in."""

import uuid

from common.adapters.services import current
from common.domain.errors import BadRequest, NotFound, PreconditionRequired
from common.edge.api import caller, idempotent, path_id, query_int
from common.edge.http import JSON, Request, Response, Router, json_response
from common.edge.public import unindexed
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
folders = on_first_use("common.domain.jobs.folders")
redacted_audio = on_first_use("common.domain.jobs.redacted_audio")
transcript_formats = on_first_use("common.domain.transcripts.formats")
transcript_edits = on_first_use("common.domain.transcripts.edits")
speaker_names = on_first_use("common.domain.transcripts.speakers")
transcript_search = on_first_use("common.domain.transcripts.search")
voice_directory = on_first_use("common.domain.transcripts.voices")
schemas = on_first_use("common.domain.schemas")
hooks = on_first_use("common.domain.pipeline.hook_endpoints")
shares = on_first_use("common.domain.transcripts.shares")
shared = on_first_use("common.domain.transcripts.shared")


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
    page = job_reads().list_jobs(user_id, status, limit, req.query.get("cursor") or None, folder_filter(req))
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
    return _transcript_response(result)


def _transcript_response(result: object) -> Response:
    """A transcript as JSON (its version the ETag), or an export as an attachment named after the recording."""
    if isinstance(result, transcript_formats().Export):
        disposition = f'attachment; filename="{result.filename}"'
        return Response(200, result.body, {"Content-Type": result.content_type, "Content-Disposition": disposition})
    return json_response(200, result, {"ETag": f'"{getattr(result, "version", 1)}"'})


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


@router.route("GET", "/api/v1/voices")
def list_voices(req: Request) -> Response:
    return json_response(200, schemas().VoicesOut(items=voice_directory().list_voices(caller(req))))


@router.route("DELETE", "/api/v1/voices/{voice_id}")
def delete_voice(req: Request) -> Response:
    voice_directory().delete_voice(caller(req), path_id(req, "voice_id"))
    return Response(204)


@router.route("GET", "/api/v1/search")
def search(req: Request) -> Response:
    limit = query_int(req, "limit", 20, 1, 50)
    found = transcript_search().search(caller(req), req.query.get("q", ""), limit, folder_filter(req))
    return json_response(200, found)


def folder_filter(req: Request) -> uuid.UUID | None:
    """`?folder=<id>`: only the jobs in that folder of the caller's; a malformed id is as unknown as a missing one."""
    raw = req.query.get("folder") or None
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("no such folder", "folder_not_found") from None


@router.route("GET", "/api/v1/folders")
def list_folders(req: Request) -> Response:
    return json_response(200, folders().list_folders(caller(req)))


@router.route("POST", "/api/v1/folders")
def create_folder(req: Request) -> Response:
    user_id = caller(req)
    return json_response(201, folders().create_folder(user_id, req.parse(schemas().FolderName).name))


@router.route("PATCH", "/api/v1/folders/{folder_id}")
def rename_folder(req: Request) -> Response:
    user_id, folder_id = caller(req), path_id(req, "folder_id")
    folders().check_owner(user_id, folder_id)  # another user's folder is 404 whatever the body says
    return json_response(200, folders().rename_folder(user_id, folder_id, req.parse(schemas().FolderName).name))


@router.route("DELETE", "/api/v1/folders/{folder_id}")
def delete_folder(req: Request) -> Response:
    """A folder that holds jobs goes only with `?jobs=keep` (they leave it) or `?jobs=delete` (they are deleted)."""
    user_id, folder_id = caller(req), path_id(req, "folder_id")
    choice = req.query.get("jobs") or None
    if choice not in (None, "keep", "delete"):
        raise BadRequest("jobs must be keep or delete", "invalid_jobs_choice")
    folders().delete_folder(user_id, folder_id, choice, current())
    return Response(204)


@router.route("PUT", "/api/v1/jobs/{job_id}/folder")
def move_job(req: Request) -> Response:
    user_id, job_id = caller(req), path_id(req, "job_id")
    job_reads().get_job(user_id, job_id)  # another user's job is 404 whatever the body says
    folder_id = req.parse(schemas().JobFolderMove).folder_id
    return json_response(200, folders().move_job(user_id, job_id, folder_id))


@router.route("GET", "/api/v1/webhook-endpoints")
def list_webhooks(req: Request) -> Response:
    return json_response(200, hooks().list_endpoints(caller(req)))


@router.route("POST", "/api/v1/webhook-endpoints")
def register_webhook(req: Request) -> Response:
    user_id = caller(req)
    return json_response(201, hooks().register(user_id, req.parse(hooks().EndpointRequest), current()))


@router.route("DELETE", "/api/v1/webhook-endpoints/{endpoint_id}")
def delete_webhook(req: Request) -> Response:
    hooks().delete_endpoint(caller(req), path_id(req, "endpoint_id"))
    return Response(204)


@router.route("GET", "/api/v1/webhook-endpoints/{endpoint_id}/deliveries")
def webhook_deliveries(req: Request) -> Response:
    return json_response(200, hooks().list_deliveries(caller(req), path_id(req, "endpoint_id")))


@router.route("POST", "/api/v1/webhook-deliveries/{delivery_id}/redeliver")
def redeliver(req: Request) -> Response:
    return json_response(200, hooks().redeliver(caller(req), path_id(req, "delivery_id"), current()))


@router.route("POST", "/api/v1/jobs/{job_id}/shares")
def create_share(req: Request) -> Response:
    user_id, job_id = caller(req), path_id(req, "job_id")
    return json_response(201, shares().create_share(user_id, job_id, req.parse(shares().ShareRequest)))


@router.route("GET", "/api/v1/jobs/{job_id}/shares")
def list_shares(req: Request) -> Response:
    return json_response(200, shares().list_shares(caller(req), path_id(req, "job_id")))


@router.route("DELETE", "/api/v1/jobs/{job_id}/shares/{share_id}")
def revoke_share(req: Request) -> Response:
    user_id, job_id = caller(req), path_id(req, "job_id")
    try:
        share_id: uuid.UUID | None = uuid.UUID(req.path_params.get("share_id", ""))
    except ValueError:  # looked at after the job, so another user's job is `job_not_found` whatever the link
        share_id = None
    shares().revoke_share(user_id, job_id, share_id)
    return Response(204)


# The reader's routes: no bearer token, the link's token is the key (shared.py says how it is checked).
@router.route("GET", "/api/v1/shared/{token}")
@unindexed
def shared_view(req: Request) -> Response:
    return json_response(200, shared().view(req.path_params.get("token", ""), req.source_ip, current()))


@router.route("GET", "/api/v1/shared/{token}/transcript")
@unindexed
def shared_transcript(req: Request) -> Response:
    return _shared_answer(req, "json")


@router.route("GET", "/api/v1/shared/{token}/export")
@unindexed
def shared_export(req: Request) -> Response:
    return _shared_answer(req, req.query.get("format", "txt"))


def _shared_answer(req: Request, fmt: str) -> Response:
    result = shared().transcript(req.path_params.get("token", ""), fmt, req.source_ip, current().settings)
    return _transcript_response(result)


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
