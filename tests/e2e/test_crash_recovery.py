"""A crash loses nothing: `python -m local`'s whole process group is SIGKILLed while a dozen jobs are at every stage
(uploading, queued, submitting, transcribing, inside a webhook), restarted on the same data directory and ports, and
every job completes, each submitted once to the provider, and every recording downloads byte for byte."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.request

import pytest

from tests.e2e.local_process import Cloud, Flow, User, create_job, declare, recording, request, run, upload

pytestmark = pytest.mark.e2e


def test_a_sigkill_mid_pipeline_loses_no_job_and_no_recording(cloud_process: Cloud) -> None:
    cloud = cloud_process
    rng = random.Random(20)
    deadline = time.monotonic() + 120  # about 35 s when all is well
    users = [User(cloud.urls["gateway"], deadline) for _ in range(3)]
    for i, user in enumerate(users):
        account = {"email": f"crash-{i}@example.com", "password": "x" * 12}
        user.token = user.call("POST", "/api/v1/auth/register", account)["access_token"]
    restarted = threading.Event()
    flows: list[tuple[User, Flow]] = []
    # Two finished before the crash: their recordings must still play after it.
    for i in range(2):
        flow = Flow(f"done-{i}", recording(2.0, 50, f"Finished before the crash, number {i}."))
        run(users[0], flow)
        flows.append((users[0], flow))
    # One being transcribed at the crash: the provider must finish it and call back after the restart.
    transcribing = Flow("transcribing", recording(2.0, 8000, "Transcribed across the crash."))
    run(users[2], transcribing)
    while users[2].call("GET", f"/api/v1/jobs/{transcribing.job_id}")["stage"] != "submitted":
        time.sleep(0.1)
    flows.append((users[2], transcribing))
    # One whose POST /jobs dies mid-way: uploaded first, so the request itself submits, and the provider holds that
    # submission until the crash. Its retry must not meet "in progress" for a whole day.
    stuck = Flow("request-killed", recording(2.0, 50, "My request died with the cloud."))
    upload(users[1], stuck, declare(users[1], stuck))
    while users[1].status("GET", f"/api/v1/files/{stuck.file_id}/download") == 409:  # until its trigger accepted it
        time.sleep(0.1)
    held = {"op": "submit", "delay_s": 60, "times": 1}
    request("POST", cloud.urls["assemblyai"] + "/_control/faults", json.dumps(held).encode(), {}, deadline)
    killed_request = threading.Thread(target=create_job, args=(users[1], stuck))
    killed_request.start()
    flows.append((users[1], stuck))
    # Uploads that span the crash: one PUT not yet sent, one multipart upload with part 1 stored.
    flows.append((users[1], Flow("put-after", recording(2.0, 50, "Uploaded after."), True, restarted)))
    flows.append((users[2], Flow("parts", recording(340.0, 300, "Sent in parts."), True, restarted)))
    # Six more in flight at once, so the kill finds them declaring, uploading, queued behind the per-user limit,
    # submitting, transcribing and inside their webhook.
    for i in range(6):
        wav = recording(2.0 + i % 3, rng.choice([200, 800, 2500]), f"In flight when the cloud died, number {i}.")
        flows.append((users[i % 3], Flow(f"flight-{i}", wav, job_first=i % 2 == 0)))
    threads = [threading.Thread(target=run, args=pair) for pair in flows[4:]]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    time.sleep(0.8)
    cloud.kill()  # the whole group: gateway, functions, S3, trigger, AssemblyAI, timer
    cloud.start()
    restarted.set()
    for thread in [killed_request, *threads]:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert all(not flow.errors for _, flow in flows), [(f.name, f.errors) for _, f in flows if f.errors]

    for user, flow in flows:
        while (job := user.call("GET", f"/api/v1/jobs/{flow.job_id}"))["status"] not in ("completed", "failed"):
            assert time.monotonic() < deadline, (flow.name, job)
            time.sleep(0.2)
        assert job["status"] == "completed", (flow.name, job)
        link = user.call("GET", f"/api/v1/files/{flow.file_id}/download")
        with urllib.request.urlopen(link["url"], timeout=30) as res:
            assert res.read() == flow.wav, flow.name
    # Every job anyone holds (a retried request that re-ran may have made one more) finished, each submitted once.
    held = [job for user in users for job in user.call("GET", "/api/v1/jobs?limit=100")["items"]]
    assert len(held) >= len(flows) and all(job["status"] == "completed" for job in held), held
    _, _, raw = request("GET", cloud.urls["assemblyai"] + "/_control/submissions", None, {}, deadline)
    submissions = json.loads(raw)
    assert {job["id"]: submissions.get(job["id"]) for job in held} == {job["id"]: 1 for job in held}
