"""Upload → trigger → AssemblyAI → webhook → transcript, in both modes and both orders."""

from __future__ import annotations

import pytest

from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import (
    JOBS,
    create_job,
    declare,
    dialogue_wav,
    mono_wav,
    provider_id,
    put_bytes,
    wait_for,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.parametrize("upload_first", [True, False], ids=["upload-then-job", "job-then-upload"])
def test_dialogue_job_completes_with_speakers_in_either_order(cloud, upload_first: bool) -> None:
    api = signed_up(unique_email())
    data, script = dialogue_wav()
    declared = declare(api, data)
    file_id = declared["file"]["id"]
    if upload_first:
        put_bytes(declared, data)
        cloud.wait_idle()
        job = create_job(api, file_id, mode="dialogue", speakers_expected=2, language="en")
    else:
        job = create_job(api, file_id, mode="dialogue", speakers_expected=2, language="en")
        assert job["stage"] == "waiting_for_upload"
        put_bytes(declared, data)
    done = wait_for(api, job["id"])
    assert (done["status"], done["stage"], done["error_message"]) == ("completed", "completed", None)
    assert done["file"]["status"] == "uploaded" and done["file"]["uploaded_size"] == len(data)
    assert done["audio_duration"] == pytest.approx(6.0, abs=0.1)

    transcript = api.get(f"{JOBS}/{job['id']}/transcript").json
    assert [(u["speaker"], u["text"]) for u in transcript["utterances"]] == [
        (u["speaker"], u["text"]) for u in script["utterances"]
    ]
    srt = api.get(f"{JOBS}/{job['id']}/transcript", query={"format": "srt"}).text
    assert "Speaker A: Good morning" in srt and "Speaker B: Happy to be here." in srt

    stats = cloud.assemblyai.stats
    assert stats["submissions"] == 1
    submitted = cloud.assemblyai.last_request
    assert submitted["speaker_labels"] is True and submitted["speakers_expected"] == 2
    assert submitted["language_code"] == "en"
    # The user's transcript lives only in their cloud: the provider's copy is deleted once stored (right after
    # the completion commits, so a fast poller can see "completed" a few milliseconds before the deletion).
    tid = provider_id(job["id"])
    wait_until(lambda: stats["deleted"] == [tid], timeout=10, what="the provider copy to be deleted")


def test_mono_job_with_language_detection(cloud) -> None:
    api = signed_up(unique_email())
    data, _script = mono_wav()
    declared = declare(api, data, name="note.wav")
    put_bytes(declared, data)
    job = create_job(api, declared["file"]["id"])
    done = wait_for(api, job["id"])
    assert done["status"] == "completed"
    submitted = cloud.assemblyai.last_request
    assert submitted.get("language_detection") is True and "language_code" not in submitted
    assert not submitted.get("speaker_labels")
    txt = api.get(f"{JOBS}/{job['id']}/transcript", query={"format": "txt"}).text
    assert "quick brown fox" in txt.lower()
