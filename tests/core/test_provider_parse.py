"""The webhook's transcript parse gives what the SDK's response models gave, dict for dict and key for key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from common.adapters.assemblyai import parse_transcript
from common.adapters.ports import ProviderTranscript
from local.assemblyai.media import dialogue_script, mono_script
from local.assemblyai.speech import Request, _shape


def _sdk_word(w: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": w.text, "start": int(w.start), "end": int(w.end)}
    if getattr(w, "confidence", None) is not None:
        out["confidence"] = float(w.confidence)
    if getattr(w, "speaker", None):
        out["speaker"] = str(w.speaker)
    return out


def sdk_parse(body: dict[str, Any]) -> ProviderTranscript:
    """The adapter before: the SDK's TranscriptResponse, then plain dicts."""
    import assemblyai as aai

    t = aai.types.TranscriptResponse.model_validate(json.loads(json.dumps(body)))
    return ProviderTranscript(
        id=str(t.id),
        status=t.status.value,
        error=t.error,
        text=t.text or "",
        words=[_sdk_word(w) for w in (t.words or [])],
        utterances=[
            {
                "speaker": u.speaker,
                "start": int(u.start),
                "end": int(u.end),
                "text": u.text,
                "words": [_sdk_word(w) for w in (u.words or [])],
            }
            for u in (t.utterances or [])
        ],
        language=getattr(t.language_code, "value", t.language_code),
        audio_duration=float(t.audio_duration) if t.audio_duration is not None else None,
        confidence=float(t.confidence) if t.confidence is not None else None,
        webhook_url=t.webhook_url,
    )


def _response(script: dict[str, Any], dialogue: bool, **extra: Any) -> dict[str, Any]:
    result = _shape(script.get("words"), script.get("utterances"), Request(dialogue, None, True), "en", 0.93, 12.4)
    return {
        "id": "7f1c0e8e-0b7a-4a57-9a43-1d2f0c1d9e01",
        "status": "completed",
        "audio_url": "https://storage.example/recordings/a.wav?X-Amz-Signature=abc",
        "language_code": result.language_code,
        "language_detection": True,
        "speaker_labels": dialogue,
        "text": result.text,
        "words": result.words,
        "utterances": result.utterances,
        "confidence": result.confidence,
        "audio_duration": result.audio_duration,
        "webhook_url": "https://api.example/api/v1/webhooks/assemblyai?job_id=0b5c",
        "webhook_status_code": None,
        "auto_highlights": False,
        "summarization": False,
        **extra,
    }


def _same(body: dict[str, Any]) -> None:
    ours, sdk = parse_transcript(json.dumps(body).encode()), sdk_parse(body)
    assert ours == sdk
    # stored as JSON, so the key order is part of the result too
    assert json.dumps(ours.words) == json.dumps(sdk.words)
    assert json.dumps(ours.utterances) == json.dumps(sdk.utterances)


def test_dialogue_and_mono_transcripts_parse_as_the_sdk_did() -> None:
    turns = [("A", "Good morning, everyone."), ("B", "Morning! Shall we start?"), ("A", "Yes.")]
    _same(_response(dialogue_script(turns, 6.0), dialogue=True))
    _same(_response(mono_script("The quick brown fox jumps.", 3.0), dialogue=False))


def test_provider_quirks_parse_as_the_sdk_did() -> None:
    body = _response(dialogue_script([("A", "One two three."), ("B", "Four.")], 4.0), dialogue=True)
    first = body["utterances"][0]
    # a null start (the SDK reads 0), integral floats, an empty speaker, keys in another order, fields we ignore
    first["words"][0] = {"speaker": "", "confidence": 1, "end": 480.0, "start": None, "text": "One", "channel": "1"}
    first["start"] = None
    body["words"][0] = dict(first["words"][0])
    body["utterances"][1]["speaker"] = None
    body["audio_duration"] = 12.0
    body["language_code"] = "en_us"
    _same(body)
    _same({"id": "x1", "status": "error", "audio_url": "https://a.example/x", "error": "Download error"})
    _same({"id": "x2", "status": "queued", "audio_url": "https://a.example/x", "words": None, "text": None})


@pytest.mark.parametrize(
    "change",
    [
        {"status": "done"},
        {"audio_url": None},
        {"words": [{"text": "a", "start": 0, "end": 1}]},  # a word without its confidence
        {"words": [{"text": "a", "start": 0.5, "end": 1, "confidence": 0.9}]},
        {"utterances": [{"speaker": "A", "start": 0, "end": 1, "text": "a", "words": []}]},  # no confidence
    ],
)
def test_what_the_sdk_refused_is_refused(change: dict[str, Any]) -> None:
    body = {**_response(mono_script("A b.", 2.0), dialogue=False), **change}
    with pytest.raises(ValidationError):
        sdk_parse(body)
    with pytest.raises(ValidationError):
        parse_transcript(json.dumps(body).encode())
