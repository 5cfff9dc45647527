"""Sharing a transcript by link: the owner makes, lists and revokes links; a reader with no account sees that one
transcript (page, recording, exports) and nothing else; dead links all answer alike."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update

from common.store.db import get_engine, transaction
from common.store.models import TranscriptShare, utcnow
from local.gateway import spec as gateway_spec
from tests import http_client
from tests.api import Api, Result, signed_up
from tests.conftest import unique_email
from tests.core.transcripts import completed_job
from tests.pipeline.helpers import create_job, declare, mono_wav, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
WORDS = "Quarterly numbers look strong this time."
SHARED_ROUTES = {
    ("GET", "/api/v1/shared/{token}"),
    ("GET", "/api/v1/shared/{token}/transcript"),
    ("GET", "/api/v1/shared/{token}/export"),
}
READER = Api(client_ip="198.51.100.20")  # no account, no token


def share(owner: Api, job_id: str, **body: Any) -> dict[str, Any]:
    res = owner.post(f"/api/v1/jobs/{job_id}/shares", body)
    assert res.status == 201, res.text
    return dict(res.json)


def shared(token: str, tail: str = "", reader: Api = READER, **query: str) -> Result:
    return reader.get(f"/api/v1/shared/{token}{tail}", query=query or None)


def links(owner: Api, job_id: str) -> list[dict[str, Any]]:
    res = owner.get(f"/api/v1/jobs/{job_id}/shares")
    assert res.status == 200, res.text
    return list(res.json["items"])


def uploaded_job(owner: Api) -> tuple[str, bytes]:
    """A job run through the local pipeline on a real recording, so a reader's player has bytes to fetch."""
    data, _ = mono_wav()
    declared = declare(owner, data, "board meeting.wav")
    put_bytes(declared, data)
    job = create_job(owner, declared["file"]["id"])
    assert wait_for(owner, job["id"])["status"] == "completed"
    return job["id"], data


def test_a_reader_without_an_account_sees_the_transcript_the_recording_and_every_export() -> None:
    owner = signed_up(unique_email())
    job_id, data = uploaded_job(owner)
    link = share(owner, job_id)
    assert link["path"] == f"/s/{link['token']}" and link["state"] == "active" and link["expires_at"] is None

    page = shared(link["token"])
    assert page.status == 200, page.text
    assert page.json["title"] == "board meeting.wav" and page.json["recording"] == "included"
    status, body, _ = http_client.get(page.json["media"]["url"])  # the player's presigned GET, minted for this view
    assert (status, body) == (200, data)
    owners = owner.get(f"/api/v1/jobs/{job_id}/transcript").json
    readers = shared(link["token"], "/transcript")
    assert readers.status == 200 and readers.json["text"] == owners["text"] and readers.json["words"] == owners["words"]
    for fmt in ("txt", "srt", "vtt", "json"):
        mine = owner.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": fmt})
        theirs = shared(link["token"], "/export", format=fmt)
        assert (theirs.status, theirs.text) == (200, mine.text), fmt
        assert theirs.headers.get("content-disposition") == mine.headers.get("content-disposition"), fmt


def test_the_media_url_is_short_lived_and_never_outlives_its_link() -> None:
    owner = signed_up(unique_email())
    job_id, _ = uploaded_job(owner)
    forever, for_a_day = share(owner, job_id), share(owner, job_id, expires_in_days=1)
    with transaction() as s:  # a link with a minute left
        s.execute(
            update(TranscriptShare)
            .where(TranscriptShare.token_hash == hashlib.sha256(for_a_day["token"].encode()).hexdigest())
            .values(expires_at=utcnow() + timedelta(seconds=60))
        )
    for token, most in ((forever["token"], 15 * 60), (for_a_day["token"], 60)):
        media = shared(token).json["media"]
        expires = re.search(r"X-Amz-Expires=(\d+)", media["url"])
        assert expires and 10 <= int(expires.group(1)) <= most, media["url"]


def test_speaker_names_reach_the_reader() -> None:
    owner = signed_up(unique_email())
    utterances = [
        {"speaker": "A", "start": 0, "end": 900, "text": "Hello there.", "words": []},
        {"speaker": "B", "start": 1000, "end": 1900, "text": "Hi Anna.", "words": []},
    ]
    job_id = completed_job(owner, "Hello there. Hi Anna.", utterances)
    owner.call("PUT", f"/api/v1/jobs/{job_id}/speakers", json_body={"names": {"A": "Anna", "B": "Boris"}})
    token = share(owner, job_id)["token"]
    assert [u["speaker_name"] for u in shared(token, "/transcript").json["utterances"]] == ["Anna", "Boris"]
    assert shared(token, "/export", format="txt").text == "Anna: Hello there.\n\nBoris: Hi Anna.\n"


def test_without_the_recording_the_reader_gets_the_transcript_and_no_media() -> None:
    owner = signed_up(unique_email())
    job_id, _ = uploaded_job(owner)
    token = share(owner, job_id, include_media=False)["token"]
    page = shared(token)
    assert (page.status, page.json["recording"], page.json["media"]) == (200, "withheld", None)
    assert "X-Amz-" not in page.text
    assert shared(token, "/transcript").status == 200


def test_the_token_is_random_url_safe_and_only_its_sha256_is_stored() -> None:
    owner = signed_up(unique_email())
    job_id = completed_job(owner, WORDS)
    tokens = [share(owner, job_id)["token"] for _ in range(3)]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), token  # 32 bytes (256 bits), base64url
    with transaction() as s:
        rows = s.scalars(select(TranscriptShare)).all()
    stored = {row.token_hash for row in rows}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    everything = " ".join(str(v) for row in rows for v in row.__dict__.values())
    assert not any(token in everything for token in tokens)
    listed = str(links(owner, job_id))
    assert not any(token in listed for token in tokens)


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run meanwhile, with their literal values left out."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append(sql)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_revoked_expired_and_unknown_links_are_one_404_by_one_path() -> None:
    owner = signed_up(unique_email())
    job_id = completed_job(owner, WORDS)
    revoked, expired = share(owner, job_id), share(owner, job_id, expires_in_days=1)
    assert owner.delete(f"/api/v1/jobs/{job_id}/shares/{revoked['id']}").status == 204
    with transaction() as s:
        s.execute(
            update(TranscriptShare)
            .where(TranscriptShare.id == uuid.UUID(expired["id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    unknown = "x" * 43
    for tail, query in (("", {}), ("/transcript", {}), ("/export", {"format": "srt"})):
        answers, work = [], []
        for token in (revoked["token"], expired["token"], unknown):
            with statements() as seen:
                res = shared(token, tail, **query)
            answers.append((res.status, res.text, res.headers))
            work.append(seen)
        assert answers[0] == answers[1] == answers[2], answers  # status, body and headers alike
        assert answers[0][0] == 404 and "revoked, it has expired, or it never existed" in answers[0][1]
        assert work[0] == work[1] == work[2], work  # the same statements, in the same order: the same path
        lookups = [sql for sql in work[2] if "transcript_shares" in sql]
        assert len(lookups) == 1 and "token_hash =" in lookups[0], lookups  # one indexed equality, then the state


def test_revoking_stops_the_link_at_once_and_the_owner_sees_how_often_it_was_opened() -> None:
    owner = signed_up(unique_email())
    job_id = completed_job(owner, WORDS)
    link = share(owner, job_id)
    assert [shared(link["token"]).status for _ in range(2)] == [200, 200]
    assert shared(link["token"], "/transcript").status == 200  # the page's own reads do not count as opens
    (listed,) = links(owner, job_id)
    assert (listed["id"], listed["open_count"], listed["state"]) == (link["id"], 2, "active")
    assert listed["last_opened_at"] is not None
    assert owner.delete(f"/api/v1/jobs/{job_id}/shares/{link['id']}").status == 204
    assert shared(link["token"]).status == 404 and shared(link["token"], "/transcript").status == 404
    (listed,) = links(owner, job_id)
    assert listed["state"] == "revoked" and listed["revoked_at"] is not None
    assert owner.delete(f"/api/v1/jobs/{job_id}/shares/{link['id']}").status == 204  # again: nothing changes
    assert owner.delete(f"/api/v1/jobs/{job_id}/shares/{uuid.uuid4()}").error_code == "share_not_found"


def test_deleting_the_job_deletes_its_links() -> None:
    owner = signed_up(unique_email())
    job_id = completed_job(owner, WORDS)
    token = share(owner, job_id)["token"]
    assert owner.delete(f"/api/v1/jobs/{job_id}").status == 204
    with transaction() as s:
        assert s.scalars(select(TranscriptShare)).all() == []
    assert shared(token).status == 404


def test_only_the_owner_makes_sees_and_revokes_links_and_only_of_a_finished_transcript() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    job_id = completed_job(owner, WORDS)
    link = share(owner, job_id)
    assert other.post(f"/api/v1/jobs/{job_id}/shares", {}).error_code == "job_not_found"
    assert other.get(f"/api/v1/jobs/{job_id}/shares").error_code == "job_not_found"
    assert other.delete(f"/api/v1/jobs/{job_id}/shares/{link['id']}").error_code == "job_not_found"
    assert shared(link["token"]).status == 200
    assert Api().post(f"/api/v1/jobs/{job_id}/shares", {}).status == 401
    declared = owner.post("/api/v1/files", {"filename": "later.wav", "content_type": "audio/wav", "size": 10}).json
    pending = owner.post("/api/v1/jobs", {"file_id": declared["file"]["id"]}).json
    res = owner.post(f"/api/v1/jobs/{pending['id']}/shares", {})
    assert (res.status, res.error_code) == (409, "transcript_not_ready")
    bad = owner.post(f"/api/v1/jobs/{job_id}/shares", {"expires_in_days": 0})
    assert bad.status == 422


def test_a_transcript_has_at_most_twenty_working_links() -> None:
    owner = signed_up(unique_email())
    job_id = completed_job(owner, WORDS)
    made = [share(owner, job_id) for _ in range(20)]
    res = owner.post(f"/api/v1/jobs/{job_id}/shares", {})
    assert (res.status, res.error_code) == (409, "too_many_shares")
    owner.delete(f"/api/v1/jobs/{job_id}/shares/{made[0]['id']}")
    share(owner, job_id)  # a revoked one frees its place


def test_every_shared_answer_says_noindex_and_sends_no_referrer() -> None:
    owner = signed_up(unique_email())
    token = share(owner, completed_job(owner, WORDS))["token"]
    for res in (shared(token), shared(token, "/transcript"), shared(token, "/export", format="vtt"), shared("nope")):
        assert res.headers["x-robots-tag"] == "noindex, nofollow, noarchive", res.status
        assert res.headers["referrer-policy"] == "no-referrer" and res.headers["cache-control"] == "no-store"
    page = Api().get(f"/s/{token}")  # the web app's page of the link, served by the gateway
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["x-robots-tag"] == "noindex, nofollow, noarchive"
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_reads_through_links_are_throttled_per_address(configure_settings: Any) -> None:
    configure_settings(SHARE_READS_PER_ADDRESS=3)
    owner = signed_up(unique_email())
    token = share(owner, completed_job(owner, WORDS))["token"]
    busy = Api(client_ip="203.0.113.50")
    answers = [
        shared(token, reader=busy).status,
        shared(token, "/transcript", reader=busy).status,
        shared("x", reader=busy).status,
    ]
    assert answers == [200, 200, 404]  # a miss costs the same as a hit
    res = shared(token, reader=busy)
    assert (res.status, res.error_code) == (429, "share_throttled") and 0 < int(res.headers["retry-after"]) <= 600
    assert res.headers["x-robots-tag"].startswith("noindex")
    assert shared(token, reader=Api(client_ip="203.0.113.51")).status == 200  # another address is not held up


# Every other route of the spec, enumerated from it: a share token opens none of them.
OTHER_ROUTES = sorted(
    (r.method if r.method != "*" else "GET", r.template, bool(r.security))
    for r in gateway_spec.default().routes
    if (r.method, r.template) not in SHARED_ROUTES
)


def test_the_route_list_is_the_whole_spec() -> None:
    assert len(OTHER_ROUTES) + len(SHARED_ROUTES) == len(gateway_spec.default().routes)
    assert len(OTHER_ROUTES) >= 30, OTHER_ROUTES


@pytest.mark.parametrize(
    ("method", "template", "signed_in"), OTHER_ROUTES, ids=[f"{m} {t}" for m, t, _ in OTHER_ROUTES]
)
def test_a_share_token_opens_no_other_route(method: str, template: str, signed_in: bool) -> None:
    owner = signed_up(unique_email())
    job_id = completed_job(owner, WORDS)
    file_id = owner.get(f"/api/v1/jobs/{job_id}").json["file"]["id"]
    token = share(owner, job_id)["token"]
    body = {} if method in ("POST", "PUT", "PATCH") else None

    def path(ids: dict[str, str]) -> str:
        return re.sub(r"\{(\w+)\+?\}", lambda m: ids.get(m.group(1), token), template)

    real = path({"job_id": job_id, "file_id": file_id, "share_id": str(uuid.uuid4())})
    as_bearer = Api(token).call(method, real, json_body=body)  # the token as the credential, on the owner's own ids
    anonymous = Api().call(method, real, json_body=body)
    assert WORDS not in as_bearer.text and token not in as_bearer.text
    if signed_in:  # the gateway's authorizer refuses it: it is no access token
        assert as_bearer.status == 401, (method, real, as_bearer.status, as_bearer.text)
    else:  # a public route answers a share token exactly as it answers no credential at all
        assert (as_bearer.status, as_bearer.text) == (anonymous.status, anonymous.text), (method, real)
    if re.search(r"\{\w+_id\}", template):  # the token as an id, by the owner himself: no such thing
        as_id = owner.call(method, path({}), json_body=body)
        assert as_id.status == 404 and WORDS not in as_id.text, (method, path({}), as_id.status, as_id.text)
    assert shared(token).status == 200  # and the link itself still works
