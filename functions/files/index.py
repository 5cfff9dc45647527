"""Cloud function `files`: what can be uploaded, declare an upload (presigned PUT), get a download link (GET)."""

from common.adapters.services import current
from common.edge.api import caller, idempotent, path_id
from common.edge.http import Request, Response, Router, json_response
from common.runtime.config import load_settings
from common.runtime.lazy import on_first_use

load_settings("database", "storage")  # fail the cold start, naming any missing variable
router = Router()
# Imported by the first request that needs them, not at cold start (SQLAlchemy, pydantic).
uploads = on_first_use("common.domain.uploads.uploads")
capabilities = on_first_use("common.domain.pipeline.capabilities")
schemas = on_first_use("common.domain.schemas")


@router.route("POST", "/api/v1/files")
def declare(req: Request) -> Response:
    user_id = caller(req)

    def declared() -> Response:
        return json_response(201, uploads().declare(user_id, req.parse(schemas().FileDeclaration), current()))

    return idempotent(req, user_id, "declareFile", declared)


@router.route("GET", "/api/v1/capabilities")
def capabilities_(req: Request) -> Response:
    return json_response(200, capabilities().describe(current().settings), {"Cache-Control": "max-age=300"})


@router.route("GET", "/api/v1/files/{file_id}/download")
def download(req: Request) -> Response:
    user_id = caller(req)
    return json_response(200, uploads().download_link(user_id, path_id(req, "file_id"), current()))


@router.route("PATCH", "/api/v1/files/{file_id}")
def rename(req: Request) -> Response:
    user_id, file_id = caller(req), path_id(req, "file_id")
    with_owner = uploads().owned_file_out(user_id, file_id)  # another user's file is 404 whatever the body says
    return json_response(200, uploads().rename(user_id, with_owner.id, req.parse(schemas().FileRename).filename))


@router.route("POST", "/api/v1/files/{file_id}/parts")
def part_urls(req: Request) -> Response:
    user_id, file_id = caller(req), path_id(req, "file_id")
    uploads().owned_file_out(user_id, file_id)  # another user's file is 404 whatever the body says
    numbers = req.parse(schemas().PartNumbers).part_numbers
    return json_response(200, uploads().part_urls(user_id, file_id, numbers, current()))


@router.route("GET", "/api/v1/files/{file_id}/parts")
def uploaded_parts(req: Request) -> Response:
    return json_response(200, uploads().uploaded_parts(caller(req), path_id(req, "file_id"), current()))


@router.route("POST", "/api/v1/files/{file_id}/complete")
def complete(req: Request) -> Response:
    user_id, file_id = caller(req), path_id(req, "file_id")
    uploads().owned_file_out(user_id, file_id)
    data = req.parse(schemas().MultipartCompletion)
    return json_response(200, uploads().complete_multipart(user_id, file_id, data, current()))


@router.route("DELETE", "/api/v1/files/{file_id}/upload")
def abort(req: Request) -> Response:
    uploads().abort_multipart(caller(req), path_id(req, "file_id"), current())
    return Response(204)


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
