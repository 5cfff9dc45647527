"""API Gateway's JWT authorizer (`x-yc-apigateway-authorizer: {type: jwt}`), as Yandex documents it.

The token is taken from `identitySource` (header, query or cookie, minus its prefix); its public key is the JWKS
entry with the token's `kid`, fetched from `jwksUri` (cached for `jwkTtlInSeconds`); RS256/384/512 and
ES256/384/512 only. Then exp, nbf, iat, `issuers`, `audiences`, `requiredClaims` and the operation's scopes.
A missing or bad token is 401, missing scopes 403, an unreachable or malformed JWKS 500. On success the function
receives `requestContext.authorizer.jwt = {claims, scopes}`, every claim as a string.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any

from local.gateway.spec import Route, Spec

ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
_VARIABLE = re.compile(r"\$\{(\w+)\}")


class Denied(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as res:
        return json.loads(res.read())


def claim_string(value: Any) -> str:
    """How a claim reaches the function: `map[string]string` in the docs, so numbers and lists become text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def resolve(template: str, variables: Mapping[str, str]) -> str:
    """`${name}` replaced as Terraform's templatefile() does for the cloud's copy of the spec."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in variables:
            raise KeyError(f"the spec uses ${{{match.group(1)}}} but the local gateway has no value for it")
        return variables[match.group(1)]

    return _VARIABLE.sub(value, template)


class JwtAuthorizer:
    def __init__(
        self,
        config: Mapping[str, Any],
        variables: Mapping[str, str],
        fetch: Callable[[str], Any] = fetch_json,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.jwks_uri = resolve(str(config["jwksUri"]), variables)
        source = config.get("identitySource") or {}
        self.source_in, self.source_name = str(source.get("in", "header")), str(source.get("name", "Authorization"))
        self.prefix = str(source.get("prefix", ""))
        self.issuers = [str(i) for i in config.get("issuers") or []]
        self.audiences = [str(a) for a in config.get("audiences") or []]
        self.required = [str(c) for c in config.get("requiredClaims") or []]
        self.key_ttl = float(config.get("jwkTtlInSeconds") or 0)
        self._fetch, self._clock = fetch, clock
        self._keys: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _token(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str:
        if self.source_in == "header":
            raw = headers.get(self.source_name.lower(), "")
        elif self.source_in == "query":
            raw = query.get(self.source_name, "")
        else:
            cookie = SimpleCookie(headers.get("cookie", ""))
            raw = cookie[self.source_name].value if self.source_name in cookie else ""
        if not raw or not raw.startswith(self.prefix) or not raw[len(self.prefix) :].strip():
            raise Denied(401, "unauthorized", "sign in first: the request has no access token")
        return raw[len(self.prefix) :].strip()

    def _key(self, kid: str) -> dict[str, Any]:
        with self._lock:
            cached = self._keys.get(kid)
            if cached and cached[0] > self._clock():
                return cached[1]
            try:
                document = self._fetch(self.jwks_uri)
                keys = {str(k["kid"]): dict(k) for k in document["keys"] if isinstance(k, dict) and "kid" in k}
            except Exception as exc:
                raise Denied(500, "authorizer_error", f"the authorizer could not read its keys: {exc}") from None
            expires = self._clock() + self.key_ttl
            if self.key_ttl > 0:
                self._keys.update({name: (expires, jwk) for name, jwk in keys.items()})
            if kid not in keys:
                raise Denied(401, "unauthorized", "the access token is signed by an unknown key; sign in again")
            return keys[kid]

    def authorize(self, headers: Mapping[str, str], query: Mapping[str, str], scopes: list[str]) -> dict[str, Any]:
        import jwt

        token = self._token(headers, query)
        bad = Denied(401, "unauthorized", "the access token is not valid; sign in again")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise bad from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS or not isinstance(kid, str):
            raise bad
        jwk = self._key(kid)
        try:
            key = jwt.PyJWK(jwk, algorithm=alg)
        except jwt.PyJWTError:
            raise bad from None
        if jwk.get("alg", alg) != alg:  # the key's algorithm must match the token's
            raise bad
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                issuer=self.issuers or None,
                audience=self.audiences or None,
                options={"require": self.required, "verify_aud": bool(self.audiences)},
            )
        except jwt.ExpiredSignatureError:
            raise Denied(401, "unauthorized", "the access token has expired; sign in again") from None
        except jwt.PyJWTError:
            raise bad from None
        if claims.get("iat", 0) > self._clock():
            raise bad
        granted = str(claims.get("scope", "")).split()
        if any(scope not in granted for scope in scopes):
            raise Denied(403, "forbidden", "the access token does not grant this operation")
        return {"jwt": {"claims": {k: claim_string(v) for k, v in claims.items()}, "scopes": granted}}


class Authorizers:
    """Every JWT security scheme of a spec, applied to the routes that require one."""

    def __init__(self, spec: Spec, variables: Mapping[str, str], fetch: Callable[[str], Any] = fetch_json) -> None:
        self._schemes: dict[str, JwtAuthorizer] = {}
        for name, scheme in spec.security_schemes().items():
            config = (scheme or {}).get("x-yc-apigateway-authorizer") or {}
            if config.get("type") == "jwt":
                self._schemes[name] = JwtAuthorizer(config, variables, fetch)

    def check(self, route: Route, headers: Mapping[str, str], query: Mapping[str, str]) -> dict[str, Any] | None:
        """The authorizer context for the function, None for a public route; raises Denied."""
        if not route.security:
            return None
        first: Denied | None = None
        for requirement in route.security:  # alternatives: the first that passes wins
            try:
                context: dict[str, Any] = {}
                for name, scopes in requirement.items():
                    if name not in self._schemes:
                        raise Denied(500, "authorizer_error", f"security scheme {name!r} has no jwt authorizer")
                    context.update(self._schemes[name].authorize(headers, query, list(scopes or [])))
                return context
            except Denied as denied:
                first = first or denied
        assert first is not None
        raise first
