"""Hostile input gets a 4xx with the usual JSON error, never a 5xx, on every field a user sends."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")


def cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


def assert_client_error(res, status: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= res.status < 500, (res.status, res.text)
    assert status is None or res.status == status, (res.status, res.text)
    assert res.json["error"]["code"] and res.json["error"]["message"]


@pytest.mark.parametrize("route", ["/api/v1/auth/register", "/api/v1/auth/login"])
@pytest.mark.parametrize("email", ["a\u0000b@example.com", "a@exa\u0000mple.com", "ab@example.com\u0000", "a\tb@x.co"])
def test_control_characters_in_an_email_are_refused(route: str, email: str) -> None:
    assert_client_error(Api().post(route, {"email": email, "password": "long enough pw"}), 422)


@pytest.mark.parametrize(
    "field",
    [
        {"filename": "mee\u0000ting.wav"},
        {"filename": "a\nb.wav"},
        {"filename": "evil\u202egnp.wav"},  # right-to-left override disguising the extension
        {"content_type": "audio/wav\u0000"},
        {"content_type": "audio/\u0085wav"},
    ],
)
def test_control_characters_in_a_declared_file_are_refused(field: dict[str, str]) -> None:
    api = signed_up(unique_email())
    body = {"filename": "meeting.wav", "content_type": "audio/wav", "size": 100, **field}
    assert_client_error(api.post("/api/v1/files", body), 422)


def test_a_password_may_hold_any_character_and_round_trips() -> None:
    email, password = unique_email(), "\u043f\u0430\u0440\u043e\u043b\u044c\u0000 with NUL and \U0001f399 inside"
    assert Api().post("/api/v1/auth/register", {"email": email, "password": password}).status == 201
    assert Api().post("/api/v1/auth/login", {"email": email, "password": password}).status == 200
    assert Api().post("/api/v1/auth/login", {"email": email, "password": password[:-1]}).status == 401


FIXED_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"  # fixed, not random: parallel workers must collect the same tests


@pytest.mark.parametrize(
    "bad",
    [
        cursor(123, 456),
        cursor("2026-01-01T00:00:00+00:00", 5),
        cursor("2026-01-01T00:00:00+00:00", [1, 2]),
        cursor("2026-01-01T00:00:00+00:00", {"a": 1}),
        cursor(["2026-01-01T00:00:00+00:00"], FIXED_ID),
        cursor("0001-01-01T00:00:00+14:00", FIXED_ID),  # out of range once in UTC
        cursor("9999-12-31T23:59:59-14:00", FIXED_ID),
        cursor("2026-01-01T00:00:00+00:00"),
        "%%%",
        "x" * 5000,
    ],
)
def test_a_malformed_cursor_is_a_400(bad: str) -> None:
    api = signed_up(unique_email())
    assert_client_error(api.get("/api/v1/jobs", query={"cursor": bad}), 400)


@pytest.mark.parametrize(
    "limit", ["\u00b2", "\u0661\u0660", "\U0001d7d9\U0001d7d8", "0", "-1", "1e2", " 5", "101", "9" * 50, ""]
)
def test_limit_takes_ascii_whole_numbers_in_range_only(limit: str) -> None:
    api = signed_up(unique_email())
    assert_client_error(api.get("/api/v1/jobs", query={"limit": limit}), 400)
    assert api.get("/api/v1/jobs", query={"limit": "100"}).status == 200


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b'{"email": "a@b.co", "password": "long enough pw", "n": ' + b"9" * 4400 + b"}",
        b'{"filename": "a.wav", "content_type": "audio/wav", "size": ' + b"1" * 5000 + b"}",
        b'{"filename": "a.wav", "content_type": "audio/wav", "size": 1e400}',
        b'{"filename": "' + b"a" * 70000 + b'"}',
    ],
)
@pytest.mark.parametrize("route", ["/api/v1/auth/register", "/api/v1/files", "/api/v1/jobs"])
def test_pathological_json_is_a_4xx(route: str, body: bytes) -> None:
    api = signed_up(unique_email())
    res = api.call("POST", route, body=body, headers={"Content-Type": "application/json"})
    assert_client_error(res)
