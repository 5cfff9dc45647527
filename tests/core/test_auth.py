"""Sign-up, sign-in, the current user, locking, and tokens that must not open anything."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import delete

from common.domain.accounts import accounts, jwks
from common.domain.errors import Unauthorized
from common.domain.schemas import Login, Registration
from common.runtime.config import get_settings, with_changes
from common.store.db import transaction
from common.store.models import User
from tests.api import Api, signed_up
from tests.conftest import TEST_ENV, unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
REGISTER, LOGIN, ME = "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/me"


def test_register_login_and_me_return_the_same_user() -> None:
    email = unique_email()
    reg = Api().post(REGISTER, {"email": f"  {email.upper()} ", "password": "long enough pw"})
    assert reg.status == 201
    assert reg.json["user"]["email"] == email  # stored normalised
    assert reg.json["token_type"] == "bearer" and reg.json["expires_in"] > 0

    login = Api().post(LOGIN, {"email": email, "password": "long enough pw"})
    assert login.status == 200
    me = Api(login.json["access_token"]).get(ME)
    assert me.status == 200
    assert me.json["id"] == reg.json["user"]["id"] and me.json["email"] == email


def test_duplicate_email_is_a_conflict_whatever_the_case() -> None:
    email = unique_email()
    assert Api().post(REGISTER, {"email": email, "password": "long enough pw"}).status == 201
    again = Api().post(REGISTER, {"email": email.upper(), "password": "another password"})
    assert again.status == 409 and again.error_code == "email_taken"


def test_wrong_password_and_unknown_email_get_the_same_answer() -> None:
    email = unique_email()
    signed_up(email)
    wrong = Api().post(LOGIN, {"email": email, "password": "not the password"})
    unknown = Api().post(LOGIN, {"email": unique_email(), "password": "not the password"})
    assert wrong.status == unknown.status == 401
    assert wrong.json == unknown.json


def test_repeated_failures_lock_the_account_even_for_the_right_password() -> None:
    email = unique_email()
    signed_up(email, "the right password")
    for _ in range(5):
        assert Api().post(LOGIN, {"email": email, "password": "wrong password"}).status == 401
    locked = Api().post(LOGIN, {"email": email, "password": "the right password"})
    assert locked.status == 429 and locked.error_code == "login_locked"
    assert "minute" in locked.json["error"]["message"]


def test_unknown_emails_lock_exactly_like_real_ones() -> None:
    real, ghost = unique_email(), unique_email()
    signed_up(real)
    answers = {}
    for email in (real, ghost):
        answers[email] = [Api().post(LOGIN, {"email": email, "password": "wrong password"}).status for _ in range(6)]
    assert answers[real] == answers[ghost] == [401] * 5 + [429]


def test_lock_expires_and_a_success_resets_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    email = unique_email()
    signed_up(email, "the right password")
    for _ in range(4):
        Api().post(LOGIN, {"email": email, "password": "wrong password"})
    assert Api().post(LOGIN, {"email": email, "password": "the right password"}).status == 200
    # The success cleared the four failures: four more are still not a lock.
    for _ in range(4):
        Api().post(LOGIN, {"email": email, "password": "wrong password"})
    assert Api().post(LOGIN, {"email": email, "password": "the right password"}).status == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b"", 400, "empty_body"),
        (b"[1, 2]", 400, "malformed_json"),
        (b'{"email": 5, "password": "long enough pw"}', 422, "invalid"),
        (b'{"email": "a@b.co"}', 422, "invalid"),
        (b'{"email": "not-an-email", "password": "long enough pw"}', 422, "invalid"),
        (b'{"email": "a@b.co", "password": "short"}', 422, "invalid"),
        (b'{"email": "a@b.co", "password": "        "}', 422, "invalid"),
        (b'{"email": "a@b.co", "password": "long enough pw", "admin": true}', 422, "invalid"),
    ],
)
def test_bad_registrations_get_clear_errors(body: bytes, status: int, code: str) -> None:
    res = Api().call("POST", REGISTER, body=body, headers={"Content-Type": "application/json"})
    assert res.status == status, res.text
    assert res.error_code == code
    assert res.json["error"]["message"]


def test_validation_message_names_the_field() -> None:
    res = Api().post(REGISTER, {"email": "a@b.co", "password": "short"})
    assert res.json["error"]["message"] == "Password: use at least 8 characters."


@pytest.mark.parametrize(
    ("route", "body"),
    [
        (REGISTER, {"email": "not-an-email", "password": "long enough pw"}),
        (REGISTER, {"email": "a@b.co"}),
        (REGISTER, {"email": 5, "password": "long enough pw"}),
        (REGISTER, {"email": "a@b.co", "password": "long enough pw", "admin": True}),
        ("/api/v1/files", {"filename": "", "content_type": "audio/wav", "size": 0}),
        ("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": "big"}),
        ("/api/v1/jobs", {"file_id": "nope", "mode": "karaoke", "speakers_expected": 50}),
    ],
)
def test_validation_errors_are_sentences_for_people(route: str, body: dict) -> None:
    api = signed_up(unique_email())
    message = api.post(route, body).json["error"]["message"]
    for internal in ("Value error", "Input should", "type=", "pydantic", "[", "loc", "ctx"):
        assert internal not in message, message
    assert message[0].isupper() and message.endswith(".")


def _token(claims: dict, key: str = TEST_ENV["JWT_PRIVATE_KEY"], kid: str = TEST_ENV["JWT_KEY_ID"]) -> str:
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})


def test_tokens_that_must_not_open_anything() -> None:
    """The gateway's authorizer turns each of these away with 401 before any function runs."""
    email = unique_email()
    api = signed_up(email)
    user_id = api.get(ME).json["id"]
    now = datetime.now(UTC)
    good = {
        "sub": user_id,
        "iss": "transcribe",
        "aud": "transcribe-api",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    public_jwk = jwks.public_jwk(TEST_ENV["JWT_PRIVATE_KEY"], TEST_ENV["JWT_KEY_ID"])
    cases = {
        "expired": _token({**good, "exp": int((now - timedelta(seconds=5)).timestamp())}),
        "not yet valid": _token({**good, "nbf": int((now + timedelta(hours=1)).timestamp())}),
        "issued in the future": _token({**good, "iat": int((now + timedelta(hours=1)).timestamp())}),
        "another key, same kid": _token(good, key=jwks.new_private_key_pem()),
        "unknown kid": _token(good, kid="nobody-has-this-key"),
        "no kid": jwt.encode(good, TEST_ENV["JWT_PRIVATE_KEY"], algorithm="ES256"),
        "alg none": jwt.encode(good, None, algorithm="none", headers={"kid": TEST_ENV["JWT_KEY_ID"]}),  # type: ignore[arg-type]
        "HS256 keyed with the public JWK": _forged_hs256(good, public_jwk),
        "wrong issuer": _token({**good, "iss": "someone-else"}),
        "wrong audience": _token({**good, "aud": "another-api"}),
        "no subject": _token({k: v for k, v in good.items() if k != "sub"}),
        "garbage": "abc.def.ghi",
    }
    assert Api(_token(good)).get(ME).status == 200  # the forging recipe itself is right
    for name, token in cases.items():
        res = Api(token).get(ME)
        assert res.status == 401, (name, res.text)
        assert res.json["error"]["code"] == "unauthorized", name
    assert Api().get(ME).status == 401
    assert Api().get(ME, headers={"Authorization": "Basic abc"}).status == 401
    assert Api().get(ME, headers={"Authorization": _token(good)}).status == 401  # the "Bearer " prefix is required


def _forged_hs256(claims: dict, public_jwk: dict) -> str:
    """The classic confusion attack: an HMAC token whose secret is the (public) verification key."""

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = {"alg": "HS256", "typ": "JWT", "kid": TEST_ENV["JWT_KEY_ID"]}
    signing_input = b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode())
    secret = json.dumps(public_jwk, sort_keys=True).encode()  # pyjwt itself refuses to sign with this
    return (signing_input + b"." + b64(hmac.new(secret, signing_input, hashlib.sha256).digest())).decode()


def test_a_deleted_users_token_is_rejected() -> None:
    api = signed_up(unique_email())
    user_id = uuid.UUID(api.get(ME).json["id"])
    with transaction() as s:
        s.execute(delete(User).where(User.id == user_id))
    res = api.get(ME)
    assert res.status == 401 and res.error_code == "invalid_token"  # the token is valid: the function refuses it
    assert api.get("/api/v1/jobs").status == 401


def test_login_time_does_not_reveal_whether_the_email_exists() -> None:
    # Real-cost hashing (10 rounds, ~50 ms) so the hash dominates; at 4 rounds the test could not fail.
    settings = with_changes(get_settings(), BCRYPT_ROUNDS=10, LOGIN_MAX_FAILURES=100)
    email = unique_email()
    accounts.register(Registration(email=email, password="the right password"), settings)

    def timed(address: str) -> float:
        start = time.perf_counter()
        with pytest.raises(Unauthorized):
            accounts.login(Login(email=address, password="wrong password"), settings)
        return time.perf_counter() - start

    known = statistics.median(timed(email) for _ in range(5))
    unknown = statistics.median(timed(unique_email()) for _ in range(5))
    assert 0.5 < unknown / known < 2, (known, unknown)
