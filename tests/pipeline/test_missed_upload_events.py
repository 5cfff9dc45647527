"""An upload whose ObjectCreate event never came is taken from storage by the reconcile, not expired with its bytes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from common.store.db import transaction
from common.store.models import MediaFile, utcnow
from tests import http_client
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, mono_wav, object_key, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")


def _declared_two_days_ago(api: Api, data: bytes) -> dict:  # type: ignore[type-arg]
    declared = declare(api, data)
    with transaction() as s:
        s.execute(
            update(MediaFile)
            .where(MediaFile.id == uuid.UUID(declared["file"]["id"]))
            .values(created_at=utcnow() - timedelta(days=2))
        )
    return declared


def test_a_stored_upload_whose_event_never_came_is_accepted_and_transcribed(cloud) -> None:
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = _declared_two_days_ago(api, data)
    job = create_job(api, declared["file"]["id"])
    cloud.pause_triggers()  # the ObjectCreate event is held back: as far as the functions know, it never came
    put_bytes(declared, data)
    report = cloud.run_reconcile()
    assert report["expired_uploads"] == 0
    done = wait_for(api, job["id"])
    assert done["status"] == "completed" and done["file"]["status"] == "uploaded"
    link = api.get(f"/api/v1/files/{declared['file']['id']}/download").json
    assert http_client.get(link["url"])[1] == data  # the recording was kept, not deleted with the declaration
    cloud.resume_triggers()
    cloud.wait_idle()  # the late event changes nothing
    assert cloud.assemblyai.submissions_per_job() == {job["id"]: 1}


def test_a_stored_upload_that_does_not_check_out_is_rejected_as_the_trigger_would(cloud) -> None:
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = _declared_two_days_ago(api, data)
    job = create_job(api, declared["file"]["id"])
    cloud.pause_triggers()
    cloud.put_object(object_key(declared), data + b"extra bytes")  # not the declared size
    cloud.run_reconcile()
    failed = api.get(f"/api/v1/jobs/{job['id']}").json
    assert failed["status"] == "failed" and failed["file"]["status"] == "rejected"
    cloud.resume_triggers()
    cloud.wait_idle()
    assert cloud.assemblyai.stats["submissions"] == 0
