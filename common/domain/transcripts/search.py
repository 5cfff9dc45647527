"""Search across one user's transcripts: PostgreSQL full-text search (GIN index) or SQLite FTS5 — real indexes,
never a LIKE scan — then, for each hit, a snippet and the moment in the recording where the words are said."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from common.domain.accounts.users import require_user
from common.domain.errors import BadRequest, NotFound
from common.domain.schemas import SearchHit, SearchResults
from common.store.db import is_postgres, transaction
from common.store.models import Folder

_TERM = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
MAX_TERMS = 8


def terms_of(query: str) -> list[str]:
    """The words of a query, lower-cased, at most a few (punctuation and operators are not syntax here)."""
    return [t.lower() for t in _TERM.findall(query)][:MAX_TERMS]


# PostgreSQL reads the stored `search_vector` (to_tsvector('simple', text), migration 0011) and never computes it at
# query time: for a 30-minute transcript that costs ~3 ms a row. It finds matches in two ways, because its planner
# cannot tell a rare word from a common one here (it estimates every word not among its most common at the same few
# hundred rows). Left to itself, it walked the user's jobs newest first, matching each transcript: fine for a common
# word, but ~0.5 s for a name said in 5 of 100,000 recordings (bench/scale.py). So a query with a word outside the
# index's most common words (ANALYZE's statistics, read every few minutes) asks the GIN index first: the word's
# matches among everyone's transcripts, up to a cap, then the user's newest among them by primary key. Only common
# words, or more matches than the cap, take the newest-first walk, which finds their page soon (building the GIN
# bitmap of 100,000 matches would cost more than the walk).
_PG_MATCHES = """
SELECT job_id FROM transcripts WHERE search_vector @@ plainto_tsquery('simple', :terms) LIMIT :cap
"""


def _pg_newest_hits(matching: str) -> str:
    """The user's newest transcripts `matching` (a condition of this module's own, never input), with what a hit
    shows."""
    return f"""
SELECT j.id, f.filename, t.text, t.words::text, t.utterances::text, j.created_at
FROM transcription_jobs j
JOIN transcripts t ON t.job_id = j.id
JOIN media_files f ON f.id = j.media_file_id
WHERE j.owner_id = :owner AND {matching}
ORDER BY j.created_at DESC, j.id DESC
LIMIT :limit
"""  # noqa: S608


_PG_AMONG = _pg_newest_hits("j.id = ANY(:ids)")
_PG_WALK = _pg_newest_hits("t.search_vector @@ plainto_tsquery('simple', :terms)")
# Within one folder: its entries (the folder's index, by primary key per hit), the same two ways of matching.
_IN_FOLDER = "j.id IN (SELECT e.job_id FROM folder_entries e WHERE e.folder_id = :folder)"
_FOLDER = select(Folder.id).where(Folder.id == bindparam("folder"), Folder.owner_id == bindparam("owner"))
_PG_AMONG_IN_FOLDER = _pg_newest_hits(f"j.id = ANY(:ids) AND {_IN_FOLDER}")
_PG_WALK_IN_FOLDER = _pg_newest_hits(f"t.search_vector @@ plainto_tsquery('simple', :terms) AND {_IN_FOLDER}")
MATCH_CAP = 2000
_PG_COMMON_WORDS = """
SELECT most_common_elems::text::text[] FROM pg_stats
WHERE schemaname = current_schema() AND tablename = 'transcripts' AND attname = 'search_vector'
"""
COMMON_WORDS_TTL_S = 600.0
_common_words_cache: dict[str, tuple[float, frozenset[str]]] = {}  # per database: a process may change it (tests)


def _common_words(s: Session) -> frozenset[str]:
    """The words PostgreSQL's statistics list as the index's most common (none before the first ANALYZE)."""
    database, now = str(s.get_bind().engine.url), time.monotonic()
    cached = _common_words_cache.get(database)
    if cached is None or now - cached[0] > COMMON_WORDS_TTL_S:
        cached = _common_words_cache[database] = (now, frozenset(s.scalar(text(_PG_COMMON_WORDS)) or ()))
    return cached[1]


_SQLITE = """
SELECT j.id, f.filename, t.text, t.words, t.utterances, j.created_at
FROM transcripts_fts s
JOIN transcripts t ON t.rowid = s.rowid
JOIN transcription_jobs j ON j.id = t.job_id
JOIN media_files f ON f.id = j.media_file_id
WHERE transcripts_fts MATCH :match AND j.owner_id = :owner {folder}
ORDER BY j.created_at DESC, j.id DESC
LIMIT :limit
"""


def _normal(word: str) -> str:
    return "".join(_TERM.findall(word.lower()))


def _where_said(words: list[dict[str, Any]], wanted: list[str]) -> tuple[int | None, str]:
    """The first moment the query's words are said one after another (else where its first word is first said), and
    the words around it.

    A 30-minute transcript has ~5,000 words: each is normalised only if it contains the first word at all (a substring
    test), which spares ~5,000 regular-expression calls a hit."""
    first, found = wanted[0], None
    for i, word in enumerate(words):
        said = str(word.get("text", ""))
        if first not in said.lower() or _normal(said) != first:
            continue
        following = [_normal(str(w.get("text", ""))) for w in words[i + 1 : i + len(wanted)]]
        if following == wanted[1:]:
            found = i
            break
        if found is None:
            found = i
    if found is None:
        return None, ""
    window = words[max(0, found - 6) : found + len(wanted) + 8]
    return int(words[found].get("start") or 0), " ".join(str(w.get("text", "")) for w in window)


def search(user_id: uuid.UUID, query: str, limit: int = 20, folder_id: uuid.UUID | None = None) -> SearchResults:
    """The caller's newest hits, or only those in one of the caller's folders (another user's folder is 404)."""
    wanted = terms_of(query)
    if not wanted:
        raise BadRequest("type a word to search for", "empty_query")
    with transaction() as s:
        require_user(s, user_id)
        if folder_id is not None and s.scalar(_FOLDER, {"folder": folder_id, "owner": user_id}) is None:
            raise NotFound("no such folder", "folder_not_found")
        if is_postgres(s):
            walk, among_ids = (_PG_WALK_IN_FOLDER, _PG_AMONG_IN_FOLDER) if folder_id else (_PG_WALK, _PG_AMONG)
            params: dict[str, Any] = {"owner": user_id, "terms": " ".join(wanted), "limit": limit}
            if folder_id:
                params["folder"] = folder_id
            if set(wanted) <= _common_words(s):
                rows = s.execute(text(walk), params).all()
            else:
                matches = s.scalars(text(_PG_MATCHES), {**params, "cap": MATCH_CAP + 1}).all()
                among = text(among_ids) if len(matches) <= MATCH_CAP else text(walk)
                rows = s.execute(among, {**params, "ids": list(matches)}).all() if matches else []
        else:  # each term quoted: FTS5 operators in a query are words here
            match = " ".join('"' + w.replace('"', "") + '"' for w in wanted)
            params = {"owner": str(user_id).replace("-", ""), "match": match, "limit": limit}
            sql = _SQLITE.format(folder="")
            if folder_id:
                sql = _SQLITE.format(folder="AND " + _IN_FOLDER)
                params["folder"] = folder_id.hex
            rows = s.execute(text(sql), params).all()
    hits = []
    for job_id, filename, full_text, words, utterances, _ in rows:
        words = _json(words) or [w for u in _json(utterances) or [] for w in u.get("words") or []]
        offset, snippet = _where_said(words, wanted)
        if not snippet:  # words without timings (or a match in text only): the text around the first term
            at = full_text.lower().find(wanted[0])
            snippet = full_text[max(0, at - 60) : at + 100].strip() if at >= 0 else full_text[:160]
        hits.append(SearchHit(job_id=uuid.UUID(str(job_id)), filename=filename, snippet=snippet, offset_ms=offset))
    return SearchResults(query=query, items=hits)


def _json(value: Any) -> Any:
    """A hit's words or utterances, as read: JSON text (a 30-minute transcript's words are ~0.4 MB, which
    pydantic-core parses in a third of the standard library's time)."""
    if isinstance(value, str | bytes):
        from pydantic_core import from_json

        return from_json(value)
    return value
