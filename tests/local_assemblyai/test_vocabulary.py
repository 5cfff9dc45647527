"""The local server takes keyterms_prompt and custom_spelling as AssemblyAI's spec defines them, refuses what the real
service refuses, spells the result the same way every time, and gives the terms to Whisper, which then hears them."""

from __future__ import annotations

from typing import Any

import pytest

from local.assemblyai.media import dialogue_script, make_wav, mono_script
from local.assemblyai.vocabulary import apply_spelling
from tests.local_assemblyai.test_conformance import KEY, Files, check, files, finished, http, server, submit

__all__ = ["files", "server"]  # the fixtures, shared with the conformance tests

SPELLING = [{"from": ["cooper nettys", "kuber"], "to": "Kubernetes"}, {"from": ["sequel"], "to": "SQL"}]


def test_the_vocabulary_is_echoed_as_the_spec_says_and_applied_to_every_word(server: Any, files: Files) -> None:
    said = "Cooper nettys runs our Sequel database, and kuber, once more."
    script = mono_script(said, 4.0)
    files.files["/v.wav"] = make_wav(script, 4.0)
    queued = submit(server, files.url + "/v.wav", keyterms_prompt=["Kubernetes", "New Relic"], custom_spelling=SPELLING)
    check(queued, "Transcript")
    assert queued["keyterms_prompt"] == ["Kubernetes", "New Relic"] and queued["custom_spelling"] == SPELLING
    done = finished(server, queued["id"])
    check(done, "Transcript")
    assert done["text"] == "Kubernetes runs our SQL database, and Kubernetes, once more."
    cooper, nettys = script["words"][:2]
    first = done["words"][0]  # two words heard, one written: it spans both
    assert (first["text"], first["start"], first["end"]) == ("Kubernetes", cooper["start"], nettys["end"])
    assert len(done["words"]) == len(said.split()) - 1
    again = finished(server, submit(server, files.url + "/v.wav", custom_spelling=SPELLING)["id"])
    assert again["text"] == done["text"] and again["words"] == done["words"]  # the same every time


def test_a_dialogue_is_spelt_turn_by_turn() -> None:
    script = dialogue_script([("A", "Is cooper nettys up?"), ("B", "Yes, cooper nettys is up.")], 4.0)
    words = [w for u in script["utterances"] for w in u["words"]]
    text, words, utterances = apply_spelling(SPELLING, words, script["utterances"])
    assert [u["text"] for u in utterances or []] == ["Is Kubernetes up?", "Yes, Kubernetes is up."]
    assert text == "Is Kubernetes up? Yes, Kubernetes is up." and [w["speaker"] for w in words][:3] == ["A", "A", "A"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"keyterms_prompt": "Kubernetes"}, "list of strings"),
        ({"keyterms_prompt": [f"t{n}" for n in range(201)]}, "at most 200"),
        ({"keyterms_prompt": ["one two three four five six seven"]}, "1 to 6 words"),
        ({"custom_spelling": {"from": ["a"], "to": "b"}}, "list of"),
        ({"custom_spelling": [{"from": "a", "to": "b"}]}, "from must be a list"),
        ({"custom_spelling": [{"from": ["a"], "to": "b", "extra": 1}]}, "exactly the keys"),
        ({"custom_spelling": [{"from": ["a"], "to": "two words"}]}, "single word"),
    ],
)
def test_a_vocabulary_the_spec_does_not_allow_is_a_400(server: Any, files: Files, extra: dict, says: str) -> None:
    body = {"audio_url": files.url + "/v.wav", "speech_models": ["universal-2"], **extra}
    status, error = http("POST", f"{server.base_url}/v2/transcript", body, KEY)
    assert status == 400 and says in error["error"], error
    check(error, "Error")


def test_universal_3_pro_takes_a_thousand_keyterms(server: Any, files: Files) -> None:
    files.files["/v.wav"] = make_wav(mono_script("hello", 1.0), 1.0)
    body = {"speech_models": ["universal-3-pro", "universal-2"], "keyterms_prompt": [f"t{n}" for n in range(1000)]}
    status, created = http("POST", f"{server.base_url}/v2/transcript", {"audio_url": files.url + "/v.wav", **body})
    assert status == 200, created


def test_whisper_hears_a_made_up_name_once_it_is_a_keyterm() -> None:
    pytest.importorskip("faster_whisper")
    from local.assemblyai import espeak

    if not espeak.available():
        pytest.skip("espeak-ng is not installed")
    from local.assemblyai.speech import Request
    from local.assemblyai.whisper import Whisper

    audio = espeak.speech("Our new manager Kelmirra starts on Monday.", "en-us")
    engine = Whisper().load("base")
    before = engine.transcribe(audio, Request(False, "en", False))
    after = engine.transcribe(audio, Request(False, "en", False, keyterms=("Kelmirra",)))
    assert "kelmirra" not in before.text.lower()  # bench/vocabulary.py: Whisper base writes "Kelmer"
    assert "Kelmirra" in after.text
