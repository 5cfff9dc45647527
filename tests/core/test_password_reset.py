"""Forgotten passwords: a mailed, signed, short-lived, single-use link, through the local Postbox (moto's SES v2 over
HTTP); asking never tells whether an account exists."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from local.cloud import LocalCloud
from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
ASK, CONFIRM = "/api/v1/auth/password-reset", "/api/v1/auth/password-reset/confirm"
ME, LOGIN = "/api/v1/auth/me", "/api/v1/auth/login"
PASSWORD, NEW = "correct horse battery", "a brand new passphrase"


def mail_to(cloud: LocalCloud, email: str) -> list[dict[str, Any]]:
    """What the local mail server holds for `email`, read over HTTP like the developer's page does."""
    with urllib.request.urlopen(f"{cloud.mail_url}/messages.json", timeout=5) as res:
        return [m for m in json.load(res) if email in m["to"]]


def token_from(message: dict[str, Any]) -> str:
    (link,) = message["links"]
    parts = urlsplit(link)
    assert parts.path == "/reset-password" and parts.fragment.startswith("token="), link
    return parts.fragment.removeprefix("token=")


def test_a_mailed_link_sets_a_new_password_once_and_ends_every_session(cloud: LocalCloud) -> None:
    email = unique_email()
    laptop = signed_up(email, PASSWORD)
    res = Api().post(ASK, {"email": email.upper()})  # emails are matched as sign-in matches them
    assert res.status == 202 and "If an account uses this email" in res.json["message"]
    (message,) = mail_to(cloud, email)
    assert message["subject"] == "Reset your Transcribe password"
    assert message["from"] == "Transcribe <noreply@transcribe.local>"
    assert message["links"][0].startswith(cloud.url)  # PUBLIC_BASE_URL: the web app's own page
    token = token_from(message)

    done = Api().post(CONFIRM, {"token": token, "new_password": NEW})
    assert done.status == 200, done.text
    assert done.json["user"]["email"] == email and Api(done.json["access_token"]).get(ME).status == 200
    assert laptop.get(ME).status == 401  # every earlier session ends
    assert Api().post(LOGIN, {"email": email, "password": PASSWORD}).status == 401
    assert Api().post(LOGIN, {"email": email, "password": NEW}).status == 200

    again = Api().post(CONFIRM, {"token": token, "new_password": "yet another passphrase"})
    assert (again.status, again.error_code) == (400, "invalid_reset_token")
    assert "ask for a new one" in again.json["error"]["message"]
    assert Api().post(LOGIN, {"email": email, "password": NEW}).status == 200


def test_an_unknown_email_gets_the_same_answer_and_no_mail(cloud: LocalCloud) -> None:
    known, unknown = unique_email(), unique_email()
    signed_up(known, PASSWORD)
    answers, seconds = [], []
    for email in (known, unknown, known, unknown):
        started = time.perf_counter()
        res = Api().post(ASK, {"email": email})
        seconds.append(time.perf_counter() - started)
        answers.append((res.status, res.text))
    assert len(set(answers)) == 1 and answers[0][0] == 202
    assert mail_to(cloud, unknown) == [] and len(mail_to(cloud, known)) == 2
    assert min(seconds) >= 0.25  # PASSWORD_RESET_ANSWER_SECONDS here: every answer waits for the same floor


def test_a_link_stops_working_once_the_password_changes_another_way(cloud: LocalCloud) -> None:
    email = unique_email()
    api = signed_up(email, PASSWORD)
    Api().post(ASK, {"email": email})
    token = token_from(mail_to(cloud, email)[0])
    assert api.post("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": NEW}).status == 200
    res = Api().post(CONFIRM, {"token": token, "new_password": "yet another passphrase"})
    assert (res.status, res.error_code) == (400, "invalid_reset_token")


def test_expired_forged_and_session_tokens_are_refused() -> None:
    from sqlalchemy import select

    from common.domain.accounts import tokens
    from common.domain.accounts.jwks import new_private_key_pem
    from common.runtime.config import get_settings, with_changes
    from common.store.db import transaction
    from common.store.models import User

    email = unique_email()
    api = signed_up(email, PASSWORD)
    with transaction() as s:
        user_id, password_hash = s.execute(select(User.id, User.password_hash).where(User.email == email)).one()
    settings = get_settings()
    long_ago = datetime.now(UTC) - timedelta(minutes=settings.PASSWORD_RESET_EXPIRE_MINUTES + 1)
    expired = tokens.issue_reset_token(user_id, password_hash, settings, now=long_ago)
    foreign_key = with_changes(settings, JWT_PRIVATE_KEY=new_private_key_pem())
    forged = tokens.issue_reset_token(user_id, password_hash, foreign_key)
    genuine = tokens.issue_reset_token(user_id, password_hash, settings)
    assert api.token is not None
    for token in (expired, forged, api.token, "not a token", genuine[:-6] + "AAAAAA"):
        res = Api().post(CONFIRM, {"token": token, "new_password": NEW})
        assert (res.status, res.error_code) == (400, "invalid_reset_token"), token
    assert Api().post(LOGIN, {"email": email, "password": PASSWORD}).status == 200
    assert Api().post(CONFIRM, {"token": genuine, "new_password": NEW}).status == 200  # the control: it does work


def test_a_reset_link_is_not_a_session_token(cloud: LocalCloud) -> None:
    """The gateway's authorizer takes only access tokens (audience transcribe-api): a leaked link opens nothing."""
    email = unique_email()
    signed_up(email, PASSWORD)
    Api().post(ASK, {"email": email})
    token = token_from(mail_to(cloud, email)[0])
    res = Api(token).get(ME)
    assert res.status == 401


def test_requests_are_throttled_per_email_whoever_asks() -> None:
    email = unique_email()
    signed_up(email, PASSWORD)
    statuses = [Api(client_ip=f"10.0.0.{i}").post(ASK, {"email": email}).status for i in range(6)]
    assert statuses == [202] * 5 + [429]
    other = Api().post(ASK, {"email": unique_email()})
    assert other.status == 202  # another address's inbox is unaffected


def test_bad_input_is_a_clear_error() -> None:
    res = Api().post(ASK, {"email": "not an email"})
    assert res.status == 422 and res.json["error"]["message"]
    res = Api().post(CONFIRM, {"token": "x", "new_password": "password1"})  # the password policy applies
    assert res.status == 422 and "most common passwords" in res.json["error"]["message"]


def test_a_mail_outage_still_gives_the_same_answer(configure_settings: Callable[..., None], cloud: LocalCloud) -> None:
    email = unique_email()
    signed_up(email, PASSWORD)
    configure_settings(MAIL_ENDPOINT_URL="http://127.0.0.1:9")  # nothing listens there
    res = Api().post(ASK, {"email": email})
    assert res.status == 202 and "If an account uses this email" in res.json["message"]
    assert mail_to(cloud, email) == []
