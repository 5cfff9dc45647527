"""A crash loses nothing: `python -m local`'s whole process group is SIGKILLed while a dozen jobs are at every stage
(uploading, queued, submitting, transcribing, inside a webhook), restarted on the same data directory and ports, and
every job completes, each submitted once to the provider, and every recording downloads byte for byte."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from local.assemblyai.media import make_wav, mono_script

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
# Repairs that the timer makes after a crash, made sooner than in production so the test stays short.
SETTINGS = {
    "IDEMPOTENCY_IN_PROGRESS_SECONDS": "3",
    "CLAIM_TIMEOUT_SECONDS": "3",
    "RETRY_BASE_SECONDS": "1",
    "MULTIPART_THRESHOLD_BYTES": str(5 * MB),
    "MULTIPART_PART_BYTES": str(5 * MB),
}
BANNER = {
    "gateway": r"running at (http://\S+)",
    "s3": r"S3: (http://\S+)",
    "mail": r"mail it sent \(password resets\): (http://\S+)",
    "assemblyai": r"AssemblyAI stand-in: (http://\S+)",
}


class Cloud:
    """`python -m local` in its own process group (its engine worker included), on fixed ports once known."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.urls = data_dir, {name: "" for name in BANNER}
        self.log = data_dir.parent / "cloud.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        ports = {name: urlsplit(url).port or 0 if url else 0 for name, url in self.urls.items()}
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
        args = ["--port", ports["gateway"], "--s3-port", ports["s3"], "--assemblyai-port", ports["assemblyai"]]
        args += ["--mail-port", ports["mail"], "--data-dir", self.data_dir, "--engine", "deterministic"]
        args += ["--reconcile-interval", "1", "--webhook-retry-interval", "0.2"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "local", *map(str, args)],
                cwd=ROOT,
                env={**env, **SETTINGS, "PYTHONPATH": str(ROOT)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own, to kill whole
            )
        offset = self.log.stat().st_size if self.urls["gateway"] else 0
        deadline = time.monotonic() + 60
        while not (text := self.log.read_text(errors="replace")[offset:]).count("Ctrl-C stops it"):
            assert self.proc.poll() is None, text[-3000:]
            assert time.monotonic() < deadline, text[-3000:]
            time.sleep(0.1)
        for name, pattern in BANNER.items():
            match = re.search(pattern, text)
            assert match, text
            assert not self.urls[name] or self.urls[name] == match[1]  # same ports: URLs already handed out hold
            self.urls[name] = match[1]

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def _is_retryable(status: int, body: bytes) -> bool:
    """What a careful client retries with the same Idempotency-Key: no answer, 5xx, or the key still in progress."""
    return status >= 500 or (status == 409 and b"request_in_progress" in body)


def request(
    method: str, url: str, body: bytes | None, headers: dict[str, str], deadline: float
) -> tuple[int, dict[str, str], bytes]:
    """Like a browser's fetch in a retry loop: through the outage, until the cloud answers for real."""
    while True:
        try:
            req = urllib.request.Request(url, data=body, method=method, headers=headers)
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, dict(res.headers), res.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
            if not _is_retryable(status, raw):
                return status, dict(exc.headers), raw
        except (urllib.error.URLError, HTTPException, ConnectionError, TimeoutError):
            pass
        assert time.monotonic() < deadline, f"{method} {url.split('?')[0]} got no answer"
        time.sleep(0.2)


@dataclass
class User:
    base: str
    deadline: float
    token: str = ""

    def call(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = key
        data = json.dumps(body).encode() if body is not None else None
        status, _, raw = request(method, self.base + path, data, headers, self.deadline)
        assert 200 <= status < 300, (method, path, status, raw[:300])
        return json.loads(raw) if raw else None

    def status(self, method: str, path: str) -> int:
        headers = {"Authorization": f"Bearer {self.token}"}
        return request(method, self.base + path, None, headers, self.deadline)[0]


@dataclass
class Flow:
    """One recording's way through the product, as the SPA drives it, and what became of it."""

    name: str
    wav: bytes
    job_first: bool = False
    after_restart: threading.Event | None = None  # the upload waits for the restart: it spans the crash
    file_id: str = ""
    job_id: str = ""
    errors: list[str] = field(default_factory=list)


def _put(url: str, data: bytes, headers: dict[str, str], deadline: float) -> str:
    """A PUT to storage, labelled as a browser labels a file (urllib would call the bytes a form); its ETag."""
    status, answer, _ = request("PUT", url, data, {"Content-Type": "application/octet-stream", **headers}, deadline)
    assert status == 200
    return answer.get("ETag", "")


def _upload_in_parts(user: User, flow: Flow, declared: dict[str, Any]) -> None:
    file_id, size = declared["file"]["id"], declared["multipart"]["part_size"]
    etags: dict[int, str] = {}
    for n in range(1, declared["multipart"]["parts"] + 1):
        if n == 2 and flow.after_restart:
            flow.after_restart.wait(60)  # part 1 went up before the crash; the open upload must still take part 2
        url = user.call("POST", f"/api/v1/files/{file_id}/parts", {"part_numbers": [n]})["parts"][0]["url"]
        etags[n] = _put(url, flow.wav[(n - 1) * size : n * size], {}, user.deadline)
    parts = [{"part_number": n, "etag": e} for n, e in sorted(etags.items())]
    user.call("POST", f"/api/v1/files/{file_id}/complete", {"parts": parts})


def declare(user: User, flow: Flow) -> dict[str, Any]:
    body = {"filename": f"{flow.name}.wav", "content_type": "audio/wav", "size": len(flow.wav)}
    declared: dict[str, Any] = user.call("POST", "/api/v1/files", body, key=f"file-{flow.name}")
    flow.file_id = declared["file"]["id"]
    return declared


def upload(user: User, flow: Flow, declared: dict[str, Any]) -> None:
    if declared["multipart"]:
        _upload_in_parts(user, flow, declared)
        return
    if flow.after_restart:
        flow.after_restart.wait(60)
    _put(declared["upload"]["url"], flow.wav, declared["upload"]["headers"], user.deadline)


def create_job(user: User, flow: Flow) -> None:
    try:  # the key makes a retry after the crash safe: the same job, or (its request died) the request run again
        flow.job_id = user.call("POST", "/api/v1/jobs", {"file_id": flow.file_id}, key=f"job-{flow.name}")["id"]
    except BaseException as exc:  # reported by the test, with the flow's name
        flow.errors.append(repr(exc))


def run(user: User, flow: Flow) -> None:
    try:
        declared = declare(user, flow)
        if flow.job_first:
            create_job(user, flow)
        upload(user, flow, declared)
        if not flow.job_first:
            create_job(user, flow)
    except BaseException as exc:
        flow.errors.append(repr(exc))


def recording(seconds: float, processing_ms: int, text: str) -> bytes:
    script = mono_script(text, seconds)
    script["processing_ms"] = processing_ms  # how long the stand-in "transcribes", so some are mid-way at the crash
    return make_wav(script, seconds)


def test_a_sigkill_mid_pipeline_loses_no_job_and_no_recording(tmp_path: Path) -> None:
    rng = random.Random(20)
    cloud = Cloud(tmp_path / "data")
    cloud.start()
    deadline = time.monotonic() + 150
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
    # Eight more in flight at once, so the kill finds them declaring, uploading, queued behind the per-user limit,
    # submitting, transcribing and inside their webhook.
    for i in range(8):
        wav = recording(2.0 + i % 3, rng.choice([200, 800, 2500]), f"In flight when the cloud died, number {i}.")
        flows.append((users[i % 3], Flow(f"flight-{i}", wav, job_first=i % 2 == 0)))
    threads = [threading.Thread(target=run, args=pair) for pair in flows[3:]]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    time.sleep(0.8)
    cloud.kill()  # the whole group: gateway, functions, S3, trigger, AssemblyAI, timer
    cloud.start()
    restarted.set()
    for thread in [killed_request, *threads]:
        thread.join(90)
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
    cloud.kill()
