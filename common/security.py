"""Password hashing (bcrypt over a SHA-256 pre-hash) and HS256 access tokens (pyjwt)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import bcrypt
import jwt

from common.config import Settings
from common.errors import Unauthorized

ISSUER = "transcribe"


def _prehash(password: str) -> bytes:
    # bcrypt reads only 72 bytes; a SHA-256 pre-hash lets long passphrases count in full.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), hashed.encode())
    except ValueError:
        return False


_dummy_hashes: dict[int, str] = {}


def dummy_hash(rounds: int) -> str:
    """A hash to check unknown emails against, so a login costs the same whether or not the email exists."""
    if rounds not in _dummy_hashes:
        _dummy_hashes[rounds] = hash_password(uuid.uuid4().hex, rounds)
    return _dummy_hashes[rounds]


def issue_token(user_id: uuid.UUID, settings: Settings, now: datetime | None = None) -> tuple[str, int]:
    now = now or datetime.now(UTC)
    ttl = settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60
    claims = {
        "sub": str(user_id),
        "iss": ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.JWT_SECRET_KEY, algorithm=settings.JWT_ALGORITHM), ttl


def user_id_from_authorization(header: str | None, settings: Settings) -> uuid.UUID:
    """The user id in a valid `Bearer` token; anything else is 401."""
    if not header:
        raise Unauthorized("sign in first: the Authorization header is missing", "missing_token")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'", "invalid_token")
    try:
        claims = jwt.decode(
            token.strip(),
            settings.JWT_SECRET_KEY,
            algorithms=[settings.JWT_ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("your session has expired; sign in again", "token_expired") from None
    except jwt.PyJWTError:
        raise Unauthorized("the access token is not valid; sign in again", "invalid_token") from None
    try:
        return uuid.UUID(str(claims["sub"]))
    except ValueError:
        raise Unauthorized("the access token is not valid; sign in again", "invalid_token") from None
