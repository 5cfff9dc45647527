"""Speaker identification's answer, as the adapter reads it: names back to labels, the mapping kept as the rename."""

from __future__ import annotations

import json
from typing import Any

from common.adapters.assemblyai import parse_transcript


def body(mapping: dict[str, str], speakers: list[str], **extra: Any) -> str:
    words = [
        {"text": f"w{i}", "start": i * 100, "end": i * 100 + 90, "confidence": 0.9, "speaker": s}
        for i, s in enumerate(speakers)
    ]
    utterances = [
        {
            "speaker": w["speaker"],
            "start": w["start"],
            "end": w["end"],
            "text": w["text"],
            "confidence": 0.9,
            "words": [dict(w)],
        }
        for w in words
    ]
    return json.dumps(
        {
            "id": "t1",
            "status": "completed",
            "audio_url": "https://x/a.wav",
            "text": "",
            "words": words,
            "utterances": utterances,
            "speech_understanding": {
                "request": {"speaker_identification": {"speaker_type": "name", "known_values": list(mapping.values())}},
                "response": {"speaker_identification": {"mapping": mapping, "status": "success"}},
            },
            **extra,
        }
    )


def test_names_in_the_result_go_back_to_labels_and_become_the_rename() -> None:
    t = parse_transcript(body({"A": "Anna", "B": "Boris"}, ["Anna", "Boris", "Anna"]))
    assert t.speaker_names == {"A": "Anna", "B": "Boris"}
    assert [u["speaker"] for u in t.utterances] == ["A", "B", "A"]
    assert [w["speaker"] for w in t.words] == ["A", "B", "A"]
    assert [u["words"][0]["speaker"] for u in t.utterances] == ["A", "B", "A"]


def test_a_mapping_giving_two_labels_one_name_is_not_taken() -> None:
    t = parse_transcript(body({"A": "Host", "B": "Host"}, ["Host", "Host"]))
    assert t.speaker_names == {}
    assert [u["speaker"] for u in t.utterances] == ["Host", "Host"]  # as the provider named them


def test_the_local_engines_voices_are_read_and_a_transcript_without_either_has_none() -> None:
    t = parse_transcript(body({}, ["A", "B"], x_speaker_embeddings={"A": [1.0, 0.0], "B": [0.0, 1.0]}))
    assert t.speaker_embeddings == {"A": [1.0, 0.0], "B": [0.0, 1.0]} and t.speaker_names == {}
    plain = parse_transcript(json.dumps({"id": "t2", "status": "completed", "audio_url": "https://x/a.wav"}))
    assert plain.speaker_names == {} and plain.speaker_embeddings == {}
