"""What the local HTTP servers share."""

from __future__ import annotations

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
