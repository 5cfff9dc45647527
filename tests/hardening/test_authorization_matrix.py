"""For every route in the spec that takes an id, another user gets 404 and nothing of the owner's changes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from local.gateway import spec as gateway_spec
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
ID_ROUTES = sorted(
    (r.method, r.template) for r in gateway_spec.default().routes if r.function and re.search(r"\{\w+_id\}", r.template)
)


def snapshot(owner: Api, job_id: str, file_id: str) -> tuple[Any, ...]:
    job = owner.get(f"/api/v1/jobs/{job_id}")
    transcript = owner.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": "json"})
    link = owner.get(f"/api/v1/files/{file_id}/download")
    return job.status, job.json, transcript.status, transcript.text, link.status


def test_the_matrix_covers_every_id_route() -> None:
    assert len(ID_ROUTES) >= 5, ID_ROUTES  # a new route with an id joins this list by itself


@pytest.mark.parametrize(("method", "template"), ID_ROUTES, ids=[f"{m} {t}" for m, t in ID_ROUTES])
def test_another_user_gets_404_and_changes_nothing(cloud: Any, method: str, template: str) -> None:
    owner, intruder = signed_up(unique_email()), signed_up(unique_email())
    # A webhook endpoint (a public address literal: registered without DNS, never called here) hears of the job.
    hook = owner.post("/api/v1/webhook-endpoints", {"url": "https://93.184.215.14/hook"}).json["id"]
    data, _ = mono_wav()
    declared = declare(owner, data)
    put_bytes(declared, data)
    job = create_job(owner, declared["file"]["id"])
    wait_for(owner, job["id"])
    key = owner.post("/api/v1/auth/keys", {"name": "k", "scopes": ["read"], "expires_in_days": 1}).json
    [delivery] = owner.get(f"/api/v1/webhook-endpoints/{hook}/deliveries").json["items"]
    folder = owner.post("/api/v1/folders", {"name": "Owner's"}).json["id"]
    assert owner.call("PUT", f"/api/v1/jobs/{job['id']}/folder", json_body={"folder_id": folder}).status == 200
    share = owner.post(f"/api/v1/jobs/{job['id']}/shares", {}).json["id"]
    before = snapshot(owner, job["id"], declared["file"]["id"])
    ids = {
        "job_id": job["id"],
        "file_id": declared["file"]["id"],
        "key_id": key["id"],
        "endpoint_id": hook,
        "delivery_id": delivery["id"],
        "folder_id": folder,
        "share_id": share,
    }
    voices = None
    if "{voice_id}" in template:
        ids["voice_id"] = named_voice(owner)
        voices = owner.get("/api/v1/voices").json
    path = re.sub(r"\{(\w+_id)\}", lambda m: ids[m.group(1)], template)
    body = {} if method in ("POST", "PUT", "PATCH") else None
    res = intruder.call(method, path, json_body=body)
    assert res.status == 404, (method, path, res.status, res.text)
    known = ("job_not_found", "file_not_found", "key_not_found", "endpoint_not_found", "delivery_not_found")
    assert res.error_code in (*known, "folder_not_found", "voice_not_found", "share_not_found")
    delivered = owner.get(f"/api/v1/webhook-endpoints/{hook}/deliveries").json["items"]
    assert delivery["id"] in [d["id"] for d in delivered]  # still there (naming a voice made a second job's)
    after = snapshot(owner, job["id"], declared["file"]["id"])
    assert after[:4] == before[:4] and after[4] == 200
    assert [k["id"] for k in owner.get("/api/v1/auth/keys").json["items"]] == [key["id"]]
    assert owner.get("/api/v1/folders").json["items"][0]["name"] == "Owner's"
    assert voices is None or owner.get("/api/v1/voices").json == voices
    assert [x["id"] for x in owner.get(f"/api/v1/jobs/{job['id']}/shares").json["items"]] == [share]


def named_voice(owner: Api) -> str:
    """A voice in the owner's directory: a dialogue whose speaker (with a voice embedding) the owner names."""
    from local.assemblyai.media import dialogue_script, make_wav

    script = dialogue_script([("A", "Hello there."), ("B", "Hi.")], 3.0)
    script["speaker_embeddings"] = {"A": [1.0, 0.0], "B": [0.0, 1.0]}
    data = make_wav(script, 3.0)
    declared = declare(owner, data)
    put_bytes(declared, data)
    job = wait_for(owner, create_job(owner, declared["file"]["id"], mode="dialogue")["id"])
    assert owner.call("PUT", f"/api/v1/jobs/{job['id']}/speakers", json_body={"names": {"A": "Anna"}}).status == 200
    return str(owner.get("/api/v1/voices").json["items"][0]["id"])
