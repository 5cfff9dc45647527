"""The gateway's HTTP side: match a route in the spec, call its function with the event, or serve the SPA."""

from __future__ import annotations

import base64
import json
import mimetypes
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local import functions
from local.gateway.authorizer import Authorizers, Denied
from local.gateway.events import build_event
from local.gateway.spec import Route, Spec
from local.http import QuietNoDelayHandler

NOT_BUILT = b"""<!doctype html><meta charset="utf-8"><title>Transcribe</title>
<p>The web app is not built yet. Run <code>make spa</code> (needs Node.js 20+), then reload.
The API is up under <code>/api/v1</code>.</p>"""

READ_TIMEOUT_S = 60


SPA_INDEX = "${jsonencode(spa_index_html)}"  # in the spec, where Terraform puts the built index.html


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return status, {"Content-Type": "application/json"}, body


def _dummy(
    integration: dict[str, Any], headers: list[tuple[str, str]], render: Callable[[str], str] = str
) -> tuple[int, dict[str, str], bytes]:
    """`type: dummy`: fixed content chosen by Accept (the `*` key by default), as Yandex documents it. `render` fills
    in the template values Terraform would have (the built index.html, the media origin)."""
    content = {str(k): render(str(v)) for k, v in (integration.get("content") or {}).items()}
    out_headers = {str(k): render(str(v)) for k, v in (integration.get("http_headers") or {}).items()}
    accept = next((v for k, v in headers if k.lower() == "accept"), "")
    wanted = [part.split(";")[0].strip() for part in accept.split(",") if part.strip()]
    key = next((w for w in wanted if w in content), None) or ("*" if "*" in content else None)
    if key is None and content:
        return _error(415, "unsupported_media_type", "no content for the accepted types")
    if key and key != "*":
        out_headers.setdefault("Content-Type", key)
    return int(integration.get("http_code", 200)), out_headers, (content.get(key or "", "")).encode()


class Gateway:
    def __init__(
        self,
        spec: Spec,
        host: str,
        port: int,
        spa_dir: Path,
        log: Callable[[str], None],
        variables: dict[str, str] | None = None,
    ) -> None:
        """`variables` are the spec's template values that are not function ids (e.g. `token_keys_url`)."""
        self.spec, self.spa_dir, self._log = spec, spa_dir, log
        self.variables = variables or {}
        self.authorizers = Authorizers(spec, self.variables)
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True

    def load_functions(self) -> None:
        """Import every function the spec routes to: a missing one fails start-up, not a request."""
        for route in self.spec.routes:
            if route.function:
                functions.load(route.function)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self._serving = True
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if getattr(self, "_serving", False):  # shutdown() waits for a serve loop that may never have run
            self._httpd.shutdown()
        self._httpd.server_close()

    def _cors_headers(self, origin: str | None) -> dict[str, str]:
        cors = self.spec.cors()
        if not cors or not origin:
            return {}
        allowed = cors.get("origin", "*")
        return {
            "Access-Control-Allow-Origin": origin if allowed in ("*", origin) else "null",
            "Access-Control-Allow-Methods": ", ".join(cors.get("methods", [])),
            "Access-Control-Allow-Headers": ", ".join(cors.get("allowedHeaders", [])),
            "Access-Control-Max-Age": str(cors.get("maxAge", 600)),
        }

    def respond(
        self, method: str, raw_path: str, headers: list[tuple[str, str]], body: bytes, client_ip: str
    ) -> tuple[int, dict[str, str], bytes, str]:
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        if "\x00" in path:  # no route or object name holds a NUL; answered before routing, whatever serves the path
            return (*_error(400, "invalid_path", "the path contains a NUL character"), "-")
        query = parse_qsl(parts.query, keep_blank_values=True)
        origin = next((v for k, v in headers if k.lower() == "origin"), None)
        if method == "OPTIONS" and self.spec.methods_for(path):
            return 204, self._cors_headers(origin), b"", "cors"
        found = self.spec.match(method, path)
        catch_all = found is not None and found[0].method == "*"
        if (found is None or catch_all) and self.spec.methods_for(path, literal_only=catch_all):
            # A path the spec defines, with another method. Yandex does not document this answer; 405 is the
            # local choice (a client of this API never relies on it).
            return (*_error(405, "method_not_allowed", f"{method} is not allowed on {path}"), "-")
        if found is None:
            return (*_error(404, "route_not_found", f"no route for {method} {path}"), "-")
        route, params = found
        if route.function:
            try:
                lower = {k.lower(): v for k, v in headers}
                context = self.authorizers.check(route, lower, dict(query))
            except Denied as denied:
                status, out_headers, out_body = _error(denied.status, denied.code, denied.message)
                return status, {**out_headers, **self._cors_headers(origin)}, out_body, "authorizer"
            status, out_headers, out_body = self._call(
                route, params, method, path, headers, query, body, client_ip, context
            )
            return status, {**out_headers, **self._cors_headers(origin)}, out_body, route.function
        if route.integration.get("type") == "object_storage":
            return (*self._static(route, params), "spa")
        if route.integration.get("type") == "dummy":
            status, out_headers, out_body = _dummy(route.integration, headers, self._render)
            return status, {**out_headers, **self._cors_headers(origin)}, out_body, "dummy"
        return (*_error(500, "integration_not_supported", f"integration {route.integration.get('type')}"), "-")

    def _call(
        self,
        route: Route,
        params: dict[str, str],
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        query: list[tuple[str, str]],
        body: bytes,
        client_ip: str,
        authorizer: dict[str, Any] | None,
    ) -> tuple[int, dict[str, str], bytes]:
        assert route.function
        event = build_event(route, params, method, path, headers, query, body, client_ip, authorizer)
        try:
            result = functions.invoke(route.function, event)
        except Exception as exc:  # the cloud gateway answers 502 when a function crashes
            self._log(f"function {route.function} crashed: {exc!r}"[:300])
            return _error(502, "function_error", "the function failed; try again")
        if not isinstance(result, dict) or "statusCode" not in result:
            return _error(502, "bad_function_response", "the function returned no statusCode")
        out_headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            out_headers[str(name)] = ", ".join(map(str, values))
        raw = result.get("body") or ""
        out_body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
        return int(result["statusCode"]), out_headers, out_body

    def _render(self, value: str) -> str:
        """A spec value as Terraform's templatefile() would render it (gateway.tf passes the same names). The built
        index.html is read on every request, so a rebuild shows without a restart."""
        if SPA_INDEX in value:
            index = self.spa_dir / "index.html"
            value = value.replace(SPA_INDEX, index.read_text() if index.is_file() else NOT_BUILT.decode())
        for name, known in self.variables.items():
            value = value.replace("${" + name + "}", known)
        return value

    def _static(self, route: Route, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        name = str(route.integration.get("object", "index.html"))
        for key, value in params.items():
            name = name.replace(f"{{{key}}}", value)
        if "\x00" in name:  # no file name holds a NUL (the file system refuses it); Object Storage answers 400
            return _error(400, "invalid_path", "the path contains a NUL character")
        root = self.spa_dir.resolve()
        target = (root / name).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            fallback = route.integration.get("error_object")
            target = root / fallback if fallback else target
        if not target.is_file():
            if not (root / "index.html").is_file():
                return 200, {"Content-Type": "text/html; charset=utf-8"}, NOT_BUILT
            return _error(404, "not_found", "no such file")
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        cache = "no-cache" if target.name == "index.html" else "public, max-age=31536000, immutable"
        return 200, {"Content-Type": ctype, "Cache-Control": cache}, target.read_bytes()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(QuietNoDelayHandler):
            timeout = READ_TIMEOUT_S  # a client that announces a body and never sends it does not hold a thread

            def _handle(self) -> None:
                start = time.perf_counter()
                raw_length = (self.headers.get("Content-Length") or "0").strip()
                if not raw_length.isascii() or not raw_length.isdigit():
                    # Without a length the body cannot be told from the next request: answer, then close.
                    self.close_connection = True
                    status, headers, out = _error(400, "invalid_content_length", "Content-Length must be a number")
                    target = "-"
                else:
                    length = int(raw_length)
                    body = self.rfile.read(length) if length else b""
                    status, headers, out, target = gateway.respond(
                        self.command, self.path, list(self.headers.items()), body, self.client_address[0]
                    )
                self.send_response(status)
                if self.close_connection:
                    self.send_header("Connection", "close")
                for name, value in headers.items():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(out)
                if target != "spa":
                    ms = (time.perf_counter() - start) * 1000
                    gateway._log(f"gateway {self.command} {self.path.split('?')[0]} {status} {ms:.0f}ms {target}")

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle

        return Handler
