"""API Gateway (payload format 1.0) events in, Cloud Functions HTTP results out, and the one error mapping."""

from __future__ import annotations

import base64
import binascii
import json
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from common.runtime import iam, logs

if TYPE_CHECKING:  # pydantic is imported by the routes that parse a body, not by every cold start
    from pydantic import BaseModel
from common.domain.errors import AppError, BadRequest, Invalid, NotFound, TooLarge, Unavailable

JSON = "application/json; charset=utf-8"
MAX_JSON_BYTES = 64 * 1024  # every request body of this API is a small JSON object
_BASE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class Request:
    method: str
    route: str  # the spec's path template (`resource`), e.g. /api/v1/jobs/{job_id}
    path: str  # the path actually requested, e.g. /api/v1/jobs/7d3c…
    headers: Mapping[str, str]  # lower-cased names
    query: Mapping[str, str]
    path_params: Mapping[str, str]
    body: bytes
    request_id: str = ""
    source_ip: str = ""
    # The gateway JWT authorizer's verified claims (every value a string); empty when no authorizer ran.
    claims: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        if not self.body.strip():
            raise BadRequest("request body is empty; send a JSON object", "empty_body")
        if len(self.body) > MAX_JSON_BYTES:
            raise TooLarge(f"the request body is over {MAX_JSON_BYTES // 1024} KB", "body_too_large")
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest(f"request body is not valid JSON: {exc}", "malformed_json") from None
        except (ValueError, RecursionError):  # ints past Python's 4,300-digit limit; nesting past the stack
            raise BadRequest(
                "request body is JSON this API cannot take (too deep or too large)", "malformed_json"
            ) from None

    def parse(self, model: type[BaseModel]) -> Any:
        data = self.json()
        if not isinstance(data, dict):
            raise BadRequest("request body must be a JSON object", "malformed_json")
        return model.model_validate(data)


@dataclass
class Response:
    status: int
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)

    def to_result(self) -> dict[str, Any]:
        raw = self.body.encode() if isinstance(self.body, str) else self.body
        try:
            text, b64 = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, b64 = base64.b64encode(raw).decode(), True
        return {
            "statusCode": self.status,
            "headers": {**_BASE_HEADERS, **self.headers},
            "body": text,
            "isBase64Encoded": b64,
        }


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    if hasattr(payload, "model_dump"):  # a pydantic model, without importing pydantic here
        payload = payload.model_dump(mode="json")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(status, body, {"Content-Type": JSON, **(headers or {})})


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return json_response(status, {"error": {"code": code, "message": message}}, headers)


def _lower(headers: Any) -> dict[str, str]:
    if not isinstance(headers, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in headers.items() if v is not None}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in _mapping(value).items() if v is not None}


def parse_event(event: Mapping[str, Any]) -> Request:
    """A Request from an API Gateway event in payload format 1.0 (`resource` is the template, `path` the real path);
    header names in any case, body possibly base64."""
    if not isinstance(event, Mapping):
        raise BadRequest("event is not an object")
    raw = event.get("body")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise BadRequest("the request body must be text", "malformed_body")
    if event.get("isBase64Encoded") is True:
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("body is not valid base64", "malformed_body") from None
    else:
        body = raw.encode("utf-8", "surrogatepass")
    ctx = _mapping(event.get("requestContext"))
    identity = _mapping(ctx.get("identity"))
    jwt = _mapping(_mapping(ctx.get("authorizer")).get("jwt"))
    return Request(
        method=str(event.get("httpMethod") or ctx.get("httpMethod") or "").upper(),
        route=str(event.get("resource") or ""),
        path=str(event.get("path") or ""),
        headers=_lower(event.get("headers")),
        query=_strings(event.get("queryStringParameters")),
        path_params=_strings(event.get("pathParameters")),
        body=body,
        request_id=str(ctx.get("requestId") or ""),
        source_ip=str(identity.get("sourceIp") or ""),
        claims=_strings(jwt.get("claims")),
    )


def _is_validation_error(exc: BaseException) -> bool:
    return type(exc).__name__ == "ValidationError" and type(exc).__module__.startswith("pydantic")


def _validation_message(exc: Any) -> str:
    """The message for a pydantic ValidationError (typed loosely: this module does not import pydantic)."""
    from common.edge.validation_text import describe

    return describe([dict(e) for e in exc.errors()])


def _db_refusal(exc: BaseException) -> tuple[str, str] | None:
    """A database refusing this request's data for good (code, sentence), which no retry would change: PostgreSQL's
    SQLSTATE classes 22 (data exception) and 54 (program limit exceeded, e.g. a text past what its search vector
    takes), SQLite's DataError (e.g. a string or blob too big). Not an outage: the caller must change the request."""
    if not any(cls.__module__.startswith("sqlalchemy") for cls in type(exc).__mro__):
        return None
    orig = getattr(exc, "orig", None)
    state = str(getattr(orig, "sqlstate", None) or "")
    if state.startswith("54") or (orig is not None and "too big" in str(orig)):
        return "too_large_to_store", "this is more than the database can store or index; make it shorter"
    if state.startswith("22") or type(orig).__name__ == "DataError":
        return "not_storable", "the database cannot store this value (out of range or not valid); change it"
    return None


def _is_db_outage(exc: BaseException) -> bool:
    # Checked by name so this module does not import SQLAlchemy or psycopg on its own.
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"OperationalError", "InterfaceError", "DisconnectionError"}) and any(
        cls.__module__.startswith(("sqlalchemy", "psycopg")) for cls in type(exc).__mro__
    )


Route = Callable[[Request], Response]


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


class Router:
    """Maps (method, spec path) to a route function and turns errors into JSON error responses."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self._patterns: list[tuple[str, re.Pattern[str], str]] = []

    def route(self, method: str, path: str) -> Callable[[Route], Route]:
        def register(fn: Route) -> Route:
            self.routes[(method.upper(), path)] = fn
            self._patterns.append((method.upper(), _template_regex(path), path))
            return fn

        return register

    def _find(self, req: Request) -> tuple[Route, dict[str, str]]:
        if (req.method, req.route) in self.routes:
            return self.routes[(req.method, req.route)], dict(req.path_params)
        # No template match (an event without `resource`): match the real path, as the gateway itself did.
        path = req.path.split("?", 1)[0]
        for method, regex, template in self._patterns:
            match = regex.match(path)
            if match and method == req.method:
                return self.routes[(method, template)], {**match.groupdict(), **req.path_params}
        raise NotFound(f"no route for {req.method} {path}", "route_not_found")

    def handle(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        request_id = getattr(context, "request_id", "") or ""
        iam.remember(context)  # SpeechKit is called with the function's own IAM token
        try:
            req = parse_event(event)
            fn, params = self._find(req)
            req = Request(**{**req.__dict__, "path_params": params, "request_id": req.request_id or request_id})
            return fn(req).to_result()
        except AppError as exc:
            return error_response(exc.status, exc.code, exc.message, exc.headers).to_result()
        except Exception as exc:
            if _is_validation_error(exc):
                return error_response(Invalid.status, Invalid.code, _validation_message(exc)).to_result()
            refusal = _db_refusal(exc)
            if refusal:
                state = str(getattr(getattr(exc, "orig", None), "sqlstate", None) or type(exc).__name__)
                logs.warn("db_refused", request_id=request_id, sqlstate=state)
                return error_response(Invalid.status, *refusal).to_result()
            if _is_db_outage(exc):
                logs.error("db_unavailable", request_id=request_id, error=type(exc).__name__)
                return error_response(503, Unavailable.code, "the database is unavailable; try again").to_result()
            logs.error("unhandled_error", request_id=request_id, trace=traceback.format_exc(limit=8))
            return error_response(500, "internal_error", "something went wrong on our side").to_result()
