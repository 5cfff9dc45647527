"""The local AssemblyAI server answers as the official spec says, and the real SDK understands every answer."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import assemblyai as aai
import jsonschema
import pytest
import yaml

from local.assemblyai.media import dialogue_script, make_wav, mono_script
from local.assemblyai.server import AssemblyAIServer

SPEC = Path(__file__).resolve().parents[2] / "local" / "assemblyai" / "openapi.yml"  # AssemblyAI's own, vendored
KEY = "test-key"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text())


def schema(name: str) -> dict[str, Any]:
    # OpenAPI 3.1 schemas are JSON Schema 2020-12; refs resolve inside the spec document.
    return {"$ref": f"#/components/schemas/{name}", "components": spec()["components"]}


def check(instance: Any, name: str) -> None:
    jsonschema.Draft202012Validator(schema(name)).validate(instance)


class Files:
    """A tiny file server for audio_url, and a webhook receiver that answers as told."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.webhooks: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.answers: list[int] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                data = owner.files.get(self.path)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.webhooks.append(({k.lower(): v for k, v in self.headers.items()}, body))
                code = owner.answers.pop(0) if owner.answers else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture(scope="module")
def files() -> Any:
    f = Files()
    yield f
    f.httpd.shutdown()


@pytest.fixture
def server() -> Any:
    with AssemblyAIServer(api_key=KEY, webhook_retry_interval_s=0.02, webhook_timeout_s=2) as srv:
        yield srv


def http(method: str, url: str, body: Any = None, key: str | None = KEY) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": key} if key else {})}
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def submit(server: Any, audio_url: str, **extra: Any) -> dict[str, Any]:
    status, body = http(
        "POST", f"{server.base_url}/v2/transcript", {"audio_url": audio_url, "speech_models": ["universal-2"], **extra}
    )
    assert status == 200, body
    return dict(body)


def finished(server: Any, tid: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _, body = http("GET", f"{server.base_url}/v2/transcript/{tid}")
        if body["status"] in ("completed", "error"):
            return dict(body)
        time.sleep(0.02)
    raise AssertionError("transcript never finished")


def test_every_answer_matches_the_spec(server: Any, files: Files) -> None:
    files.files["/d.wav"] = make_wav(dialogue_script([("A", "Hello there."), ("B", "Hi.")], 3.0), 3.0)
    queued = submit(server, files.url + "/d.wav", speaker_labels=True, speakers_expected=2, language_code="en")
    check(queued, "Transcript")
    assert queued["status"] == "queued"
    done = finished(server, queued["id"])
    check(done, "Transcript")
    assert done["audio_duration"] == 3 and [u["speaker"] for u in done["utterances"]] == ["A", "B"]
    status, listing = http("GET", f"{server.base_url}/v2/transcript?limit=5")
    assert status == 200
    check(listing, "TranscriptList")
    status, deleted = http("DELETE", f"{server.base_url}/v2/transcript/{queued['id']}")
    check(deleted, "Transcript")
    assert deleted["text"] == "Deleted by user." and deleted["words"] is None
    for method, path, body, key, code in [
        ("POST", "/v2/transcript", {"audio_url": "x"}, KEY, 400),
        ("POST", "/v2/transcript", {"audio_url": files.url, "speech_models": ["u"], "language_code": "xx"}, KEY, 400),
        ("GET", "/v2/transcript/nope", None, KEY, 404),
        ("GET", f"/v2/transcript/{queued['id']}", None, "wrong", 401),
        ("GET", f"/v2/transcript/{queued['id']}", None, None, 401),
    ]:
        status, error = http(method, server.base_url + path, body, key)
        assert status == code, (path, error)
        check(error, "Error")


def test_the_sdk_round_trip(server: Any, files: Files) -> None:
    files.files["/m.wav"] = make_wav(mono_script("one two three", 2.0), 2.0)
    client = aai.Client(settings=aai.Settings(api_key=KEY, base_url=server.base_url))
    req = aai.types.TranscriptRequest(
        audio_url=files.url + "/m.wav", speech_models=["universal-2"], language_detection=True
    )
    created = aai.api.create_transcript(client.http_client, req)
    assert created.status == aai.types.TranscriptStatus.queued
    deadline = time.monotonic() + 10
    while (got := aai.api.get_transcript(client.http_client, created.id)).status.value not in ("completed", "error"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert got.text == "one two three" and got.language_code == "en" and got.words[1].start > 0
    aai.api.delete_transcript(client.http_client, created.id)
    with pytest.raises(aai.types.TranscriptError) as missing:
        aai.api.get_transcript(client.http_client, "no-such-id")
    assert missing.value.status_code == 404


def test_a_missing_audio_url_fails_like_the_real_service(server: Any, files: Files) -> None:
    done = finished(server, submit(server, files.url + "/expired.wav")["id"])
    assert done["status"] == "error" and done["error"].startswith("Download error, unable to download")
    check(done, "Transcript")


def test_webhooks_carry_the_auth_header_and_retry_until_2xx_but_never_after_4xx(server: Any, files: Files) -> None:
    files.files["/w.wav"] = make_wav(mono_script("hi", 1.0), 1.0)
    files.webhooks.clear()
    files.answers[:] = [500, 503, 200]
    t = submit(
        server,
        files.url + "/w.wav",
        webhook_url=files.url + "/hook?job_id=1",
        webhook_auth_header_name="X-Secret",
        webhook_auth_header_value="s3cret",
    )
    finished(server, t["id"])
    server.wait_idle()
    assert server.webhook_codes(t["id"]) == [500, 503, 200]
    headers, body = files.webhooks[-1]
    assert headers["x-secret"] == "s3cret" and body == {"transcript_id": t["id"], "status": "completed"}
    check(body, "TranscriptReadyNotification")
    files.answers[:] = [404]
    t2 = submit(server, files.url + "/w.wav", webhook_url=files.url + "/hook")
    finished(server, t2["id"])
    server.wait_idle()
    assert server.webhook_codes(t2["id"]) == [404]


def test_switchable_faults(server: Any, files: Files) -> None:
    files.files["/f.wav"] = make_wav(mono_script("x", 1.0), 1.0)
    server.faults.add({"op": "submit", "status": 503, "times": 2})
    codes = [
        http("POST", f"{server.base_url}/v2/transcript", {"audio_url": files.url + "/f.wav", "speech_models": ["u"]})[0]
        for _ in range(3)
    ]
    assert codes == [503, 503, 200] and server.stats["submissions"] == 1
    files.webhooks.clear()
    server.faults.add({"op": "webhook", "mode": "duplicate", "copies": 3})
    t = submit(server, files.url + "/f.wav", webhook_url=files.url + "/hook")
    finished(server, t["id"])
    server.wait_idle()
    assert [b["transcript_id"] for _, b in files.webhooks] == [t["id"]] * 3
    status, stats = http("GET", f"{server.base_url}/_control/stats")
    assert status == 200 and stats["submissions"] == 2
