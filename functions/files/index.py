"""Cloud function `files`: what can be uploaded, declare an upload (presigned PUT), get a download link (GET)."""

from types import ModuleType

from common.adapters.services import current
from common.edge.api import caller, idempotent, path_id
from common.edge.http import Request, Response, Router, json_response
from common.runtime.config import load_settings

load_settings("database", "storage")  # fail the cold start, naming any missing variable
router = Router()


def domain() -> ModuleType:
    """Uploads (SQLAlchemy, pydantic), imported by the first request that needs them, not at cold start."""
    from common.domain.uploads import uploads

    return uploads


@router.route("POST", "/api/v1/files")
def declare(req: Request) -> Response:
    user_id = caller(req)

    def declared() -> Response:
        from common.domain.schemas import FileDeclaration

        return json_response(201, domain().declare(user_id, req.parse(FileDeclaration), current()))

    return idempotent(req, user_id, "declareFile", declared)


@router.route("GET", "/api/v1/capabilities")
def capabilities_(req: Request) -> Response:
    from common.domain.pipeline import capabilities

    return json_response(200, capabilities.describe(current().settings), {"Cache-Control": "max-age=300"})


@router.route("GET", "/api/v1/files/{file_id}/download")
def download(req: Request) -> Response:
    user_id = caller(req)
    return json_response(200, domain().download_link(user_id, path_id(req, "file_id"), current()))


@router.route("PATCH", "/api/v1/files/{file_id}")
def rename(req: Request) -> Response:
    from common.domain.schemas import FileRename

    user_id, file_id = caller(req), path_id(req, "file_id")
    uploads = domain()
    with_owner = uploads.owned_file_out(user_id, file_id)  # another user's file is 404 whatever the body says
    return json_response(200, uploads.rename(user_id, with_owner.id, req.parse(FileRename).filename))


@router.route("POST", "/api/v1/files/{file_id}/parts")
def part_urls(req: Request) -> Response:
    from common.domain.schemas import PartNumbers

    user_id, file_id = caller(req), path_id(req, "file_id")
    domain().owned_file_out(user_id, file_id)  # another user's file is 404 whatever the body says
    numbers = req.parse(PartNumbers).part_numbers
    return json_response(200, domain().part_urls(user_id, file_id, numbers, current()))


@router.route("POST", "/api/v1/files/{file_id}/complete")
def complete(req: Request) -> Response:
    from common.domain.schemas import MultipartCompletion

    user_id, file_id = caller(req), path_id(req, "file_id")
    domain().owned_file_out(user_id, file_id)
    data = req.parse(MultipartCompletion)
    return json_response(200, domain().complete_multipart(user_id, file_id, data, current()))


@router.route("DELETE", "/api/v1/files/{file_id}/upload")
def abort(req: Request) -> Response:
    domain().abort_multipart(caller(req), path_id(req, "file_id"), current())
    return Response(204)


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
