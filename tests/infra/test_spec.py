"""The gateway spec as the cloud receives it: rendered by Terraform's own templatefile() (`terraform console`, no
provider needed) with dummy values for every template variable, then read as YAML."""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

import pytest
import yaml

from tests.infra import terraform as tf

TOKEN_KEYS_URL = "https://storage.yandexcloud.net/transcribe-keys-b1gtest"
DUMMY = {
    "functions": {name: f"d4e-{name.replace('_', '-')}" for name in tf.FOLDERS},
    "gateway_service_account_id": "aje-gateway-sa",
    "spa_bucket": "transcribe-web-b1gtest",
    "token_keys_url": TOKEN_KEYS_URL,
    "spa_index_html": '<!doctype html><title>"T" & co</title><script type="module" src="/assets/i.js"></script>',
    "media_origin": "https://storage.yandexcloud.net",
    "speech_provider": "assemblyai",
}
# The operations anyone may call: signing up, signing in (with a password, or a personal API key for a token), and
# AssemblyAI's callback (which carries its own secret).
PUBLIC_API = {
    "register",
    "login",
    "exchangeApiKey",
    "requestPasswordReset",
    "resetPassword",
    "assemblyaiWebhook",
    "getCapabilities",
}
# A shared transcript, read through its link's token (no account): tests/core/test_shares.py holds what they open.
PUBLIC_API |= {"getSharedView", "getSharedTranscript", "exportSharedTranscript"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace", "x-yc-apigateway-any-method"}


@cache
def rendered(provider: str = "assemblyai") -> dict[str, Any]:
    values: dict[str, Any] = {**DUMMY, "speech_provider": provider}
    if provider != "assemblyai":  # no webhook function is deployed: the spec must not name it
        values["functions"] = {k: v for k, v in DUMMY["functions"].items() if k != "assemblyai_webhook"}
    variables = ", ".join(f"{name} = {tf.hcl_value(value)}" for name, value in values.items())
    text = tf.console(f"templatefile({tf.hcl_string(str(tf.SPEC))}, {{ {variables} }})")
    spec = yaml.safe_load(text)
    assert isinstance(spec, dict), text[:500]
    return spec


def test_with_speechkit_the_spec_has_no_assemblyai_webhook_route_and_names_no_webhook_function() -> None:
    with_assemblyai, with_speechkit = rendered("assemblyai"), rendered("speechkit")
    assert "/api/v1/webhooks/assemblyai" in with_assemblyai["paths"]
    assert set(with_assemblyai["paths"]) - set(with_speechkit["paths"]) == {"/api/v1/webhooks/assemblyai"}
    assert with_speechkit["components"] == with_assemblyai["components"]


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict)
    ]


def test_the_template_variables_are_exactly_those_gateway_tf_passes() -> None:
    spec_call = tf.resource("yandex_api_gateway", "api")["spec"]
    for name in DUMMY:
        assert f"{name} " in spec_call or f"{name}=" in spec_call, f"gateway.tf does not pass {name}"
    rendered()  # renders with exactly these variables: a missing one is an error of templatefile()


def test_every_function_integration_uses_payload_1_0_and_a_real_function() -> None:
    spec = rendered()
    ids = set(DUMMY["functions"].values())
    found = 0
    for path, method, op in operations(spec):
        integration = op.get("x-yc-apigateway-integration", {})
        if integration.get("type") != "cloud_functions":
            continue
        found += 1
        where = f"{method.upper()} {path}"
        assert integration.get("payload_format_version") == "1.0", where
        assert integration.get("function_id") in ids, f"{where}: {integration.get('function_id')}"
        assert integration.get("service_account_id") == DUMMY["gateway_service_account_id"], where
    assert found >= 10


def test_the_bearer_scheme_is_the_gateways_jwt_authorizer_on_the_published_keys() -> None:
    scheme = rendered()["components"]["securitySchemes"]["bearerAuth"]
    authorizer = scheme["x-yc-apigateway-authorizer"]
    assert authorizer["type"] == "jwt"
    assert authorizer["jwksUri"].startswith(TOKEN_KEYS_URL + "/"), authorizer["jwksUri"]
    assert authorizer["jwksUri"] == f"{TOKEN_KEYS_URL}/jwks.json"
    assert authorizer["identitySource"] == {"in": "header", "name": "Authorization", "prefix": "Bearer "}
    # deploy.sh publishes the keys with max-age=300 and the README's rotation waits longer than the JWKS cache.
    assert int(authorizer.get("jwkTtlInSeconds", 0)) <= 300


def test_every_api_operation_but_the_public_ones_requires_the_bearer_token() -> None:
    spec = rendered()
    assert "security" not in spec, "no global security: the public routes must stay public"
    seen_public = set()
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path} ({op.get('operationId')})"
        if op.get("operationId") in PUBLIC_API or not path.startswith("/api/v1/"):
            seen_public.add(op.get("operationId"))
            assert "security" not in op, f"{where} is public and must have no security"
        else:
            assert op.get("security") == [{"bearerAuth": []}], where
    assert seen_public >= PUBLIC_API


def test_the_spa_routes_read_the_web_bucket() -> None:
    spec = rendered()
    buckets = {
        op["x-yc-apigateway-integration"].get("bucket")
        for _, _, op in operations(spec)
        if op.get("x-yc-apigateway-integration", {}).get("type") == "object_storage"
    }
    assert buckets == {DUMMY["spa_bucket"]}


def test_the_bootstrap_spec_is_a_static_503_with_no_function() -> None:
    """gateway.tf's bootstrap_spec (the first apply's placeholder), evaluated by Terraform's own yamlencode()."""
    expression = tf.local("bootstrap_spec")
    assert expression.startswith("${yamlencode(") and expression.endswith(")}")
    spec = yaml.safe_load(tf.console(expression[2:-1]))
    assert spec["openapi"].startswith("3.")
    integrations = [op["x-yc-apigateway-integration"] for _, _, op in operations(spec)]
    assert integrations and all(i["type"] == "dummy" and i["http_code"] == 503 for i in integrations)
    assert "${" not in str(spec)


@pytest.mark.parametrize("name", list(DUMMY))
def test_every_template_variable_is_needed(name: str) -> None:
    text = tf.SPEC.read_text()
    assert "${" + name in text or "%{ if " + name in text, f"{name} is passed by gateway.tf but unused by the spec"


def test_the_rendered_spec_is_valid_openapi_3_0() -> None:
    """What Terraform hands the gateway validates against the OpenAPI 3.0 schema. The one liberty taken: Yandex's greedy
    path parameter (`{path+}`, api-gateway/concepts/extensions/greedy-parameters.md) is a documented extension the
    schema does not know, so its `+` is dropped before validation; nothing else is touched."""
    from openapi_spec_validator import OpenAPIV30SpecValidator

    spec = copy.deepcopy(rendered())
    greedy = {path: re.sub(r"\{(\w+)\+\}", r"{\1}", path) for path in spec["paths"]}
    assert any(path != plain for path, plain in greedy.items()), "the SPA route is greedy"
    spec["paths"] = {greedy[path]: item for path, item in spec["paths"].items()}
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in OpenAPIV30SpecValidator(spec).iter_errors()
    ]
    assert problems == []


def test_no_description_was_cut_short_by_a_flow_mapping() -> None:
    """A comma ends a plain scalar inside `{...}`: `description: a, b` becomes the description `a` and a stray key
    `b: null`. No mapping of the spec may hold a null-valued key that is not a schema keyword."""
    stray: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if value is None and key not in {"example", "default"}:
                    stray.append(f"{where}/{key}")
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")

    walk(rendered(), "")
    assert stray == []


def test_every_app_page_carries_the_rendered_index_and_a_strict_policy() -> None:
    """Where the SPA's HTML is served (`/`, its client-side routes, and the API reference at /api/docs, which the
    catch-all of /api would otherwise answer with a JSON 404), the gateway answers the built index.html, byte for
    byte after templatefile() and YAML, with the security headers; assets come from the bucket."""
    spec = rendered()
    pages = [
        (path, op["x-yc-apigateway-integration"])
        for path, method, op in operations(spec)
        if path != "/api/{path+}" and op["x-yc-apigateway-integration"]["type"] == "dummy"
    ]
    assert sorted(path for path, _ in pages) == ["/", "/api/docs", "/s/{token}", "/{path+}"]
    for path, integration in pages:
        assert integration["content"] == {"*": DUMMY["spa_index_html"]}, path
        headers = integration["http_headers"]
        policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
        assert policy["connect-src"] == f"'self' {DUMMY['media_origin']}"
        assert not any("unsafe" in value or "*" in value.split() for value in policy.values()), policy
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
    by_path = dict(pages)
    assert by_path["/"] == by_path["/{path+}"] == by_path["/api/docs"], "every page is served alike"
    # A shared transcript's page: the same page and headers, and never indexed.
    shared = copy.deepcopy(by_path["/s/{token}"])
    assert shared["http_headers"].pop("X-Robots-Tag") == "noindex, nofollow, noarchive"
    assert shared == by_path["/"]


def test_no_gateway_wide_rate_limit_and_no_cors_rule() -> None:
    """x-yc-apigateway-rate-limit counts every client together (rate-limit.md), so one client could use up sign-in for
    everyone: the functions' per-address and per-account throttles do that job. App and API share one origin."""
    spec = rendered()
    assert "cors" not in spec.get("x-yc-apigateway", {})
    assert not [path for path, _, op in operations(spec) if "x-yc-apigateway-rate-limit" in op]
