"""Sign-up, sign-in with failed-attempt locking, and the signed-in user."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common import passwords, tokens
from common.config import Settings
from common.db import transaction
from common.dialect import insert_ignore
from common.errors import Conflict, TooManyRequests, Unauthorized
from common.models import LoginThrottle, User, utcnow
from common.schemas import Login, Registration, SessionOut, UserOut


def _user_out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, created_at=user.created_at)


def _session_for(user: User, settings: Settings) -> SessionOut:
    token, ttl = tokens.issue_token(user.id, settings)
    return SessionOut(access_token=token, expires_in=ttl, user=_user_out(user))


def register(data: Registration, settings: Settings) -> SessionOut:
    user = User(email=data.email, password_hash=passwords.hash_password(data.password, settings.BCRYPT_ROUNDS))
    try:
        with transaction() as s:
            s.add(user)
    except IntegrityError:
        raise Conflict("an account with this email already exists; sign in instead", "email_taken") from None
    return _session_for(user, settings)


def _locked_for(s: Session, email: str, now: datetime) -> int:
    locked_until = s.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.email == email))
    return int((locked_until - now).total_seconds()) + 1 if locked_until and locked_until > now else 0


def _record_failure(s: Session, email: str, now: datetime, settings: Settings) -> None:
    window_start = now - timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    s.execute(insert_ignore(s, LoginThrottle, {"email": email, "failures": 0, "window_started_at": now}))
    # A failure long after the last window starts a new count.
    s.execute(
        update(LoginThrottle)
        .where(LoginThrottle.email == email, LoginThrottle.window_started_at < window_start)
        .values(failures=0, window_started_at=now, locked_until=None)
    )
    failures = s.scalar(
        update(LoginThrottle)
        .where(LoginThrottle.email == email)
        .values(failures=LoginThrottle.failures + 1)
        .returning(LoginThrottle.failures)
    )
    if failures is not None and failures >= settings.LOGIN_MAX_FAILURES:
        s.execute(
            update(LoginThrottle)
            .where(LoginThrottle.email == email)
            .values(locked_until=now + timedelta(seconds=settings.LOGIN_LOCK_SECONDS))
        )


def login(data: Login, settings: Settings) -> SessionOut:
    """Same answer and similar time for a wrong password and an unknown email; locks per email either way."""
    now = utcnow()
    with transaction() as s:
        wait = _locked_for(s, data.email, now)
        user = None if wait else s.scalar(select(User).where(User.email == data.email))
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise TooManyRequests(f"too many failed sign-in attempts; try again in {minutes} minute(s)", "login_locked")
    hashed = user.password_hash if user else passwords.dummy_hash(settings.BCRYPT_ROUNDS)
    if user is not None and passwords.verify_password(data.password, hashed):
        with transaction() as s:
            s.execute(delete(LoginThrottle).where(LoginThrottle.email == data.email))
        return _session_for(user, settings)
    if user is None:
        passwords.verify_password(data.password, hashed)
    with transaction() as s:
        _record_failure(s, data.email, now, settings)
    raise Unauthorized("email or password is wrong", "invalid_credentials")


def require_user(s: Session, user_id: uuid.UUID) -> User:
    """The token's user, or 401 when the account is gone (a deleted user's token opens nothing)."""
    user = s.get(User, user_id)
    if user is None:
        raise Unauthorized("this account no longer exists; sign in again", "invalid_token")
    return user


def me(user_id: uuid.UUID) -> UserOut:
    with transaction() as s:
        return _user_out(require_user(s, user_id))
