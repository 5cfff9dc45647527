"""Fair share of the provider's slots and per-user quotas: one user's backlog never starves another's job."""

from __future__ import annotations

import os
from typing import Any

import pytest

from common.adapters.assemblyai import WEBHOOK_SECRET_HEADER
from local.cloud import LocalCloud
from tests import http_client
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, provider_id, put_bytes

pytestmark = pytest.mark.usefixtures("clean_db")


def uploaded_file(cloud: LocalCloud, api: Api) -> str:
    data, _ = mono_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    cloud.wait_idle()
    return str(declared["file"]["id"])


def stages(api: Api) -> list[str]:
    return [j["stage"] for j in api.get("/api/v1/jobs", query={"limit": "100"}).json["items"]]


def deliver_webhook(cloud: LocalCloud, job: dict[str, Any]) -> None:
    body = {"transcript_id": provider_id(job["id"]), "status": "completed"}
    url = f"{cloud.url}/api/v1/webhooks/assemblyai?job_id={job['id']}"
    assert http_client.post_json(url, body, {WEBHOOK_SECRET_HEADER: os.environ["WEBHOOK_SECRET"]}) == 200


def test_a_big_backlog_does_not_starve_another_users_job(cloud: LocalCloud, configure: Any) -> None:
    configure(MAX_PARALLEL_TRANSCRIPTIONS=2, MAX_PARALLEL_PER_USER=2)
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": 1000})  # jobs hold their slots
    alice, bob = signed_up(unique_email()), signed_up(unique_email())
    file_a = uploaded_file(cloud, alice)
    backlog = [create_job(alice, file_a) for _ in range(50)]
    cloud.wait_idle()
    assert sorted(stages(alice)).count("submitted") == 2  # both slots are Alice's
    bobs = create_job(bob, uploaded_file(cloud, bob))
    assert stages(bob) == ["queued"]  # no slot free yet
    running = [j for j in backlog if provider_id(j["id"])]
    deliver_webhook(cloud, running[0])  # one slot turns over...
    cloud.wait_idle()
    assert bob.get(f"/api/v1/jobs/{bobs['id']}").json["stage"] == "submitted"  # ...and it is Bob's turn
    assert sorted(stages(alice)).count("submitted") == 1


def test_no_user_holds_more_than_their_share(cloud: LocalCloud, configure: Any) -> None:
    configure(MAX_PARALLEL_TRANSCRIPTIONS=5, MAX_PARALLEL_PER_USER=2)
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": 1000})
    alice, bob = signed_up(unique_email()), signed_up(unique_email())
    file_a = uploaded_file(cloud, alice)
    for _ in range(10):
        create_job(alice, file_a)
    cloud.wait_idle()
    assert stages(alice).count("submitted") == 2 and stages(alice).count("queued") == 8
    create_job(bob, uploaded_file(cloud, bob))
    cloud.wait_idle()
    assert stages(bob) == ["submitted"]  # a free slot, and Bob is under his share


def test_quotas_answer_with_the_limit_that_was_hit(cloud: LocalCloud, configure: Any) -> None:
    configure(MAX_PENDING_UPLOADS_PER_USER=2, MAX_STORED_BYTES_PER_USER=5000, MAX_ACTIVE_JOBS_PER_USER=2)
    api, other = signed_up(unique_email()), signed_up(unique_email())
    body = {"filename": "a.wav", "content_type": "audio/wav", "size": 1000}
    assert [api.post("/api/v1/files", body).status for _ in range(2)] == [201, 201]
    third = api.post("/api/v1/files", body)
    assert (third.status, third.error_code) == (429, "upload_quota") and "uploads in progress" in third.text
    assert other.post("/api/v1/files", body).status == 201  # quotas are per user
    big = other.post("/api/v1/files", {**body, "size": 4500})
    assert (big.status, big.error_code) == (413, "storage_quota") and "quota" in big.json["error"]["message"]
    file_id = other.post("/api/v1/files", body).json["file"]["id"]
    assert [other.post("/api/v1/jobs", {"file_id": file_id}).status for _ in range(2)] == [201, 201]
    third_job = other.post("/api/v1/jobs", {"file_id": file_id})
    assert (third_job.status, third_job.error_code) == (429, "job_quota")
