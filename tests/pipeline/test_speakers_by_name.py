"""Speakers by name: names given when the job is created come back on the speakers (the rename, still the user's),
asked of the provider once; a speaker named in one recording is suggested under that name in the next by voice."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from common.store.db import transaction
from common.store.models import Voice, VoiceUse
from local.assemblyai.media import dialogue_script, make_wav
from local.cloud import LocalCloud
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import DIALOGUE, JOBS, declare, put_bytes, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")
PASSWORD = "correct horse battery"


def voice(seed: int, near: list[float] | None = None, spread: float = 0.0) -> list[float]:
    """A unit vector of 256: a voice of its own (seed), or one `spread` away from `near` (the same voice again)."""
    base = near or [math.sin(seed * 7.1 + i * 1.3) + math.cos(seed * 3.7 * i) for i in range(256)]
    noisy = [x + spread * math.sin(seed * 11.3 + i * 2.9) for i, x in enumerate(base)]
    length = math.sqrt(sum(x * x for x in noisy))
    return [x / length for x in noisy]


ANNA, BORIS, CARL = voice(1), voice(2), voice(3)


def dialogue(api: Api, voices: dict[str, list[float]] | None = None, **options: Any) -> tuple[dict[str, Any], Any]:
    script = dialogue_script(DIALOGUE, 6.0)
    if voices:
        script["speaker_embeddings"] = voices
    data = make_wav(script, 6.0)
    declared = declare(api, data)
    put_bytes(declared, data)
    res = api.post(JOBS, {"file_id": declared["file"]["id"], "mode": "dialogue", "language": "en", **options})
    return declared, res


def finished_dialogue(api: Api, voices: dict[str, list[float]] | None = None, **options: Any) -> str:
    _, res = dialogue(api, voices, **options)
    assert res.status == 201, res.text
    assert wait_for(api, res.json["id"])["status"] == "completed"
    return str(res.json["id"])


def transcript(api: Api, job_id: str) -> dict[str, Any]:
    return dict(api.get(f"{JOBS}/{job_id}/transcript").json)


def rename(api: Api, job_id: str, names: dict[str, str]) -> dict[str, Any]:
    res = api.call("PUT", f"{JOBS}/{job_id}/speakers", json_body={"names": names})
    assert res.status == 200, res.text
    return dict(res.json)


def voice_rows() -> tuple[int, int]:
    with transaction() as s:
        return (
            s.scalar(select(func.count()).select_from(Voice)) or 0,
            s.scalar(select(func.count()).select_from(VoiceUse)) or 0,
        )


# names at job creation (the provider's speaker identification)


def test_names_given_at_creation_name_the_speakers_and_stay_the_users_to_change(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    job_id = finished_dialogue(api, speaker_names=["Anna", " Boris "], speakers_expected=2)
    asked = cloud.assemblyai.last_request["speech_understanding"]["request"]["speaker_identification"]
    assert asked == {"speaker_type": "name", "known_values": ["Anna", "Boris"]}
    assert cloud.assemblyai.stats["submissions"] == 1
    shown = transcript(api, job_id)
    assert shown["speaker_names"] == {"A": "Anna", "B": "Boris"}
    assert [(u["speaker"], u["speaker_name"]) for u in shown["utterances"]] == [
        ("A", "Anna"),
        ("B", "Boris"),
        ("A", "Anna"),
    ]
    assert "Anna: Good morning" in api.get(f"{JOBS}/{job_id}/transcript", query={"format": "srt"}).text
    changed = rename(api, job_id, {"B": "Bob"})
    assert changed["speaker_names"] == {"A": "Anna", "B": "Bob"}


def test_roles_are_asked_as_roles(cloud: LocalCloud) -> None:
    api = signed_up(unique_email())
    job_id = finished_dialogue(api, speaker_names=["Interviewer"], speaker_type="role")
    asked = cloud.assemblyai.last_request["speech_understanding"]["request"]["speaker_identification"]
    assert asked == {"speaker_type": "role", "known_values": ["Interviewer"]}
    assert transcript(api, job_id)["speaker_names"] == {"A": "Interviewer"}  # B keeps "Speaker B"


@pytest.mark.parametrize(
    ("options", "sentence"),
    [
        ({"speaker_names": [f"P{i}" for i in range(11)]}, "at most 10"),
        ({"speaker_names": ["Anna", "Boris", "Carl"], "speakers_expected": 2}, "3 names were given for 2 expected"),
        ({"speaker_names": ["Anna", "  "]}, "a speaker name cannot be empty"),
        ({"speaker_names": ["x" * 36]}, "at most 35 characters"),
        ({"speaker_names": ["Anna", "anna"]}, "each speaker name must be different"),
        ({"speaker_names": ["Anna"], "speaker_type": "nickname"}, "'name' or 'role'"),
        ({"speaker_names": ["Anna"], "mode": "mono"}, "dialogue"),
    ],
)
def test_bad_names_get_a_sentence_and_nothing_is_submitted(
    cloud: LocalCloud, options: dict[str, Any], sentence: str
) -> None:
    api = signed_up(unique_email())
    _, res = dialogue(api, **options)
    assert res.status == 422, res.text
    assert sentence in res.json["error"]["message"]
    assert api.get(JOBS).json["items"] == []
    cloud.wait_idle()
    assert cloud.assemblyai.stats["submissions"] == 0


def test_an_engine_without_speaker_identification_refuses_names(cloud: LocalCloud, configure: Any) -> None:
    configure(SPEECH_SPEAKER_IDENTIFICATION="false")
    api = signed_up(unique_email())
    assert api.get("/api/v1/capabilities").json["speaker_identification"] is False
    _, res = dialogue(api, speaker_names=["Anna"])
    assert res.status == 422 and "cannot name speakers" in res.json["error"]["message"]
    assert cloud.assemblyai.stats["submissions"] == 0


def test_duplicate_webhooks_with_names_submit_once_and_name_once(cloud: LocalCloud) -> None:
    cloud.assemblyai.faults.add({"op": "webhook", "mode": "duplicate", "copies": 4, "times": 1})
    api = signed_up(unique_email())
    job_id = finished_dialogue(api, speaker_names=["Anna", "Boris"])
    cloud.wait_idle()
    assert cloud.assemblyai.submissions_per_job() == {job_id: 1}
    assert transcript(api, job_id)["speaker_names"] == {"A": "Anna", "B": "Boris"}


# the directory of named voices


def test_capabilities_offer_both_on_the_local_engine() -> None:
    caps = signed_up(unique_email()).get("/api/v1/capabilities").json
    assert caps["speaker_identification"] is True and caps["voice_directory"] is True


def test_a_named_voice_is_suggested_in_the_next_recording_and_applied_only_when_confirmed() -> None:
    api = signed_up(unique_email())
    first = finished_dialogue(api, {"A": ANNA, "B": BORIS})
    assert transcript(api, first)["speaker_suggestions"] == {}  # nobody named yet
    rename(api, first, {"A": "Anna"})
    assert [v["name"] for v in api.get("/api/v1/voices").json["items"]] == ["Anna"]

    # Anna again, now second to speak (label B), beside a voice never named.
    second = finished_dialogue(api, {"A": CARL, "B": voice(9, ANNA, 0.02)})
    shown = transcript(api, second)
    assert shown["speaker_suggestions"] == {"B": "Anna"}
    assert shown["speaker_names"] == {}  # a suggestion, not applied
    confirmed = rename(api, second, {"B": "Anna"})
    assert confirmed["speaker_names"] == {"B": "Anna"} and confirmed["speaker_suggestions"] == {}
    assert api.get("/api/v1/voices").json["items"][0]["recordings"] == 2

    other = signed_up(unique_email())  # another user's directory suggests nothing here
    assert transcript(other, finished_dialogue(other, {"A": voice(5, ANNA, 0.02)}))["speaker_suggestions"] == {}


def test_a_voice_unlike_any_named_one_gets_no_suggestion() -> None:
    api = signed_up(unique_email())
    rename(api, finished_dialogue(api, {"A": ANNA, "B": BORIS}), {"A": "Anna", "B": "Boris"})
    assert transcript(api, finished_dialogue(api, {"A": CARL}))["speaker_suggestions"] == {}


# the embedding is personal data


def test_deleting_the_name_deletes_the_voice_and_its_embeddings() -> None:
    api = signed_up(unique_email())
    first = finished_dialogue(api, {"A": ANNA, "B": BORIS})
    rename(api, first, {"A": "Anna", "B": "Boris"})
    assert voice_rows() == (2, 2)
    rename(api, first, {"A": ""})  # the name cleared: Anna's voice goes
    assert [v["name"] for v in api.get("/api/v1/voices").json["items"]] == ["Boris"] and voice_rows() == (1, 1)
    boris = api.get("/api/v1/voices").json["items"][0]["id"]
    assert api.delete(f"/api/v1/voices/{boris}").status == 204  # forgotten from the account page
    assert voice_rows() == (0, 0)
    assert transcript(api, first)["speaker_names"] == {"B": "Boris"}  # the transcript keeps the name it shows
    assert transcript(api, finished_dialogue(api, {"A": voice(4, BORIS, 0.02)}))["speaker_suggestions"] == {}
    assert api.delete(f"/api/v1/voices/{uuid.uuid4()}").status == 404


def test_deleting_the_recordings_deletes_the_voice_with_its_last_use() -> None:
    api = signed_up(unique_email())
    first = finished_dialogue(api, {"A": ANNA})
    second = finished_dialogue(api, {"A": voice(6, ANNA, 0.02)})
    rename(api, first, {"A": "Anna"})
    rename(api, second, {"A": "Anna"})
    assert voice_rows() == (1, 2)
    assert api.delete(f"{JOBS}/{first}").status == 204
    assert voice_rows() == (1, 1) and api.get("/api/v1/voices").json["items"][0]["recordings"] == 1
    assert api.delete(f"{JOBS}/{second}").status == 204
    assert voice_rows() == (0, 0) and api.get("/api/v1/voices").json["items"] == []


def test_deleting_the_account_deletes_its_voices() -> None:
    email = unique_email()
    api = signed_up(email, PASSWORD)
    rename(api, finished_dialogue(api, {"A": ANNA}), {"A": "Anna"})
    keeper = signed_up(unique_email())
    rename(keeper, finished_dialogue(keeper, {"A": BORIS}), {"A": "Boris"})
    assert voice_rows() == (2, 2)
    assert api.call("DELETE", "/api/v1/auth/me", json_body={"password": PASSWORD}).status == 204
    assert voice_rows() == (1, 1)
    assert [v["name"] for v in keeper.get("/api/v1/voices").json["items"]] == ["Boris"]


def test_only_the_owner_deletes_a_voice() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    rename(owner, finished_dialogue(owner, {"A": ANNA}), {"A": "Anna"})
    voice_id = owner.get("/api/v1/voices").json["items"][0]["id"]
    assert other.delete(f"/api/v1/voices/{voice_id}").status == 404
    assert other.get("/api/v1/voices").json["items"] == []
    assert voice_rows() == (1, 1)


def test_a_stalled_claim_with_names_is_resubmitted_once_with_its_names(cloud: LocalCloud, configure: Any) -> None:
    """The submitter died after claiming: reconcile submits once, and the names go with that one submission."""
    import time

    from tests.pipeline.helpers import claim_without_submitting

    configure(CLAIM_TIMEOUT_SECONDS=1)
    api = signed_up(unique_email())
    script = dialogue_script(DIALOGUE, 6.0)
    data = make_wav(script, 6.0)
    declared = declare(api, data)
    cloud.pause_triggers()
    put_bytes(declared, data)
    res = api.post(JOBS, {"file_id": declared["file"]["id"], "mode": "dialogue", "speaker_names": ["Anna", "Boris"]})
    assert res.status == 201, res.text
    job_id = res.json["id"]
    claim = claim_without_submitting(declared["file"]["id"], job_id)
    assert claim.speaker_identification == {"speaker_type": "name", "values": ["Anna", "Boris"]}
    time.sleep(1.2)
    cloud.run_reconcile()
    done = wait_for(api, job_id)
    assert done["status"] == "completed", done["error_message"]
    cloud.run_reconcile()
    cloud.resume_triggers()
    cloud.wait_idle()
    assert cloud.assemblyai.submissions_per_job() == {job_id: 1}
    asked = cloud.assemblyai.last_request["speech_understanding"]["request"]["speaker_identification"]
    assert asked["known_values"] == ["Anna", "Boris"]
    assert transcript(api, job_id)["speaker_names"] == {"A": "Anna", "B": "Boris"}
