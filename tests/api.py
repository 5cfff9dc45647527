"""Drive the cloud functions the way API Gateway does: events built from the spec, handlers called directly."""

from __future__ import annotations

import base64
import importlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC = Path(__file__).resolve().parent.parent / "infra" / "api" / "openapi.yaml"


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text())


def function_for(method: str, template: str) -> str:
    integration = spec()["paths"][template][method.lower()]["x-yc-apigateway-integration"]
    return str(integration["function_id"]).removeprefix("${functions.").removesuffix("}")


class Context:
    request_id = "test-request"
    function_name = "test"
    token = None


@dataclass
class Result:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def error_code(self) -> str | None:
        try:
            return str(self.json["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None


class Api:
    def __init__(self, token: str | None = None) -> None:
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        token: str | None = None,
    ) -> Result:
        all_headers = {"User-Agent": "pytest", **(headers or {})}
        bearer = token if token is not None else self.token
        if bearer:
            all_headers.setdefault("Authorization", f"Bearer {bearer}")
        from local.gateway.events import event_for

        event = event_for(method, path, json_body=json_body, body=body, headers=all_headers, query=query)
        module = importlib.import_module(f"functions.{function_for(method, event['path'])}.index")
        out = module.handler(event, Context())
        text = out.get("body") or ""
        if out.get("isBase64Encoded"):
            text = base64.b64decode(text).decode()
        return Result(out["statusCode"], {k.lower(): v for k, v in (out.get("headers") or {}).items()}, text)

    def get(self, path: str, **kw: Any) -> Result:
        return self.call("GET", path, **kw)

    def post(self, path: str, json_body: Any = None, **kw: Any) -> Result:
        return self.call("POST", path, json_body=json_body, **kw)

    def delete(self, path: str, **kw: Any) -> Result:
        return self.call("DELETE", path, **kw)


def signed_up(email: str, password: str = "correct horse battery") -> Api:
    res = Api().post("/api/v1/auth/register", {"email": email, "password": password})
    assert res.status == 201, res.text
    return Api(res.json["access_token"])
