"""The API Gateway spec as routes: method + path template → integration, matched like the gateway does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "infra" / "api" / "openapi.yaml"
_FUNCTION_REF = re.compile(r"^\$\{functions\.(\w+)\}$")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ANY_METHOD = "x-yc-apigateway-any-method"  # every method the path item does not define itself


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    integration: dict[str, Any]
    operation_id: str
    # The operation's `security` requirements: [{scheme name: [scopes]}, ...]; empty for public routes.
    security: tuple[dict[str, list[str]], ...] = ()

    @property
    def function(self) -> str | None:
        """The function folder a cloud_functions integration names through `${functions.<name>}`."""
        if self.integration.get("type") != "cloud_functions":
            return None
        match = _FUNCTION_REF.match(str(self.integration.get("function_id", "")))
        if not match:
            raise ValueError(f"{self.method} {self.template}: function_id must be ${{functions.<name>}}")
        return match.group(1)


def _regex(template: str) -> re.Pattern[str]:
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{") and part.endswith("+}"):
            pattern += f"(?P<{part[1:-2]}>.+)"  # greedy parameter: the rest of the path
        elif part.startswith("{"):
            pattern += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(f"^{pattern}$")


def _specificity(route: Route) -> tuple[int, int, int, int]:
    # Literal paths beat templated ones, which beat greedy ones: as API Gateway resolves overlaps. A path's own
    # methods come before its any-method catch-all.
    greedy = "+}" in route.template
    params = route.template.count("{")
    return (1 if greedy else 0, params, -len(route.template), 1 if route.method == "*" else 0)


@dataclass(frozen=True)
class Spec:
    document: dict[str, Any]
    routes: tuple[Route, ...]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.regex.match(path)
            if found and route.method in (method.upper(), "*"):
                return route, found.groupdict()
        return None

    def methods_for(self, path: str, literal_only: bool = False) -> list[str]:
        """The methods the spec defines for this path (any-method catch-alls aside; greedy ones too if asked)."""
        return sorted(
            r.method
            for r in self.routes
            if r.regex.match(path) and r.method != "*" and not (literal_only and "+}" in r.template)
        )

    def security_schemes(self) -> dict[str, Any]:
        return dict((self.document.get("components") or {}).get("securitySchemes") or {})

    def cors(self) -> dict[str, Any] | None:
        ext = self.document.get("x-yc-apigateway") or {}
        return ext.get("cors")


def load(path: Path = DEFAULT_SPEC) -> Spec:
    document = yaml.safe_load(path.read_text())
    default_security = document.get("security") or []
    routes = [
        Route(
            method.upper(),
            template,
            _regex(template),
            op.get("x-yc-apigateway-integration") or {},
            op.get("operationId", ""),
            tuple(op.get("security", default_security) or ()),
        )
        for template, ops in (document.get("paths") or {}).items()
        for method, op in ops.items()
        if method in METHODS
    ]
    routes += [
        Route("*", template, _regex(template), op.get("x-yc-apigateway-integration") or {}, op.get("operationId", ""))
        for template, ops in (document.get("paths") or {}).items()
        if isinstance(op := ops.get(ANY_METHOD), dict)
    ]
    return Spec(document, tuple(sorted(routes, key=_specificity)))


@cache
def default() -> Spec:
    return load(DEFAULT_SPEC)


# Functions only one speech provider has; with another, their routes are not in the gateway (infra/gateway.tf
# drops the same paths from the spec it deploys).
PROVIDER_ONLY = {"assemblyai_webhook": "assemblyai"}


def for_provider(provider: str) -> Spec:
    """The spec as deployed for this provider: without the routes of another provider's functions."""
    spec = default()
    kept = tuple(r for r in spec.routes if PROVIDER_ONLY.get(r.function or "", provider) == provider)
    dropped = {r.template for r in spec.routes} - {r.template for r in kept}
    paths = {k: v for k, v in (spec.document.get("paths") or {}).items() if k not in dropped}
    return Spec({**spec.document, "paths": paths}, kept)
