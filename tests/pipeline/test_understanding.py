"""Redaction, translation and entities through the whole pipeline: asked per job, sent to the provider, stored with
the result; the redacted recording copied to our bucket once, retried when the copy fails, deleted with the job."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from common.adapters.assemblyai import WEBHOOK_SECRET_HEADER
from common.store.db import transaction
from common.store.models import JobUnderstanding
from local.assemblyai.media import dialogue_script, make_wav
from local.cloud import LocalCloud
from tests import http_client
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import (
    JOBS,
    create_job,
    declare,
    object_key,
    object_key_of,
    provider_id,
    put_bytes,
    storage_event,
    wait_for,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("clean_db")
TURNS = [("A", "Hello, I am Anna from London."), ("B", "Call me on 5551234567 please.")]
ASK = {
    "mode": "dialogue",
    "redact_pii": True,
    "redact_pii_policies": ["person_name", "phone_number"],
    "redact_pii_audio": True,
    "translation_targets": ["de"],
    "entity_detection": True,
}


def recording() -> bytes:
    script = dialogue_script(TURNS, 6.0)
    script["translations"] = {"de": ["Hallo, ich bin [PERSON_NAME] aus London.", "Rufen Sie mich an."]}
    return make_wav(script, 6.0)


def start(api: Api, **ask: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = recording()
    declared = declare(api, data)
    put_bytes(declared, data)
    return declared, create_job(api, declared["file"]["id"], **{**ASK, **ask})


def copy_state(job_id: str) -> str | None:
    with transaction() as s:
        row = s.get(JobUnderstanding, uuid.UUID(job_id))
        return row.redacted_audio if row else None


def copied(job_id: str) -> str:
    wait_until(lambda: copy_state(job_id) == "copied", what="the redacted recording's copy")
    with transaction() as s:
        row = s.get(JobUnderstanding, uuid.UUID(job_id))
        assert row is not None and row.redacted_key
        return row.redacted_key


def test_a_job_asks_redaction_translation_and_entities_and_gets_them(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    _, job = start(api)
    assert wait_for(api, job["id"])["status"] == "completed"
    sent = cloud.assemblyai.last_request
    assert sent["redact_pii_policies"] == ["person_name", "phone_number"] and sent["redact_pii_audio"] is True
    assert sent["speech_understanding"]["request"]["translation"]["target_languages"] == ["de"]
    assert sent["entity_detection"] is True
    copied(job["id"])
    t = api.get(f"{JOBS}/{job['id']}/transcript").json
    assert [u["text"] for u in t["utterances"]] == [
        "Hello, I am [PERSON_NAME] from London.",
        "Call me on [PHONE_NUMBER] please.",
    ]
    assert t["redaction"] == {
        "policies": ["person_name", "phone_number"],
        "substitution": "entity_name",
        "audio": "copied",
    }
    assert [line["texts"]["de"] for line in t["translated_lines"]] == [
        "Hallo, ich bin [PERSON_NAME] aus London.",
        "Rufen Sie mich an.",
    ]
    assert t["translated_lines"][0]["start"] == t["utterances"][0]["start"]
    # Entities of the redacted kinds keep their moment, not their words (AssemblyAI redacts the text only).
    assert [(e["entity_type"], e["text"]) for e in t["entities"]] == [
        ("person_name", "[PERSON_NAME]"),
        ("location", "London"),
        ("phone_number", "[PHONE_NUMBER]"),
    ]
    link = api.get(f"{JOBS}/{job['id']}/redacted-audio")
    assert link.status == 200, link.text
    status, body, headers = http_client.get(link.json["url"])
    # MP3, AssemblyAI's default quality, as asked; kept as it came, with its type, and named so when downloaded.
    kind = {k.lower(): v for k, v in headers.items()}["content-type"]
    assert status == 200 and kind == "audio/mpeg" and body[:3] == b"ID3"
    assert "call.redacted.mp3" in link.json["url"] or "meeting.redacted.mp3" in link.json["url"]
    # The provider's transcript (and the redacted recording with it) went once ours was safe.
    tid = provider_id(job["id"])
    wait_until(lambda: tid in cloud.assemblyai.stats["deleted"], what="the provider's copy to go")


def test_the_translation_exports_line_by_line(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    _, job = start(api, redact_pii=False, redact_pii_policies=[], redact_pii_audio=False)
    wait_for(api, job["id"])
    txt = api.get(f"{JOBS}/{job['id']}/transcript?format=txt&translation=de")
    assert txt.status == 200
    assert txt.text == "Speaker A: Hallo, ich bin [PERSON_NAME] aus London.\n\nSpeaker B: Rufen Sie mich an.\n"
    srt = api.get(f"{JOBS}/{job['id']}/transcript?format=srt&translation=de")
    assert "Rufen Sie mich an." in srt.text and "-->" in srt.text
    missing = api.get(f"{JOBS}/{job['id']}/transcript?format=txt&translation=fr")
    assert (missing.status, missing.error_code) == (404, "translation_not_found")


@pytest.mark.parametrize(
    ("ask", "says"),
    [
        ({"redact_pii_policies": ["shoe_size"]}, "AssemblyAI knows no redaction policy 'shoe_size'"),
        ({"redact_pii_policies": []}, "choose at least one kind of personal data"),
        ({"translation_targets": ["xx"]}, "AssemblyAI does not translate into 'xx'"),
        ({"translation_targets": ["de", "fr", "es", "it", "pt", "nl"]}, "at most 5"),
    ],
)
def test_bad_choices_get_a_sentence_and_nothing_is_submitted(cloud: LocalCloud, ask: dict[str, Any], says: str) -> None:
    api = signed_up(unique_email())
    declared = declare(api, recording())
    res = api.post(JOBS, {"file_id": declared["file"]["id"], **ASK, **ask})
    assert res.status == 422 and says in res.json["error"]["message"], res.text
    assert cloud.assemblyai.stats["submissions"] == 0


def test_an_engine_without_redaction_refuses_it_in_words(cloud: LocalCloud, configure: Any) -> None:
    configure(SPEECH_REDACTION="false", SPEECH_TRANSLATION_TARGETS="en", SPEECH_ENTITIES="false")
    api = signed_up(unique_email())
    caps = api.get("/api/v1/capabilities").json
    assert (caps["redaction"], caps["translation_targets"], caps["entities"]) == (False, ["en"], False)
    declared = declare(api, recording())
    file_id = declared["file"]["id"]
    res = api.post(JOBS, {"file_id": file_id, **ASK})
    assert (res.status, res.error_code) == (422, "redaction_not_available")
    res = api.post(JOBS, {"file_id": file_id, "translation_targets": ["de"]})
    assert res.status == 422 and "translates into English only" in res.json["error"]["message"]
    assert api.post(JOBS, {"file_id": file_id, "translation_targets": ["en"]}).status == 201


def test_a_copy_that_fails_waits_keeps_the_provider_copy_and_the_sweep_finishes_it(cloud: LocalCloud) -> None:
    cloud.assemblyai.faults.add({"op": "redacted_download", "status": 503, "times": 2})  # the webhook and its echo
    api = signed_up(unique_email())
    _, job = start(api)
    wait_for(api, job["id"])
    cloud.wait_idle()
    assert copy_state(job["id"]) == "pending"
    tid = provider_id(job["id"])
    assert tid not in cloud.assemblyai.stats["deleted"]  # it holds the only redacted recording
    waiting = api.get(f"{JOBS}/{job['id']}/redacted-audio")
    assert (waiting.status, waiting.error_code) == (409, "redacted_audio_pending")
    assert api.get(f"{JOBS}/{job['id']}/transcript").json["redaction"]["audio"] == "pending"
    cloud.run_reconcile()
    assert copy_state(job["id"]) == "copied"
    assert tid in cloud.assemblyai.stats["deleted"]
    assert api.get(f"{JOBS}/{job['id']}/redacted-audio").status == 200


def test_duplicated_notifications_and_sweeps_download_it_once(cloud: LocalCloud) -> None:
    # The first copier is slow at the provider: five webhooks, the redacted-audio notification and two sweeps arrive
    # meanwhile, and every one of them finds the copy taken.
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "duplicate", "copies": 5})
    cloud.assemblyai.faults.add({"op": "redacted_audio", "delay_s": 1.0})
    api = signed_up(unique_email())
    _, job = start(api)
    wait_for(api, job["id"])
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: cloud.run_reconcile(), range(2)))
    copied(job["id"])
    cloud.wait_idle()
    assert cloud.assemblyai.stats["redacted_downloads"] == 1
    assert cloud.assemblyai.stats["redacted_audio_gets"] == 1
    assert cloud.assemblyai.stats["submissions"] == 1


def test_expired_redacted_audio_is_said_so_and_the_provider_copy_goes(cloud: LocalCloud) -> None:
    cloud.assemblyai.faults.add({"op": "redacted_audio", "status": 400, "times": 5})
    api = signed_up(unique_email())
    _, job = start(api)
    wait_for(api, job["id"])
    wait_until(lambda: copy_state(job["id"]) == "unavailable", what="the copy to be given up")
    res = api.get(f"{JOBS}/{job['id']}/redacted-audio")
    assert (res.status, res.error_code) == (409, "redacted_audio_unavailable")
    assert "expired" in res.json["error"]["message"]
    tid = provider_id(job["id"])
    wait_until(lambda: tid in cloud.assemblyai.stats["deleted"], what="the provider's copy to go")


def test_deleting_the_job_deletes_both_recordings(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    declared, job = start(api)
    wait_for(api, job["id"])
    redacted, original = copied(job["id"]), object_key_of(declared["file"]["id"])
    assert cloud.object_exists(redacted) and cloud.object_exists(original)
    assert api.delete(f"{JOBS}/{job['id']}").status == 204
    cloud.run_reconcile()
    assert not cloud.object_exists(redacted) and not cloud.object_exists(original)


def test_deleting_the_account_deletes_the_redacted_copy(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    _, job = start(api)
    wait_for(api, job["id"])
    redacted = copied(job["id"])
    assert api.call("DELETE", "/api/v1/auth/me", json_body={"password": "correct horse battery"}).status == 204
    cloud.run_reconcile()
    assert not cloud.object_exists(redacted)


def test_another_user_cannot_fetch_the_redacted_recording(cloud: LocalCloud) -> None:
    api, other = signed_up(unique_email()), signed_up(unique_email())
    _, job = start(api)
    wait_for(api, job["id"])
    copied(job["id"])
    res = other.get(f"{JOBS}/{job['id']}/redacted-audio")
    assert (res.status, res.error_code) == (404, "job_not_found")


def test_a_one_speaker_translation_is_one_text_and_exports_whole(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    _, job = start(
        api, mode="mono", redact_pii=False, redact_pii_policies=[], redact_pii_audio=False, entity_detection=False
    )
    wait_for(api, job["id"])
    translation = cloud.assemblyai.last_request["speech_understanding"]["request"]["translation"]
    assert translation["match_original_utterance"] is False  # one speaker: no utterances to match
    t = api.get(f"{JOBS}/{job['id']}/transcript").json
    assert t["translated_lines"] == [] and t["redaction"] is None and t["entities"] == []
    whole = "Hallo, ich bin [PERSON_NAME] aus London. Rufen Sie mich an."
    assert t["translations"] == {"de": whole}
    assert api.get(f"{JOBS}/{job['id']}/transcript?format=txt&translation=de").text == whole + "\n"
    json_too = api.get(f"{JOBS}/{job['id']}/transcript?format=json&translation=de")
    assert (json_too.status, json_too.error_code) == (400, "invalid_format")


def test_a_forged_redacted_audio_notification_fetches_nothing_it_names(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    _, job = start(api)
    wait_for(api, job["id"])
    copied(job["id"])
    gets = cloud.assemblyai.stats["redacted_audio_gets"]
    headers = {WEBHOOK_SECRET_HEADER: os.environ["WEBHOOK_SECRET"]}
    forged = {"status": "redacted_audio_ready", "redacted_audio_url": "http://169.254.169.254/latest/meta-data"}
    url = f"{cloud.url}/api/v1/webhooks/assemblyai?job_id={job['id']}"
    assert http_client.post_json(url, forged, headers) == 200  # already copied: nothing to do, nothing fetched
    assert cloud.assemblyai.stats["redacted_audio_gets"] == gets
    assert http_client.post_json(url, forged, {}) == 401


def test_with_provider_copies_kept_the_copy_leaves_the_provider_transcript_alone(
    cloud: LocalCloud, configure: Any
) -> None:
    configure(DELETE_PROVIDER_COPY="false")
    api = signed_up(unique_email())
    _, job = start(api)
    wait_for(api, job["id"])
    copied(job["id"])
    cloud.wait_idle()
    cloud.run_reconcile()
    assert cloud.assemblyai.stats["deleted"] == []


def test_the_same_upload_event_five_times_submits_one_billed_request_with_the_options(cloud: LocalCloud) -> None:
    from functions.upload_trigger.index import handler

    api = signed_up(unique_email())
    data = recording()
    declared = declare(api, data)
    job = create_job(api, declared["file"]["id"], **ASK)
    cloud.pause_triggers()
    put_bytes(declared, data)
    event = storage_event(cloud.bucket, object_key(declared))
    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(lambda e: handler(e, None), [event] * 5))
    cloud.resume_triggers()  # and the emulator's own delivery, late
    wait_for(api, job["id"])
    copied(job["id"])
    assert cloud.assemblyai.stats["submissions"] == 1
    assert cloud.assemblyai.last_request["redact_pii_audio"] is True
