"""POSTs a signed webhook to a user's endpoint, at the address that passed the SSRF check, and nowhere else.

http.client, not an HTTP library: it never follows a redirect, and connecting to the checked address while the TLS
handshake and the Host header still name the host is one attribute (`_create_connection`) rather than a transport.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import Any

from common.adapters import url_safety
from common.adapters.ports import WebhookAnswer
from common.adapters.url_safety import Endpoint
from common.runtime.config import Settings

USER_AGENT = "Transcribe-Webhooks/1"


class HttpWebhookSender:
    def __init__(
        self, settings: Settings, resolve: url_safety.Resolve | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        self.allowed_hosts = [h.strip() for h in settings.OUTGOING_WEBHOOK_ALLOWED_HOSTS.split(",") if h.strip()]
        self.timeout = settings.OUTGOING_WEBHOOK_TIMEOUT_SECONDS
        # Tests stand in a DNS (a name rebound after registration) and a CA of their own; the cloud uses neither.
        self._resolve = resolve or url_safety._resolve
        self._tls = tls or ssl.create_default_context()

    def check(self, url: str) -> Endpoint:
        return url_safety.check_endpoint(url, self.allowed_hosts, self._resolve)

    def post(self, endpoint: Endpoint, body: bytes, headers: dict[str, str]) -> WebhookAnswer:
        conn: http.client.HTTPConnection
        if endpoint.scheme == "https":
            conn = http.client.HTTPSConnection(endpoint.host, endpoint.port, timeout=self.timeout, context=self._tls)
        else:
            conn = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=self.timeout)
        if endpoint.address is not None:
            setattr(conn, "_create_connection", _pinned(endpoint.address, endpoint.port))  # noqa: B010
        try:
            conn.request("POST", endpoint.target, body=body, headers={**headers, "User-Agent": USER_AGENT})
            answer = conn.getresponse()  # the status line and headers; the body is never read
            return WebhookAnswer(answer.status)
        except TimeoutError:
            return WebhookAnswer(None, f"no answer within {self.timeout:g} s")
        except ssl.SSLError as exc:
            return WebhookAnswer(None, f"TLS failed: {exc.reason or exc}"[:200])
        except (OSError, http.client.HTTPException) as exc:
            return WebhookAnswer(None, f"could not connect: {type(exc).__name__}: {exc}"[:200])
        finally:
            conn.close()


def _pinned(address: str, port: int) -> Any:
    """socket.create_connection to the checked address, whatever name it is asked for."""

    def connect(_: object, timeout: float | None = None, source_address: Any = None) -> socket.socket:
        return socket.create_connection((address, port), timeout, source_address)

    return connect
