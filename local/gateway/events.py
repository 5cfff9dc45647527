"""The event Yandex API Gateway sends a Cloud Function with `payload_format_version: "1.0"`, built from a request.

Field for field as Yandex documents it (tests/events/yandex/api-gateway-v1.0.json): `resource` is the spec's
template, `path` the real path, parameters in `pathParameters`/`parameters`/`multiValueParameters`, and the JWT
authorizer's verified claims in `requestContext.authorizer.jwt`.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from local.gateway.spec import Route, Spec, default

_TEXT_TYPES = ("application/json", "application/x-www-form-urlencoded", "application/xml", "text/")


def _is_text(content_type: str, body: bytes) -> bool:
    if content_type and not content_type.lower().startswith(_TEXT_TYPES):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def build_event(
    route: Route,
    path_params: Mapping[str, str],
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    query: list[tuple[str, str]],
    body: bytes,
    source_ip: str = "127.0.0.1",
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Header names keep the client's case; repeated headers and query keys also appear multi-valued."""
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        multi_query.setdefault(name, []).append(value)
    lower = {k.lower(): ", ".join(v) for k, v in multi_headers.items()}
    text = _is_text(lower.get("content-type", ""), body)
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "identity": {"sourceIp": source_ip, "userAgent": lower.get("user-agent", "")},
        "httpMethod": method.upper(),
        "requestId": str(uuid.uuid4()),
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(time.time()),
        "apiGateway": {"operationContext": {}},
    }
    if authorizer is not None:
        context["authorizer"] = dict(authorizer)
    # `parameters` merges path and query parameters (a path parameter wins a clash, being the route's own).
    parameters = {**{k: v[-1] for k, v in multi_query.items()}, **path_params}
    multi_parameters = {**multi_query, **{k: [v] for k, v in path_params.items()}}
    return {
        "version": "1.0",
        "resource": route.template,
        "path": path,
        "httpMethod": method.upper(),
        "headers": {k: ", ".join(v) for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()},
        "multiValueQueryStringParameters": multi_query,
        "requestContext": context,
        "pathParameters": dict(path_params),
        "body": body.decode("utf-8") if text else base64.b64encode(body).decode(),
        "isBase64Encoded": not text,
        "parameters": parameters,
        "multiValueParameters": multi_parameters,
        "operationId": route.operation_id,
    }


def event_for(
    method: str,
    path: str,
    *,
    json_body: Any = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
    spec: Spec | None = None,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The event for a request to `path`; fails if the spec routes it to no function (tests cannot invent one)."""
    spec = spec or default()
    found = spec.match(method, path)
    if found is None or found[0].function is None:
        raise LookupError(f"{method} {path} is not a route in the API spec to a function")
    route, params = found
    all_headers = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    return build_event(
        route,
        params,
        method,
        path,
        list(all_headers.items()),
        list((query or {}).items()),
        body or b"",
        authorizer=authorizer,
    )
