"""Sign-out everywhere and password changes end earlier sessions; common passwords are refused (R3, R7)."""

from __future__ import annotations

import pytest

from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
ME, LOGIN = "/api/v1/auth/me", "/api/v1/auth/login"
PASSWORD = "correct horse battery"


def test_signing_out_ends_every_earlier_session() -> None:
    email = unique_email()
    phone = signed_up(email, PASSWORD)
    laptop = Api(Api().post(LOGIN, {"email": email, "password": PASSWORD}).json["access_token"])
    assert phone.get(ME).status == laptop.get(ME).status == 200
    assert laptop.post("/api/v1/auth/logout").status == 204
    for api in (phone, laptop):
        res = api.get(ME)
        assert (res.status, res.error_code) == (401, "token_revoked")
        assert api.get("/api/v1/jobs").status == 401
    fresh = Api(Api().post(LOGIN, {"email": email, "password": PASSWORD}).json["access_token"])
    assert fresh.get(ME).status == 200


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions() -> None:
    email = unique_email()
    other_device = signed_up(email, PASSWORD)
    api = Api(Api().post(LOGIN, {"email": email, "password": PASSWORD}).json["access_token"])
    wrong = api.post("/api/v1/auth/password", {"current_password": "not it at all", "new_password": "a new passphrase"})
    assert (wrong.status, wrong.error_code) == (422, "wrong_password")  # the session goes on
    assert api.get(ME).status == 200  # a wrong guess changes nothing
    done = api.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "a new passphrase"})
    assert done.status == 200, done.text
    assert Api(done.json["access_token"]).get(ME).status == 200  # the session that changed it goes on
    assert other_device.get(ME).status == 401 and api.get(ME).status == 401
    assert Api().post(LOGIN, {"email": email, "password": PASSWORD}).status == 401
    assert Api().post(LOGIN, {"email": email, "password": "a new passphrase"}).status == 200


def test_guessing_the_current_password_is_throttled_like_a_sign_in() -> None:
    api = signed_up(unique_email(), PASSWORD)
    body = {"current_password": "a wrong guess", "new_password": "a new passphrase"}
    statuses = [api.post("/api/v1/auth/password", body).status for _ in range(6)]
    assert statuses == [422] * 5 + [429]


@pytest.mark.parametrize("password", ["password1", "Password1", "qwertyuiop", "iloveyou", "1234567890", "baseball"])
def test_common_passwords_are_refused_with_a_reason(password: str) -> None:
    res = Api().post("/api/v1/auth/register", {"email": unique_email(), "password": password})
    assert res.status == 422 and "most common passwords" in res.json["error"]["message"]
    api = signed_up(unique_email(), PASSWORD)
    res = api.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": password})
    assert res.status == 422


def test_no_composition_rules_a_long_lowercase_phrase_is_fine() -> None:
    res = Api().post("/api/v1/auth/register", {"email": unique_email(), "password": "just lowercase words here"})
    assert res.status == 201


def test_a_hash_below_todays_cost_is_upgraded_at_the_next_sign_in(configure_settings) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from common.store.db import transaction
    from common.store.models import User

    email = unique_email()
    signed_up(email, PASSWORD)  # made at the suite's cost, 4
    configure_settings(BCRYPT_ROUNDS="5")
    assert Api().post(LOGIN, {"email": email, "password": PASSWORD}).status == 200
    with transaction() as s:
        assert s.scalar(select(User.password_hash).where(User.email == email)).startswith("$2b$05$")
    assert Api().post(LOGIN, {"email": email, "password": PASSWORD}).status == 200


def test_passwords_longer_than_bcrypts_72_bytes_count_in_full() -> None:
    email, base = unique_email(), "\u043f" * 40  # 80 bytes in UTF-8
    assert Api().post("/api/v1/auth/register", {"email": email, "password": base + "A"}).status == 201
    assert Api().post(LOGIN, {"email": email, "password": base + "B"}).status == 401
    assert Api().post(LOGIN, {"email": email, "password": base + "A"}).status == 200
