"""Provider outages, lost webhooks, crashed submitters, a database outage: every job still ends well."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, update

from common.store.db import transaction
from common.store.models import TranscriptionJob
from tests import http_client
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import (
    claim_without_submitting,
    create_job,
    declare,
    dialogue_wav,
    mono_wav,
    object_key,
    provider_id,
    put_bytes,
    wait_for,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("clean_db")
ROOT = Path(__file__).resolve().parents[2]


def uploaded_job(cloud, api, **extra):  # type: ignore[no-untyped-def]
    data, _ = mono_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    cloud.wait_idle()
    return create_job(api, declared["file"]["id"], **extra)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_provider_errors_on_submit_are_retried_by_reconcile(cloud, configure, status: int) -> None:
    configure(SUBMIT_MAX_ATTEMPTS=5, RETRY_BASE_SECONDS=0)
    cloud.assemblyai.faults.add({"op": "submit", "status": status, "times": 2})
    api = signed_up(unique_email())
    job = uploaded_job(cloud, api)
    assert (job["status"], job["stage"], job["attempts"]) == ("pending", "retrying", 1)
    assert "retrying" in job["error_message"]
    cloud.run_reconcile()  # attempt 2 fails too
    assert api.get(f"/api/v1/jobs/{job['id']}").json["attempts"] == 2
    cloud.run_reconcile()  # attempt 3 goes through
    done = wait_for(api, job["id"])
    assert (done["status"], done["attempts"], done["error_message"]) == ("completed", 3, None)


def test_a_provider_that_keeps_failing_fails_the_job_with_a_message(cloud, configure) -> None:
    configure(SUBMIT_MAX_ATTEMPTS=3, RETRY_BASE_SECONDS=0)
    cloud.assemblyai.faults.add({"op": "submit", "status": 503, "times": 100})
    api = signed_up(unique_email())
    job = uploaded_job(cloud, api)
    for _ in range(4):
        cloud.run_reconcile()
    failed = api.get(f"/api/v1/jobs/{job['id']}").json
    assert (failed["status"], failed["attempts"]) == ("failed", 3)
    assert "AssemblyAI" in failed["error_message"] and "3 attempt" in failed["error_message"]
    cloud.assemblyai.faults.clear()
    retried = api.post(f"/api/v1/jobs/{job['id']}/retry").json
    assert retried["status"] in ("processing", "completed")
    assert wait_for(api, job["id"])["status"] == "completed"


def test_a_submit_that_times_out_but_reached_the_provider_is_not_billed_twice(cloud, configure) -> None:
    configure(ASSEMBLYAI_TIMEOUT_SECONDS=0.5, RETRY_BASE_SECONDS=0)
    cloud.assemblyai.faults.add({"op": "submit", "delay_s": 1.5, "times": 1})
    api = signed_up(unique_email())
    job = uploaded_job(cloud, api)
    assert job["stage"] == "retrying"
    done = wait_for(api, job["id"])  # the provider finished the "timed-out" submission; its webhook adopts it
    assert done["status"] == "completed"
    cloud.run_reconcile()
    assert cloud.assemblyai.stats["submissions"] == 1


def test_a_permanent_provider_refusal_fails_at_once(cloud) -> None:
    cloud.assemblyai.faults.add({"op": "submit", "status": 400, "times": 1})
    api = signed_up(unique_email())
    job = uploaded_job(cloud, api)
    assert (job["status"], job["attempts"]) == ("failed", 1)
    assert "refused" in job["error_message"]


def test_a_provider_side_error_fails_the_job_with_its_message(cloud) -> None:
    from local.assemblyai.media import make_wav

    api = signed_up(unique_email())
    data = make_wav({"error": "File does not appear to contain audio."}, 2.0)
    declared = declare(api, data)
    put_bytes(declared, data)
    job = create_job(api, declared["file"]["id"])
    failed = wait_for(api, job["id"])
    assert failed["status"] == "failed"
    assert "File does not appear to contain audio." in failed["error_message"]


def test_a_submitter_killed_between_claim_and_submit_is_resubmitted_once(cloud, configure) -> None:
    configure(CLAIM_TIMEOUT_SECONDS=1)
    api = signed_up(unique_email())
    data, _ = dialogue_wav()
    declared = declare(api, data)
    job = create_job(api, declared["file"]["id"])
    cloud.pause_triggers()
    put_bytes(declared, data)
    # A real process takes the claim the way the pipeline does, then dies before it can submit.
    code = (
        "import os, uuid; from common.domain.pipeline import transitions; from common.store.db import transaction;"
        "from common.store.models import MediaFile, utcnow; from sqlalchemy import update\n"
        f"fid, jid = uuid.UUID('{declared['file']['id']}'), uuid.UUID('{job['id']}')\n"
        "with transaction() as s:\n"
        "    s.execute(update(MediaFile).where(MediaFile.id == fid).values(status='uploaded'))\n"
        "    transitions.promote_waiting(s, fid)\n"
        "    assert transitions.claim(s, utcnow(), 100, jid)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ), check=False)
    assert proc.returncode == -9
    stuck = api.get(f"/api/v1/jobs/{job['id']}").json
    assert (stuck["status"], stuck["stage"]) == ("processing", "submitting")
    cloud.run_reconcile()
    assert cloud.assemblyai.stats["submissions"] == 0  # not stale yet
    time.sleep(1.2)
    cloud.run_reconcile()
    assert wait_for(api, job["id"])["status"] == "completed"
    cloud.run_reconcile()
    cloud.resume_triggers()
    cloud.wait_idle()
    assert cloud.assemblyai.stats["submissions"] == 1


def test_a_webhook_that_never_arrives_is_replaced_by_polling(cloud, configure) -> None:
    configure(SILENT_AFTER_SECONDS=1, POLL_INTERVAL_SECONDS=1)
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": 1})
    api = signed_up(unique_email())
    job = uploaded_job(cloud, api, mode="dialogue")
    wait_until(
        lambda: cloud.assemblyai.transcript_status(provider_id(job["id"])) == "completed", what="the provider to finish"
    )
    assert api.get(f"/api/v1/jobs/{job['id']}").json["stage"] == "submitted"
    time.sleep(1.1)
    report = cloud.run_reconcile()
    assert report["polled"] == 1 and report["finished"] == 1
    assert api.get(f"/api/v1/jobs/{job['id']}").json["status"] == "completed"


@pytest.mark.postgres_only
def test_database_down_during_the_webhook_gets_a_retry_and_completes(cloud, database_url: str) -> None:
    assert database_url.startswith("postgresql")  # postgres_only: SQLite has no server to lose
    cloud.assemblyai.faults.add({"op": "processing", "delay_s": 1.0, "times": 1})
    api = signed_up(unique_email())
    job = uploaded_job(cloud, api)
    transcript_id = provider_id(job["id"])
    assert transcript_id
    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    try:
        wait_until(
            lambda: cloud.assemblyai.webhook_codes(transcript_id).count(503) >= 2,
            timeout=20,
            what="webhook attempts answered 503",
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    assert wait_for(api, job["id"])["status"] == "completed"


def test_never_more_than_the_parallel_limit_in_flight(cloud, configure) -> None:
    configure(MAX_PARALLEL_TRANSCRIPTIONS=2)
    cloud.assemblyai.faults.add({"op": "processing", "delay_s": 0.3, "times": 100})
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(api, data)
    put_bytes(declared, data)
    cloud.wait_idle()
    peak, stop = [0], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            with transaction() as s:
                n = (
                    s.scalar(
                        select(func.count())
                        .select_from(TranscriptionJob)
                        .where(TranscriptionJob.status == "processing")
                    )
                    or 0
                )
            peak[0] = max(peak[0], n)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        jobs = [create_job(api, declared["file"]["id"]) for _ in range(10)]
        assert sum(j["stage"] == "queued" for j in jobs) >= 8
        for j in jobs:
            assert wait_for(api, j["id"], timeout=60)["status"] == "completed"
    finally:
        stop.set()
        watcher.join()
    assert peak[0] == 2
    assert cloud.assemblyai.stats["max_in_flight"] <= 2
    assert cloud.assemblyai.stats["submissions"] == 10


def test_an_upload_that_differs_from_its_declaration_is_rejected(cloud) -> None:
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(api, data[:-100] + b"x" * 100)
    job = create_job(api, declared["file"]["id"])
    upload = declared["upload"]
    assert http_client.put(upload["url"], data + b"extra bytes", upload["headers"]) == 403  # the URL signs the size
    cloud.put_object(object_key(declared), data + b"extra bytes")  # bytes that got there another way are checked too
    cloud.wait_idle()
    failed = api.get(f"/api/v1/jobs/{job['id']}").json
    assert failed["status"] == "failed" and "declared" in failed["error_message"]
    assert failed["file"]["status"] == "rejected"
    assert not cloud.object_exists(declared["upload"]["url"])
    assert cloud.assemblyai.stats["submissions"] == 0


def test_an_upload_nobody_declared_is_deleted_not_processed(cloud) -> None:
    key = f"uploads/{uuid.uuid4()}/{uuid.uuid4()}/stray.wav"
    cloud.put_object(key, b"RIFF0000WAVE")
    cloud.wait_idle()
    assert not cloud.object_exists(key)
    assert cloud.assemblyai.stats["submissions"] == 0


def test_uploads_never_completed_expire_and_their_jobs_fail(cloud) -> None:
    from datetime import timedelta

    from common.store.models import MediaFile, utcnow

    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(api, data)
    job = create_job(api, declared["file"]["id"])
    with transaction() as s:
        s.execute(
            update(MediaFile)
            .where(MediaFile.id == uuid.UUID(declared["file"]["id"]))
            .values(created_at=utcnow() - timedelta(days=2))
        )
    report = cloud.run_reconcile()
    assert report["expired_uploads"] == 1
    failed = api.get(f"/api/v1/jobs/{job['id']}").json
    assert failed["status"] == "failed" and "never completed" in failed["error_message"]
    assert failed["file"]["status"] == "expired"
    put_bytes(declared, data)  # too late: the object is removed, nothing starts
    cloud.wait_idle()
    assert cloud.assemblyai.stats["submissions"] == 0


def test_a_submitter_killed_after_the_provider_accepted_is_adopted_not_resubmitted(cloud, configure) -> None:
    """The worst case for billing: the id was never stored and the webhook is lost too."""
    from common.adapters.ports import Submission
    from common.adapters.services import current

    configure(CLAIM_TIMEOUT_SECONDS=1, SILENT_AFTER_SECONDS=1, POLL_INTERVAL_SECONDS=1)
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "drop", "times": 1})
    api = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(api, data)
    job = create_job(api, declared["file"]["id"])
    cloud.pause_triggers()
    put_bytes(declared, data)
    claim = claim_without_submitting(declared["file"]["id"], job["id"])
    services = current()
    url = services.storage.presign_get(claim.object_key, 600)
    services.provider.submit(Submission(job["id"], url, "auto", False, None))  # …and the submitter dies here
    cloud.assemblyai.wait_idle()
    time.sleep(1.1)
    report = cloud.run_reconcile()
    assert (report["adopted"], report["resubmitted"]) == (1, 0)
    time.sleep(1.1)
    cloud.run_reconcile()  # the webhook never came: the adopted transcript is polled and stored
    assert api.get(f"/api/v1/jobs/{job['id']}").json["status"] == "completed"
    cloud.resume_triggers()
    cloud.wait_idle()
    assert cloud.assemblyai.stats["submissions"] == 1
