"""The stages a polling client sees are true and in order: uploading, queued, transcribing, done."""

from __future__ import annotations

import threading
import time

import pytest

from local.assemblyai.media import make_wav, mono_script
from local.cloud import LocalCloud
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, put_bytes

pytestmark = pytest.mark.usefixtures("clean_db")
ORDER = ["waiting_for_upload", "queued", "submitting", "submitted", "completed"]


def test_a_polling_client_sees_the_stages_in_order_and_never_backwards(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    script = {**mono_script("Stages are shown as they really are.", 3.0), "processing_ms": 700}
    data = make_wav(script, 3.0)
    declared = declare(api, data)
    job = create_job(api, declared["file"]["id"])  # before the upload: the job waits for it
    seen: list[str] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            stage = api.get(f"/api/v1/jobs/{job['id']}").json["stage"]
            if not seen or seen[-1] != stage:
                seen.append(stage)
            if stage in ("completed", "failed"):
                return
            time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.2)
    put_bytes(declared, data)
    poller.join(30)
    done.set()
    assert seen[0] == "waiting_for_upload" and seen[-1] == "completed", seen
    assert "submitted" in seen, seen  # the transcription itself is visible while it runs
    positions = [ORDER.index(stage) for stage in seen]
    assert positions == sorted(positions), seen  # never backwards
