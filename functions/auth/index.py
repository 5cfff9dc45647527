"""Cloud function `auth`: register, sign in, the signed-in user, sign out everywhere, change the password, reset a
forgotten one by email, delete the account; personal API keys and their exchange for access tokens; the account's
vocabulary (terms and spellings new jobs send)."""

from functools import lru_cache
from typing import TYPE_CHECKING

from common.edge.api import caller, path_id
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
api_keys = on_first_use("common.domain.accounts.api_keys")
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
    accounts().sign_out_everywhere(caller(req, session_only=True))
    return Response(204)


@router.route("POST", "/api/v1/auth/password")
def change_password(req: Request) -> Response:
    user, data = caller(req, session_only=True), req.parse(schemas().PasswordChange)
    return json_response(200, accounts().change_password(user, data, get_settings(), req.source_ip))


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
    user, data = caller(req, session_only=True), req.parse(schemas().AccountDeletion)
    accounts().delete_account(user, data.password, get_settings(), req.source_ip)
    return Response(204)


# Personal API keys: managed by a signed-in person only (a key cannot mint, list or revoke keys), exchanged by anyone
# holding one (a public route, throttled like sign-in).
@router.route("GET", "/api/v1/auth/keys")
def list_keys(req: Request) -> Response:
    return json_response(200, api_keys().list_keys(caller(req, session_only=True)))


@router.route("POST", "/api/v1/auth/keys")
def create_key(req: Request) -> Response:
    user = caller(req, session_only=True)
    return json_response(201, api_keys().create_key(user, req.parse(schemas().ApiKeyRequest)))


@router.route("DELETE", "/api/v1/auth/keys/{key_id}")
def revoke_key(req: Request) -> Response:
    api_keys().revoke_key(caller(req, session_only=True), path_id(req, "key_id"))
    return Response(204)


@router.route("POST", "/api/v1/auth/token")
def exchange_key(req: Request) -> Response:
    return json_response(200, api_keys().exchange(req.parse(schemas().TokenRequest), get_settings(), req.source_ip))


def handler(event: dict, context: object = None) -> dict:
    return router.handle(event, context)
