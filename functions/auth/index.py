"""Cloud function `auth`: register, login, me."""

from common import accounts
from common.api import caller
from common.config import get_settings, load_settings
from common.http import Request, Response, Router, json_response
from common.schemas import Login, Registration

load_settings("database", "tokens")  # fail the cold start, naming any missing variable
router = Router()


@router.route("POST", "/api/v1/auth/register")
def register(req: Request) -> Response:
    return json_response(201, accounts.register(req.parse(Registration), get_settings()))


@router.route("POST", "/api/v1/auth/login")
def login(req: Request) -> Response:
    return json_response(200, accounts.login(req.parse(Login), get_settings(), req.source_ip))


@router.route("GET", "/api/v1/auth/me")
def me(req: Request) -> Response:
    return json_response(200, accounts.me(caller(req)))


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
