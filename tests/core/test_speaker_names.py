"""Renaming speakers: "Speaker A" becomes "Anna" in the transcript and in every export; the stored result stays."""

from __future__ import annotations

import pytest

from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.core.transcripts import completed_job

pytestmark = pytest.mark.usefixtures("clean_db")
UTTERANCES = [
    {
        "speaker": "A",
        "start": 250,
        "end": 1250,
        "text": "Hello there.",
        "words": [
            {"text": "Hello", "start": 250, "end": 700, "speaker": "A"},
            {"text": "there.", "start": 750, "end": 1250, "speaker": "A"},
        ],
    },
    {
        "speaker": "B",
        "start": 1600,
        "end": 3100,
        "text": "Hi, how are you?",
        "words": [
            {"text": "Hi,", "start": 1600, "end": 1900, "speaker": "B"},
            {"text": "how", "start": 2000, "end": 2300, "speaker": "B"},
            {"text": "are", "start": 2400, "end": 2700, "speaker": "B"},
            {"text": "you?", "start": 2800, "end": 3100, "speaker": "B"},
        ],
    },
]


def completed_dialogue(api: Api) -> str:
    return completed_job(api, "Hello there. Hi, how are you?", UTTERANCES)


def test_renamed_speakers_show_in_the_transcript_and_every_export() -> None:
    api = signed_up(unique_email())
    job_id = completed_dialogue(api)
    res = api.call("PUT", f"/api/v1/jobs/{job_id}/speakers", json_body={"names": {"A": "Anna", "B": "Boris"}})
    assert res.status == 200, res.text
    assert res.json["speaker_names"] == {"A": "Anna", "B": "Boris"}
    assert [u["speaker_name"] for u in res.json["utterances"]] == ["Anna", "Boris"]
    assert [u["speaker"] for u in res.json["utterances"]] == ["A", "B"]  # the provider's labels stay as they were
    export = lambda fmt: api.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": fmt}).text  # noqa: E731
    assert "Anna: Hello there." in export("srt") and "Boris: Hi, how are you?" in export("srt")
    assert "<v Anna>Hello there." in export("vtt")
    assert export("txt") == "Anna: Hello there.\n\nBoris: Hi, how are you?\n"
    assert '"speaker_name":"Anna"' in export("json").replace(" ", "")


def test_an_empty_name_restores_the_label_and_unknown_speakers_are_refused() -> None:
    api = signed_up(unique_email())
    job_id = completed_dialogue(api)
    api.call("PUT", f"/api/v1/jobs/{job_id}/speakers", json_body={"names": {"A": "Anna"}})
    res = api.call("PUT", f"/api/v1/jobs/{job_id}/speakers", json_body={"names": {"A": " "}})
    assert res.json["speaker_names"] == {} and res.json["utterances"][0]["speaker_name"] == "Speaker A"
    bad = api.call("PUT", f"/api/v1/jobs/{job_id}/speakers", json_body={"names": {"Z": "Zed"}})
    assert (bad.status, bad.error_code) == (422, "unknown_speaker")
    assert "no speaker Z" in bad.json["error"]["message"]


def test_only_the_owner_renames() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    job_id = completed_dialogue(owner)
    res = other.call("PUT", f"/api/v1/jobs/{job_id}/speakers", json_body={"names": {"A": "Mallory"}})
    assert res.status == 404
    assert "Speaker A: Hello" in owner.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": "srt"}).text
