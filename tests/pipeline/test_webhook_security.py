"""The webhook trusts nothing: a wrong secret, a forged body or another job's transcript change nothing."""

from __future__ import annotations

import os

import pytest

from common.adapters.assemblyai import WEBHOOK_SECRET_HEADER
from tests import http_client
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, object_key_of, provider_id, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")


def webhook(cloud, job_id: str, body: dict, secret: str | None) -> int:  # type: ignore[no-untyped-def]
    headers = {WEBHOOK_SECRET_HEADER: secret} if secret is not None else {}
    return http_client.post_json(f"{cloud.url}/api/v1/webhooks/assemblyai?job_id={job_id}", body, headers)


def started_job(cloud, api, hold: bool = False) -> dict:  # type: ignore[no-untyped-def]
    if hold:
        cloud.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": 1})
    data, _ = mono_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    cloud.wait_idle()
    return create_job(api, declared["file"]["id"])


def test_a_wrong_or_missing_secret_is_401_and_nothing_changes(cloud) -> None:
    api = signed_up(unique_email())
    job = started_job(cloud, api, hold=True)
    tid = provider_id(job["id"])
    before = api.get(f"/api/v1/jobs/{job['id']}").json
    for secret in (None, "", "wrong", os.environ["WEBHOOK_SECRET"] + "x"):
        assert webhook(cloud, job["id"], {"transcript_id": tid, "status": "completed"}, secret) == 401
    assert api.get(f"/api/v1/jobs/{job['id']}").json == before
    assert before["status"] == "processing"


def test_a_webhook_naming_another_jobs_transcript_changes_nothing(cloud) -> None:
    api = signed_up(unique_email())
    finished = started_job(cloud, api)
    wait_for(api, finished["id"])
    waiting = started_job(cloud, api, hold=True)
    before = api.get(f"/api/v1/jobs/{waiting['id']}").json
    secret = os.environ["WEBHOOK_SECRET"]
    other_tid = provider_id(finished["id"])
    assert webhook(cloud, waiting["id"], {"transcript_id": other_tid, "status": "completed"}, secret) == 200
    assert webhook(cloud, waiting["id"], {"transcript_id": "no-such-transcript", "status": "completed"}, secret) == 200
    assert api.get(f"/api/v1/jobs/{waiting['id']}").json == before
    assert api.get(f"/api/v1/jobs/{waiting['id']}/transcript").status == 409


def test_malformed_webhooks_are_final_4xx(cloud) -> None:
    secret = os.environ["WEBHOOK_SECRET"]
    assert webhook(cloud, "not-a-uuid", {"transcript_id": "x", "status": "completed"}, secret) == 400
    assert webhook(cloud, "00000000-0000-0000-0000-000000000000", {"status": "completed"}, secret) == 400


def test_deleting_a_job_deletes_its_provider_copy_and_recording(cloud, configure) -> None:
    configure(DELETE_PROVIDER_COPY="false")
    api = signed_up(unique_email())
    job = started_job(cloud, api)
    wait_for(api, job["id"])
    tid = provider_id(job["id"])
    assert cloud.assemblyai.stats["deleted"] == []  # kept, as configured
    key = object_key_of(job["file"]["id"])
    assert cloud.object_exists(key)
    assert api.delete(f"/api/v1/jobs/{job['id']}").status == 204
    assert cloud.assemblyai.stats["deleted"] == [tid]
    assert not cloud.object_exists(key)


@pytest.mark.parametrize(
    "transcript_id",
    ["../transcript", "x?limit=200", "a/b", "..%2F..%2Fupload", "id#frag", "x" * 65, "", 5, None, ["a"]],
)
def test_a_transcript_id_that_is_not_one_never_reaches_the_provider(cloud, transcript_id) -> None:  # type: ignore[no-untyped-def]
    api = signed_up(unique_email())
    job = started_job(cloud, api, hold=True)
    before = dict(cloud.assemblyai.stats)
    body = {"transcript_id": transcript_id, "status": "completed"}
    res = api.call(
        "POST",
        "/api/v1/webhooks/assemblyai",
        json_body=body,
        query={"job_id": job["id"]},
        headers={WEBHOOK_SECRET_HEADER: os.environ["WEBHOOK_SECRET"]},
    )
    assert res.status == 400 and res.error_code == "invalid_transcript_id"
    assert "validation" not in res.text.lower() and "pydantic" not in res.text.lower()
    assert (cloud.assemblyai.stats["gets"], cloud.assemblyai.stats["lists"]) == (before["gets"], before["lists"])
