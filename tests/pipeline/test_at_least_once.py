"""Duplicated, concurrent and early events: exactly one submission, one stored result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from common.adapters.assemblyai import WEBHOOK_SECRET_HEADER
from common.store.db import transaction
from common.store.models import Transcript
from tests import http_client
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import (
    claim_without_submitting,
    create_job,
    declare,
    dialogue_wav,
    object_key,
    provider_id,
    put_bytes,
    storage_event,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("clean_db")
ROOT = Path(__file__).resolve().parents[2]


def _deliver_in_process(event: dict) -> None:
    from functions.upload_trigger.index import handler

    handler(event, None)


def _deliver_in_subprocess(event: dict) -> subprocess.Popen:
    code = "import json,sys; from functions.upload_trigger.index import handler; handler(json.loads(sys.argv[1]))"
    return subprocess.Popen([sys.executable, "-c", code, json.dumps(event)], cwd=ROOT, env=dict(os.environ))


def transcripts_stored() -> int:
    with transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Transcript)) or 0)


def test_the_same_upload_event_ten_times_concurrently_submits_once(cloud) -> None:
    api = signed_up(unique_email())
    data, _ = dialogue_wav()
    declared = declare(api, data)
    job = create_job(api, declared["file"]["id"], mode="dialogue")
    cloud.pause_triggers()
    put_bytes(declared, data)
    event = storage_event(cloud.bucket, object_key(declared))
    processes = [_deliver_in_subprocess(event) for _ in range(3)]
    with ThreadPoolExecutor(max_workers=7) as pool:
        list(pool.map(_deliver_in_process, [event] * 7))
    assert all(p.wait(timeout=60) == 0 for p in processes)
    cloud.resume_triggers()  # and the storage emulator's own delivery arrives late, too
    done = wait_for(api, job["id"])
    assert done["status"] == "completed"
    assert cloud.assemblyai.stats["submissions"] == 1
    assert transcripts_stored() == 1


def test_the_same_webhook_five_times_stores_one_result(cloud) -> None:
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "duplicate", "copies": 5, "times": 1})
    api = signed_up(unique_email())
    data, _ = dialogue_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    job = create_job(api, declared["file"]["id"], mode="dialogue")
    done = wait_for(api, job["id"])
    tid = provider_id(job["id"])
    cloud.wait_idle()
    for _ in range(5):  # and five more after the fact
        status = http_client.post_json(
            f"{cloud.url}/api/v1/webhooks/assemblyai?job_id={job['id']}",
            {"transcript_id": tid, "status": "completed"},
            {WEBHOOK_SECRET_HEADER: os.environ["WEBHOOK_SECRET"]},
        )
        assert status == 200
    assert transcripts_stored() == 1
    assert api.get(f"/api/v1/jobs/{job['id']}").json == done
    assert cloud.assemblyai.stats["submissions"] == 1


def test_a_webhook_before_the_provider_id_is_stored_still_finishes(cloud) -> None:
    """A crash right after AssemblyAI accepted the job, before its id was saved: the webhook heals it."""
    from common.adapters.ports import Submission
    from common.adapters.services import current

    api = signed_up(unique_email())
    data, _ = dialogue_wav()
    declared = declare(api, data)
    cloud.pause_triggers()
    put_bytes(declared, data)
    job = create_job(api, declared["file"]["id"], mode="dialogue")
    claim = claim_without_submitting(declared["file"]["id"], job["id"])  # the upload recorded, the job claimed
    services = current()
    url = services.storage.presign_get(claim.object_key, 600)
    services.provider.submit(Submission(job["id"], url, "auto", True, None))  # …and the submitter dies here
    assert provider_id(job["id"]) is None
    done = wait_for(api, job["id"])
    assert done["status"] == "completed"
    assert provider_id(job["id"]) is not None
    assert cloud.assemblyai.stats["submissions"] == 1
    cloud.resume_triggers()
    cloud.wait_idle()
    assert cloud.assemblyai.stats["submissions"] == 1  # the late upload event changes nothing
