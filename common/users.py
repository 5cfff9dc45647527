"""The signed-in user, as every request that acts for one checks it (no password hashing in here: only the auth
function needs bcrypt)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from common import tokens
from common.errors import Unauthorized
from common.models import User


def require_user(s: Session, user_id: uuid.UUID) -> User:
    """The token's user, or 401 when the account is gone or the token was revoked (signed out, password changed)."""
    user = s.get(User, user_id)
    if user is None:
        raise Unauthorized("this account no longer exists; sign in again", "invalid_token")
    if isinstance(user_id, tokens.Caller) and user_id.token_version != user.token_version:
        raise Unauthorized("you were signed out; sign in again", "token_revoked")
    return user
