"""Personal API keys: shown once and kept only as a hash; exchanged (throttled like sign-in) for short-lived tokens that
carry the key's scopes; revoked or expired keys and their tokens open nothing; a key never manages keys or the
account; deleting the account deletes its keys. Through the local gateway, on both databases."""

from __future__ import annotations

import hashlib
import re
import subprocess
import uuid
from datetime import timedelta
from typing import Any

import jwt
import pytest
import yaml
from sqlalchemy import select, update

from common.store.db import transaction
from common.store.models import ApiKey, utcnow
from local.cloud import LocalCloud
from tests.api import SPEC, Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
KEYS, TOKEN, PASSWORD = "/api/v1/auth/keys", "/api/v1/auth/token", "correct horse battery"
KEY_SHAPE = re.compile(r"tsk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def make_key(owner: Api, scopes: list[str], days: int = 30, name: str = "nightly export") -> dict[str, Any]:
    res = owner.post(KEYS, {"name": name, "scopes": scopes, "expires_in_days": days})
    assert res.status == 201, res.text
    return dict(res.json)


def exchange(key: str, ip: str = "127.0.0.1") -> Any:
    return Api(client_ip=ip).post(TOKEN, {"api_key": key})


def token_for(key: str) -> Api:
    res = exchange(key)
    assert res.status == 200, res.text
    return Api(res.json["access_token"])


def declare_file(api: Api) -> Any:
    return api.post("/api/v1/files", {"filename": "a.wav", "content_type": "audio/wav", "size": 1000})


def test_a_key_is_shown_once_and_only_its_hash_is_kept() -> None:
    owner = signed_up(unique_email())
    created = make_key(owner, ["read"])
    assert KEY_SHAPE.fullmatch(created["key"]) and created["key"].startswith(created["prefix"] + "_")
    assert created["scopes"] == ["read"] and created["last_used_at"] is None
    listed = owner.get(KEYS).json["items"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert "key" not in listed[0] and created["key"] not in owner.get(KEYS).text
    with transaction() as s:
        row = s.scalars(select(ApiKey)).one()
        stored = [str(getattr(row, c.key)) for c in ApiKey.__table__.columns]
    assert row.secret_hash == hashlib.sha256(created["key"].encode()).hexdigest()
    secret = created["key"].rsplit("_", 1)[1]
    assert not any(secret in value for value in stored)


def test_a_keys_token_reads_the_api_with_the_keys_scopes_and_last_use_is_listed() -> None:
    owner = signed_up(unique_email())
    created = make_key(owner, ["write"])  # write brings read with it
    assert created["scopes"] == ["read", "write"]
    res = exchange(created["key"])
    assert res.status == 200 and res.json["token_type"] == "bearer" and res.json["scope"] == "read write"
    claims = jwt.decode(res.json["access_token"], options={"verify_signature": False})
    assert claims["scope"] == "read write" and claims["key_id"] == created["id"]
    script = Api(res.json["access_token"])
    assert script.get("/api/v1/jobs").status == 200
    assert declare_file(script).status == 201
    (listed,) = owner.get(KEYS).json["items"]
    assert listed["last_used_at"] is not None


def test_a_read_only_keys_token_is_refused_every_write() -> None:
    owner = signed_up(unique_email())
    file_id = declare_file(owner).json["file"]["id"]
    reader = token_for(make_key(owner, ["read"])["key"])
    assert reader.get("/api/v1/jobs").status == 200 and reader.get("/api/v1/auth/me").status == 200
    writes = [
        ("POST", "/api/v1/files", {"filename": "b.wav", "content_type": "audio/wav", "size": 1}),
        ("POST", "/api/v1/jobs", {"file_id": file_id}),
        ("PATCH", f"/api/v1/files/{file_id}", {"filename": "renamed.wav"}),
        ("DELETE", f"/api/v1/files/{file_id}/upload", None),
        ("PATCH", "/api/v1/auth/me", {"language": "ru"}),
    ]
    for method, path, body in writes:
        res = reader.call(method, path, json_body=body)
        assert (res.status, res.error_code) == (403, "insufficient_scope"), (method, path, res.text)
    assert owner.get("/api/v1/jobs").json["items"] == []  # nothing was made
    assert owner.get("/api/v1/auth/me").json["language"] == "en"


def test_a_key_cannot_manage_keys_change_the_password_or_delete_the_account() -> None:
    email = unique_email()
    owner = signed_up(email, PASSWORD)
    created = make_key(owner, ["read", "write"])
    script = token_for(created["key"])
    refused = [
        ("GET", KEYS, None),
        ("POST", KEYS, {"name": "another", "scopes": ["read"], "expires_in_days": 1}),
        ("DELETE", f"{KEYS}/{created['id']}", None),
        ("POST", "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "a brand new phrase"}),
        ("DELETE", "/api/v1/auth/me", {"password": PASSWORD}),
        ("POST", "/api/v1/auth/logout", None),
    ]
    for method, path, body in refused:
        res = script.call(method, path, json_body=body)
        assert (res.status, res.error_code) == (403, "session_required"), (method, path, res.text)
    assert [k["id"] for k in owner.get(KEYS).json["items"]] == [created["id"]]
    assert owner.get("/api/v1/auth/me").status == 200 and script.get("/api/v1/jobs").status == 200
    assert Api().post("/api/v1/auth/login", {"email": email, "password": PASSWORD}).status == 200


def test_revoking_a_key_refuses_its_exchange_and_stops_its_tokens_at_the_next_request() -> None:
    owner = signed_up(unique_email())
    created = make_key(owner, ["read", "write"])
    script = token_for(created["key"])
    file_id = declare_file(owner).json["file"]["id"]
    assert owner.post("/api/v1/jobs", {"file_id": file_id}).status == 201  # so the jobs page read has rows
    assert script.get("/api/v1/jobs").status == 200
    assert owner.delete(f"{KEYS}/{created['id']}").status == 204
    for path in ("/api/v1/jobs", "/api/v1/auth/me", f"/api/v1/files/{file_id}/download"):
        res = script.get(path)
        assert (res.status, res.error_code) == (401, "token_revoked"), (path, res.text)
    assert declare_file(script).status == 401
    assert (exchange(created["key"]).status, exchange(created["key"]).error_code) == (401, "invalid_api_key")
    assert owner.get(KEYS).json["items"] == [] and owner.get("/api/v1/jobs").status == 200
    assert owner.delete(f"{KEYS}/{created['id']}").error_code == "key_not_found"


def test_signing_out_everywhere_ends_a_keys_tokens_too_but_not_the_key() -> None:
    owner = signed_up(unique_email())
    created = make_key(owner, ["read"])
    script = token_for(created["key"])
    assert owner.post("/api/v1/auth/logout").status == 204
    assert (script.get("/api/v1/jobs").status, script.get("/api/v1/jobs").error_code) == (401, "token_revoked")
    assert token_for(created["key"]).get("/api/v1/jobs").status == 200


def expire(key_id: str, when: timedelta) -> None:
    with transaction() as s:
        s.execute(update(ApiKey).where(ApiKey.id == uuid.UUID(key_id)).values(expires_at=utcnow() + when))


def test_an_expired_key_is_not_exchanged_and_its_tokens_stop() -> None:
    owner = signed_up(unique_email())
    created = make_key(owner, ["read"], days=1)
    script = token_for(created["key"])
    expire(created["id"], timedelta(seconds=-1))
    res = exchange(created["key"])
    assert (res.status, res.error_code) == (401, "api_key_expired")
    assert (script.get("/api/v1/jobs").status, script.get("/api/v1/auth/me").error_code) == (401, "token_revoked")


def test_a_token_is_short_lived_and_never_outlives_its_key() -> None:
    owner = signed_up(unique_email())
    created = make_key(owner, ["read"], days=365)
    assert 0 < exchange(created["key"]).json["expires_in"] <= 15 * 60
    expire(created["id"], timedelta(seconds=90))
    res = exchange(created["key"])
    claims = jwt.decode(res.json["access_token"], options={"verify_signature": False})
    assert res.json["expires_in"] <= 90 and claims["exp"] <= int(utcnow().timestamp()) + 90


def test_a_wrong_unknown_or_malformed_key_gets_the_same_answer() -> None:
    owner = signed_up(unique_email())
    key = make_key(owner, ["read"])["key"]
    wrong_secret = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    unknown = "tsk_000000000000_" + "A" * 43
    answers = {(r.status, r.error_code, r.json["error"]["message"]) for r in map(exchange, [wrong_secret, unknown])}
    answers.add((lambda r: (r.status, r.error_code, r.json["error"]["message"]))(exchange("not a key at all")))
    assert len(answers) == 1 and next(iter(answers))[:2] == (401, "invalid_api_key")


def test_exchanges_are_throttled_like_sign_in_per_key_and_address() -> None:
    owner = signed_up(unique_email())
    key = make_key(owner, ["read"])["key"]
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    statuses = [exchange(wrong, ip="203.0.113.7").status for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    locked = exchange(key, ip="203.0.113.7")  # the right key, from the guessing address: still locked
    assert locked.status == 429 and int(locked.headers["retry-after"]) > 0
    assert exchange(key, ip="198.51.100.2").status == 200  # the key's owner elsewhere is not locked out


def test_deleting_the_account_deletes_its_keys() -> None:
    owner = signed_up(unique_email(), PASSWORD)
    keys = [make_key(owner, ["read"], name=f"key {n}")["key"] for n in range(2)]
    other = signed_up(unique_email())
    make_key(other, ["read"])
    assert owner.call("DELETE", "/api/v1/auth/me", json_body={"password": PASSWORD}).status == 204
    with transaction() as s:
        assert len(s.scalars(select(ApiKey)).all()) == 1  # the other account's only
    assert all(exchange(key).error_code == "invalid_api_key" for key in keys)


def test_another_users_key_is_not_found_and_keeps_working() -> None:
    owner, intruder = signed_up(unique_email()), signed_up(unique_email())
    created = make_key(owner, ["read"])
    res = intruder.delete(f"{KEYS}/{created['id']}")
    assert (res.status, res.error_code) == (404, "key_not_found")
    assert intruder.get(KEYS).json["items"] == [] and exchange(created["key"]).status == 200


@pytest.mark.parametrize(
    "body",
    [
        {"name": "  ", "scopes": ["read"], "expires_in_days": 30},
        {"name": "x", "scopes": [], "expires_in_days": 30},
        {"name": "x", "scopes": ["admin"], "expires_in_days": 30},
        {"name": "x", "scopes": ["read"], "expires_in_days": 0},
        {"name": "x", "scopes": ["read"], "expires_in_days": 366},
        {"name": "x", "scopes": ["read"]},
    ],
)
def test_a_key_needs_a_name_known_scopes_and_an_expiry_within_a_year(body: dict[str, Any]) -> None:
    owner = signed_up(unique_email())
    assert owner.post(KEYS, body).status == 422
    assert owner.get(KEYS).json["items"] == []


def test_an_account_keeps_at_most_twenty_keys() -> None:
    owner = signed_up(unique_email())
    for n in range(20):
        make_key(owner, ["read"], name=f"key {n}")
    res = owner.post(KEYS, {"name": "one more", "scopes": ["read"], "expires_in_days": 1})
    assert (res.status, res.error_code) == (409, "too_many_keys")


def test_the_references_curl_example_works_against_the_running_gateway(cloud: LocalCloud) -> None:
    """The ```sh block of the spec's description (what /api/docs shows), run by bash with the real curl."""
    owner = signed_up(unique_email())
    declared = declare_file(owner).json
    owner.post("/api/v1/jobs", {"file_id": declared["file"]["id"]})
    key = make_key(owner, ["read"])["key"]
    description = yaml.safe_load(SPEC.read_text())["info"]["description"]
    (script,) = re.findall(r"```sh\n(.*?)```", description, re.S)
    script = script.replace("KEY='tsk_…'", f"KEY='{key}'").replace("https://your-app.example", cloud.url)
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert '"filename":"a.wav"' in out.stdout
