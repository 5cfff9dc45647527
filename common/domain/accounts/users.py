"""The signed-in user, as every request that acts for one checks it (no password hashing in here: only the auth
function needs bcrypt)."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from common.domain.accounts import tokens
from common.domain.errors import Unauthorized
from common.store.models import ApiKey, User, utcnow


def require_user(s: Session, user_id: uuid.UUID) -> User:
    """The token's user, or 401 when the account is gone or the token was revoked (signed out, password changed, or
    the API key it was exchanged for revoked or expired)."""
    user = s.get(User, user_id)
    vouch(user_id, None if user is None else user.token_version)
    assert user is not None  # vouch refused a missing account
    vouch_key(s.connection(), user_id)
    return user


# The account's token version: a query of its own (`check_user`), or a column of another query, so that a hot read
# checks the account in the round trip that reads the data (NULL, or no row: no such account).
TOKEN_VERSION = select(User.token_version).where(User.id == bindparam("user_id"))


def check_user(conn: Connection, user_id: uuid.UUID) -> None:
    """`require_user` on a Core connection, for hot reads that build no ORM objects: one column, the same 401s."""
    vouch(user_id, conn.execute(TOKEN_VERSION, {"user_id": user_id}).scalar())
    vouch_key(conn, user_id)


# A personal API key that still opens the account: its row is there (revoking deletes it) and it has not expired.
LIVE_KEY = select(ApiKey.id).where(
    ApiKey.id == bindparam("key_id"), ApiKey.owner_id == bindparam("user_id"), ApiKey.expires_at > bindparam("now")
)


def vouch_key(conn: Connection, user_id: uuid.UUID) -> None:
    """For a token exchanged for an API key, 401 once that key is revoked or expired: the token_version check's
    counterpart for keys, run where it runs, so the token stops working at the next request, not when it expires.
    A session's token names no key and costs no query here."""
    key_id = user_id.api_key_id if isinstance(user_id, tokens.Caller) else None
    if key_id is None:
        return
    if conn.execute(LIVE_KEY, {"key_id": key_id, "user_id": user_id, "now": utcnow()}).first() is None:
        raise Unauthorized("the API key this token was exchanged for was revoked or has expired", "token_revoked")


def vouch(user_id: uuid.UUID, token_version: int | None) -> None:
    """The 401s of `require_user`, given the account's token version as read (None: there is no such account)."""
    if token_version is None:
        raise Unauthorized("this account no longer exists; sign in again", "invalid_token")
    if isinstance(user_id, tokens.Caller) and user_id.token_version != token_version:
        raise Unauthorized("you were signed out; sign in again", "token_revoked")
