"""Redaction, redacted audio, entities and translation on the local AssemblyAI server: every request field and answer as
AssemblyAI's spec defines it, and the real SDK reads them."""

from __future__ import annotations

import io
import time
import urllib.request
from array import array
from typing import Any

import assemblyai as aai
import pytest
import yaml

from common.domain import understanding as words_of_the_domain
from local.assemblyai.media import chunks, dialogue_script, make_wav, mono_script
from tests.local_assemblyai.test_conformance import KEY, SPEC, Files, check, files, finished, http, server, submit

__all__ = ["files", "server"]  # the fixtures, shared with the conformance tests

SAYING = "Call Anna on 5551234567 from London tomorrow."
PER_UTTERANCE = {"match_original_utterance": True}
REDACT = {"redact_pii": True, "redact_pii_policies": ["person_name", "phone_number"]}
AS_WAV = {"redact_pii_audio": True, "redact_pii_audio_quality": "wav"}  # samples a test can compare one by one


def samples(wav: bytes) -> array:
    out = array("h")
    out.frombytes(chunks(wav)[b"data"])
    return out


def word(t: dict[str, Any], text: str) -> dict[str, Any]:
    return next(w for w in t["words"] if w["text"].strip(".,") == text)


def test_the_policies_and_translation_targets_we_offer_are_assemblyais_own() -> None:
    components = yaml.safe_load(SPEC.read_text())["components"]["schemas"]
    assert list(words_of_the_domain.PII_POLICIES) == components["PiiPolicy"]["enum"]
    assert list(words_of_the_domain.SUBSTITUTIONS) == components["SubstitutionPolicy"]["enum"]
    assert len(words_of_the_domain.TRANSLATION_TARGETS) == 89 and "ru" in words_of_the_domain.TRANSLATION_TARGETS


def test_redacted_text_names_the_kind_of_data_and_only_the_kinds_asked(server: Any, files: Files) -> None:
    files.files["/r.wav"] = make_wav(mono_script(SAYING, 4.0), 4.0)
    queued = submit(server, files.url + "/r.wav", **REDACT)
    check(queued, "Transcript")
    done = finished(server, queued["id"])
    check(done, "Transcript")
    assert done["text"] == "Call [PERSON_NAME] on [PHONE_NUMBER] from London tomorrow."
    assert done["redact_pii"] is True and done["redact_pii_policies"] == ["person_name", "phone_number"]
    assert [w["text"] for w in done["words"]][:4] == ["Call", "[PERSON_NAME]", "on", "[PHONE_NUMBER]"]


def test_hash_substitution_keeps_the_length_and_punctuation(server: Any, files: Files) -> None:
    files.files["/h.wav"] = make_wav(dialogue_script([("A", "I am Anna."), ("B", "Hello, Peter here.")], 4.0), 4.0)
    t = finished(
        server,
        submit(server, files.url + "/h.wav", speaker_labels=True, redact_pii_sub="hash", **REDACT)["id"],
    )
    check(t, "Transcript")
    assert [u["text"] for u in t["utterances"]] == ["I am ####.", "Hello, ##### here."]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"redact_pii": True, "redact_pii_policies": ["shoe_size"]}, "Invalid redact_pii_policies: shoe_size"),
        ({"redact_pii": True}, "redact_pii_policies must be provided"),
        ({**REDACT, "redact_pii_sub": "entity_type"}, "redact_pii_sub must be one of"),
        ({"redact_pii_audio": True}, "redact_pii_audio requires redact_pii"),
        ({"speech_understanding": {"request": {"translation": {"target_languages": ["xx"]}}}}, "Unsupported"),
        (
            {
                "speech_understanding": {
                    "request": {"translation": {"target_languages": ["de"], "match_original_utterance": True}}
                }
            },
            "match_original_utterance requires speaker_labels",
        ),
    ],
)
def test_requests_the_spec_does_not_allow_get_a_400_sentence(
    server: Any, files: Files, extra: dict[str, Any], message: str
) -> None:
    status, body = http(
        "POST", f"{server.base_url}/v2/transcript", {"audio_url": files.url + "/x.wav", "speech_models": ["u"], **extra}
    )
    assert status == 400 and message in body["error"]
    check(body, "Error")


def test_the_redacted_recording_beeps_exactly_the_redacted_words(server: Any, files: Files) -> None:
    original = make_wav(mono_script(SAYING, 4.0), 4.0)
    files.files["/a.wav"] = original
    files.webhooks.clear()
    t = submit(server, files.url + "/a.wav", webhook_url=files.url + "/hook", **REDACT, **AS_WAV)
    done = finished(server, t["id"])
    check(done, "Transcript")
    assert done["redact_pii_audio"] is True
    client = aai.Client(settings=aai.Settings(api_key=KEY, base_url=server.base_url))
    found = aai.api.get_redacted_audio(client.http_client, t["id"])  # the SDK reads the answer
    status, body = http("GET", f"{server.base_url}/v2/transcript/{t['id']}/redacted-audio")
    assert status == 200
    check(body, "RedactedAudioResponse")
    with urllib.request.urlopen(found.redacted_audio_url) as res:  # no API key: a presigned-like URL
        redacted = res.read()
    before, after = samples(original), samples(redacted)
    assert len(before) == len(after)
    rate = 8000
    anna = word(done, "[PERSON_NAME]")
    inside = slice(anna["start"] * rate // 1000 + 10, anna["end"] * rate // 1000 - 10)
    assert max(after[inside]) > 4 * max(before[inside])  # a beep, louder than the faint test tone
    first_word = done["words"][0]  # "Call" is kept as it was
    kept = slice(first_word["start"] * rate // 1000, first_word["end"] * rate // 1000)
    assert after[kept] == before[kept]
    deadline = time.monotonic() + 5
    while len(files.webhooks) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    notification = files.webhooks[-1][1]
    # RedactedAudioNotification is RedactedAudioResponse (allOf), but its own additionalProperties: false refuses
    # every property under JSON Schema's rules: a slip of the spec, so the body is checked against what it includes.
    check(notification, "RedactedAudioResponse")
    assert notification["redacted_audio_url"] == found.redacted_audio_url


def test_the_silence_option_and_deletion_of_the_redacted_recording(server: Any, files: Files) -> None:
    files.files["/s.wav"] = make_wav(mono_script(SAYING, 4.0), 4.0)
    t = submit(
        server,
        files.url + "/s.wav",
        redact_pii_audio_options={"override_audio_redaction_method": "silence"},
        **REDACT,
        **AS_WAV,
    )
    done = finished(server, t["id"])
    _, body = http("GET", f"{server.base_url}/v2/transcript/{t['id']}/redacted-audio")
    with urllib.request.urlopen(body["redacted_audio_url"]) as res:
        after = samples(res.read())
    phone = word(done, "[PHONE_NUMBER]")
    assert set(after[phone["start"] * 8 : phone["end"] * 8]) == {0}
    http("DELETE", f"{server.base_url}/v2/transcript/{t['id']}")
    client = aai.Client(settings=aai.Settings(api_key=KEY, base_url=server.base_url))
    with pytest.raises(aai.types.RedactedAudioExpiredError):
        aai.api.get_redacted_audio(client.http_client, t["id"])
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(body["redacted_audio_url"])


def test_the_redacted_recording_is_mp3_unless_wav_is_asked(server: Any, files: Files) -> None:
    av = pytest.importorskip("av")
    files.files["/q.wav"] = make_wav(mono_script(SAYING, 4.0), 4.0)
    t = finished(server, submit(server, files.url + "/q.wav", redact_pii_audio=True, **REDACT)["id"])
    assert t["redact_pii_audio_quality"] == "mp3"
    _, body = http("GET", f"{server.base_url}/v2/transcript/{t['id']}/redacted-audio")
    assert body["redacted_audio_url"].endswith(".mp3")
    with urllib.request.urlopen(body["redacted_audio_url"]) as res:
        kind, data = res.headers["Content-Type"], res.read()
    assert kind == "audio/mpeg"
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert container.format.name == "mp3" and stream.codec_context.name.startswith("mp3")
        seconds = sum(frame.samples for frame in container.decode(stream)) / stream.rate
    assert 3.9 <= seconds <= 4.2  # the whole recording, a little encoder padding aside


def test_silence_gets_a_redacted_recording_only_when_asked_for_one(server: Any, files: Files) -> None:
    files.files["/quiet.wav"] = make_wav(None, 2.0)  # no speech at all
    plain = finished(server, submit(server, files.url + "/quiet.wav", **REDACT, **AS_WAV)["id"])
    status, body = http("GET", f"{server.base_url}/v2/transcript/{plain['id']}/redacted-audio")
    assert status == 400 and body["error"] == "Redacted audio was not created: no speech was detected"
    asked = {"redact_pii_audio_options": {"return_redacted_no_speech_audio": True}}
    quiet = finished(server, submit(server, files.url + "/quiet.wav", **REDACT, **AS_WAV, **asked)["id"])
    check(quiet, "Transcript")
    status, body = http("GET", f"{server.base_url}/v2/transcript/{quiet['id']}/redacted-audio")
    assert status == 200
    with urllib.request.urlopen(body["redacted_audio_url"]) as res:
        assert samples(res.read()) == samples(files.files["/quiet.wav"])  # nothing to beep


def test_redacted_audio_is_202_until_ready_and_400_when_never_asked(server: Any, files: Files) -> None:
    files.files["/p.wav"] = make_wav(mono_script(SAYING, 2.0), 2.0)
    plain = finished(server, submit(server, files.url + "/p.wav")["id"])
    status, body = http("GET", f"{server.base_url}/v2/transcript/{plain['id']}/redacted-audio")
    assert status == 400
    check(body, "Error")
    t = finished(server, submit(server, files.url + "/p.wav", redact_pii_audio=True, **REDACT)["id"])
    server.faults.add({"op": "redacted_audio", "mode": "pending"})
    client = aai.Client(settings=aai.Settings(api_key=KEY, base_url=server.base_url))
    with pytest.raises(aai.types.RedactedAudioIncompleteError):
        aai.api.get_redacted_audio(client.http_client, t["id"])
    assert aai.api.get_redacted_audio(client.http_client, t["id"]).status == "redacted_audio_ready"


def test_entities_are_listed_with_their_moments_before_redaction(server: Any, files: Files) -> None:
    files.files["/e.wav"] = make_wav(mono_script("Anna met Peter Smith at Google in Paris on March 3.", 5.0), 5.0)
    t = finished(server, submit(server, files.url + "/e.wav", entity_detection=True)["id"])
    check(t, "Transcript")
    kinds = [(e["entity_type"], e["text"]) for e in t["entities"]]
    assert kinds == [
        ("person_name", "Anna"),
        ("person_name", "Peter Smith"),
        ("organization", "Google"),
        ("location", "Paris"),
        ("date", "March"),
        ("number_sequence", "3"),
    ]
    peter = t["entities"][1]
    assert peter["start"] == word(t, "Peter")["start"] and peter["end"] == word(t, "Smith")["end"]


def test_translation_line_by_line_with_speaker_labels(server: Any, files: Files) -> None:
    script = dialogue_script([("A", "Good morning."), ("B", "Hello there.")], 4.0)
    script["translations"] = {"de": ["Guten Morgen.", "Hallo."]}
    files.files["/t.wav"] = make_wav(script, 4.0)
    translation = {"target_languages": ["de", "es"], "match_original_utterance": True}
    t = finished(
        server,
        submit(
            server,
            files.url + "/t.wav",
            speaker_labels=True,
            speech_understanding={"request": {"translation": translation}},
        )["id"],
    )
    # speech_understanding.response is a oneOf of three schemas that require nothing, so the documented answer
    # ({"translation": {"status": "success"}}) matches all three and fails oneOf: checked against its own schema.
    understood = t.pop("speech_understanding")
    check(t, "Transcript")
    check(understood["response"], "TranslationResponse")
    check(understood["request"], "TranslationRequestBody")
    assert understood["response"]["translation"]["status"] == "success"
    assert t["translated_texts"] == {"de": "Guten Morgen. Hallo.", "es": "[es] Good morning. [es] Hello there."}
    assert [u["translated_texts"]["de"] for u in t["utterances"]] == ["Guten Morgen.", "Hallo."]
    sdk = aai.types.TranscriptResponse.model_validate({**t, "speech_understanding": understood})  # the SDK reads it too
    assert sdk.speech_understanding is not None and sdk.speech_understanding.response is not None


def test_translation_without_speaker_labels_is_one_text(server: Any, files: Files) -> None:
    files.files["/m.wav"] = make_wav(mono_script("One two three.", 2.0), 2.0)
    translation = {"target_languages": ["fr"]}
    t = finished(
        server,
        submit(server, files.url + "/m.wav", speech_understanding={"request": {"translation": translation}})["id"],
    )
    t.pop("speech_understanding")  # see above
    check(t, "Transcript")
    assert t["translated_texts"] == {"fr": "[fr] One two three."} and t["utterances"] is None


def test_whisper_segments_become_the_english_translation_whole_and_per_utterance() -> None:
    from local.assemblyai.understanding import Asked, apply

    utterances = [
        {"speaker": "A", "start": 0, "end": 1000, "text": "Hallo.", "words": []},
        {"speaker": "B", "start": 1200, "end": 3000, "text": "Wie geht es?", "words": []},
    ]
    segments = [{"start": 0, "end": 900, "text": " Hello."}, {"start": 1300, "end": 2800, "text": " How are you?"}]
    asked = Asked(targets=("en",), per_utterance=True)
    fields, _ = apply(asked, {"text": "Hallo. Wie geht es?", "words": [], "utterances": utterances}, b"", segments)
    assert fields["translated_texts"] == {"en": "Hello. How are you?"}
    assert [u["translated_texts"]["en"] for u in fields["utterances"]] == ["Hello.", "How are you?"]
    mono, _ = apply(Asked(targets=("en",)), {"text": "Hallo. Wie geht es?", "words": []}, b"", segments)
    assert mono["translated_texts"] == {"en": "Hello. How are you?"}
