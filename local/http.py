"""What the local HTTP servers share."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler
from typing import Any


class QuietNoDelayHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive without per-request log lines, and with Nagle off.

    Headers and body go out in separate writes: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms to every
    keep-alive response (measured in bench/pipeline.py).
    """

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: Any) -> None:
        pass


class JsonHandler(QuietNoDelayHandler):
    """A JSON API's handler: `send_json` answers, `json_body` reads the request (None when empty; ValueError when
    it is not JSON, which each server turns into its own 400)."""

    def send_json(self, status: int, payload: Any) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def json_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except json.JSONDecodeError:
            raise ValueError("the request body is not valid JSON") from None
