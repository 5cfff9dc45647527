"""Drive the cloud functions the way API Gateway does: through the local gateway's routing, JWT authorizer and
payload-1.0 event builder (the code its HTTP server runs), minus the socket."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from local.gateway.server import Gateway

SPEC = Path(__file__).resolve().parent.parent / "infra" / "api" / "openapi.yaml"
GATEWAY: Gateway | None = None  # the running local cloud's gateway (set by the `cloud` fixture)


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC.read_text())


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
    def __init__(self, token: str | None = None, client_ip: str = "127.0.0.1") -> None:
        self.token = token
        self.client_ip = client_ip  # the gateway's requestContext.identity.sourceIp

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
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if GATEWAY is None:
            raise RuntimeError("no local gateway: use the `cloud` fixture (or one that depends on it)")
        target = path + (f"?{urlencode(query)}" if query else "")
        status, out_headers, out_body, _ = GATEWAY.respond(
            method, target, list(all_headers.items()), body or b"", self.client_ip
        )
        text = out_body.decode("utf-8", "replace")
        return Result(status, {k.lower(): v for k, v in out_headers.items()}, text)

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
