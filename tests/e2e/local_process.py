"""`python -m local` as a process the tests can kill and start again, and a client that retries as a browser's
fetch would through the outage (the same Idempotency-Key each time)."""

from __future__ import annotations

import json
import os
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

from local.assemblyai.media import make_wav, mono_script

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
# Repairs that the timer makes after a crash, made sooner than in production so the tests stay short.
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
