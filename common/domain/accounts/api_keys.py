"""Personal API keys: created, listed and revoked by a signed-in person; exchanged (throttled like a sign-in) for a
short-lived access token, so the gateway's JWT authorizer stays the only check on every other route.

A key is `tsk_<prefix>_<secret>`: the prefix (48 random bits, shown in the list) finds the row, the secret (256 random
bits) is never stored: only the SHA-256 of the whole key is. A fast hash is enough for a secret this random (nothing
to guess from a dictionary), and it keeps the exchange cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from common.domain.accounts import tokens
from common.domain.accounts.throttle import Limit, release, spend, throttle_key
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, NotFound, Unauthorized
from common.domain.schemas import (
    AccessTokenOut,
    ApiKeyList,
    ApiKeyOut,
    ApiKeyRequest,
    CreatedApiKeyOut,
    TokenRequest,
)
from common.runtime.config import Settings
from common.store.db import transaction
from common.store.models import ApiKey, User, utcnow

MAX_KEYS_PER_USER = 20  # a list that fits a page, and a bound on what one account keeps
_KEY = re.compile(r"tsk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _scopes(requested: list[str]) -> str:
    """As stored and as the token's `scope` claim carries them; "write" brings "read" with it."""
    return "read write" if "write" in requested else "read"


def _out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=f"tsk_{key.prefix}",
        scopes=key.scopes.split(),  # type: ignore[arg-type]  # the column's check constraint holds it to these
        created_at=key.created_at,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
    )


def create_key(user_id: uuid.UUID, data: ApiKeyRequest) -> CreatedApiKeyOut:
    """A new key; the answer is the only place its secret ever appears."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    plain = f"tsk_{prefix}_{secret}"
    now = utcnow()
    key = ApiKey(
        owner_id=user_id,
        name=data.name,
        prefix=prefix,
        secret_hash=_digest(plain),
        scopes=_scopes(list(data.scopes)),
        created_at=now,
        expires_at=now + timedelta(days=data.expires_in_days),
    )
    try:
        with transaction() as s:
            require_user(s, user_id)
            # The account row locked (PostgreSQL) while counting: two creates at once cannot both take the last place.
            s.execute(select(User.id).where(User.id == user_id).with_for_update())
            held = s.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.owner_id == user_id)) or 0
            if held >= MAX_KEYS_PER_USER:
                message = f"you have {held} API keys, the most one account keeps; revoke one first"
                raise Conflict(message, "too_many_keys")
            s.add(key)
            s.flush()
            out = _out(key)
    except IntegrityError:  # two keys drew the same 48-bit prefix: vanishingly rare, and the caller may just retry
        raise Conflict("the key could not be made this time; try again", "key_collision") from None
    return CreatedApiKeyOut(**out.model_dump(), key=plain)


def list_keys(user_id: uuid.UUID) -> ApiKeyList:
    """The caller's keys, newest first, with when each was last exchanged (its secret is never shown again)."""
    with transaction() as s:
        require_user(s, user_id)
        keys = s.scalars(
            select(ApiKey).where(ApiKey.owner_id == user_id).order_by(ApiKey.created_at.desc(), ApiKey.id)
        ).all()
        return ApiKeyList(items=[_out(k) for k in keys])


def revoke_key(user_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """The key stops being exchanged at once, and every token already exchanged for it stops at its next request
    (users.vouch_key). Another user's key is as unknown as a missing one."""
    with transaction() as s:
        require_user(s, user_id)
        gone = s.scalar(delete(ApiKey).where(ApiKey.id == key_id, ApiKey.owner_id == user_id).returning(ApiKey.id))
    if gone is None:
        raise NotFound("no such API key", "key_not_found")


def _limits(prefix: str, client_ip: str, settings: Settings) -> tuple[Limit, Limit]:
    """A sign-in's two counters, for a key: its (prefix, address) pair, then the prefix's own ceiling."""
    pair, ceiling = throttle_key("api-key-pair", prefix, client_ip), throttle_key("api-key", prefix)
    return (
        Limit(pair, settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCK_SECONDS),
        Limit(ceiling, settings.LOGIN_ACCOUNT_MAX_FAILURES, settings.LOGIN_ACCOUNT_WINDOW_SECONDS),
    )


def exchange(data: TokenRequest, settings: Settings, client_ip: str = "") -> AccessTokenOut:
    """An access token for a live key: the key's scopes, API_KEY_TOKEN_MINUTES at most and never past the key's expiry.

    One attempt is taken from the counters before the key is looked at and given back when it is right, as a sign-in
    does; an unknown, wrong or revoked key gets the same 401 (only the holder of the right secret learns that it has
    expired).
    """
    parsed = _KEY.fullmatch(data.api_key)
    prefix = parsed.group(1) if parsed else data.api_key  # a malformed key is counted under its own text
    limits = _limits(prefix, client_ip, settings)
    now = utcnow()
    spend(list(limits), now, "failed API key exchanges", "exchange_locked")
    wrong = Unauthorized("the API key is not valid (mistyped, revoked, or never issued)", "invalid_api_key")
    if parsed is None:
        raise wrong
    with transaction() as s:
        row = s.execute(
            select(ApiKey, User.token_version).join(User, User.id == ApiKey.owner_id).where(ApiKey.prefix == prefix)
        ).first()
        expected = row[0].secret_hash if row else _digest("tsk_" + "0" * 56)  # compare anyway: the same work
        if not hmac.compare_digest(expected, _digest(data.api_key)) or row is None:
            raise wrong
        key, version = row[0], row[1]
        if key.expires_at <= now:
            raise Unauthorized("this API key has expired; make a new one on the account page", "api_key_expired")
        s.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        owner, key_id, scopes, expires_at = key.owner_id, key.id, key.scopes, key.expires_at
    release(*limits)
    ttl = _token_seconds(now, expires_at, settings)
    claims = {tokens.KEY_CLAIM: str(key_id), tokens.SCOPE_CLAIM: scopes}
    token, ttl = tokens.issue_token(owner, settings, version, now, ttl_seconds=ttl, extra=claims)
    return AccessTokenOut(access_token=token, expires_in=ttl, scope=scopes)


def _token_seconds(now: datetime, key_expires_at: datetime, settings: Settings) -> int:
    left = int((key_expires_at - now).total_seconds())
    return max(1, min(settings.API_KEY_TOKEN_MINUTES * 60, left))
