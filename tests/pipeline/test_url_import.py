"""Import from a URL: the provider fetches a public file; nothing private is ever reached, by us or by it."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from local.cloud import LocalCloud
from tests.api import signed_up
from tests.conftest import unique_email
from tests.pipeline.helpers import mono_wav, wait_for

pytestmark = pytest.mark.usefixtures("clean_db")


class Listener:
    """A loopback HTTP server that records every request: a file, a redirect, or a trap that must stay unvisited."""

    def __init__(self, body: bytes = b"", redirect_to: str | None = None) -> None:
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits.append(self.path)
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"http://{self.host}"

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def trap() -> Iterator[Listener]:
    listener = Listener(b"secret")
    yield listener
    listener.close()


def test_a_public_file_is_imported_and_transcribed(cloud: LocalCloud, configure: Any) -> None:
    data, script = mono_wav("Imported straight from a link.")
    files = Listener(data)
    try:
        configure(URL_IMPORT_ALLOWED_HOSTS=files.host)  # the test's loopback server stands in for the internet
        cloud.assemblyai.allowed_hosts.add(files.host)
        api = signed_up(unique_email())
        res = api.post("/api/v1/imports", {"url": f"{files.url}/talks/episode-1.wav"})
        assert res.status == 201, res.text
        assert res.json["file"]["filename"] == "episode-1.wav"
        job = wait_for(api, res.json["id"])
        assert job["status"] == "completed", job
        text = api.get(f"/api/v1/jobs/{job['id']}/transcript", query={"format": "txt"}).text
        assert text.strip() == script["text"]
        assert files.hits == ["/talks/episode-1.wav"]  # fetched by the provider, once; never by us
        link = api.get(f"/api/v1/files/{job['file']['id']}/download").json["url"]
        assert link == f"{files.url}/talks/episode-1.wav"  # the player plays it from where it lives
    finally:
        cloud.assemblyai.allowed_hosts.discard(files.host)
        files.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/a.wav",
        "http://localhost:{port}/a.wav",
        "http://[::1]:{port}/a.wav",
        "http://2130706433:{port}/a.wav",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/a.wav",
        "http://192.168.1.1/a.wav",
        "http://[::ffff:127.0.0.1]:{port}/a.wav",
        "https://user:secret@example.com/a.wav",
        "ftp://example.com/a.wav",
        "file:///etc/passwd",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://example.com/" + "a" * 2100,
    ],
)
def test_private_or_unsupported_links_are_refused_with_a_sentence(trap: Listener, url: str) -> None:
    api = signed_up(unique_email())
    port = trap.host.rsplit(":", 1)[1]
    res = api.post("/api/v1/imports", {"url": url.format(port=port)})
    assert res.status == 422, res.text
    message = res.json["error"]["message"]
    assert message.startswith("This link cannot be imported") or "at most 2048" in message or "too long" in message
    assert trap.hits == []


def test_the_local_provider_fetches_nothing_private_even_when_asked_directly(cloud: LocalCloud, trap: Listener) -> None:
    """Bypassing our API: the local AssemblyAI server refuses what the real one could not reach."""
    import json

    body = {"audio_url": f"{trap.url}/a.wav", "speech_models": ["universal-2"]}
    req = urllib.request.Request(
        f"{cloud.assemblyai.base_url}/v2/transcript",
        data=json.dumps(body).encode(),
        headers={"Authorization": "local-assemblyai-key", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        tid = json.loads(res.read())["id"]
    cloud.assemblyai.wait_idle()
    assert cloud.assemblyai.transcript_status(tid) == "error"
    assert trap.hits == []


def test_a_redirect_into_a_private_network_is_not_followed(cloud: LocalCloud, configure: Any, trap: Listener) -> None:
    bouncer = Listener(redirect_to=f"{trap.url}/secret")
    try:
        configure(URL_IMPORT_ALLOWED_HOSTS=bouncer.host)
        cloud.assemblyai.allowed_hosts.add(bouncer.host)
        api = signed_up(unique_email())
        job = wait_for(api, api.post("/api/v1/imports", {"url": f"{bouncer.url}/a.wav"}).json["id"])
        assert job["status"] == "failed" and "download" in job["error_message"].lower()
        assert bouncer.hits == ["/a.wav"] and trap.hits == []
    finally:
        cloud.assemblyai.allowed_hosts.discard(bouncer.host)
        bouncer.close()
