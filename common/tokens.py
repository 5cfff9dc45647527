"""Access tokens: ES256 JWTs signed by the auth function, verified by API Gateway's JWT authorizer.

The gateway checks signature (key by `kid` from the published JWKS), exp/nbf/iat, issuer and audience before any
function runs, and hands the function the claims as strings (`requestContext.authorizer.jwt.claims`). Functions
therefore never verify signatures; they read the caller from those claims (common/api.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from common.config import Settings

ISSUER = "transcribe"
AUDIENCE = "transcribe-api"
ALGORITHM = "ES256"  # the authorizer accepts RS*/ES* only; ES256 keys and signatures are the smallest


def issue_token(user_id: uuid.UUID, settings: Settings, now: datetime | None = None) -> tuple[str, int]:
    import jwt  # lazy: only sign-up and sign-in sign, `me` does not

    now = now or datetime.now(UTC)
    ttl = settings.ACCESS_TOKEN_EXPIRE_MINUTES * 60
    claims = {
        "sub": str(user_id),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.JWT_PRIVATE_KEY, algorithm=ALGORITHM, headers={"kid": settings.JWT_KEY_ID})
    return token, ttl
