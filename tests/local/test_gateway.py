"""The local gateway: the spec's routes, Yandex's payload-1.0 event shape, the SPA, and start-up checks."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest

from common.domain.accounts import jwks
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


KEY = jwks.new_private_key_pem()
KID = "gw-test-1"


def publish_keys(folder: Path, keys: dict[str, str]) -> str:
    """The keys documents in a folder, served by file:// URL: the authorizer fetches them as from a bucket."""
    for name, content in jwks.documents(keys, folder.as_uri()).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder.as_uri()


def token(key: str = KEY, kid: str = KID, **claims: Any) -> str:
    now = int(time.time())
    body = {"sub": str(uuid.uuid4()), "iss": "transcribe", "aud": "transcribe-api", "iat": now, "exp": now + 60}
    return jwt.encode({**body, **claims}, key, algorithm="ES256", headers={"kid": kid})


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    recorder = Recorder()
    monkeypatch.setattr("local.functions.load", lambda name: recorder)
    spa = tmp_path / "dist"
    (spa / "assets").mkdir(parents=True)
    (spa / "index.html").write_text("<html>app</html>")
    (spa / "assets" / "app.js").write_text("console.log(1)")
    keys_url = publish_keys(tmp_path / "keys", {KID: KEY})
    gw = Gateway(gateway_spec.default(), "127.0.0.1", 0, spa, lambda line: None, variables={"token_keys_url": keys_url})
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


def test_the_event_has_yandexs_documented_1_0_shape(gateway: Any) -> None:
    gw, recorder = gateway
    job_id = "0b7f3c2e-8f1d-4d63-9d1e-3f6c1a2b4c5d"
    bearer = token(sub="5a3c2d1e-0000-4000-8000-000000000001", email="a@b.co")
    status, headers, body = request(
        f"{gw.url}/api/v1/jobs/{job_id}/transcript?format=srt&format=vtt",
        "GET",
        headers={"Authorization": f"Bearer {bearer}", "X-Custom-Header": "MixedCase", "User-Agent": "ua/1"},
    )
    assert status == 201 and body == b"\x00\xffbinary"
    assert headers["X-Echo"] == "yes" and headers["Set-Cookie"] == "a=1, b=2"
    event = recorder.events[-1]
    assert event["version"] == "1.0" and event["httpMethod"] == "GET"
    assert event["resource"] == "/api/v1/jobs/{job_id}/transcript"  # the template
    assert event["path"] == f"/api/v1/jobs/{job_id}/transcript"  # the real path
    assert event["pathParameters"] == {"job_id": job_id}
    assert event["parameters"] == {"job_id": job_id, "format": "vtt"}
    assert event["multiValueParameters"] == {"job_id": [job_id], "format": ["srt", "vtt"]}
    assert event["operationId"] == "getTranscript"
    assert event["headers"]["X-Custom-Header"] == "MixedCase"  # the client's header case is kept
    assert event["queryStringParameters"] == {"format": "vtt"}
    assert event["multiValueQueryStringParameters"] == {"format": ["srt", "vtt"]}
    ctx = event["requestContext"]
    assert ctx["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "ua/1"}
    assert ctx["httpMethod"] == "GET" and ctx["requestId"] and ctx["requestTimeEpoch"] > 0
    claims = ctx["authorizer"]["jwt"]["claims"]
    assert claims["sub"] == "5a3c2d1e-0000-4000-8000-000000000001" and claims["email"] == "a@b.co"
    assert all(isinstance(v, str) for v in claims.values()) and claims["exp"].isdigit()  # strings, as documented
    assert ctx["authorizer"]["jwt"]["scopes"] == []
    assert event["body"] == "" and event["isBase64Encoded"] is False
    documented = json.loads((EVENTS / "yandex" / "api-gateway-v1.0.json").read_text())
    assert set(event) == set(documented)
    assert set(ctx) == set(documented["requestContext"])
    assert set(ctx["identity"]) <= set(documented["requestContext"]["identity"])


def test_the_authorizer_turns_bad_tokens_away_before_the_function(gateway: Any, tmp_path: Path) -> None:
    gw, recorder = gateway
    now = int(time.time())
    cases = {
        "no token": None,
        "no Bearer prefix": token(),
        "expired": token(exp=now - 1),
        "not yet valid": token(nbf=now + 600),
        "wrong issuer": token(iss="evil"),
        "wrong audience": token(aud="other"),
        "unknown kid": token(kid="nope"),
        "another key with our kid": token(key=jwks.new_private_key_pem()),
        "HS256": jwt.encode(
            {"sub": "x", "iss": "transcribe", "aud": "transcribe-api", "iat": now, "exp": now + 60},
            "s" * 32,
            algorithm="HS256",
            headers={"kid": KID},
        ),
    }
    for name, bad in cases.items():
        headers = {} if bad is None else {"Authorization": bad if name == "no Bearer prefix" else f"Bearer {bad}"}
        status, _, body = request(f"{gw.url}/api/v1/jobs", headers=headers)
        assert status == 401, name
        assert json.loads(body)["error"]["code"] == "unauthorized", name
    assert recorder.events == []  # no function ran for any of them
    status, _, _ = request(f"{gw.url}/api/v1/jobs", headers={"Authorization": f"Bearer {token()}"})
    assert status == 201 and len(recorder.events) == 1
    # Public routes need no token.
    request(f"{gw.url}/api/v1/auth/login", "POST", b"{}", {"Content-Type": "application/json"})
    assert "authorizer" not in recorder.events[-1]["requestContext"]


def test_rotation_both_published_keys_verify(gateway: Any, tmp_path: Path) -> None:
    new_key = jwks.new_private_key_pem()
    keys_url = publish_keys(tmp_path / "rotated", {KID: KEY, "gw-test-2": new_key})
    gw = Gateway(gateway_spec.default(), "127.0.0.1", 0, tmp_path, lambda line: None, {"token_keys_url": keys_url})
    context = gw.authorizers.check(
        gateway_spec.default().match("GET", "/api/v1/jobs")[0],
        {"authorization": f"Bearer {token(key=new_key, kid='gw-test-2')}"},
        {},
    )
    assert context is not None and context["jwt"]["claims"]["iss"] == "transcribe"
    gw.stop()


def test_an_unreadable_jwks_is_a_500_not_a_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    monkeypatch.setattr("local.functions.load", lambda name: recorder)
    missing = (tmp_path / "nowhere").as_uri()
    gw = Gateway(gateway_spec.default(), "127.0.0.1", 0, tmp_path, lambda line: None, {"token_keys_url": missing})
    status, _, body, _ = gw.respond("GET", "/api/v1/jobs", [("Authorization", f"Bearer {token()}")], b"", "1.2.3.4")
    assert status == 500 and json.loads(body)["error"]["code"] == "authorizer_error"
    assert recorder.events == []
    gw.stop()


def test_required_scopes_are_403(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    monkeypatch.setattr("local.functions.load", lambda name: recorder)
    keys_url = publish_keys(tmp_path / "keys", {KID: KEY})
    spec_file = tmp_path / "openapi.yaml"
    spec_file.write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
        "components:\n  securitySchemes:\n    jwt:\n      type: openIdConnect\n"
        "      openIdConnectUrl: '${token_keys_url}/.well-known/openid-configuration'\n"
        "      x-yc-apigateway-authorizer: {type: jwt, jwksUri: '${token_keys_url}/jwks.json',"
        " identitySource: {in: header, name: Authorization, prefix: 'Bearer '}}\n"
        "paths:\n  /api/v1/jobs:\n    get:\n      security: [{jwt: [jobs:read]}]\n"
        "      x-yc-apigateway-integration: {type: cloud_functions, function_id: '${functions.jobs}'}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    gw = Gateway(
        gateway_spec.load(spec_file), "127.0.0.1", 0, tmp_path, lambda line: None, {"token_keys_url": keys_url}
    )
    status, _, _, _ = gw.respond("GET", "/api/v1/jobs", [("Authorization", f"Bearer {token()}")], b"", "1.2.3.4")
    assert status == 403
    ok = token(scope="jobs:read profile")
    status, _, _, _ = gw.respond("GET", "/api/v1/jobs", [("Authorization", f"Bearer {ok}")], b"", "1.2.3.4")
    assert status == 201 and recorder.events[-1]["requestContext"]["authorizer"]["jwt"]["scopes"] == [
        "jobs:read",
        "profile",
    ]
    gw.stop()


def test_bodies_are_text_for_json_and_base64_for_binary(gateway: Any) -> None:
    gw, recorder = gateway
    request(
        f"{gw.url}/api/v1/jobs",
        "POST",
        b'{"file_id": "x"}',
        {"Content-Type": "application/json", "Authorization": f"Bearer {token()}"},
    )
    assert recorder.events[-1]["body"] == '{"file_id": "x"}' and not recorder.events[-1]["isBase64Encoded"]
    request(
        f"{gw.url}/api/v1/jobs",
        "POST",
        b"\x89PNG\x00",
        {"Content-Type": "application/octet-stream", "Authorization": f"Bearer {token()}"},
    )
    event = recorder.events[-1]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x89PNG\x00"


def test_only_spec_routes_exist(gateway: Any) -> None:
    gw, _ = gateway
    status, _, body = request(f"{gw.url}/api/v1/jobs", "PUT")
    assert status == 405 and json.loads(body)["error"]["code"] == "method_not_allowed"
    status, _, body = request(f"{gw.url}/api/v1/jobs/123", "POST")
    assert status == 405
    with pytest.raises(LookupError, match="not a route in the API spec"):
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


def test_no_other_origin_is_admitted_by_a_preflight(gateway: Any) -> None:
    """The app and the API share one origin, so the spec has no CORS rule: a page elsewhere cannot call the API."""
    gw, _ = gateway
    _, headers, _ = request(
        f"{gw.url}/api/v1/jobs",
        "OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in headers


def test_the_app_is_served_with_its_security_headers_and_the_media_origin_in_its_policy(tmp_path: Path) -> None:
    spa = tmp_path / "dist"
    (spa / "assets").mkdir(parents=True)
    (spa / "index.html").write_text('<html><script type="module" src="/assets/app.js"></script></html>')
    (spa / "assets" / "app.js").write_text("console.log(1)")
    media = "http://127.0.0.1:9000"
    variables = {"media_origin": media, "token_keys_url": "http://127.0.0.1:9/keys"}
    gw = Gateway(gateway_spec.default(), "127.0.0.1", 0, spa, lambda line: None, variables)
    import threading

    threading.Thread(target=gw.serve_forever, daemon=True).start()
    try:
        for path in ("/", "/jobs/42", "/account"):
            status, headers, body = request(f"{gw.url}{path}")
            assert (status, body) == (200, (spa / "index.html").read_bytes()), path
            policy = headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
            assert f"connect-src 'self' {media};" in policy and f"media-src 'self' blob: {media};" in policy
            assert "${" not in policy and "unsafe-inline" not in policy
            assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "no-referrer"
        status, headers, body = request(f"{gw.url}/assets/app.js")
        assert (status, body) == (200, b"console.log(1)")
        status, _, _ = request(f"{gw.url}/assets/missing.js")
        assert status == 404, "a missing asset is not answered with the page"
    finally:
        gw.stop()


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
    assert kinds == {"cloud_functions", "object_storage", "dummy"}
    assert {r.function for r in spec.routes if r.function} == {"auth", "files", "jobs", "assemblyai_webhook"}


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/jobs/x/y/z", "/api/v2/jobs", "/api/v1/auth/me/x"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_api_paths_are_a_json_404_not_the_spa(gateway: Any, path: str, method: str) -> None:
    gw, recorder = gateway
    status, headers, body = request(f"{gw.url}{path}", method, b"{}" if method == "POST" else None)
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "route_not_found"
    assert recorder.events == []


def raw_exchange(url: str, request: bytes) -> bytes:
    """Send bytes as they are (no client library would send these) and read until the server closes."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        (b"GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "invalid_path"),
        (b"GET /index.html%00.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "invalid_path"),
        (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", "invalid_content_length"),
        (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}", "invalid_content_length"),
    ],
    ids=["nul-path", "nul-in-file-name", "content-length-abc", "content-length-negative"],
)
def test_malformed_requests_get_a_400_with_the_error_body(gateway: Any, request_bytes: bytes, code: str) -> None:
    gw, recorder = gateway
    answer = raw_exchange(gw.url, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert json.loads(body)["error"]["code"] == code
    assert recorder.events == []  # nothing reached a function
