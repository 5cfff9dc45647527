"""Editing a transcript: timings kept, the original kept for revert, exports follow, two tabs never clobber."""

from __future__ import annotations

import pytest

from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.core.transcripts import completed_job, timed_words

pytestmark = pytest.mark.usefixtures("clean_db")
TEXT = "We met on monday to plan the launch."


def transcript(api: Api, job_id: str) -> dict:
    return api.get(f"/api/v1/jobs/{job_id}/transcript").json


def edit(api: Api, job_id: str, version: int | None, edits: list[dict]):  # type: ignore[no-untyped-def]
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return api.call("PUT", f"/api/v1/jobs/{job_id}/transcript", json_body={"edits": edits}, headers=headers)


def test_a_corrected_word_keeps_its_timing_and_the_export_follows() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    before = transcript(api, job_id)
    assert (before["version"], before["edited"]) == (1, False)
    res = edit(api, job_id, 1, [{"start": 0, "end": 3000, "text": "We met on Tuesday to plan the launch."}])
    assert res.status == 200, res.text
    assert res.headers["etag"] == '"2"' and res.json["edited"] is True
    words = {w["text"]: (w["start"], w["end"]) for w in res.json["words"]}
    old = {w["text"]: (w["start"], w["end"]) for w in timed_words(TEXT)}
    assert words["Tuesday"] == old["monday"]  # the corrected word takes the time of the one it replaces
    assert words["launch."] == old["launch."]  # the rest keep theirs
    txt = api.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": "txt"}).text
    assert txt == "We met on Tuesday to plan the launch.\n"
    assert api.get("/api/v1/search", query={"q": "tuesday"}).json["items"]  # the search index follows the edit


def test_inserted_and_deleted_words_are_retimed_inside_the_line() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    res = edit(api, job_id, 1, [{"start": 0, "end": 3000, "text": "We met on monday morning to plan launch."}])
    words = res.json["words"]
    assert [w["text"] for w in words] == ["We", "met", "on", "monday", "morning", "to", "plan", "launch."]
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and all(w["end"] >= w["start"] for w in words)


def test_two_tabs_saving_at_once_never_drop_a_change_silently() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    first = edit(api, job_id, 1, [{"start": 0, "end": 3000, "text": "We met on Tuesday to plan the launch."}])
    assert first.status == 200
    stale = edit(api, job_id, 1, [{"start": 0, "end": 3000, "text": "We met on Friday to plan the launch."}])
    assert (stale.status, stale.error_code) == (409, "edit_conflict")
    assert "Tuesday" in transcript(api, job_id)["text"]  # the first tab's change is still there
    assert edit(api, job_id, None, [{"start": 0, "end": 10, "text": "x"}]).status == 428  # no If-Match, no save


def test_revert_brings_back_the_original() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    edit(api, job_id, 1, [{"start": 0, "end": 3000, "text": "Something else entirely."}])
    res = api.call("DELETE", f"/api/v1/jobs/{job_id}/transcript/edits", headers={"If-Match": '"2"'})
    assert res.status == 200 and res.json["text"] == TEXT and res.json["edited"] is False
    assert res.json["words"] == transcript(api, job_id)["words"] and res.json["version"] == 3


def test_a_dialogue_line_is_edited_in_its_utterance() -> None:
    api = signed_up(unique_email())
    utterances = [
        {
            "speaker": "A",
            "start": 0,
            "end": 1100,
            "text": "Hello there.",
            "words": timed_words("Hello there.", 0, 400, "A"),
        },
        {
            "speaker": "B",
            "start": 2000,
            "end": 3100,
            "text": "Hi again.",
            "words": timed_words("Hi again.", 2000, 400, "B"),
        },
    ]
    job_id = completed_job(api, "Hello there. Hi again.", utterances)
    res = edit(api, job_id, 1, [{"start": 2000, "end": 3100, "text": "Hi once again."}])
    assert [u["text"] for u in res.json["utterances"]] == ["Hello there.", "Hi once again."]
    assert all(w["speaker"] == "B" for w in res.json["utterances"][1]["words"])
    srt = api.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": "srt"}).text
    assert "Speaker B: Hi once again." in srt


def test_only_the_owner_edits() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    job_id = completed_job(owner, TEXT)
    assert edit(other, job_id, 1, [{"start": 0, "end": 3000, "text": "mine"}]).status == 404
