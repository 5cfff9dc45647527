"""The webhook sender connects to the address that passed the check and nowhere else: TLS still verifies the name,
redirects are not followed, a dripping answer does not hold it, and the answer's body is never read."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from common.adapters.url_safety import Endpoint
from common.adapters.webhook_sender import HttpWebhookSender
from common.runtime.config import settings_from

NAME = "hooks.example.org"


def self_signed(tmp: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Server:
    """A loopback server answering POST with `status` (and `headers`), optionally dripping an endless body."""

    def __init__(self, status: int = 204, headers: dict[str, str] | None = None, drip: bool = False) -> None:
        self.hits: list[tuple[str, dict[str, str], bytes]] = []
        self.sni: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.hits.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(10**9) if drip else "0")
                self.end_headers()
                while drip and not outer.closed:
                    try:
                        self.wfile.write(b"x" * 1024)
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.05)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self.closed = False
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]

    def tls(self, cert: Path, key: Path) -> Server:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)  # type: ignore[assignment,misc,func-returns-value]
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        return self

    def start(self) -> Server:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.closed = True
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path, NAME)


def sender(trusting: Path | None = None, allowed: str = "") -> HttpWebhookSender:
    settings = settings_from({"OUTGOING_WEBHOOK_TIMEOUT_SECONDS": "0.5", "OUTGOING_WEBHOOK_ALLOWED_HOSTS": allowed})
    tls = ssl.create_default_context(cafile=str(trusting)) if trusting else None
    return HttpWebhookSender(settings, resolve=lambda host, port: ["93.184.215.14"], tls=tls)


def pinned(port: int, scheme: str = "https", address: str = "127.0.0.1") -> Endpoint:
    return Endpoint(f"{scheme}://{NAME}:{port}/in?x=1", scheme, NAME, port, "/in?x=1", address)


@pytest.fixture
def served() -> Iterator[list[Server]]:
    servers: list[Server] = []
    yield servers
    for server in servers:
        server.close()


def test_it_connects_to_the_checked_address_while_tls_and_host_name_the_host(
    certificate: tuple[Path, Path], served: list[Server]
) -> None:
    server = Server().tls(*certificate).start()
    served.append(server)
    answer = sender(trusting=certificate[0]).post(pinned(server.port), b'{"a":1}', {"webhook-id": "d1"})
    assert (answer.status, answer.error) == (204, None)
    [(path, headers, body)] = server.hits
    assert (path, body, headers["webhook-id"]) == ("/in?x=1", b'{"a":1}', "d1")
    assert headers["host"] == f"{NAME}:{server.port}" and server.sni == [NAME]


def test_a_certificate_that_is_not_trusted_is_refused(certificate: tuple[Path, Path], served: list[Server]) -> None:
    server = Server().tls(*certificate).start()
    served.append(server)
    answer = sender().post(pinned(server.port), b"{}", {})  # the system's CAs do not know this certificate
    assert answer.status is None and answer.error is not None and answer.error.startswith("TLS failed")
    assert server.hits == []


def test_a_certificate_for_another_name_is_refused(tmp_path: Path, served: list[Server]) -> None:
    cert, key = self_signed(tmp_path, "other.example.org")
    server = Server().tls(cert, key).start()
    served.append(server)
    answer = sender(trusting=cert).post(pinned(server.port), b"{}", {})
    assert answer.status is None and "TLS failed" in str(answer.error)
    assert server.hits == []


def test_a_redirect_is_not_followed(served: list[Server]) -> None:
    trap = Server().start()
    bouncer = Server(302, {"Location": f"http://127.0.0.1:{trap.port}/secret"}).start()
    served.extend([trap, bouncer])
    answer = sender().post(pinned(bouncer.port, "http"), b"{}", {})
    assert answer.status == 302  # recorded as a failed attempt, retried later at the same address
    assert len(bouncer.hits) == 1 and trap.hits == []


def test_an_endless_answer_body_is_not_read(served: list[Server]) -> None:
    server = Server(200, drip=True).start()
    served.append(server)
    started = time.monotonic()
    answer = sender().post(pinned(server.port, "http"), b"{}", {})
    assert answer.status == 200 and time.monotonic() - started < 2


def test_a_silent_endpoint_times_out() -> None:
    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen(1)  # accepts the connection, never answers
    try:
        started = time.monotonic()
        answer = sender().post(pinned(quiet.getsockname()[1], "http"), b"{}", {})
        assert answer.status is None and answer.error == "no answer within 0.5 s"
        assert time.monotonic() - started < 2
    finally:
        quiet.close()


def test_the_check_is_the_url_imports_and_https_only_unless_admitted() -> None:
    from common.adapters.url_safety import UnsafeUrl

    public = sender()
    endpoint = public.check(f"https://{NAME}/in")
    assert (endpoint.address, endpoint.port, endpoint.target) == ("93.184.215.14", 443, "/in")
    assert ipaddress.ip_address(endpoint.address).is_global
    with pytest.raises(UnsafeUrl, match="https"):
        public.check(f"http://{NAME}/in")
    admitted = sender(allowed="127.0.0.1:8123").check("http://127.0.0.1:8123/in")
    assert (admitted.scheme, admitted.address) == ("http", None)  # by name, on purpose (the local cloud)
    with pytest.raises(UnsafeUrl, match="private network"):
        public.check("https://127.0.0.1:8124/in")
