"""The web app's language on the account: chosen at sign-up, changed by the app's switch, and the language the
password-reset mail is written in."""

# ruff: noqa: RUF001  (Russian text: its Cyrillic letters are meant)

from __future__ import annotations

import urllib.request

import pytest

from local.cloud import LocalCloud
from tests.api import Api
from tests.conftest import unique_email
from tests.core.test_password_reset import ASK, mail_to

pytestmark = pytest.mark.usefixtures("clean_db")
ME, REGISTER, PASSWORD = "/api/v1/auth/me", "/api/v1/auth/register", "correct horse battery"


def register(email: str, **extra: str) -> Api:
    res = Api().post(REGISTER, {"email": email, "password": PASSWORD, **extra})
    assert res.status == 201, res.text
    assert res.json["user"]["language"] == extra.get("language", "en")
    return Api(res.json["access_token"])


def test_the_language_chosen_at_sign_up_is_kept_and_the_switch_changes_it(cloud: LocalCloud) -> None:
    api = register(unique_email(), language="ru")
    assert api.get(ME).json["language"] == "ru"
    changed = api.call("PATCH", ME, json_body={"language": "en"})
    assert changed.status == 200 and changed.json["language"] == "en"
    assert api.get(ME).json["language"] == "en"


def test_only_the_apps_languages_are_accepted_and_only_for_the_signed_in(cloud: LocalCloud) -> None:
    api = register(unique_email())
    refused = api.call("PATCH", ME, json_body={"language": "de"})
    assert (refused.status, refused.error_code) == (422, "invalid")
    assert api.get(ME).json["language"] == "en"
    assert Api().post(REGISTER, {"email": unique_email(), "password": PASSWORD, "language": "xx"}).status == 422
    assert Api().call("PATCH", ME, json_body={"language": "ru"}).status == 401


def test_the_reset_mail_is_written_in_the_accounts_language(cloud: LocalCloud) -> None:
    email = unique_email()
    api = register(email, language="ru")
    assert Api().post(ASK, {"email": email}).status == 202
    (russian,) = mail_to(cloud, email)
    assert russian["subject"] == "Сброс пароля Transcribe"
    assert "Задать новый пароль" in russian["html"] and "в течение 30 минут" in russian["html"]
    assert "Reset" not in russian["html"] and russian["links"][0].split("#")[0].endswith("/reset-password")

    api.call("PATCH", ME, json_body={"language": "en"})  # switched in the app: the next mail follows
    Api().post(ASK, {"email": email})
    english = mail_to(cloud, email)[0]  # newest first
    assert english["subject"] == "Reset your Transcribe password" and "Choose a new password" in english["html"]


def test_the_local_mail_page_speaks_the_browsers_language(cloud: LocalCloud) -> None:
    def page(accept: str) -> str:
        req = urllib.request.Request(f"{cloud.mail_url}/", headers={"Accept-Language": accept})
        with urllib.request.urlopen(req, timeout=5) as res:
            return str(res.read().decode())

    assert "Письма, отправленные локальным облаком" in page("ru-RU,ru;q=0.9,en;q=0.8")
    assert "<html lang=ru>" in page("ru")
    assert "Mail sent by the local cloud" in page("de-DE,en;q=0.5") and "<html lang=en>" in page("")
