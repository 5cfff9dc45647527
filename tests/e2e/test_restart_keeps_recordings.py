"""Stopping `python -m local` however it stops (Ctrl-C, SIGTERM, SIGKILL) and starting it again on the same data
directory keeps every recording playable, byte for byte, and the sign-in that was valid before."""

from __future__ import annotations

import signal
import time
import urllib.request

import pytest

from local.assemblyai.media import make_wav, mono_script
from tests.e2e.local_process import Cloud, Flow, User, run

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_restart_keeps_every_recording(cloud_process: Cloud, stop: signal.Signals) -> None:
    cloud = cloud_process
    user = User(cloud.urls["gateway"], time.monotonic() + 60)
    user.token = user.call("POST", "/api/v1/auth/register", {"email": "keeps@example.com", "password": "x" * 12})[
        "access_token"
    ]
    flow = Flow("kept", make_wav(mono_script("Kept across the restart.", 2.0), 2.0))
    run(user, flow)
    assert not flow.errors, flow.errors
    while user.call("GET", f"/api/v1/jobs/{flow.job_id}")["status"] != "completed":
        time.sleep(0.1)
    assert cloud.proc is not None
    cloud.proc.send_signal(stop)  # as Ctrl-C, `kill` or the OOM killer would stop it
    cloud.proc.wait(20)
    cloud.start()
    link = user.call("GET", f"/api/v1/files/{flow.file_id}/download")
    with urllib.request.urlopen(link["url"], timeout=10) as res:
        assert res.read() == flow.wav
    assert user.call("GET", f"/api/v1/jobs/{flow.job_id}/transcript")["text"] == "Kept across the restart."
