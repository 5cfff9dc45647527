"""End to end over real HTTP, as a browser would: gateway → functions → S3 → trigger → AssemblyAI → webhook."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from local.assemblyai.media import dialogue_script, make_wav, mono_script
from tests.conftest import unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("clean_db")]
ROOT = Path(__file__).resolve().parents[2]


class Browser:
    def __init__(self, base: str) -> None:
        self.base, self.token = base, ""

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=15) as res:
                return res.status, dict(res.headers), res.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def json(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, _, raw = self.call(method, path, body)
        assert status == expect, (method, path, status, raw[:300])
        return json.loads(raw) if raw else None


def run_flow(
    cloud: Any, mode: str, wav: bytes, job_first: bool, timeout_s: float = 20
) -> tuple[Browser, dict[str, Any]]:
    b = Browser(cloud.url)
    b.token = b.json("POST", "/api/v1/auth/register", {"email": unique_email(), "password": "long enough pw"}, 201)[
        "access_token"
    ]
    declared = b.json(
        "POST", "/api/v1/files", {"filename": "call.wav", "content_type": "audio/wav", "size": len(wav)}, 201
    )
    upload = declared["upload"]

    def put() -> None:
        req = urllib.request.Request(upload["url"], data=wav, method=upload["method"], headers=upload["headers"])
        with urllib.request.urlopen(req, timeout=15) as res:
            assert res.status == 200

    body = {"file_id": declared["file"]["id"], "mode": mode}
    if job_first:
        job = b.json("POST", "/api/v1/jobs", body, 201)
        put()
    else:
        put()
        job = b.json("POST", "/api/v1/jobs", body, 201)
    deadline = time.monotonic() + timeout_s
    while (job := b.json("GET", f"/api/v1/jobs/{job['id']}"))["status"] not in ("completed", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "completed", job
    return b, job


@pytest.mark.parametrize("job_first", [True, False], ids=["job-first", "upload-first"])
def test_dialogue_end_to_end_with_every_export(cloud: Any, job_first: bool) -> None:
    script = dialogue_script([("A", "Welcome to the show."), ("B", "Thanks for having me.")], 5.0)
    b, job = run_flow(cloud, "dialogue", make_wav(script, 5.0), job_first)
    base = f"/api/v1/jobs/{job['id']}/transcript"
    data = b.json("GET", base)
    assert [u["speaker"] for u in data["utterances"]] == ["A", "B"]
    status, headers, srt = b.call("GET", base + "?format=srt")
    assert status == 200 and headers["Content-Disposition"] == 'attachment; filename="call.srt"'
    cues = re.findall(r"(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n(.+)", srt.decode())
    assert [c[2] for c in cues] == ["Speaker A: Welcome to the show.", "Speaker B: Thanks for having me."]
    _, _, vtt = b.call("GET", base + "?format=vtt")
    assert vtt.decode().startswith("WEBVTT\n") and "<v Speaker B>Thanks for having me." in vtt.decode()
    _, _, txt = b.call("GET", base + "?format=txt")
    assert txt.decode() == "Speaker A: Welcome to the show.\n\nSpeaker B: Thanks for having me.\n"


def test_mono_end_to_end_and_the_original_plays_back(cloud: Any) -> None:
    wav = make_wav(mono_script("Testing one two three.", 3.0), 3.0)
    b, job = run_flow(cloud, "mono", wav, job_first=False)
    _, _, txt = b.call("GET", f"/api/v1/jobs/{job['id']}/transcript?format=txt")
    assert txt.decode() == "Testing one two three.\n"
    link = b.json("GET", f"/api/v1/files/{job['file']['id']}/download")
    with urllib.request.urlopen(link["url"], timeout=10) as res:
        assert res.read() == wav


def test_python_m_local_starts_with_no_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local",
            "--port",
            "0",
            "--s3-port",
            "0",
            "--assemblyai-port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
            "--engine",
            "deterministic",
            "--reconcile-interval",
            "0",
        ],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = ""
        deadline = time.monotonic() + 30
        while "running at" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), line
        b = Browser(url)
        assert (
            b.json("POST", "/api/v1/auth/register", {"email": "first@example.com", "password": "long enough"}, 201)[
                "user"
            ]["email"]
            == "first@example.com"
        )
        assert (tmp_path / "data" / "transcribe.db").is_file()
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0
