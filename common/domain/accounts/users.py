"""The signed-in user, as every request that acts for one checks it (no password hashing in here: only the auth
function needs bcrypt)."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from common.domain.accounts import tokens
from common.domain.errors import Unauthorized
from common.store.models import User


def require_user(s: Session, user_id: uuid.UUID) -> User:
    """The token's user, or 401 when the account is gone or the token was revoked (signed out, password changed)."""
    user = s.get(User, user_id)
    vouch(user_id, None if user is None else user.token_version)
    assert user is not None  # vouch refused a missing account
    return user


# The account's token version: a query of its own (`check_user`), or a column of another query, so that a hot read
# checks the account in the round trip that reads the data (NULL, or no row: no such account).
TOKEN_VERSION = select(User.token_version).where(User.id == bindparam("user_id"))


def check_user(conn: Connection, user_id: uuid.UUID) -> None:
    """`require_user` on a Core connection, for hot reads that build no ORM objects: one column, the same 401s."""
    vouch(user_id, conn.execute(TOKEN_VERSION, {"user_id": user_id}).scalar())


def vouch(user_id: uuid.UUID, token_version: int | None) -> None:
    """The 401s of `require_user`, given the account's token version as read (None: there is no such account)."""
    if token_version is None:
        raise Unauthorized("this account no longer exists; sign in again", "invalid_token")
    if isinstance(user_id, tokens.Caller) and user_id.token_version != token_version:
        raise Unauthorized("you were signed out; sign in again", "token_revoked")
