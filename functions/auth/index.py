"""Cloud function `auth`: register, sign in, the signed-in user, sign out everywhere, change the password."""

from common import accounts
from common.api import caller
from common.config import get_settings, load_settings
from common.http import Request, Response, Router, json_response
from common.schemas import Login, PasswordChange, Registration

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


@router.route("POST", "/api/v1/auth/logout")
def logout(req: Request) -> Response:
    accounts.sign_out_everywhere(caller(req))
    return Response(204)


@router.route("POST", "/api/v1/auth/password")
def change_password(req: Request) -> Response:
    data = req.parse(PasswordChange)
    return json_response(200, accounts.change_password(caller(req), data, get_settings(), req.source_ip))


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
