"""A retry is offered only when it can change the outcome, and failures name the engine that ran."""

from __future__ import annotations

from typing import Any

import pytest

from local.assemblyai.media import make_wav
from local.cloud import LocalCloud
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import create_job, declare, put_bytes, wait_for, wait_until

pytestmark = pytest.mark.usefixtures("clean_db")


def failed_job(error: str) -> tuple[Any, dict[str, Any]]:
    api = signed_up(unique_email())
    data = make_wav({"error": error}, 2.0)
    declared = declare(api, data)
    put_bytes(declared, data)
    job = wait_for(api, create_job(api, declared["file"]["id"])["id"])
    assert job["status"] == "failed"
    return api, job


def test_a_file_that_is_not_audio_is_not_offered_a_retry(cloud: LocalCloud) -> None:
    api, job = failed_job("File does not appear to contain audio. File type is text/html.")
    assert job["retryable"] is False
    res = api.post(f"/api/v1/jobs/{job['id']}/retry")
    assert (res.status, res.error_code) == (409, "retry_would_not_help")


def test_a_download_hiccup_is_offered_a_retry_that_works(cloud: LocalCloud) -> None:
    api, job = failed_job("Download error, unable to download the file. Please make sure the file exists.")
    assert job["retryable"] is True
    assert api.post(f"/api/v1/jobs/{job['id']}/retry").status == 200


def test_messages_name_the_engine_that_ran(cloud: LocalCloud, configure: Any) -> None:
    configure(SPEECH_ENGINE="the local Whisper engine")
    _, job = failed_job("File does not appear to contain audio.")
    assert job["error_message"].startswith("the local Whisper engine could not transcribe this file")
    assert "AssemblyAI" not in job["error_message"]


def test_a_failed_transcription_leaves_no_copy_at_the_provider(cloud: LocalCloud) -> None:
    """Privacy by default holds for failures too: the errored transcript at the provider is deleted once the job
    records the failure, as a completed one is once it is stored."""
    failed_job("File does not appear to contain audio. File type is text/html.")
    stats = cloud.assemblyai.stats
    wait_until(lambda: len(stats["deleted"]) == 1, timeout=10, what="the errored provider copy to be deleted")
