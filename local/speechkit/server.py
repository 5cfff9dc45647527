"""SpeechKit's v3 asynchronous recognition on loopback, as Yandex's REST reference defines it (vendored with its
provenance in tests/vendor/yandex-speechkit/; every shape is cited in docs/speechkit.md).

Implemented: POST /stt/v3/recognizeFileAsync (an Operation back), GET /operations/{id}, GET /stt/v3/getRecognition
(the result stream), DELETE /stt/v3/deleteRecognition, with `Authorization: Bearer <IAM token>` or `Api-Key <key>`.
Errors are grpc-gateway's {"code", "message", "details"} with the google.rpc code. The recording is read from the
local Object Storage at the request's `uri`, as the caller's account (only storage URIs: SpeechKit reads nothing
else), then transcribed by the offline engine. Given a folder, operations survive a restart, and unfinished ones
are recognised again. Tests steer failures through `faults` (operation → how many calls fail) and read `stats`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from common.adapters.speechkit import LANGUAGES
from local.assemblyai.engines import engine_named
from local.assemblyai.speech import Engine, EngineError, Request
from local.durable_files import write_atomically
from local.http import JsonHandler
from local.speechkit.stream import recognition_stream

# google.rpc.Code and the HTTP status grpc-gateway gives it
INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, UNAUTHENTICATED, UNAVAILABLE = 3, 5, 9, 16, 14
HTTP_STATUS = {INVALID_ARGUMENT: 400, NOT_FOUND: 404, FAILED_PRECONDITION: 400, UNAUTHENTICATED: 401, UNAVAILABLE: 503}
CONTAINERS = ("WAV", "OGG_OPUS", "MP3")
MAX_FILE_BYTES = 1024**3  # "Maximum file size when uploading to a bucket | 1 GB"
MAX_AUDIO_SECONDS = 4 * 3600

ObjectReader = Callable[[str, str], bytes | None]  # (bucket, key) → the object, or None when there is none


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _field(body: dict[str, Any], camel: str) -> Any:
    """A request field by its JSON name or its proto name (grpc-gateway reads both; Yandex's curl uses the latter)."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return body.get(camel, body.get(snake))


def _sniff(audio: bytes) -> str | None:
    if audio[:4] == b"RIFF" and audio[8:12] == b"WAVE":
        return "WAV"
    if audio[:4] == b"OggS":
        return "OGG_OPUS"
    if audio[:3] == b"ID3" or (len(audio) > 1 and audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0):
        return "MP3"
    return None


class SpeechKitServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        storage_url: str,
        read_object: ObjectReader,
        iam_tokens: set[str] | None = None,
        api_keys: set[str] | None = None,
        engine: str | Engine = "deterministic",
        folder: Path | None = None,
        models_dir: Path | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        """`storage_url`: Object Storage's endpoint, the only place `uri` may point; `read_object` reads there as
        the caller (the local cloud's function account). `iam_tokens` / `api_keys`: the credentials accepted."""
        self.storage_url = storage_url.rstrip("/")
        self.read_object = read_object
        self.iam_tokens, self.api_keys = iam_tokens or set(), api_keys or set()
        self.folder = folder
        self._log = log or (lambda line: None)
        self._lock = threading.Lock()
        self.operations: dict[str, dict[str, Any]] = {}
        self.faults: dict[str, int] = {}  # "recognize" | "operation" | "result" | "delete" | "answer_late" → count
        self.answer_late_s = 0.0
        self.stats: dict[str, Any] = {}
        self.reset()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self.engine: Engine = engine_named(engine, models_dir) if isinstance(engine, str) else engine
        self._serve: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SpeechKitServer:
        self._resume()
        self._serve = threading.Thread(target=self._httpd.serve_forever, name="speechkit", daemon=True)
        self._serve.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        close = getattr(self.engine, "close", None)
        if close:
            close()

    def reset(self) -> None:
        with self._lock:
            self.operations.clear()
            self.faults.clear()
            self.answer_late_s = 0.0
            self.stats = {"recognitions": {}, "deleted": [], "in_flight": 0, "auth_schemes": {}}

    def wait_idle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self.stats["in_flight"]:
                    return
            time.sleep(0.02)
        raise TimeoutError("SpeechKit emulator still recognising")

    def recognitions_per_object(self) -> dict[str, int]:
        with self._lock:
            return dict(self.stats["recognitions"])

    # durability

    def _save(self, op_id: str) -> None:
        if self.folder:
            write_atomically(self.folder / f"{op_id}.json", [json.dumps(self.operations[op_id]).encode()])

    def _resume(self) -> None:
        if not self.folder:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.folder.glob("*.json")):
            record = json.loads(path.read_text())
            self.operations[record["operation"]["id"]] = record
        for op_id, record in self.operations.items():
            if not record["operation"]["done"]:
                self._spawn(op_id)

    # the API

    def _fault(self, name: str) -> None:
        with self._lock:
            if self.faults.get(name, 0) > 0:
                self.faults[name] -= 1
                raise RpcError(UNAVAILABLE, "service is temporarily unavailable")

    def recognize(self, body: Any, caller: str) -> dict[str, Any]:
        self._fault("recognize")
        if not isinstance(body, dict):
            raise RpcError(INVALID_ARGUMENT, "request body must be a RecognizeFileRequest object")
        uri, content = _field(body, "uri"), _field(body, "content")
        if bool(uri) == bool(content):
            raise RpcError(INVALID_ARGUMENT, "exactly one of content and uri must be set")
        if content:
            raise RpcError(INVALID_ARGUMENT, "this emulator reads recordings from Object Storage (uri) only")
        model = _field(body, "recognitionModel") or {}
        audio_format = _field(model, "audioFormat") or {}
        container = _field(_field(audio_format, "containerAudio") or {}, "containerAudioType")
        raw = _field(audio_format, "rawAudio")
        if raw is not None or container not in CONTAINERS:
            raise RpcError(
                INVALID_ARGUMENT, f"audioFormat.containerAudio.containerAudioType must be one of {CONTAINERS}"
            )
        restriction = _field(model, "languageRestriction") or {}
        codes = _field(restriction, "languageCode") or []
        unknown = [c for c in codes if c not in LANGUAGES.values()]
        if unknown or (codes and _field(restriction, "restrictionType") not in ("WHITELIST", "BLACKLIST")):
            raise RpcError(INVALID_ARGUMENT, f"unsupported language restriction: {unknown or restriction}")
        labeling = _field(_field(body, "speakerLabeling") or {}, "speakerLabeling") == "SPEAKER_LABELING_ENABLED"
        normalization = _field(model, "textNormalization") or {}
        normalized = _field(normalization, "textNormalization") == "TEXT_NORMALIZATION_ENABLED"
        if not str(uri).startswith(self.storage_url + "/"):
            raise RpcError(INVALID_ARGUMENT, "uri must be an Object Storage link (https://storage.yandexcloud.net/…)")
        op_id = "e03" + secrets.token_hex(9)[:17]
        now = _now()
        operation = {
            "id": op_id,
            "description": "STT v3 async recognition",
            "createdAt": now,
            "createdBy": caller,
            "modifiedAt": now,
            "done": False,
            "metadata": None,
        }
        path = urlsplit(str(uri)).path[len(urlsplit(self.storage_url).path) :]
        record = {
            "operation": operation,
            "object": unquote(path.lstrip("/")),
            "container": container,
            "languages": codes,
            "labeling": labeling,
            "normalized": normalized,
            "result": None,
            "deleted": False,
        }
        with self._lock:
            self.operations[op_id] = record
            counts = self.stats["recognitions"]
            counts[record["object"]] = counts.get(record["object"], 0) + 1
            self._save(op_id)
            answer = dict(operation)  # as it stands when taken: the recognition may finish before this is sent
        self._spawn(op_id)
        with self._lock:
            late = self.faults.get("answer_late", 0) > 0
            if late:
                self.faults["answer_late"] -= 1
        if late:
            time.sleep(self.answer_late_s)  # taken, but the answer comes after the caller stopped waiting
        return answer

    def operation(self, op_id: str) -> dict[str, Any]:
        self._fault("operation")
        with self._lock:
            record = self.operations.get(op_id)
            if record is None:
                raise RpcError(NOT_FOUND, f"operation {op_id} not found")
            return dict(record["operation"])

    def recognition(self, op_id: str) -> bytes:
        self._fault("result")
        with self._lock:
            record = self.operations.get(op_id)
            if record is None or record["deleted"]:
                raise RpcError(NOT_FOUND, f"recognition results for {op_id} not found")
            if not record["operation"]["done"]:
                raise RpcError(FAILED_PRECONDITION, f"operation {op_id} is not done yet")
            if record["operation"].get("error"):
                raise RpcError(FAILED_PRECONDITION, record["operation"]["error"]["message"])
            return b"\n".join(json.dumps(item).encode() for item in record["result"]) + b"\n"

    def delete(self, op_id: str) -> dict[str, Any]:
        self._fault("delete")
        with self._lock:
            record = self.operations.get(op_id)
            if record is None or record["deleted"]:
                raise RpcError(NOT_FOUND, f"recognition results for {op_id} not found")
            record["deleted"], record["result"] = True, None
            self.stats["deleted"].append(op_id)
            self._save(op_id)
        return {}

    # recognising

    def _spawn(self, op_id: str) -> None:
        with self._lock:
            self.stats["in_flight"] += 1
        threading.Thread(target=self._recognise, args=(op_id,), name=f"speechkit-{op_id}", daemon=True).start()

    def _finish(self, op_id: str, result: list[dict[str, Any]] | None, error: str | None) -> None:
        with self._lock:
            record = self.operations[op_id]
            operation = record["operation"]
            operation.update(done=True, modifiedAt=_now())
            if error:
                operation["error"] = {"code": INVALID_ARGUMENT, "message": error, "details": []}
            else:
                operation["response"] = {"@type": "type.googleapis.com/google.protobuf.Empty"}
                record["result"] = result
            self._save(op_id)
            self.stats["in_flight"] -= 1
        self._log(f"speechkit {'failed' if error else 'done'} operation={op_id}")

    def _recognise(self, op_id: str) -> None:
        with self._lock:
            record = dict(self.operations[op_id])
        try:
            bucket, _, key = record["object"].partition("/")
            audio = self.read_object(bucket, key)
            if audio is None:
                raise EngineError(f"object {record['object']} not found or not readable by the caller")
            if len(audio) > MAX_FILE_BYTES:
                raise EngineError("file is larger than 1 GB")
            if _sniff(audio) != record["container"]:
                raise EngineError(f"audio is not {record['container']}")
            codes = record["languages"]
            language = next((ours for ours, theirs in LANGUAGES.items() if codes and theirs == codes[0]), None)
            request = Request(record["labeling"], language, language is None, 2 if record["labeling"] else None)
            result = self.engine.transcribe(audio, request)
            if result.audio_duration > MAX_AUDIO_SECONDS:
                raise EngineError("audio is longer than 4 hours")
            stream = recognition_stream(result, record["labeling"], record["normalized"], op_id)
            self._finish(op_id, stream, None)
        except EngineError as exc:
            self._finish(op_id, None, str(exc))
        except Exception as exc:  # an engine bug still ends the operation, as the real service would
            self._finish(op_id, None, f"internal error: {exc}")

    # HTTP

    def _caller(self, authorization: str | None) -> str:
        scheme, _, credential = (authorization or "").partition(" ")
        if (scheme == "Bearer" and credential in self.iam_tokens) or (
            scheme == "Api-Key" and credential in self.api_keys
        ):
            schemes = self.stats["auth_schemes"]
            schemes[scheme] = schemes.get(scheme, 0) + 1
            return "local-function-account"
        raise RpcError(UNAUTHENTICATED, "the token is invalid or missing")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(JsonHandler):
            def _send(self, status: int, payload: Any) -> None:
                self.send_json(status, payload)

            def _body(self) -> Any:
                try:
                    return self.json_body()
                except ValueError:
                    raise RpcError(INVALID_ARGUMENT, "request body is not valid JSON") from None

            def _route(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                op_id = query.get("operationId") or query.get("operation_id") or ""
                try:
                    caller = server._caller(self.headers.get("Authorization"))
                    if method == "POST" and parts.path == "/stt/v3/recognizeFileAsync":
                        return self._send(200, server.recognize(self._body(), caller))
                    if method == "GET" and parts.path.startswith("/operations/"):
                        return self._send(200, server.operation(parts.path.removeprefix("/operations/")))
                    if method == "GET" and parts.path == "/stt/v3/getRecognition":
                        return self._send(200, server.recognition(op_id))
                    if method == "DELETE" and parts.path == "/stt/v3/deleteRecognition":
                        return self._send(200, server.delete(op_id))
                    raise RpcError(NOT_FOUND, f"no route for {method} {parts.path}")
                except RpcError as exc:
                    self._send(HTTP_STATUS[exc.code], {"code": exc.code, "message": exc.message, "details": []})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        return Handler
