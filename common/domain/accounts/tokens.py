"""Access tokens: ES256 JWTs signed by the auth function, verified by API Gateway's JWT authorizer.

The gateway checks signature (key by `kid` from the published JWKS), exp/nbf/iat, issuer and audience before any
function runs, and hands the function the claims as strings (`requestContext.authorizer.jwt.claims`). Functions
therefore never verify signatures; they read the caller from those claims (common/edge/api.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from common.runtime.config import Settings

ISSUER = "transcribe"
AUDIENCE = "transcribe-api"
ALGORITHM = "ES256"  # the authorizer accepts RS*/ES* only; ES256 keys and signatures are the smallest
CLOCK_SKEW_SECONDS = 30  # iat and nbf lie this far back


class Caller(uuid.UUID):
    """The signed-in user's id, as the gateway vouched for it, with the token version its token carries.

    A UUID everywhere a user id is expected; `accounts.require_user` also refuses it when the user has since signed
    out everywhere or changed the password (both bump the stored version), and, for a token exchanged for a personal
    API key (`api_key_id`), when that key has since been revoked or has expired.
    """

    __slots__ = ("api_key_id", "token_version")
    token_version: int
    api_key_id: uuid.UUID | None

    def __init__(self, user_id: str, token_version: int, api_key_id: uuid.UUID | None = None) -> None:
        super().__init__(user_id)
        object.__setattr__(self, "token_version", token_version)
        object.__setattr__(self, "api_key_id", api_key_id)


# The claims of a token exchanged for a personal API key: the key's id (what revoking it cuts off) and its scopes,
# space-separated as OAuth writes them (RFC 8693 `scope`; the gateway's JWT authorizer reads the same claim).
KEY_CLAIM = "key_id"
SCOPE_CLAIM = "scope"


def _signed(
    user_id: uuid.UUID, audience: str, ttl: timedelta, settings: Settings, now: datetime, **claims: object
) -> str:
    """A JWT for `user_id` and `audience`, valid `ttl` from `now`, signed with the auth key (named by its kid)."""
    import jwt  # lazy: only sign-up, sign-in and reset requests sign, `me` does not

    # Back-dated: the gateway requires iat and nbf to be earlier than its clock (jwt-authorizer.md), and the SPA calls
    # the API right after sign-in, so a gateway clock a moment behind ours must not refuse a token just issued.
    issued = int(now.timestamp()) - CLOCK_SKEW_SECONDS
    payload = {
        "sub": str(user_id),
        "iss": ISSUER,
        "aud": audience,
        "iat": issued,
        "exp": int((now + ttl).timestamp()),
        **claims,
    }
    return jwt.encode(payload, settings.JWT_PRIVATE_KEY, algorithm=ALGORITHM, headers={"kid": settings.JWT_KEY_ID})


def issue_token(
    user_id: uuid.UUID,
    settings: Settings,
    version: int = 0,
    now: datetime | None = None,
    ttl_seconds: int | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds; `version` is the user's token version (see Caller).
    A session's lasts ACCESS_TOKEN_EXPIRE_MINUTES; an API key's exchange passes its shorter `ttl_seconds` and claims."""
    now = now or datetime.now(UTC)
    ttl = ttl_seconds if ttl_seconds is not None else settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60
    nbf, jti = int(now.timestamp()) - CLOCK_SKEW_SECONDS, uuid.uuid4().hex
    # `ver` as a string: the authorizer hands claims on as map[string]string and does not say how it renders numbers.
    claims = {**(extra or {}), "nbf": nbf, "jti": jti, "ver": str(version)}
    return _signed(user_id, AUDIENCE, timedelta(seconds=ttl), settings, now, **claims), ttl


def token_version(claim: str) -> int:
    """The `ver` claim as the gateway passes it: ASCII digits (tokens issued now), or the text of an integral number
    (tokens issued before `ver` became a string, however the gateway renders 1: "1", "1.0", "1e+00"). Else ValueError.
    """
    if not claim.isascii():
        raise ValueError(claim)  # float() would read other scripts' digits
    if claim.isdigit() and len(claim) <= 9:
        return int(claim)
    number = float(claim)  # ValueError for anything that is not a number's text
    if not number.is_integer() or not 0 <= number < 1e9:
        raise ValueError(claim)
    return int(number)


RESET_AUDIENCE = "transcribe-password-reset"  # never "transcribe-api": the gateway refuses a reset link as a session


def password_fingerprint(password_hash: str) -> str:
    """Names the password a reset link replaces without carrying its hash: once the password changes (by this link
    or any other way) every link issued for the old one stops working, which makes each link single-use."""
    import hashlib

    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def issue_reset_token(user_id: uuid.UUID, password_hash: str, settings: Settings, now: datetime | None = None) -> str:
    """A signed, short-lived password-reset token for the mailed link."""
    ttl = timedelta(minutes=settings.PASSWORD_RESET_EXPIRE_MINUTES)
    fingerprint = password_fingerprint(password_hash)
    return _signed(user_id, RESET_AUDIENCE, ttl, settings, now or datetime.now(UTC), pwd=fingerprint)


def read_reset_token(token: str, settings: Settings) -> tuple[uuid.UUID, str] | None:
    """The user and password fingerprint a reset token names, or None when it is forged, expired or not one."""
    import jwt
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    public_key = load_pem_private_key(settings.JWT_PRIVATE_KEY.encode(), None).public_key()
    try:
        claims = jwt.decode(
            token,
            public_key,  # type: ignore[arg-type]  # an EC key; pyjwt's union names it
            algorithms=[ALGORITHM],
            audience=RESET_AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "pwd"]},
        )
        return uuid.UUID(claims["sub"]), str(claims["pwd"])
    except (jwt.PyJWTError, ValueError):
        return None
