"""A 60-second recording through the local cloud over HTTP (deterministic engine), split into its stages.

Run: .venv/bin/python bench/e2e_60s.py
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

from harness import cloud, postgres_database


def http(method: str, url: str, body: object = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        url, data=json.dumps(body).encode() if body is not None else None, method=method, headers=headers
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read() or b"{}")


def main() -> None:
    from sqlalchemy import select

    from common.store.db import transaction
    from common.store.models import MediaFile, TranscriptionJob
    from local.assemblyai.media import dialogue_script, make_wav

    turns = [("A" if i % 2 == 0 else "B", f"This is sentence number {i} of a long conversation.") for i in range(30)]
    script = dialogue_script(turns, 60.0)
    script["processing_ms"] = 0
    wav = make_wav(script, 60.0, sample_rate=16000)
    with postgres_database() as url, cloud(url) as c:
        base = c.url
        t0 = time.perf_counter()
        token = http(
            "POST",
            f"{base}/api/v1/auth/register",
            {"email": f"e2e-{uuid.uuid4().hex[:6]}@example.com", "password": "benchmark pw"},
        )["access_token"]
        declared = http(
            "POST",
            f"{base}/api/v1/files",
            {"filename": "talk.wav", "content_type": "audio/wav", "size": len(wav)},
            token,
        )
        job = http("POST", f"{base}/api/v1/jobs", {"file_id": declared["file"]["id"], "mode": "dialogue"}, token)
        t_declared = time.perf_counter()
        req = urllib.request.Request(
            declared["upload"]["url"], data=wav, method="PUT", headers=declared["upload"]["headers"]
        )
        urllib.request.urlopen(req, timeout=30).close()
        t_put = time.perf_counter()
        while http("GET", f"{base}/api/v1/jobs/{job['id']}", token=token)["status"] != "completed":
            time.sleep(0.002)
        t_done = time.perf_counter()
        with transaction() as s:
            uploaded_at = s.scalar(
                select(MediaFile.uploaded_at).where(MediaFile.id == uuid.UUID(declared["file"]["id"]))
            )
            j = s.get(TranscriptionJob, uuid.UUID(job["id"]))
            assert j is not None and uploaded_at is not None
            submitted_at, completed_at = j.submitted_at, j.completed_at
        assert submitted_at and completed_at
        wall = time.time() - (time.perf_counter() - t_put)  # wall clock at PUT end, to compare DB timestamps

        def ms(t: float) -> float:
            return t * 1000

        print(f"60 s WAV ({len(wav) / 1e6:.2f} MB, 16 kHz mono): completed {ms(t_done - t_put):.0f} ms after the PUT")
        print(f"  sign-up + declare + create job : {ms(t_declared - t0):7.0f} ms")
        print(f"  PUT to S3 (presigned)          : {ms(t_put - t_declared):7.0f} ms")
        print(f"  PUT end → trigger marks upload : {ms(uploaded_at.timestamp() - wall):7.0f} ms")
        print(f"  → submitted to AssemblyAI      : {ms(submitted_at.timestamp() - uploaded_at.timestamp()):7.0f} ms")
        print(
            f"  → provider done + webhook + stored: {ms(completed_at.timestamp() - submitted_at.timestamp()):7.0f} ms "
            f"(audio fetch, engine 0 ms, webhook, re-fetch, store)"
        )
        print(f"  → seen completed by the poller : {ms(t_done - t_put) - ms(completed_at.timestamp() - wall):7.0f} ms")


if __name__ == "__main__":
    main()
