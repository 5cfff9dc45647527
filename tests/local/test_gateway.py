"""The local gateway: the spec's routes, Yandex's payload-1.0 event shape, the SPA, and start-up checks."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from local.gateway import spec as gateway_spec
from local.gateway.events import event_for
from local.gateway.server import Gateway

EVENTS = Path(__file__).resolve().parents[1] / "events"


class Recorder:
    """Stands in for the function module so the test sees exactly the event the gateway built."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {
            "statusCode": 201,
            "headers": {"X-Echo": "yes"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x00\xffbinary").decode(),
            "isBase64Encoded": True,
        }


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    recorder = Recorder()
    monkeypatch.setattr("local.functions.load", lambda name: recorder)
    spa = tmp_path / "dist"
    (spa / "assets").mkdir(parents=True)
    (spa / "index.html").write_text("<html>app</html>")
    (spa / "assets" / "app.js").write_text("console.log(1)")
    gw = Gateway(gateway_spec.default(), "127.0.0.1", 0, spa, lambda line: None)
    gw.load_functions()
    import threading

    threading.Thread(target=gw.serve_forever, daemon=True).start()
    yield gw, recorder
    gw.stop()


def request(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_the_event_has_yandexs_shape(gateway: Any) -> None:
    gw, recorder = gateway
    job_id = "0b7f3c2e-8f1d-4d63-9d1e-3f6c1a2b4c5d"
    status, headers, body = request(
        f"{gw.url}/api/v1/jobs/{job_id}/transcript?format=srt&format=vtt",
        "GET",
        headers={"Authorization": "Bearer abc", "X-Custom-Header": "MixedCase", "User-Agent": "ua/1"},
    )
    assert status == 201 and body == b"\x00\xffbinary"
    assert headers["X-Echo"] == "yes" and headers["Set-Cookie"] == "a=1, b=2"
    event = recorder.events[-1]
    assert event["httpMethod"] == "GET"
    assert event["path"] == "/api/v1/jobs/{job_id}/transcript"
    assert event["url"] == f"/api/v1/jobs/{job_id}/transcript?format=srt&format=vtt"
    assert event["params"] == event["pathParams"] == {"job_id": job_id}
    assert event["headers"]["X-Custom-Header"] == "MixedCase"  # the client's header case is kept
    assert event["headers"]["Authorization"] == "Bearer abc"
    assert event["queryStringParameters"] == {"format": "vtt"}
    assert event["multiValueQueryStringParameters"] == {"format": ["srt", "vtt"]}
    ctx = event["requestContext"]
    assert ctx["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "ua/1"}
    assert ctx["httpMethod"] == "GET" and ctx["requestId"] and ctx["requestTimeEpoch"] > 0
    assert event["body"] == "" and event["isBase64Encoded"] is False
    expected_keys = set(json.loads((EVENTS / "api_get_transcript.json").read_text()))
    assert set(event) == expected_keys


def test_bodies_are_text_for_json_and_base64_for_binary(gateway: Any) -> None:
    gw, recorder = gateway
    request(f"{gw.url}/api/v1/jobs", "POST", b'{"file_id": "x"}', {"Content-Type": "application/json"})
    assert recorder.events[-1]["body"] == '{"file_id": "x"}' and not recorder.events[-1]["isBase64Encoded"]
    request(f"{gw.url}/api/v1/jobs", "POST", b"\x89PNG\x00", {"Content-Type": "application/octet-stream"})
    event = recorder.events[-1]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x89PNG\x00"


def test_only_spec_routes_exist(gateway: Any) -> None:
    gw, _ = gateway
    status, _, body = request(f"{gw.url}/api/v1/jobs", "PUT")
    assert status == 405 and json.loads(body)["error"]["code"] == "method_not_allowed"
    status, _, body = request(f"{gw.url}/api/v1/jobs/123", "POST")
    assert status == 405
    with pytest.raises(LookupError, match="not a route"):
        event_for("PATCH", "/api/v1/jobs")


def test_spa_files_and_client_routes_fall_back_to_index(gateway: Any) -> None:
    gw, _ = gateway
    status, headers, body = request(f"{gw.url}/assets/app.js")
    assert status == 200 and body == b"console.log(1)" and "javascript" in headers["Content-Type"]
    for path in ("/", "/jobs/some-id", "/login"):
        status, headers, body = request(f"{gw.url}{path}")
        assert (status, body) == (200, b"<html>app</html>") and headers["Content-Type"].startswith("text/html")
    status, _, body = request(f"{gw.url}/../../etc/passwd")
    assert body == b"<html>app</html>"  # never outside the SPA folder


def test_cors_preflight_answers_from_the_spec(gateway: Any) -> None:
    gw, _ = gateway
    status, headers, _ = request(
        f"{gw.url}/api/v1/jobs",
        "OPTIONS",
        headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert (
        "POST" in headers["Access-Control-Allow-Methods"] and "Authorization" in headers["Access-Control-Allow-Headers"]
    )


def test_a_route_whose_function_is_missing_fails_at_start(tmp_path: Path) -> None:
    spec_file = tmp_path / "openapi.yaml"
    spec_file.write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /api/v1/ghost:\n    get:\n"
        "      x-yc-apigateway-integration: {type: cloud_functions, function_id: '${functions.ghost}'}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    gw = Gateway(gateway_spec.load(spec_file), "127.0.0.1", 0, tmp_path, lambda line: None)
    with pytest.raises(LookupError, match=r"functions/ghost/index\.py does not exist"):
        gw.load_functions()
    gw.stop()


def test_every_route_of_the_real_spec_resolves_to_a_function_or_the_spa() -> None:
    spec = gateway_spec.default()
    kinds = {r.integration.get("type") for r in spec.routes}
    assert kinds == {"cloud_functions", "object_storage"}
    assert {r.function for r in spec.routes if r.function} == {"auth", "files", "jobs", "assemblyai_webhook"}
