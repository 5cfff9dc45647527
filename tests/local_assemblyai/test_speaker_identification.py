"""Speaker identification on the local AssemblyAI server: the request and response as AssemblyAI's spec defines them,
names given in order of first appearance, bad requests refused with a sentence, and the SDK reading it all."""

from __future__ import annotations

from typing import Any

import assemblyai as aai
import pytest

from local.assemblyai.media import dialogue_script, make_wav
from local.assemblyai.speech import VOICES_FIELD
from tests.local_assemblyai.test_conformance import KEY, Files, check, files, finished, http, server, submit

__all__ = ["files", "server"]  # the fixtures, shared with the conformance tests

TURNS = [("A", "Hello there."), ("B", "Hi, how are you?"), ("A", "Fine, thanks.")]


def dialogue(files: Files, name: str = "/names.wav", embeddings: dict[str, list[float]] | None = None) -> str:
    script = dialogue_script(TURNS, 4.0)
    if embeddings:
        script["speaker_embeddings"] = embeddings
    files.files[name] = make_wav(script, 4.0)
    return files.url + name


def check_transcript(body: dict[str, Any]) -> None:
    """Against the spec's Transcript. Its `speech_understanding.response` is a oneOf of three schemas with no required
    fields, so every object is valid under all three and fails a oneOf: the response is checked against the one it is.
    """
    rest = {k: v for k, v in body.items() if k != "speech_understanding"}
    check(rest, "Transcript")
    understanding = body["speech_understanding"]
    check(understanding["request"], "SpeakerIdentificationRequestBody")
    check(understanding["response"], "SpeakerIdentificationResponse")
    assert set(understanding["response"]) == {"speaker_identification"}


def identification(speaker_type: str = "name", **extra: Any) -> dict[str, Any]:
    return {"request": {"speaker_identification": {"speaker_type": speaker_type, **extra}}}


def test_named_speakers_come_back_under_their_names_with_the_mapping(server: Any, files: Files) -> None:
    queued = submit(
        server,
        dialogue(files),
        speaker_labels=True,
        speech_understanding=identification(known_values=["Anna", "Boris"]),
    )
    check(queued, "Transcript")
    done = finished(server, queued["id"])
    check_transcript(done)
    response = done["speech_understanding"]["response"]["speaker_identification"]
    assert response == {"mapping": {"A": "Anna", "B": "Boris"}, "status": "success"}
    assert [u["speaker"] for u in done["utterances"]] == ["Anna", "Boris", "Anna"]
    assert {w["speaker"] for w in done["words"]} == {"Anna", "Boris"}
    assert done["speech_understanding"]["request"]["speaker_identification"]["known_values"] == ["Anna", "Boris"]


def test_roles_from_speaker_objects_and_fewer_names_than_speakers(server: Any, files: Files) -> None:
    queued = submit(
        server,
        dialogue(files),
        speaker_labels=True,
        speech_understanding=identification("role", known_values=["Interviewer"]),
    )
    done = finished(server, queued["id"])
    assert done["speech_understanding"]["response"]["speaker_identification"]["mapping"] == {"A": "Interviewer"}
    assert [u["speaker"] for u in done["utterances"]] == ["Interviewer", "B", "Interviewer"]
    by_objects = submit(
        server,
        dialogue(files),
        speaker_labels=True,
        speech_understanding=identification(speakers=[{"name": "Anna", "description": "the host"}, {"name": "Bo"}]),
    )
    assert [u["speaker"] for u in finished(server, by_objects["id"])["utterances"]] == ["Anna", "Bo", "Anna"]


@pytest.mark.parametrize(
    ("extra", "understanding", "sentence"),
    [
        ({}, identification("nickname", known_values=["Anna"]), "speaker_type must be one of name, role"),
        ({}, identification("role"), 'known_values is required when speaker_type is "role"'),
        ({}, identification(known_values=["Anna", " "]), "must be a non-empty string"),
        ({}, identification(known_values=["x" * 36]), "35 characters or less"),
        ({}, identification(known_values="Anna"), "must be an array of strings"),
        ({"speaker_labels": False}, identification(known_values=["Anna"]), "needs speaker_labels to be true"),
        ({}, {"request": "names"}, "speech_understanding.request is required"),
    ],
)
def test_a_bad_identification_request_is_a_400_with_a_sentence(
    server: Any, files: Files, extra: dict[str, Any], understanding: Any, sentence: str
) -> None:
    body = {
        "audio_url": dialogue(files),
        "speech_models": ["universal-2"],
        "speaker_labels": True,
        **extra,
        "speech_understanding": understanding,
    }
    status, error = http("POST", f"{server.base_url}/v2/transcript", body)
    assert status == 400
    check(error, "Error")
    assert sentence in error["error"]
    assert server.stats["submissions"] == 0  # nothing was created, nothing would be charged


def test_the_sdk_sends_the_request_and_reads_the_mapping(server: Any, files: Files) -> None:
    client = aai.Client(settings=aai.Settings(api_key=KEY, base_url=server.base_url))
    understanding = aai.types.SpeechUnderstandingRequest(
        request=aai.types.SpeechUnderstandingFeatureRequests(
            speaker_identification=aai.types.SpeakerIdentificationRequest(
                speaker_type=aai.types.SpeakerType.name, known_values=["Anna", "Boris"]
            )
        )
    )
    req = aai.types.TranscriptRequest(
        audio_url=dialogue(files),
        speech_models=["universal-2"],
        speaker_labels=True,
        speech_understanding=understanding,
    )
    created = aai.api.create_transcript(client.http_client, req)
    finished(server, created.id)
    got = aai.api.get_transcript(client.http_client, created.id)
    assert got.speech_understanding is not None and got.speech_understanding.response is not None
    mapping = got.speech_understanding.response.speaker_identification
    assert mapping is not None and mapping.mapping == {"A": "Anna", "B": "Boris"}
    assert [u.speaker for u in got.utterances or []] == ["Anna", "Boris", "Anna"]


def test_each_speakers_voice_comes_in_the_extension_field_only_with_speaker_labels(server: Any, files: Files) -> None:
    voices = {"A": [1.0, 0.0], "B": [0.0, 1.0]}
    url = dialogue(files, "/voices.wav", voices)
    created = submit(server, url, speaker_labels=True)
    labelled = finished(server, created["id"])
    assert labelled[VOICES_FIELD] == voices
    # The spec's Transcript allows no extra property: without the extension field, the rest is the spec's shape; and
    # the SDK, which ignores fields it does not know, still reads the transcript.
    check({k: v for k, v in labelled.items() if k != VOICES_FIELD}, "Transcript")
    client = aai.Client(settings=aai.Settings(api_key=KEY, base_url=server.base_url))
    assert aai.api.get_transcript(client.http_client, created["id"]).text == labelled["text"]
    plain = finished(server, submit(server, url)["id"])
    assert VOICES_FIELD not in plain
