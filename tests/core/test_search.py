"""Search across my transcripts: real full-text indexes, only my own hits, the moment the words are said."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text, update

from common.store.db import get_engine, transaction
from common.store.models import Transcript
from tests.api import signed_up
from tests.conftest import unique_email
from tests.core.transcripts import completed_job

pytestmark = pytest.mark.usefixtures("clean_db")
SEARCH = "/api/v1/search"


def test_a_word_is_found_in_the_right_job_at_the_moment_it_is_said() -> None:
    api = signed_up(unique_email())
    budget = completed_job(api, "We agreed on the budget for next year and the hiring plan.", name="budget.wav")
    completed_job(api, "The weather was lovely on the coast this week.", name="weather.wav")
    res = api.get(SEARCH, query={"q": "hiring plan"})
    assert res.status == 200, res.text
    [hit] = res.json["items"]
    assert hit["job_id"] == budget and hit["filename"] == "budget.wav"
    assert hit["offset_ms"] == 10 * 400  # "hiring" is the eleventh word, 400 ms apart
    assert "hiring plan" in hit["snippet"]
    assert api.get(SEARCH, query={"q": "COAST"}).json["items"][0]["filename"] == "weather.wav"  # any case
    assert api.get(SEARCH, query={"q": "submarine"}).json["items"] == []


def test_a_phrase_is_found_where_its_words_follow_one_another() -> None:
    api = signed_up(unique_email())
    completed_job(api, "Hiring was slow this spring, so the new hiring plan starts in May.")
    [hit] = api.get(SEARCH, query={"q": "hiring plan"}).json["items"]
    assert hit["offset_ms"] == 8 * 400  # the second "hiring", the ninth word: where the phrase is said
    [hit] = api.get(SEARCH, query={"q": "hiring spring"}).json["items"]  # never said together: the first "hiring"
    assert hit["offset_ms"] == 0


def test_nobody_else_sees_my_hits() -> None:
    mine, theirs = signed_up(unique_email()), signed_up(unique_email())
    completed_job(mine, "The secret project codename is bluebird.")
    assert theirs.get(SEARCH, query={"q": "bluebird"}).json["items"] == []
    assert len(mine.get(SEARCH, query={"q": "bluebird"}).json["items"]) == 1


def test_the_index_keeps_up_with_changes_and_deletions() -> None:
    api = signed_up(unique_email())
    job_id = completed_job(api, "An old sentence about apples.")
    with transaction() as s:  # what an edit of the text does (issue #13's editor stores edits the same way)
        s.execute(update(Transcript).where(Transcript.job_id == uuid.UUID(job_id)).values(text="Now about pears."))
    assert api.get(SEARCH, query={"q": "apples"}).json["items"] == []
    assert len(api.get(SEARCH, query={"q": "pears"}).json["items"]) == 1
    assert api.delete(f"/api/v1/jobs/{job_id}").status == 204
    assert api.get(SEARCH, query={"q": "pears"}).json["items"] == []


@pytest.mark.parametrize("query", ["", "   ", "!!! ???", '" OR NEAR(', "AND", "a' & | !b"])
def test_odd_queries_are_never_a_5xx(query: str) -> None:
    api = signed_up(unique_email())
    completed_job(api, "Plain words here.")
    res = api.get(SEARCH, query={"q": query})
    assert res.status in (200, 400), res.text
    if res.status == 400:
        assert res.error_code == "empty_query"


def test_the_search_reads_an_index_not_the_table(database_url: str) -> None:
    engine = get_engine()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny test tables: ask whether the index serves
            from common.domain.transcripts import search

            params = {"terms": "x", "cap": 2001, "owner": uuid.uuid4(), "limit": 20}
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + search._PG_MATCHES), params))
            assert "ix_transcripts_search" in plan, plan
            # Both ways read the stored vector; none computes it from a transcript's text (~3 ms for 30 minutes).
            walk = "\n".join(r[0] for r in conn.execute(text("EXPLAIN VERBOSE " + search._PG_WALK), params))
            assert "search_vector @@" in walk and "to_tsvector" not in plan + walk, walk
        else:
            plan = " ".join(
                str(r)
                for r in conn.execute(
                    text("EXPLAIN QUERY PLAN SELECT rowid FROM transcripts_fts WHERE transcripts_fts MATCH '\"x\"'")
                )
            )
            assert "VIRTUAL TABLE INDEX" in plan, plan


@pytest.mark.parametrize(("cap", "common"), [(2000, False), (1, False), (0, False), (2000, True)])
def test_a_word_common_everywhere_finds_the_same_hits(cap: int, common: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A word PostgreSQL's statistics call common, or one past MATCH_CAP matches among everyone's transcripts, walks
    the user's jobs instead of the index's matches: the same hits, newest first, still only the user's own (SQLite
    has one way)."""
    from common.domain.transcripts import search

    monkeypatch.setattr(search, "MATCH_CAP", cap)
    monkeypatch.setattr(search, "_common_words", lambda s: frozenset({"budget"} if common else ()))
    mine, theirs = signed_up(unique_email()), signed_up(unique_email())
    completed_job(theirs, "Their own notes about the budget.")
    older = completed_job(mine, "The budget for next year.", name="older.wav")
    completed_job(mine, "Nothing to see here.")
    newer = completed_job(mine, "A second budget meeting.", name="newer.wav")
    items = mine.get(SEARCH, query={"q": "budget"}).json["items"]
    assert [i["job_id"] for i in items] == [newer, older]


@pytest.mark.postgres_only  # statistics of the GIN index are PostgreSQL's (SQLite's FTS5 has one way)
def test_postgresql_names_its_common_words_after_analyze(database_url: str) -> None:
    """What the search asks to choose its way: ANALYZE's most common words of the search index."""
    from common.domain.transcripts import search

    assert get_engine().dialect.name == "postgresql"
    api = signed_up(unique_email())
    for n in range(3):
        completed_job(api, f"Budget review number {n} of the quarterly budget.")
    with get_engine().begin() as conn:
        conn.execute(text("ANALYZE transcripts"))
    search._common_words_cache.clear()
    with transaction() as s:
        assert "budget" in search._common_words(s)
    assert len(api.get(SEARCH, query={"q": "budget"}).json["items"]) == 3  # the walk, as a common word takes
