"""The vocabulary fields of a transcript request, as AssemblyAI's spec defines them: `keyterms_prompt` (terms to listen
for; the Whisper engine takes them as hotwords) and `custom_spelling` (what to write instead of what was heard),
checked as the real service documents them and applied to the result the same way every time."""

from __future__ import annotations

import re
from typing import Any

# "up to 200 (for Universal-2) or 1000 (for Universal-3 Pro) domain-specific words or phrases (maximum 6 words per
# phrase)" (the spec's TranscriptParams.keyterms_prompt); the first model listed is the one this server plays.
KEYTERMS_LIMITS = {"universal-3-pro": 1000}
KEYTERMS_DEFAULT_LIMIT = 200
MAX_KEYTERM_WORDS = 6

_PUNCT = re.compile(r"[^\w']+")
_TRAILING = re.compile(r"[^\w']+$")


class RequestProblem(ValueError):
    """The request's vocabulary is not what the spec allows (the server answers 400 with this message)."""


def keyterms_of(body: dict[str, Any], model: str | None) -> list[str] | None:
    terms = body.get("keyterms_prompt")
    if terms is None:
        return None
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise RequestProblem("keyterms_prompt must be a list of strings")
    limit = KEYTERMS_LIMITS.get(model or "", KEYTERMS_DEFAULT_LIMIT)
    if len(terms) > limit:
        raise RequestProblem(f"keyterms_prompt accepts at most {limit} terms with {model}; {len(terms)} were given")
    for term in terms:
        if not term.strip() or len(term.split()) > MAX_KEYTERM_WORDS:
            raise RequestProblem(f"each keyterms_prompt phrase has 1 to {MAX_KEYTERM_WORDS} words: {term[:60]!r}")
    return terms


def custom_spelling_of(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    spellings = body.get("custom_spelling")
    if spellings is None:
        return None
    if not isinstance(spellings, list):
        raise RequestProblem("custom_spelling must be a list of {from, to} objects")
    for item in spellings:
        if not isinstance(item, dict) or set(item) != {"from", "to"}:
            raise RequestProblem("each custom_spelling item has exactly the keys from and to")
        found, to = item["from"], item["to"]
        if not isinstance(found, list) or not found or not all(isinstance(f, str) and f.strip() for f in found):
            raise RequestProblem("custom_spelling from must be a list of words or phrases")
        if not isinstance(to, str) or len(to.split()) != 1:
            raise RequestProblem("custom_spelling to must be a single word")
    return spellings


def _key(text: str) -> str:
    return _PUNCT.sub("", text.lower())


def _rules(spellings: list[dict[str, Any]]) -> list[tuple[list[str], str]]:
    """(the words to find, as keys; what to write), longest phrase first, so "cooper nettys" wins over "cooper"."""
    rules = [([_key(w) for w in phrase.split()], str(item["to"])) for item in spellings for phrase in item["from"]]
    return sorted((r for r in rules if all(r[0])), key=lambda r: -len(r[0]))


def _respelled(words: list[dict[str, Any]], rules: list[tuple[list[str], str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    keys = [_key(str(w["text"])) for w in words]
    i = 0
    while i < len(words):
        for found, to in rules:
            n = len(found)
            if keys[i : i + n] == found:
                run = words[i : i + n]
                tail = _TRAILING.search(str(run[-1]["text"]))  # "nettys," keeps its comma: "Kubernetes,"
                confidences = [w["confidence"] for w in run if isinstance(w.get("confidence"), int | float)]
                merged = {**run[0], "text": to + (tail.group(0) if tail else ""), "end": run[-1]["end"]}
                if confidences:
                    merged["confidence"] = min(confidences)
                out.append(merged)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def apply_spelling(
    spellings: list[dict[str, Any]] | None, words: list[dict[str, Any]], utterances: list[dict[str, Any]] | None
) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The text, words and utterances with each `from` phrase (any case, punctuation aside) written as its `to`."""
    rules = _rules(spellings or [])
    if rules:
        words = _respelled(words, rules)
        if utterances is not None:
            utterances = [
                {**u, "words": ws, "text": " ".join(str(w["text"]) for w in ws)}
                for u in utterances
                for ws in [_respelled(list(u["words"]), rules)]
            ]
    return " ".join(str(w["text"]) for w in words), words, utterances
