"""What every HTTP handler shares: the signed-in user's id and path parameters as UUIDs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from common.domain.accounts.tokens import Caller, token_version
from common.domain.errors import BadRequest, NotFound, Unauthorized
from common.edge.http import JSON, Request, Response


def caller(req: Request) -> uuid.UUID:
    """The user the gateway's JWT authorizer vouched for (its verified claims), or 401.

    The signature, issuer, audience and expiry were checked by the gateway before the function ran (the spec sets
    no `authorizer_result_ttl_in_seconds`, so no cached verdict outlives a token); an event without claims did not
    pass an authorizer at all. The domain still checks that the user exists.
    """
    if not req.claims:
        raise Unauthorized("sign in first: this request carries no verified access token", "missing_token")
    try:
        return Caller(req.claims.get("sub", ""), token_version(req.claims.get("ver", "0")))
    except ValueError:
        raise Unauthorized("the access token is not valid; sign in again", "invalid_token") from None


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
