"""What every HTTP handler shares: the signed-in user's id and path parameters as UUIDs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from common.domain.accounts.tokens import KEY_CLAIM, SCOPE_CLAIM, Caller, token_version
from common.domain.errors import BadRequest, Forbidden, NotFound, Unauthorized
from common.edge.http import JSON, Request, Response

# What a personal API key's token may do, by method: reading needs "read", anything that changes state "write".
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def caller(req: Request, *, session_only: bool = False) -> uuid.UUID:
    """The user the gateway's JWT authorizer vouched for (its verified claims), or 401; 403 when the token came from
    a personal API key whose scopes do not cover this method, or the route is for a signed-in person only
    (`session_only`: keys, the password, deleting the account). Every route reads its caller here, so none can
    forget the scope check.

    The signature, issuer, audience and expiry were checked by the gateway before the function ran (the spec sets
    no `authorizer_result_ttl_in_seconds`, so no cached verdict outlives a token); an event without claims did not
    pass an authorizer at all. The domain still checks that the user exists (and that the key is still live).
    """
    if not req.claims:
        raise Unauthorized("sign in first: this request carries no verified access token", "missing_token")
    try:
        version = token_version(req.claims.get("ver", "0"))
        key_claim = req.claims.get(KEY_CLAIM)
        key_id = uuid.UUID(key_claim) if key_claim is not None else None
        user = Caller(req.claims.get("sub", ""), version, key_id)
    except ValueError:
        raise Unauthorized("the access token is not valid; sign in again", "invalid_token") from None
    if key_id is not None:
        if session_only:
            raise Forbidden("an API key cannot do this; sign in to the web app to do it", "session_required")
        needed = "write" if req.method in WRITE_METHODS else "read"
        if needed not in req.claims.get(SCOPE_CLAIM, "").split():
            raise Forbidden(f"this API key's token does not have the {needed} scope", "insufficient_scope")
    return user


_ASCII_DIGITS = re.compile(r"[0-9]{1,9}")


def query_int(req: Request, name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter in ASCII digits only (`str.isdigit` takes superscripts and other scripts)."""
    raw = req.query.get(name)
    if raw is None:
        return default
    if not _ASCII_DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}", f"invalid_{name}")
    return int(raw)


def idempotent(
    req: Request,
    owner_id: uuid.UUID,
    operation: str,
    produce: Callable[[], Response],
    replay: Callable[[uuid.UUID], Response] | None = None,
) -> Response:
    """With an `Idempotency-Key` header, the first answer for (user, key) is replayed to retries (R31)."""
    key = req.header("idempotency-key")
    if key is None:
        return produce()
    from common.domain import idempotency

    def stored(res: Response) -> idempotency.Answer:
        return idempotency.Answer(res.status, res.body.decode() if isinstance(res.body, bytes) else res.body)

    again = (lambda resource_id: stored(replay(resource_id))) if replay else None
    answer = idempotency.run_once(owner_id, key, operation, req.body, lambda: stored(produce()), again)
    return Response(answer.status, answer.body, {"Content-Type": JSON})


def path_id(req: Request, name: str) -> uuid.UUID:
    """A path id; a malformed one is as absent as an unknown one."""
    try:
        return uuid.UUID(req.path_params.get(name, ""))
    except ValueError:
        raise NotFound(f"no such {name.removesuffix('_id')}", f"{name.removesuffix('_id')}_not_found") from None
