"""Who spoke when, offline: the numpy voice encoder (resemblyzer's weights, no torch) and the diarizer around it."""

from __future__ import annotations

import io
import pickle
import sys
import wave
from typing import Any

import numpy as np
import pytest

from local.assemblyai import espeak, voice_encoder
from local.assemblyai.server import AssemblyAIServer
from local.assemblyai.speech import VOICES_FIELD
from tests.local_assemblyai.material import TURNS
from tests.local_assemblyai.test_conformance import Files

if not espeak.available():
    pytest.skip("espeak-ng is not installed", allow_module_level=True)
voice_encoder.encoder()  # no skip: scripts/venv.sh installs the weights, and a missing install must fail here

TWO_MEN = ("en+m4", "en-us+m2")  # the old pitch-and-cepstrum diarizer heard one voice here when not told the count


def samples(text: str, voice: str) -> np.ndarray:
    frames, rate = espeak.say(text, voice)
    pcm = np.frombuffer(frames, "<i2").astype(np.float32) / 32768
    return np.interp(np.arange(0, len(pcm), rate / 16000), np.arange(len(pcm)), pcm).astype(np.float32)


def test_the_same_voice_lands_closer_than_another_voice_of_the_same_sex() -> None:
    enc = voice_encoder.encoder()
    a = "The train to the airport leaves every twenty minutes from the second platform."
    b = "Please remember to water the plants on the balcony while I am away next week."
    first = {v: enc.embed_utterance(samples(a, v)) for v in TWO_MEN}
    second = {v: enc.embed_utterance(samples(b, v)) for v in TWO_MEN}
    assert all(abs(float(np.linalg.norm(e)) - 1) < 1e-5 for e in first.values())
    for v, other in (TWO_MEN, TWO_MEN[::-1]):
        assert float(first[v] @ second[v]) > float(first[v] @ second[other]) + 0.02, v


def test_a_man_and_a_woman_are_far_apart_and_the_encoder_needs_no_torch() -> None:
    enc = voice_encoder.encoder()
    text = "Our customers asked for a simpler way to export their data."
    man, woman = enc.embed_utterance(samples(text, "en+m3")), enc.embed_utterance(samples(text, "en+f3"))
    assert float(man @ woman) < 0.8
    assert "torch" not in sys.modules and "resemblyzer" not in sys.modules


class _Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        return (print, ("pwned",))


def _checkpoint(payload: Any) -> bytes:
    out = io.BytesIO()
    for part in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}, payload, []):
        pickle.dump(part, out, protocol=2)
    return out.getvalue()


def test_the_loader_refuses_a_weights_file_that_names_any_other_global(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(voice_encoder.WeightsError, match=r"names __builtin__\.print"):
        voice_encoder.load_checkpoint(_checkpoint({"model_state": _Evil()}))
    assert "pwned" not in capsys.readouterr().out
    with pytest.raises(voice_encoder.WeightsError, match="model_state"):
        voice_encoder.load_checkpoint(_checkpoint({"step": 1}))


def test_the_shipped_weights_load_as_three_lstm_layers_and_a_linear_layer() -> None:
    raw = voice_encoder._weights_bytes()
    weights = voice_encoder.load_checkpoint(raw)
    assert weights["lstm.weight_ih_l0"].shape == (1024, 40) and weights["linear.weight"].shape == (256, 256)
    assert all(np.isfinite(w).all() for w in weights.values())
    with pytest.raises(voice_encoder.WeightsError):
        voice_encoder.load_checkpoint(raw[: len(raw) // 2])  # a truncated download


# through the local AssemblyAI server, as the app submits: speaker labels on, the count left blank


@pytest.fixture(scope="module")
def served() -> Any:
    files = Files()
    with AssemblyAIServer(api_key=None, engine="whisper") as srv:
        srv.engine.wait_ready(60)  # type: ignore[attr-defined]
        yield srv, files
    files.httpd.shutdown()


def _transcribe(served: Any, name: str, audio: bytes) -> dict[str, Any]:
    from tests.local_assemblyai.test_whisper import _finished, _submit

    srv, files = served
    files.files[f"/{name}"] = audio
    done = _finished(srv, _submit(srv, f"{files.url}/{name}", speaker_labels=True), timeout=120)
    assert done["status"] == "completed", done.get("error")
    return done


def test_two_men_with_the_count_left_blank_come_back_as_two_speakers(served: Any) -> None:
    audio, spans = espeak.dialogue([(TWO_MEN[i % 2], t) for i, t in enumerate(TURNS)])
    done = _transcribe(served, "two-men.wav", audio)
    assert {w["speaker"] for w in done["words"]} == {"A", "B"}
    right, mapping = espeak.attribution(done["words"], spans)
    assert right >= 0.85 and mapping == {"A": TWO_MEN[0], "B": TWO_MEN[1]}, (right, mapping)
    # Each speaker's voice, for the app's directory of named voices: unit-length, 256 numbers, one per label.
    voices = done[VOICES_FIELD]
    assert set(voices) == {"A", "B"} and all(len(v) == 256 for v in voices.values())
    assert all(abs(float(np.linalg.norm(v)) - 1) < 1e-3 for v in voices.values())
    assert float(np.dot(voices["A"], voices["B"])) < 0.99


def test_one_voice_with_the_count_left_blank_stays_one_speaker(served: Any) -> None:
    audio, _ = espeak.dialogue([("en-us+m3", t) for t in TURNS])
    with wave.open(io.BytesIO(audio)) as w:
        assert w.getnframes() / w.getframerate() > 30
    done = _transcribe(served, "monologue.wav", audio)
    assert {w["speaker"] for w in done["words"]} == {"A"} and set(done[VOICES_FIELD]) == {"A"}
    assert len(done["utterances"]) > 1


def test_weights_are_read_from_a_downloaded_wheel_and_their_absence_is_said(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from local.assemblyai import diarize
    from local.assemblyai.speech import EngineError

    installed = voice_encoder._weights_bytes()
    wheel = tmp_path / "Resemblyzer-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("resemblyzer/pretrained.pt", installed)
    monkeypatch.setenv("LOCAL_VOICE_ENCODER", str(wheel))
    assert voice_encoder._weights_bytes() == installed
    monkeypatch.setenv("LOCAL_VOICE_ENCODER", str(tmp_path / "nowhere.pt"))
    voice_encoder.encoder.cache_clear()
    try:
        words = [{"text": "hi", "start": 0, "end": 500}, {"text": "there", "start": 600, "end": 1200}]
        with pytest.raises(EngineError, match=r"pip install --no-deps resemblyzer==0\.1\.4"):
            diarize.speakers(np.zeros(32000, np.float32), 16000, words)
    finally:
        voice_encoder.encoder.cache_clear()
