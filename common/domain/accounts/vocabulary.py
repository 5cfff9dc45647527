"""A user's vocabulary: terms as they should be written and what the engine wrote instead, learnt from corrections.

New jobs carry it to the engine (pipeline/pipeline.py reads `for_job`): AssemblyAI takes the terms as
`keyterms_prompt` and the spellings as `custom_spelling`, the local Whisper engine the terms as hotwords. The limits
are the provider's: Universal-2, the fallback in our model list, takes at most 200 key terms of at most 6 words each,
and a custom spelling's `to` must be one word (AssemblyAI's custom-spelling docs): only a one-word term has
spellings.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from common.domain.accounts.users import require_user
from common.domain.errors import Invalid
from common.domain.schemas import VocabularyIn, VocabularyOut, VocabularyTermIn, VocabularyTermOut
from common.store.db import transaction
from common.store.models import TranscriptionJob, User, VocabularyTerm

MAX_TERMS = 200  # keyterms_prompt with Universal-2 (1000 with Universal-3 Pro): every model in the list takes all
MAX_TERM_WORDS = 6  # AssemblyAI: "maximum 6 words per phrase"
MAX_TERM_CHARS = 100
MAX_SPELLINGS = 10  # per term; each one is a phrase the engine wrote, replaced by the term


def _words(text: str) -> list[str]:
    return text.split()


def _clean(entry: VocabularyTermIn, n: int) -> VocabularyTermOut:
    term = " ".join(_words(entry.term))
    if not term:
        raise Invalid(f"term {n} is empty; write the word or name as it should appear", "vocabulary_empty_term")
    if len(term) > MAX_TERM_CHARS or len(_words(term)) > MAX_TERM_WORDS:
        raise Invalid(
            f"“{term[:40]}” is too long: a term has at most {MAX_TERM_WORDS} words and {MAX_TERM_CHARS} characters",
            "vocabulary_term_too_long",
        )
    spellings: list[str] = []
    for raw in entry.spellings:
        spelling = " ".join(_words(raw))
        # "kubernetes" stays a spelling of "Kubernetes": AssemblyAI matches `from` in any case and writes `to` as is.
        if not spelling or spelling == term or spelling.lower() in (s.lower() for s in spellings):
            continue  # nothing to replace, or already there
        if len(spelling) > MAX_TERM_CHARS or len(_words(spelling)) > MAX_TERM_WORDS:
            raise Invalid(
                f"“{spelling[:40]}” is too long: what the engine wrote has at most {MAX_TERM_WORDS} words and"
                f" {MAX_TERM_CHARS} characters",
                "vocabulary_spelling_too_long",
            )
        spellings.append(spelling)
    if len(spellings) > MAX_SPELLINGS:
        raise Invalid(f"“{term}” has {len(spellings)} spellings; keep at most {MAX_SPELLINGS}", "vocabulary_over_limit")
    if spellings and len(_words(term)) > 1:
        raise Invalid(
            f"“{term}” is several words: a spelling fix writes one word (AssemblyAI's rule), so keep it as a term"
            " without spellings, or join it into one word",
            "vocabulary_spelling_of_phrase",
        )
    return VocabularyTermOut(term=term, spellings=spellings)


def _checked(data: VocabularyIn) -> list[VocabularyTermOut]:
    if len(data.terms) > MAX_TERMS:
        raise Invalid(
            f"a vocabulary holds at most {MAX_TERMS} terms (what AssemblyAI takes with a job); this one has"
            f" {len(data.terms)}. Remove some first.",
            "vocabulary_over_limit",
        )
    terms = [_clean(entry, n) for n, entry in enumerate(data.terms, 1)]
    seen: dict[str, str] = {}
    for t in terms:
        if t.term.lower() in seen:
            raise Invalid(f"“{t.term}” is in the list twice; keep one", "vocabulary_duplicate")
        seen[t.term.lower()] = t.term
    replaced_by: dict[str, str] = {}
    for t in terms:
        for spelling in t.spellings:
            other = replaced_by.setdefault(spelling.lower(), t.term)
            if other != t.term:
                raise Invalid(
                    f"“{spelling}” would become both “{other}” and “{t.term}”; keep it under one",
                    "vocabulary_ambiguous",
                )
    return terms


def _out(s: Session, user_id: uuid.UUID) -> VocabularyOut:
    rows = s.scalars(
        select(VocabularyTerm).where(VocabularyTerm.owner_id == user_id).order_by(VocabularyTerm.position)
    ).all()
    return VocabularyOut(
        terms=[VocabularyTermOut(term=r.term, spellings=list(r.spellings or [])) for r in rows],
        max_terms=MAX_TERMS,
        max_term_chars=MAX_TERM_CHARS,
        max_spellings=MAX_SPELLINGS,
    )


def get_vocabulary(user_id: uuid.UUID) -> VocabularyOut:
    with transaction() as s:
        require_user(s, user_id)
        return _out(s, user_id)


def put_vocabulary(user_id: uuid.UUID, data: VocabularyIn) -> VocabularyOut:
    """The whole list, replaced: what the account page shows is what new jobs send."""
    terms = _checked(data)
    with transaction() as s:
        require_user(s, user_id)
        # One save at a time per user (the account row's lock): two tabs saving at once must not both insert
        # position 0 after each deleted what it saw. SQLite runs one writer at a time anyway.
        s.execute(select(User.id).where(User.id == user_id).with_for_update())
        s.execute(delete(VocabularyTerm).where(VocabularyTerm.owner_id == user_id))
        s.flush()
        s.add_all(
            VocabularyTerm(owner_id=user_id, position=n, term=t.term, spellings=t.spellings)
            for n, t in enumerate(terms)
        )
        s.flush()
        return _out(s, user_id)


def for_job(s: Session, job_id: uuid.UUID) -> tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]]:
    """The job owner's vocabulary as a submission carries it: the terms, and (spellings, term) pairs."""
    owner = select(TranscriptionJob.owner_id).where(TranscriptionJob.id == job_id).scalar_subquery()
    rows = s.execute(
        select(VocabularyTerm.term, VocabularyTerm.spellings)
        .where(VocabularyTerm.owner_id == owner)
        .order_by(VocabularyTerm.position)
        .limit(MAX_TERMS)
    ).all()
    terms = tuple(term for term, _ in rows)
    spellings = tuple((tuple(sp), term) for term, sp in rows if sp)
    return terms, spellings
