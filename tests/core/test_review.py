"""Review mode: the job list counts the words the engine was unsure of, an edited word is no longer uncertain, and
each user keeps a vocabulary (terms and what the engine wrote instead) within AssemblyAI's limits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from common.adapters.assemblyai import custom_spelling_for, keyterms_for
from common.adapters.ports import Submission
from tests.api import Api, signed_up
from tests.conftest import unique_email
from tests.core.transcripts import completed_job, timed_words

pytestmark = pytest.mark.usefixtures("clean_db")
TEXT = "We asked cooper nettys to plan the launch."
VOCABULARY = "/api/v1/vocabulary"


def rated(text: str, unsure: set[str]) -> list[dict[str, Any]]:
    """Words as AssemblyAI gives them: each with a confidence, low for the ones it misheard."""
    return [{**w, "confidence": 0.3 if w["text"] in unsure else 0.93} for w in timed_words(text)]


def listed(api: Api, job_id: str) -> dict[str, Any]:
    return next(j for j in api.get("/api/v1/jobs").json["items"] if j["id"] == job_id)


def edit(api: Api, job_id: str, version: int, text: str) -> dict[str, Any]:
    res = api.call(
        "PUT",
        f"/api/v1/jobs/{job_id}/transcript",
        json_body={"edits": [{"line": 0, "text": text}]},
        headers={"If-Match": f'"{version}"'},
    )
    assert res.status == 200, res.text
    return dict(res.json)


def test_the_job_list_counts_the_words_the_engine_was_unsure_of() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT, words=rated(TEXT, {"cooper", "nettys", "launch."}))
    assert listed(api, job_id)["uncertain_words"] == 3
    assert api.get(f"/api/v1/jobs/{job_id}").json["uncertain_words"] == 3
    sure = completed_job(api, "All clear here.", words=rated("All clear here.", set()), name="clear.wav")
    assert listed(api, sure)["uncertain_words"] == 0


def test_an_edited_word_is_no_longer_uncertain_and_a_revert_brings_the_doubt_back() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, TEXT, words=rated(TEXT, {"cooper", "nettys", "launch."}))
    edited = edit(api, job_id, 1, "We asked Kubernetes to plan the launch.")
    by_text = {w["text"]: w["confidence"] for w in edited["words"]}
    assert by_text["Kubernetes"] is None  # typed by a person: read, so not uncertain
    assert by_text["launch."] == 0.3  # untouched in the same line: still uncertain
    assert listed(api, job_id)["uncertain_words"] == 1
    retyped = edit(api, job_id, 2, "We asked Kubernetes to plan the Launch.")  # only a capital: still read
    assert {w["text"]: w["confidence"] for w in retyped["words"]}["Launch."] is None
    assert listed(api, job_id)["uncertain_words"] == 0
    reverted = api.call("DELETE", f"/api/v1/jobs/{job_id}/transcript/edits", headers={"If-Match": '"3"'})
    assert reverted.status == 200, reverted.text
    assert listed(api, job_id)["uncertain_words"] == 3


def test_a_vocabulary_is_kept_per_user_in_order_and_tidied() -> None:
    api, other = signed_up(unique_email()), signed_up(unique_email())
    assert api.get(VOCABULARY).json["terms"] == []
    res = api.call(
        "PUT",
        VOCABULARY,
        json_body={
            "terms": [
                {"term": "  Kubernetes ", "spellings": ["cooper  nettys", "kubernetes", "Cooper Nettys", "Kubernetes"]},
                {"term": "New Relic"},
            ]
        },
    )
    assert res.status == 200, res.text
    expected = [
        {"term": "Kubernetes", "spellings": ["cooper nettys", "kubernetes"]},  # a capital put right is a spelling too
        {"term": "New Relic", "spellings": []},
    ]
    assert res.json["terms"] == expected
    assert api.get(VOCABULARY).json["terms"] == expected
    assert other.get(VOCABULARY).json["terms"] == []  # each user's own
    assert api.call("PUT", VOCABULARY, json_body={"terms": []}).json["terms"] == []
    assert Api().get(VOCABULARY).status == 401


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ([{"term": f"term{n}"} for n in range(201)], "vocabulary_over_limit"),
        ([{"term": "one two three four five six seven"}], "vocabulary_term_too_long"),
        ([{"term": "x" * 101}], "vocabulary_term_too_long"),
        ([{"term": "Ada", "spellings": [f"ada {n}" for n in range(11)]}], "vocabulary_over_limit"),
        ([{"term": "New Relic", "spellings": ["new relish"]}], "vocabulary_spelling_of_phrase"),
        ([{"term": "Ada"}, {"term": "ada"}], "vocabulary_duplicate"),
        ([{"term": "Ada", "spellings": ["ader"]}, {"term": "Adah", "spellings": ["ader"]}], "vocabulary_ambiguous"),
        ([{"term": "   "}], "vocabulary_empty_term"),
    ],
    ids=["201 terms", "7 words", "101 chars", "11 spellings", "spelling of a phrase", "twice", "ambiguous", "empty"],
)
def test_a_vocabulary_past_the_providers_limits_gets_a_sentence_and_changes_nothing(terms: list, code: str) -> None:
    api = signed_up(unique_email())
    api.call("PUT", VOCABULARY, json_body={"terms": [{"term": "Kept"}]})
    res = api.call("PUT", VOCABULARY, json_body={"terms": terms})
    assert (res.status, res.error_code) == (422, code), res.text
    assert len(res.json["error"]["message"]) > 20  # a sentence saying what to change
    assert api.get(VOCABULARY).json["terms"] == [{"term": "Kept", "spellings": []}]


def test_a_malformed_vocabulary_is_refused_before_the_domain() -> None:
    api = signed_up(unique_email())
    for body in ({"terms": "Kubernetes"}, {"terms": [{"term": 5}]}, {"terms": [{"term": "a", "extra": 1}]}, {}):
        assert api.call("PUT", VOCABULARY, json_body=body).status in (400, 422)


def submission(language: str, terms: int = 3) -> Submission:
    return Submission(
        job_id="j",
        audio_url="https://example.com/a.wav",
        language=language,
        dialogue=False,
        speakers_expected=None,
        keyterms=tuple(f"term{n}" for n in range(terms)),
        spellings=((("cooper nettys", "kuber netties"), "Kubernetes"),),
    )


def test_keyterms_go_only_where_a_model_takes_them_and_spellings_everywhere() -> None:
    assert keyterms_for(submission("en"), ["universal-3-pro", "universal-2"]) == ["term0", "term1", "term2"]
    assert keyterms_for(submission("auto"), ["universal-3-pro"]) is not None
    assert keyterms_for(submission("ru"), ["universal-3-pro", "universal-2"]) is None  # Universal-2: English beta
    assert keyterms_for(submission("de"), ["universal-3-pro", "universal-2"]) is not None  # Universal-3 Pro has German
    assert keyterms_for(submission("de"), ["universal-2"]) is None
    assert len(keyterms_for(submission("en", 1000), ["universal-3-pro", "universal-2"]) or []) == 200
    assert len(keyterms_for(submission("en", 1000), ["universal-3-pro"]) or []) == 1000
    assert custom_spelling_for(submission("ru")) == [{"from": ["cooper nettys", "kuber netties"], "to": "Kubernetes"}]


def test_two_tabs_saving_the_vocabulary_at_once_both_succeed_and_one_list_wins() -> None:
    api = signed_up(unique_email())
    lists = [{"terms": [{"term": f"Term{n}a"}, {"term": f"Term{n}b"}]} for n in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda body: api.call("PUT", VOCABULARY, json_body=body).status, lists))
    assert statuses == [200] * 8
    kept = [t["term"] for t in api.get(VOCABULARY).json["terms"]]
    assert kept in [[t["term"] for t in body["terms"]] for body in lists]  # one whole list, never a mix
