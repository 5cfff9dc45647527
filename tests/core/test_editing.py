"""Editing a transcript: lines named by index, timings kept, the original kept for revert, exports follow, two tabs
never clobber, speakers moved, and no edit costs seconds or grows a transcript without bound."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import update

from common.store.db import transaction
from common.store.models import Transcript
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
    res = edit(api, job_id, 1, [{"line": 0, "text": "We met on Tuesday to plan the launch."}])
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
    res = edit(api, job_id, 1, [{"line": 0, "text": "We met on monday morning to plan launch."}])
    words = res.json["words"]
    assert [w["text"] for w in words] == ["We", "met", "on", "monday", "morning", "to", "plan", "launch."]
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and all(w["end"] >= w["start"] for w in words)


def test_two_tabs_saving_at_once_never_drop_a_change_silently() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    first = edit(api, job_id, 1, [{"line": 0, "text": "We met on Tuesday to plan the launch."}])
    assert first.status == 200
    stale = edit(api, job_id, 1, [{"line": 0, "text": "We met on Friday to plan the launch."}])
    assert (stale.status, stale.error_code) == (409, "edit_conflict")
    assert "Tuesday" in transcript(api, job_id)["text"]  # the first tab's change is still there
    assert edit(api, job_id, None, [{"line": 0, "text": "x"}]).status == 428  # no If-Match, no save


def test_revert_brings_back_the_original() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    edit(api, job_id, 1, [{"line": 0, "text": "Something else entirely."}])
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
    res = edit(api, job_id, 1, [{"line": 1, "text": "Hi once again."}])
    assert [u["text"] for u in res.json["utterances"]] == ["Hello there.", "Hi once again."]
    assert all(w["speaker"] == "B" for w in res.json["utterances"][1]["words"])
    srt = api.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": "srt"}).text
    assert "Speaker B: Hi once again." in srt


def test_only_the_owner_edits() -> None:
    owner, other = signed_up(unique_email()), signed_up(unique_email())
    job_id = completed_job(owner, TEXT)
    assert edit(other, job_id, 1, [{"line": 0, "text": "mine"}]).status == 404


def words_at(text: str, start_ms: int, end_ms: int, speaker: str) -> list[dict]:
    """The words of a line spread over [start_ms, end_ms], the last ending where the line does."""
    parts = text.split()
    step = (end_ms - start_ms) // len(parts)
    out = [
        {"text": w, "start": start_ms + i * step, "end": start_ms + (i + 1) * step, "speaker": speaker}
        for i, w in enumerate(parts)
    ]
    out[-1]["end"] = end_ms
    return out


def line(speaker: str, start_ms: int, end_ms: int, text: str) -> dict:
    return {
        "speaker": speaker,
        "start": start_ms,
        "end": end_ms,
        "text": text,
        "words": words_at(text, start_ms, end_ms, speaker),
    }


# The review's dialogue: "more." ends at 26,640 ms, where the next line starts (Whisper's lines often touch).
FUEL = "Fuel prices went up, so each delivery cost 40 dollars"
BOXES = "Can we reduce that if we order larger boxes?"
TOUCHING = [line("B", 22_500, 26_140, FUEL), line("A", 26_140, 26_640, "more."), line("A", 26_640, 29_500, BOXES)]


def test_an_edit_changes_the_line_it_names_even_when_lines_touch_in_time() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, f"{FUEL} more. {BOXES}", TOUCHING)
    res = edit(api, job_id, 1, [{"line": 2, "text": BOXES.replace("larger", "bigger")}])
    assert res.status == 200, res.text
    texts = [u["text"] for u in res.json["utterances"]]
    assert texts == [FUEL, "more.", "Can we reduce that if we order bigger boxes?"]
    emptied = edit(api, job_id, 2, [{"line": 1, "text": ""}])  # emptying "more." leaves the line before it alone
    assert [u["text"] for u in emptied.json["utterances"]] == [FUEL, "", "Can we reduce that if we order bigger boxes?"]


def test_a_line_that_is_not_in_the_version_read_is_refused() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, f"{FUEL} more. {BOXES}", TOUCHING)
    res = edit(api, job_id, 1, [{"line": 3, "text": "x"}])
    assert (res.status, res.error_code) == (422, "no_such_line") and "has 3" in res.json["error"]["message"]
    twice = edit(api, job_id, 1, [{"line": 0, "text": "x"}, {"line": 0, "text": "y"}])
    assert (twice.status, twice.error_code) == (422, "duplicate_line")
    assert edit(api, job_id, 1, [{"line": 0}]).status == 422  # neither text nor speaker
    assert transcript(api, job_id)["version"] == 1


def test_a_line_moves_to_another_speaker_and_the_move_can_be_reverted() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, f"{FUEL} more. {BOXES}", TOUCHING)
    res = edit(api, job_id, 1, [{"line": 1, "speaker": "B"}])  # "more." ends B's sentence
    assert res.status == 200, res.text
    moved = res.json["utterances"][1]
    assert (moved["speaker"], moved["speaker_name"], moved["text"]) == ("B", "Speaker B", "more.")
    assert all(w["speaker"] == "B" for w in moved["words"]) and res.json["edited"] is True
    txt = api.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": "txt"}).text
    assert txt == f"Speaker B: {FUEL} more.\n\nSpeaker A: {BOXES}\n"  # one turn per speaker, as the page shows
    new = edit(api, job_id, 2, [{"line": 2, "speaker": "C", "text": BOXES}])  # a speaker the diarizer missed
    assert [u["speaker"] for u in new.json["utterances"]] == ["B", "B", "C"]
    assert api.call("PUT", f"/api/v1/jobs/{job_id}/speakers", json_body={"names": {"C": "Carol"}}).status == 200
    reverted = api.call("DELETE", f"/api/v1/jobs/{job_id}/transcript/edits", headers={"If-Match": '"3"'})
    assert [u["speaker"] for u in reverted.json["utterances"]] == ["B", "A", "A"]


def test_a_one_speaker_line_has_no_speaker_to_move() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    res = edit(api, job_id, 1, [{"line": 0, "speaker": "B"}])
    assert (res.status, res.error_code) == (422, "not_a_dialogue")


def test_one_speaker_lines_are_paragraphs_and_the_txt_keeps_them() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, "One. Two. Three. Four. Five. After a pause.")
    with_pause = transcript(api, job_id)
    assert with_pause["paragraphs"] == [0, 4]  # a new paragraph every four sentences
    txt = api.get(f"/api/v1/jobs/{job_id}/transcript", query={"format": "txt"}).text
    assert txt == "One. Two. Three. Four.\n\nFive. After a pause.\n"
    res = edit(api, job_id, 1, [{"line": 1, "text": "Five. After the pause."}])
    assert res.json["text"] == "One. Two. Three. Four. Five. After the pause."
    assert res.json["words"][:4] == with_pause["words"][:4]  # the first paragraph is untouched


def test_an_edit_of_a_long_line_of_one_repeated_word_takes_well_under_a_second() -> None:
    """Security probe F1: six lines of 5,000 words of "a" took 21 s of CPU per save with the quadratic word diff."""
    api = signed_up(unique_email())
    long_lines = [line("A", i * 2_000_000, i * 2_000_000 + 1_500_000, " ".join(["a"] * 5_000)) for i in range(6)]
    job_id = completed_job(api, "a", long_lines)
    swapped = " ".join(["b", "a"] * 2_500)  # no common head, tail or unique word: the old diff's worst
    started = time.perf_counter()
    res = edit(api, job_id, 1, [{"line": i, "text": swapped} for i in range(6)])
    elapsed = time.perf_counter() - started
    assert res.status == 200, res.text
    assert elapsed < 5, f"one save took {elapsed:.1f} s"  # ~0.3 s here; the quadratic diff took over 20 s


def test_an_edit_text_past_ten_thousand_characters_is_refused() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    res = edit(api, job_id, 1, [{"line": 0, "text": "a" * 10_001}])
    assert res.status == 422 and "10000" in res.json["error"]["message"].replace(",", "")


def growth_edits(lines: int, words_each: int = 5_000) -> list[dict]:
    return [{"line": i, "text": " ".join(["a"] * words_each)} for i in range(lines)]


def test_edits_cannot_grow_a_transcript_without_bound() -> None:
    """Security probe F2: saves of new words, one after another, until PostgreSQL refused the search vector."""
    api = signed_up(unique_email())
    job_id = completed_job(api, "One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten. Eleven. Twelve.")
    first = edit(api, job_id, 1, growth_edits(1))  # +5,000 words
    assert first.status == 200, first.text
    lines = len(first.json["paragraphs"])
    second = edit(api, job_id, 2, [{"line": lines - 1, "text": " ".join(["b"] * 4_999)}])  # +4,999: 9,999 in all
    assert second.status == 200, second.text
    third = edit(api, job_id, 3, [{"line": 0, "text": " ".join(["a"] * 400)}])  # the first 200 words become 400
    assert (third.status, third.error_code) == (422, "transcript_too_long"), third.text
    assert "10,000 words" in third.json["error"]["message"]
    after = transcript(api, job_id)
    assert after["version"] == 3 and len(after["words"]) == 12 + 4_996 + 4_995
    shrink = edit(api, job_id, 3, [{"line": 0, "text": "a"}])  # shortening is always allowed
    assert shrink.status == 200, shrink.text


@pytest.mark.postgres_only
def test_text_past_what_the_search_index_takes_is_a_clear_refusal_not_an_outage(database_url: str) -> None:
    """PostgreSQL's search vector holds at most 1 MB of words and positions (~52,000 distinct 15-letter words): past
    it, a 4xx with a sentence, never 503 "the database is unavailable"."""
    assert database_url.startswith("postgresql")
    api = signed_up(unique_email())
    job_id = completed_job(api, " ".join(f"w{i:014d}." for i in range(51_000)))  # 1,020,000 bytes of 1,048,575
    new_words = [f"x{i:014d}" for i in range(2_400)]  # +48,000 bytes, 38 KB of text: within one save's limits
    edits = [{"line": k, "text": " ".join(new_words[k * 600 : (k + 1) * 600])} for k in range(4)]
    res = edit(api, job_id, 1, edits)
    assert (res.status, res.error_code) == (422, "too_large_to_store"), res.text[:300]
    assert "make it shorter" in res.json["error"]["message"]
    assert transcript(api, job_id)["version"] == 1


def test_a_transcript_without_word_timings_is_one_line_to_edit() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT)
    with transaction() as s:  # some providers' results carry text only
        s.execute(update(Transcript).where(Transcript.job_id == uuid.UUID(job_id)).values(words=[]))
    assert transcript(api, job_id)["paragraphs"] == []
    res = edit(api, job_id, 1, [{"line": 0, "text": "We met on Tuesday."}])
    assert res.status == 200, res.text
    assert [w["text"] for w in res.json["words"]] == ["We", "met", "on", "Tuesday."]
    assert edit(api, job_id, 2, [{"line": 1, "text": "x"}]).error_code == "no_such_line"
