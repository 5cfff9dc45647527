"""Speech understanding's speaker identification, as AssemblyAI's spec defines the request and the response.

The request (`speech_understanding.request.speaker_identification`: `speaker_type` "name" or "role", with
`known_values` or `speakers`) is checked when the transcript is created, with the sentences a 400 carries. The answer
is deterministic, for tests: the speakers, in order of first appearance, take the given values in order (AssemblyAI
reads the conversation to decide; here nothing is inferred, and speakers beyond the values keep their labels). As at
AssemblyAI, `utterances[].speaker` and `words[].speaker` then carry the names, and
`speech_understanding.response.speaker_identification.mapping` says which label became which name.
"""

from __future__ import annotations

from typing import Any

MAX_VALUE_CHARS = 35  # the spec: "Each value must be 35 characters or less"
SPEAKER_TYPES = ("name", "role")


class Refused(ValueError):
    """The request is malformed: the transcript is not created, and this sentence is the 400's error."""


def _values(request: dict[str, Any]) -> list[str]:
    speaker_type = request.get("speaker_type")
    if speaker_type not in SPEAKER_TYPES:
        raise Refused(f"speaker_identification.speaker_type must be one of {', '.join(SPEAKER_TYPES)}")
    known, speakers = request.get("known_values"), request.get("speakers")
    values: list[Any] = []
    if known is not None:
        if not isinstance(known, list):
            raise Refused("speaker_identification.known_values must be an array of strings")
        values = list(known)
    elif speakers is not None:
        if not isinstance(speakers, list) or not all(isinstance(s, dict) for s in speakers):
            raise Refused("speaker_identification.speakers must be an array of objects")
        values = [s.get(speaker_type) for s in speakers]
    elif speaker_type == "role":
        raise Refused('speaker_identification.known_values is required when speaker_type is "role"')
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise Refused(f"every speaker {speaker_type} must be a non-empty string")
        if len(value) > MAX_VALUE_CHARS:
            raise Refused(f"each speaker {speaker_type} must be {MAX_VALUE_CHARS} characters or less: {value[:40]!r}")
    return values


def check(body: dict[str, Any]) -> dict[str, Any] | None:
    """The speaker identification request in a create-transcript body (None when there is none); Refused if bad."""
    understanding = body.get("speech_understanding")
    if understanding is None:
        return None
    if not isinstance(understanding, dict) or not isinstance(understanding.get("request"), dict):
        raise Refused("speech_understanding.request is required and must be an object")
    request = understanding["request"].get("speaker_identification")
    if request is None:
        return None
    if not isinstance(request, dict):
        raise Refused("speech_understanding.request.speaker_identification must be an object")
    _values(request)
    if body.get("speaker_labels") is not True:
        raise Refused("speaker identification needs speaker_labels to be true")
    return request


def identify(request: dict[str, Any], utterances: list[dict[str, Any]], words: list[dict[str, Any]]) -> dict[str, str]:
    """Each label, in order of first appearance, to the next given value; utterances and words renamed in place."""
    values = _values(request)
    order: list[str] = []
    for u in utterances:
        if u.get("speaker") and u["speaker"] not in order:
            order.append(u["speaker"])
    mapping = dict(zip(order, values, strict=False))
    for u in utterances:
        u["speaker"] = mapping.get(u["speaker"], u["speaker"])
        for w in u.get("words") or []:
            w["speaker"] = mapping.get(w.get("speaker"), w.get("speaker"))
    for w in words:
        w["speaker"] = mapping.get(w.get("speaker"), w.get("speaker"))
    return mapping
