"""Cloud function `auth`: register, sign in, the signed-in user, sign out everywhere, change the password, reset a
forgotten one by email, delete the account, and the account's vocabulary (terms and spellings new jobs send)."""

from functools import lru_cache
from typing import TYPE_CHECKING

from common.edge.api import caller
from common.edge.http import Request, Response, Router, json_response
from common.runtime.config import Settings, get_settings, load_settings
from common.runtime.lazy import on_first_use

if TYPE_CHECKING:
    from common.adapters.postbox import Postbox

load_settings("database", "tokens", "mail")  # fail the cold start, naming any missing variable
router = Router()
# Imported by the first request that needs them, not at cold start (SQLAlchemy, pydantic, bcrypt).
accounts = on_first_use("common.domain.accounts.accounts")
password_reset = on_first_use("common.domain.accounts.password_reset")
vocabulary = on_first_use("common.domain.accounts.vocabulary")
schemas = on_first_use("common.domain.schemas")


@router.route("POST", "/api/v1/auth/register")
def register(req: Request) -> Response:
    return json_response(201, accounts().register(req.parse(schemas().Registration), get_settings()))


@router.route("POST", "/api/v1/auth/login")
def login(req: Request) -> Response:
    return json_response(200, accounts().login(req.parse(schemas().Login), get_settings(), req.source_ip))


@router.route("GET", "/api/v1/auth/me")
def me(req: Request) -> Response:
    return json_response(200, accounts().me(caller(req)))


@router.route("PATCH", "/api/v1/auth/me")
def change_profile(req: Request) -> Response:
    return json_response(200, accounts().change_profile(caller(req), req.parse(schemas().ProfileChange)))


@router.route("POST", "/api/v1/auth/logout")
def logout(req: Request) -> Response:
    accounts().sign_out_everywhere(caller(req))
    return Response(204)


@router.route("POST", "/api/v1/auth/password")
def change_password(req: Request) -> Response:
    data = req.parse(schemas().PasswordChange)
    return json_response(200, accounts().change_password(caller(req), data, get_settings(), req.source_ip))


@router.route("GET", "/api/v1/vocabulary")
def get_vocabulary(req: Request) -> Response:
    return json_response(200, vocabulary().get_vocabulary(caller(req)))


@router.route("PUT", "/api/v1/vocabulary")
def put_vocabulary(req: Request) -> Response:
    return json_response(200, vocabulary().put_vocabulary(caller(req), req.parse(schemas().VocabularyIn)))


@lru_cache(maxsize=1)
def postbox(settings: Settings) -> "Postbox":
    """Postbox's client (boto3), built by the first reset request of this container (again if settings change)."""
    from common.adapters.postbox import Postbox

    return Postbox(settings)


@router.route("POST", "/api/v1/auth/password-reset")
def request_password_reset(req: Request) -> Response:
    data = req.parse(schemas().PasswordResetRequest)
    return json_response(
        202, password_reset().request_reset(data, get_settings(), req.source_ip, lambda: postbox(get_settings()))
    )


@router.route("POST", "/api/v1/auth/password-reset/confirm")
def reset_password(req: Request) -> Response:
    return json_response(200, password_reset().reset_password(req.parse(schemas().PasswordReset), get_settings()))


@router.route("DELETE", "/api/v1/auth/me")
def delete_account(req: Request) -> Response:
    data = req.parse(schemas().AccountDeletion)
    accounts().delete_account(caller(req), data.password, get_settings(), req.source_ip)
    return Response(204)


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
