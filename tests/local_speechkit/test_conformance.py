"""The SpeechKit adapter and the local emulator against Yandex's REST reference, vendored with its provenance in
tests/vendor/yandex-speechkit/: every field the adapter sends and the emulator answers is one the reference names,
with the reference's JSON type (int64 as a string), on the paths and query parameters it gives."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from common.adapters.ports import Submission
from common.adapters.speechkit import SpeechKit, parse_recognition, recognition_request
from common.runtime.config import settings_from
from local.assemblyai.media import dialogue_script, make_wav
from local.speechkit.server import SpeechKitServer

REST = Path(__file__).resolve().parents[1] / "vendor" / "yandex-speechkit" / "rest"
KEY = "local-api-key"


@cache
def page(name: str) -> str:
    return (REST / f"{name}.md").read_text()


def shapes(name: str) -> list[Any]:
    """The page's JSON templates (request body, response), with the reference's // comments dropped."""
    blocks = re.findall(r"```json\n(.*?)```", page(name), re.S)
    return [json.loads(re.sub(r"^\s*//.*$", "", b, flags=re.M)) for b in blocks]


def endpoint(name: str) -> tuple[str, str]:
    method, url = re.search(r"^(GET|POST|DELETE) https://\{\{ [\w-]+ \}\}(\S+)$", page(name), re.M).groups()
    return method, url


def conforms(value: Any, shape: Any, where: str = "") -> list[str]:
    """Every key of `value` is in `shape`, with the type the reference writes ("string", "boolean", "integer"...)."""
    if isinstance(shape, dict):
        if shape.keys() == {"schema"} or not isinstance(value, dict):
            return [] if isinstance(value, dict) or not isinstance(shape, dict) else [f"{where}: not an object"]
        problems = []
        for key, item in value.items():
            if key not in shape:
                problems.append(f"{where}.{key}: not in the reference")
            elif item is not None:
                problems += conforms(item, shape[key], f"{where}.{key}")
        return problems
    if isinstance(shape, list):
        return [p for i, item in enumerate(value) for p in conforms(item, shape[0], f"{where}[{i}]")]
    if where.endswith((".confidence", ".probability")):
        # double in the proto; the generated page writes "string", Yandex's own example answer shows 0: a number
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else [f"{where}: not a number"]
    expected = {"string": str, "boolean": bool, "object": dict}.get(shape)
    if shape in ("integer", "number", "double"):
        return [] if isinstance(value, int | float) and not isinstance(value, bool) else [f"{where}: not a number"]
    if expected and not isinstance(value, expected):
        return [f"{where}: {type(value).__name__}, the reference says {shape}"]
    return []


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = make_wav(dialogue_script([("A", "Good morning."), ("B", "Hello there."), ("A", "Let us begin.")], 5.0), 5.0)
    objects = {"media/uploads/talk.wav": data}
    server = SpeechKitServer(
        storage_url="https://storage.example",
        read_object=lambda bucket, key: objects.get(f"{bucket}/{key}"),
        api_keys={KEY},
    ).start()
    yield server
    server.stop()


def adapter(server: SpeechKitServer) -> SpeechKit:
    settings = settings_from(
        {
            "SPEECH_PROVIDER": "speechkit",
            "SPEECHKIT_STT_URL": server.base_url,
            "SPEECHKIT_OPERATION_URL": server.base_url,
            "SPEECHKIT_API_KEY": KEY,
            "S3_ENDPOINT_URL": "https://storage.example",
            "S3_BUCKET": "media",
        }
    )
    return SpeechKit(settings)


SUBMISSION = Submission("job", "", "en", True, 2, object_key="uploads/talk.wav", content_type="audio/wav")


def test_the_request_the_adapter_sends_is_a_recognize_file_request() -> None:
    settings = settings_from({"S3_BUCKET": "media"})
    body = recognition_request(SUBMISSION, settings)
    assert conforms(body, shapes("AsyncRecognizer/recognizeFile")[0]) == []
    assert body["uri"] == "https://storage.yandexcloud.net/media/uploads/talk.wav"  # no presigned query
    # The enum values it sends are the reference's own.
    for value in ("WAV", "TEXT_NORMALIZATION_ENABLED", "WHITELIST", "SPEAKER_LABELING_ENABLED"):
        assert value in page("AsyncRecognizer/recognizeFile"), value
    assert body["recognitionModel"]["languageRestriction"]["languageCode"] == ["en-US"]


def test_the_paths_and_query_parameters_are_the_references(emulator: SpeechKitServer) -> None:
    assert endpoint("AsyncRecognizer/recognizeFile") == ("POST", "/stt/v3/recognizeFileAsync")
    assert endpoint("AsyncRecognizer/getRecognition") == ("GET", "/stt/v3/getRecognition")
    assert endpoint("AsyncRecognizer/deleteRecognition") == ("DELETE", "/stt/v3/deleteRecognition")
    assert endpoint("Operation/get") == ("GET", "/operations/{operationId}")
    for name in ("AsyncRecognizer/getRecognition", "AsyncRecognizer/deleteRecognition"):
        assert "|| operationId | **string** ||" in page(name)


def test_the_emulators_operation_and_result_stream_are_the_references_shapes(emulator: SpeechKitServer) -> None:
    sk = adapter(emulator)
    operation_id = sk.submit(SUBMISSION)
    operation = emulator.operation(operation_id)
    assert conforms(operation, shapes("Operation/get")[0]) == []
    assert operation["description"] == "STT v3 async recognition" and operation["createdBy"]
    emulator.wait_idle()
    done = emulator.operation(operation_id)
    assert done["done"] is True and conforms(done, shapes("Operation/get")[0]) == []
    stream = [json.loads(line) for line in emulator.recognition(operation_id).splitlines()]
    response = shapes("AsyncRecognizer/getRecognition")[0]
    assert stream and all(item.keys() == {"result"} for item in stream)
    for item in stream:
        assert conforms(item["result"], response) == [], item
    events = [next(k for k in ("final", "finalRefinement", "eouUpdate") if k in item["result"]) for item in stream]
    assert events[:3] == ["final", "finalRefinement", "eouUpdate"]
    # And the adapter reads it back: two speakers from the channel tags, times from the ms strings.
    transcript = sk.get(operation_id)
    assert transcript is not None and transcript.status == "completed"
    assert [(u["speaker"], u["text"]) for u in transcript.utterances] == [
        ("A", "Good morning."),
        ("B", "Hello there."),
        ("A", "Let us begin."),
    ]
    assert transcript.audio_duration == 5.0 and transcript.language == "en"
    sk.delete(operation_id)
    assert sk.get(operation_id) is None  # the result is gone; the adapter says it does not know it


def test_errors_are_grpc_gateway_statuses(emulator: SpeechKitServer) -> None:
    import urllib.error
    import urllib.request

    def call(method: str, path: str, body: Any = None, key: str = KEY) -> tuple[int, Any]:
        req = urllib.request.Request(
            emulator.base_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Api-Key {key}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=5) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    status, body = call("GET", "/operations/e03nosuchoperation0")
    assert status == 404 and set(body) == {"code", "message", "details"} and body["code"] == 5
    assert call("GET", "/operations/x", key="wrong")[0] == 401
    status, body = call("POST", "/stt/v3/recognizeFileAsync", {"uri": "https://elsewhere.example/a.wav"})
    assert status == 400 and body["code"] == 3
    both = {"uri": "https://storage.example/media/a.wav", "content": "AAAA"}
    assert call("POST", "/stt/v3/recognizeFileAsync", both)[0] == 400
    webm = {
        "uri": "https://storage.example/media/a.webm",
        "recognitionModel": {"audioFormat": {"containerAudio": {"containerAudioType": "WEBM"}}},
    }
    assert call("POST", "/stt/v3/recognizeFileAsync", webm)[0] == 400
    # Yandex's own curl example sends proto (snake_case) names: the emulator reads those too.
    snake = {
        "uri": "https://storage.example/media/uploads/talk.wav",
        "recognition_model": {"audio_format": {"container_audio": {"container_audio_type": "WAV"}}},
    }
    status, body = call("POST", "/stt/v3/recognizeFileAsync", snake)
    assert status == 200 and body["done"] is False


def test_a_stream_of_pretty_printed_objects_parses_as_one_per_line_does() -> None:
    item = {
        "result": {
            "final": {
                "alternatives": [{"text": "Hi", "words": [{"text": "Hi", "startTimeMs": "0", "endTimeMs": "300"}]}]
            },
            "audioCursors": {"finalIndex": "0", "receivedDataMs": "900"},
            "channelTag": "0",
        }
    }
    compact = (json.dumps(item) + "\n").encode()
    pretty = json.dumps(item, indent=2).encode()
    for body in (compact, pretty):
        t = parse_recognition("op", body)
        assert t.words[0]["text"] == "Hi" and t.audio_duration == 0.9 and t.utterances == []
    second = pretty.replace(b'"Hi"', b'"there"').replace(b'"finalIndex": "0"', b'"finalIndex": "1"')
    assert [w["text"] for w in parse_recognition("op", compact + second).words] == ["Hi", "there"]
