"""Once accepted, an upload is immutable: a second PUT through the still-valid presigned URL changes nothing."""

from __future__ import annotations

import pytest

from local.cloud import LocalCloud
from tests import http_client
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, object_key, put_bytes, storage_event, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")


def downloaded(api: Api, file_id: str) -> bytes:
    link = api.get(f"/api/v1/files/{file_id}/download")
    assert link.status == 200, link.text
    status, body, _ = http_client.get(link.json["url"])
    assert status == 200
    return body


def accepted_upload(cloud: LocalCloud) -> tuple[Api, dict, bytes]:
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    cloud.wait_idle()
    assert api.get("/api/v1/jobs").status == 200
    return api, declared, data


@pytest.mark.parametrize("second", ["same size through the URL", "other size written directly"])
def test_a_second_put_neither_breaks_nor_swaps_an_accepted_upload(cloud: LocalCloud, second: str) -> None:
    api, declared, original = accepted_upload(cloud)
    upload = declared["upload"]
    if second.startswith("same"):
        replacement = b"RIFF" + b"\x01" * (len(original) - 4)
        assert http_client.put(upload["url"], replacement, upload["headers"]) == 200  # still valid, as on S3
    else:
        assert http_client.put(upload["url"], original + b"extra", upload["headers"]) == 403  # the size is signed
        cloud.put_object(object_key(declared), original + b"extra")
    cloud.wait_idle()
    assert downloaded(api, declared["file"]["id"]) == original
    job = wait_for(api, create_job(api, declared["file"]["id"])["id"])
    assert job["status"] == "completed" and job["file"]["status"] == "uploaded"
    assert job["file"]["uploaded_size"] == len(original)


def test_late_duplicate_events_never_delete_the_accepted_recording(cloud: LocalCloud) -> None:
    api, declared, original = accepted_upload(cloud)
    for _ in range(3):
        cloud.triggers.put(storage_event(cloud.bucket, object_key(declared))["messages"][0])
    cloud.wait_idle()
    assert downloaded(api, declared["file"]["id"]) == original


def test_the_stored_copy_is_outside_what_a_presigned_url_can_reach(cloud: LocalCloud) -> None:
    api, declared, _ = accepted_upload(cloud)
    link = api.get(f"/api/v1/files/{declared['file']['id']}/download").json["url"]
    stored = link.split("?", 1)[0].split("/", 4)[4]
    assert not stored.startswith("uploads/") and object_key(declared).startswith("uploads/")
    assert not cloud.object_exists(object_key(declared))  # the upload key holds nothing once accepted
