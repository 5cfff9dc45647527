"""Cloud function `files`: what can be uploaded, declare an upload (presigned PUT), get a download link (GET)."""

from common import capabilities, uploads
from common.api import caller, idempotent, path_id
from common.config import load_settings
from common.http import Request, Response, Router, json_response
from common.schemas import FileDeclaration
from common.services import current

load_settings("database", "storage")  # fail the cold start, naming any missing variable
router = Router()


@router.route("POST", "/api/v1/files")
def declare(req: Request) -> Response:
    user_id = caller(req)
    return idempotent(
        req,
        user_id,
        "declareFile",
        lambda: json_response(201, uploads.declare(user_id, req.parse(FileDeclaration), current())),
    )


@router.route("GET", "/api/v1/capabilities")
def capabilities_(req: Request) -> Response:
    return json_response(200, capabilities.describe(current().settings), {"Cache-Control": "max-age=300"})


@router.route("GET", "/api/v1/files/{file_id}/download")
def download(req: Request) -> Response:
    user_id = caller(req)
    return json_response(200, uploads.download_link(user_id, path_id(req, "file_id"), current()))


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
