"""The pipeline with SPEECH_PROVIDER=speechkit: upload → trigger → RecognizeFile → the reconcile timer polls the
Operation → GetRecognition → transcript → DeleteRecognition, against the local SpeechKit v3 emulator over HTTP.

The same promises as AssemblyAI's path (test_happy_paths, test_at_least_once, test_faults): one recognition per job
whatever the events do, no result lost to a failed poll or a crash before the commit, provider copies deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from common.domain.pipeline import transitions
from common.store import db
from common.store.db import transaction
from common.store.models import Transcript, TranscriptionJob, utcnow
from local.cloud import LocalCloud
from tests import api, databases
from tests.api import signed_up
from tests.conftest import local_cloud, unique_email
from tests.pipeline.helpers import (
    FILES,
    JOBS,
    claim_without_submitting,
    create_job,
    declare,
    dialogue_wav,
    mono_wav,
    object_key,
    object_key_of,
    provider_id,
    put_bytes,
    storage_event,
    wait_for,
    wait_until,
)


@pytest.fixture(scope="module")
def speechkit(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """A local cloud whose functions talk to the SpeechKit emulator (and to no AssemblyAI at all)."""
    saved = api.GATEWAY
    with local_cloud(database_url, Path(tmp_path_factory.mktemp("speechkit")), provider="speechkit") as running:
        api.GATEWAY = running.gateway
        yield running
    api.GATEWAY = saved


@pytest.fixture(autouse=True)
def clean(speechkit: LocalCloud) -> Iterator[None]:
    speechkit.resume_triggers()
    speechkit.wait_idle()
    speechkit.speechkit.wait_idle()
    databases.wipe(db.get_engine())
    speechkit.speechkit.reset()
    yield
    speechkit.resume_triggers()
    speechkit.wait_idle()


def poll() -> dict[str, Any]:
    """One run of the reconcile timer, through its handler as the cloud invokes it."""
    from functions.reconcile.index import handler
    from local.functions import Context

    return handler(
        {"messages": [{"event_metadata": {"event_type": "yandex.cloud.events.serverless.triggers.TimerMessage"}}]},
        Context("reconcile"),
    )


def poll_until_done(a: api.Api, job_id: str, emulator: Any, timeout: float = 20.0) -> dict[str, Any]:
    emulator.wait_idle()
    poll()
    return wait_for(a, job_id, timeout=timeout)


def uploaded_mono_job(cloud: LocalCloud) -> tuple[api.Api, dict[str, Any]]:
    """A new user's one-speaker recording, uploaded (its event handled), and a job for it: submitted at once."""
    a = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(a, data)
    put_bytes(declared, data)
    cloud.wait_idle()
    return a, create_job(a, declared["file"]["id"])


def transcripts_stored() -> int:
    with transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Transcript)) or 0)


def test_capabilities_say_what_speechkit_can_and_cannot_do(speechkit: LocalCloud) -> None:
    caps = signed_up(unique_email()).get("/api/v1/capabilities").json
    assert caps["provider"] == "speechkit" and caps["engine"] == "Yandex SpeechKit"
    assert "ru" in caps["languages"] and "en" in caps["languages"] and "ja" not in caps["languages"]
    assert caps["auto_detect"] is True and caps["max_speakers"] == 2 and caps["word_confidence"] is False
    assert caps["url_import"] is False and caps["max_upload_bytes"] == 1024**3
    assert caps["max_duration_seconds"] == 4 * 3600
    assert set(caps["formats"]) >= {"audio/wav", "audio/ogg", "audio/mpeg"} and "video/mp4" not in caps["formats"]
    # Nothing RecognizeFile cannot do is offered: no vocabulary, names, voices, redaction, translation or entities.
    off = ("vocabulary", "speaker_identification", "voice_directory", "redaction", "entities")
    assert [caps[k] for k in off] == [False] * len(off) and caps["translation_targets"] == []
    assert caps["max_recording_seconds"] <= 4 * 3600


def test_a_dialogue_is_recognised_from_the_bucket_polled_stored_and_deleted_at_speechkit(speechkit: LocalCloud) -> None:
    emulator = speechkit.speechkit
    a = signed_up(unique_email())
    data, script = dialogue_wav()
    declared = declare(a, data)
    job = create_job(a, declared["file"]["id"], mode="dialogue", speakers_expected=2, language="en")
    put_bytes(declared, data)
    speechkit.wait_idle()
    submitted = a.get(f"{JOBS}/{job['id']}").json
    assert (submitted["status"], submitted["stage"]) == ("processing", "submitted")
    operation = provider_id(job["id"])
    record = emulator.operations[operation]
    # The recording was read from our bucket by its URI (no presigned URL), with the function's IAM token.
    assert record["object"] == f"{speechkit.bucket}/{object_key_of(declared['file']['id'])}"
    assert record["container"] == "WAV" and record["languages"] == ["en-US"] and record["labeling"] is True
    assert emulator.stats["auth_schemes"] == {"Bearer": 1}

    done = poll_until_done(a, job["id"], emulator)
    assert (done["status"], done["error_message"]) == ("completed", None)
    assert done["audio_duration"] == pytest.approx(6.0, abs=0.1)  # the whole recording, not the last word's end
    transcript = a.get(f"{JOBS}/{job['id']}/transcript").json
    assert [(u["speaker"], u["text"]) for u in transcript["utterances"]] == [
        (u["speaker"], u["text"]) for u in script["utterances"]
    ]
    assert all(w["confidence"] is None for u in transcript["utterances"] for w in u["words"])
    wait_until(lambda: emulator.stats["deleted"] == [operation], what="the recognition deleted at SpeechKit")
    assert emulator.recognitions_per_object() == {record["object"]: 1}


def test_a_monologue_in_auto_language_reports_the_detected_language(speechkit: LocalCloud) -> None:
    emulator = speechkit.speechkit
    a = signed_up(unique_email())
    data, _ = mono_wav("Good morning. The meeting starts at nine.")
    declared = declare(a, data)
    put_bytes(declared, data)
    speechkit.wait_idle()
    job = create_job(a, declared["file"]["id"])
    assert emulator.operations[provider_id(job["id"])]["languages"] == []  # no restriction: SpeechKit detects
    done = poll_until_done(a, job["id"], emulator)
    assert done["status"] == "completed" and done["language_detected"] == "en"
    text = a.get(f"{JOBS}/{job['id']}/transcript", query={"format": "txt"}).text
    assert "Good morning. The meeting starts at nine." in text


def test_ten_copies_of_the_upload_event_and_five_concurrent_timers_recognise_and_store_once(
    speechkit: LocalCloud,
) -> None:
    emulator = speechkit.speechkit
    a = signed_up(unique_email())
    data, _ = dialogue_wav()
    declared = declare(a, data)
    job = create_job(a, declared["file"]["id"], mode="dialogue")
    speechkit.pause_triggers()
    put_bytes(declared, data)
    from functions.upload_trigger.index import handler
    from local.functions import Context

    event = storage_event(speechkit.bucket, object_key(declared))
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda _: handler(event, Context("upload_trigger")), range(10)))
    emulator.wait_idle()
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda _: poll(), range(5)))
    assert wait_for(a, job["id"])["status"] == "completed"
    assert list(emulator.recognitions_per_object().values()) == [1]
    assert transcripts_stored() == 1
    wait_until(lambda: len(emulator.stats["deleted"]) == 1, what="one deletion at SpeechKit")


def test_a_failed_poll_loses_nothing_the_next_run_finishes(speechkit: LocalCloud) -> None:
    emulator = speechkit.speechkit
    a, job = uploaded_mono_job(speechkit)
    emulator.wait_idle()
    emulator.faults.update(operation=1, result=1)  # the Operation, then the result, each answer 503 once
    for _ in range(2):
        report = poll()
        assert len(report["errors"]) == 1 and "SpeechKit answered 503" in report["errors"][0]
        assert a.get(f"{JOBS}/{job['id']}").json["status"] == "processing"
    poll()
    assert wait_for(a, job["id"])["status"] == "completed"
    assert list(emulator.recognitions_per_object().values()) == [1]


def test_a_crash_after_reading_the_result_but_before_the_commit_reads_it_again(
    speechkit: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = speechkit.speechkit
    a, job = uploaded_mono_job(speechkit)
    emulator.wait_idle()
    real = transitions.complete

    def dies(*args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("the database went away mid-commit")

    monkeypatch.setattr(transitions, "complete", dies)
    with pytest.raises(ConnectionError):
        poll()
    assert emulator.stats["deleted"] == []  # nothing was deleted at SpeechKit before our copy was stored
    monkeypatch.setattr(transitions, "complete", real)
    poll()
    assert wait_for(a, job["id"])["status"] == "completed" and transcripts_stored() == 1
    wait_until(lambda: len(emulator.stats["deleted"]) == 1, what="the deletion after the stored copy")


def test_a_deletion_that_fails_at_speechkit_is_retried_by_the_next_run(speechkit: LocalCloud) -> None:
    emulator = speechkit.speechkit
    a, job = uploaded_mono_job(speechkit)
    emulator.faults.update(delete=2)  # right after the commit, and the same run's sweep of the outbox
    assert poll_until_done(a, job["id"], emulator)["status"] == "completed"
    assert emulator.stats["deleted"] == []
    poll()
    assert emulator.stats["deleted"] == [provider_id(job["id"])]


def test_an_unanswered_submission_is_not_sent_again_by_itself_and_the_person_may_retry(
    speechkit: LocalCloud, configure: Any
) -> None:
    emulator = speechkit.speechkit
    configure(SPEECHKIT_TIMEOUT_SECONDS="0.3")
    emulator.answer_late_s, emulator.faults["answer_late"] = 1.0, 1
    a, job = uploaded_mono_job(speechkit)
    failed = a.get(f"{JOBS}/{job['id']}").json
    assert (failed["status"], failed["retryable"]) == ("failed", True), failed
    assert "did not answer whether it took the job" in failed["error_message"]
    for _ in range(2):
        poll()
    assert list(emulator.recognitions_per_object().values()) == [1]  # SpeechKit took it once; we never re-sent
    retried = a.post(f"{JOBS}/{job['id']}/retry", {})
    assert retried.status == 200, retried.text
    assert poll_until_done(a, job["id"], emulator)["status"] == "completed"
    assert list(emulator.recognitions_per_object().values()) == [2]  # the person's retry, knowingly


def test_a_submitter_that_died_mid_call_fails_the_job_rather_than_risk_a_second_recognition(
    speechkit: LocalCloud, configure: Any
) -> None:
    a = signed_up(unique_email())
    data, _ = mono_wav()
    declared = declare(a, data, "late.wav")
    job = create_job(a, declared["file"]["id"])
    claim_without_submitting(declared["file"]["id"], job["id"])
    with transaction() as s:
        s.execute(
            update(TranscriptionJob)
            .where(TranscriptionJob.id == uuid.UUID(job["id"]))
            .values(claimed_at=utcnow() - timedelta(hours=1))
        )
    poll()
    failed = a.get(f"{JOBS}/{job['id']}").json
    assert (failed["status"], failed["retryable"]) == ("failed", True)
    assert "interrupted" in failed["error_message"]
    assert speechkit.speechkit.recognitions_per_object() == {}


def test_a_recognition_speechkit_fails_fails_the_job_with_its_reason(speechkit: LocalCloud) -> None:
    a = signed_up(unique_email())
    data, _ = mono_wav()
    declared = a.post(FILES, {"filename": "talk.mp3", "content_type": "audio/mpeg", "size": len(data)}).json
    put_bytes(declared, data)  # a WAV declared as MP3: SpeechKit is told MP3 and cannot read it
    speechkit.wait_idle()
    job = create_job(a, declared["file"]["id"])
    done = poll_until_done(a, job["id"], speechkit.speechkit)
    assert done["status"] == "failed" and "audio is not MP3" in done["error_message"]


def test_what_speechkit_cannot_do_is_refused_before_any_upload(speechkit: LocalCloud) -> None:
    a = signed_up(unique_email())
    video = a.post(FILES, {"filename": "talk.mp4", "content_type": "video/mp4", "size": 1000})
    assert video.status == 415 and video.json["error"]["code"] == "format_not_supported"
    webm = a.post(FILES, {"filename": "note.webm", "content_type": "audio/webm", "size": 1000})
    assert webm.status == 415 and "audio/wav" in webm.json["error"]["message"]  # says what it does take
    big = a.post(FILES, {"filename": "long.wav", "content_type": "audio/wav", "size": 1024**3 + 1})
    assert big.status == 413
    data, _ = mono_wav()
    declared = declare(a, data)
    three = a.post(JOBS, {"file_id": declared["file"]["id"], "mode": "dialogue", "speakers_expected": 3})
    assert three.status == 422 and three.json["error"]["code"] == "too_many_speakers"
    for extra in (
        {"mode": "dialogue", "speaker_names": ["Anna", "Boris"]},
        {"redact_pii": True, "redact_pii_policies": ["person_name"]},
        {"translation_targets": ["en"]},
        {"entity_detection": True},
    ):
        asked = a.post(JOBS, {"file_id": declared["file"]["id"], **extra})
        assert asked.status == 422 and "Yandex SpeechKit" in asked.json["error"]["message"], (extra, asked.text)
    link = a.post("/api/v1/imports", {"url": "https://example.com/episode.mp3"})
    assert link.status == 422 and link.json["error"]["code"] == "no_url_import"
    assert speechkit.speechkit.recognitions_per_object() == {}


def test_the_gateway_has_no_assemblyai_webhook_route(speechkit: LocalCloud) -> None:
    res = signed_up(unique_email()).post("/api/v1/webhooks/assemblyai?job_id=x", {"transcript_id": "x"})
    assert res.status == 404
