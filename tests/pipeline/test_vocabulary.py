"""A user's vocabulary rides with each new job to AssemblyAI (keyterms_prompt, custom_spelling), the provider's
spelling fix reaches the stored transcript, and duplicated events still submit once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from local.assemblyai.media import make_wav, mono_script
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import JOBS, create_job, declare, object_key, put_bytes, storage_event, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
SAID = "We deployed it on cooper nettys yesterday."
VOCABULARY = {"terms": [{"term": "Kubernetes", "spellings": ["cooper nettys"]}, {"term": "New Relic"}]}


def with_vocabulary() -> Api:
    api = signed_up(unique_email())
    assert api.call("PUT", "/api/v1/vocabulary", json_body=VOCABULARY).status == 200
    return api


def recording() -> bytes:
    return make_wav(mono_script(SAID, 4.0, unsure=("cooper", "nettys")), 4.0)


def test_a_new_job_sends_the_vocabulary_and_the_transcript_is_spelt_by_it(cloud) -> None:
    api = with_vocabulary()
    data = recording()
    declared = declare(api, data)
    put_bytes(declared, data)
    job = create_job(api, declared["file"]["id"], language="en")
    done = wait_for(api, job["id"])
    assert done["status"] == "completed"
    sent = cloud.assemblyai.last_request
    assert sent["keyterms_prompt"] == ["Kubernetes", "New Relic"]
    assert sent["custom_spelling"] == [{"from": ["cooper nettys"], "to": "Kubernetes"}]
    text = api.get(f"{JOBS}/{job['id']}/transcript", query={"format": "txt"}).text
    assert text.strip() == "We deployed it on Kubernetes yesterday."
    # The two doubtful words became one, still doubtful until a person reads it (AssemblyAI keeps the confidence).
    assert done["uncertain_words"] == 1


def test_russian_jobs_get_the_spellings_only_and_others_jobs_get_nothing(cloud) -> None:
    api = with_vocabulary()
    data = recording()
    declared = declare(api, data)
    put_bytes(declared, data)
    wait_for(api, create_job(api, declared["file"]["id"], language="ru")["id"])
    sent = cloud.assemblyai.last_request
    assert "keyterms_prompt" not in sent  # Universal-2 takes keyterms for English only
    assert sent["custom_spelling"] == [{"from": ["cooper nettys"], "to": "Kubernetes"}]

    stranger = signed_up(unique_email())
    declared = declare(stranger, data)
    put_bytes(declared, data)
    done = wait_for(stranger, create_job(stranger, declared["file"]["id"], language="en")["id"])
    sent = cloud.assemblyai.last_request
    assert "keyterms_prompt" not in sent and "custom_spelling" not in sent
    assert stranger.get(f"{JOBS}/{done['id']}/transcript", query={"format": "txt"}).text.strip() == SAID


def test_the_same_upload_event_eight_times_submits_the_vocabulary_once(cloud) -> None:
    from functions.upload_trigger.index import handler

    api = with_vocabulary()
    data = recording()
    declared = declare(api, data)
    job = create_job(api, declared["file"]["id"], language="en")
    cloud.pause_triggers()
    put_bytes(declared, data)
    event = storage_event(cloud.bucket, object_key(declared))
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda e: handler(e, None), [event] * 8))
    cloud.resume_triggers()
    assert wait_for(api, job["id"])["status"] == "completed"
    assert cloud.assemblyai.submissions_per_job() == {job["id"]: 1}
    assert cloud.assemblyai.last_request["custom_spelling"] == [{"from": ["cooper nettys"], "to": "Kubernetes"}]


def test_an_engine_without_vocabulary_says_so_and_its_jobs_carry_none(cloud, configure) -> None:
    caps = Api().get("/api/v1/capabilities").json
    assert (caps["word_confidence"], caps["vocabulary"]) == (True, True)  # AssemblyAI and the local Whisper: both
    configure(SPEECH_VOCABULARY="false", SPEECH_WORD_CONFIDENCE="false")
    caps = Api().get("/api/v1/capabilities").json
    assert (caps["word_confidence"], caps["vocabulary"]) == (False, False)
    api = with_vocabulary()  # still kept, for an engine that takes it
    data = recording()
    declared = declare(api, data)
    put_bytes(declared, data)
    done = wait_for(api, create_job(api, declared["file"]["id"], language="en")["id"])
    assert done["status"] == "completed"
    sent = cloud.assemblyai.last_request
    assert "keyterms_prompt" not in sent and "custom_spelling" not in sent
