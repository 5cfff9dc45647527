"""Sign-up, sign-in with throttled attempts, and the signed-in user."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from common.domain.accounts import passwords, tokens
from common.domain.accounts.throttle import Limit, release, spend, throttle_key
from common.domain.accounts.users import require_user
from common.domain.errors import Conflict, Invalid, Unauthorized
from common.domain.schemas import Login, PasswordChange, ProfileChange, Registration, SessionOut, UserOut
from common.runtime.config import Settings
from common.store import outbox
from common.store.db import transaction
from common.store.models import JobUnderstanding, MediaFile, TranscriptionJob, User, utcnow


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        created_at=user.created_at,
        language="ru" if user.language == "ru" else "en",
    )


def session_for(user: User, settings: Settings) -> SessionOut:
    token, ttl = tokens.issue_token(user.id, settings, user.token_version)
    return SessionOut(access_token=token, expires_in=ttl, user=_user_out(user))


def register(data: Registration, settings: Settings) -> SessionOut:
    user = User(
        email=data.email,
        password_hash=passwords.hash_password(data.password, settings.BCRYPT_ROUNDS),
        language=data.language,
    )
    try:
        with transaction() as s:
            s.add(user)
    except IntegrityError:
        raise Conflict("an account with this email already exists; sign in instead", "email_taken") from None
    return session_for(user, settings)


def account_throttle_key(email: str) -> str:
    """The counter of an email's sign-in attempts from all addresses (a password reset clears it)."""
    return throttle_key("account", email)


def _limits(email: str, client_ip: str, settings: Settings) -> list[Limit]:
    """The counters one sign-in attempt spends: its (email, address) pair, then the email's own ceiling."""
    return [
        Limit(throttle_key("pair", email, client_ip), settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCK_SECONDS),
        Limit(account_throttle_key(email), settings.LOGIN_ACCOUNT_MAX_FAILURES, settings.LOGIN_ACCOUNT_WINDOW_SECONDS),
    ]


def _reserve_attempt(email: str, client_ip: str, settings: Settings, now: datetime) -> list[Limit]:
    limits = _limits(email, client_ip, settings)
    spend(limits, now, "failed sign-in attempts", "login_locked")
    return limits


def _release(limits: list[Limit]) -> None:
    """A correct password: this address starts afresh, and the account's ceiling gets its attempt back."""
    release(*limits)


def login(data: Login, settings: Settings, client_ip: str = "") -> SessionOut:
    """Same answer and similar time for a wrong password and an unknown email.

    Throttled per (email, client address) — a guesser elsewhere cannot lock the owner out — under a per-email
    ceiling (ASVS: at most LOGIN_ACCOUNT_MAX_FAILURES an hour, from any number of addresses). The address is the
    gateway's `requestContext.identity.sourceIp`, never a client-supplied header.
    """
    limits = _reserve_attempt(data.email, client_ip, settings, utcnow())
    with transaction() as s:
        user = s.scalar(select(User).where(User.email == data.email))
    hashed = user.password_hash if user else passwords.dummy_hash(settings.BCRYPT_ROUNDS)
    if passwords.verify_password(data.password, hashed) and user is not None:
        _release(limits)
        if passwords.needs_rehash(hashed, settings.BCRYPT_ROUNDS):  # the password is at hand only now
            rehashed = passwords.hash_password(data.password, settings.BCRYPT_ROUNDS)
            with transaction() as s:
                s.execute(
                    update(User).where(User.id == user.id, User.password_hash == hashed).values(password_hash=rehashed)
                )
        return session_for(user, settings)
    raise Unauthorized("email or password is wrong", "invalid_credentials")


def sign_out_everywhere(user_id: uuid.UUID) -> None:
    """Every token issued so far stops working, on every device."""
    with transaction() as s:
        require_user(s, user_id)
        s.execute(update(User).where(User.id == user_id).values(token_version=User.token_version + 1))


def _prove_password(user_id: uuid.UUID, password: str, settings: Settings, client_ip: str, wrong: str) -> str:
    """A signed-in user's password asked again before a grave change, throttled like a sign-in; its hash."""
    with transaction() as s:
        user = require_user(s, user_id)
        email, hashed = user.email, user.password_hash
    limits = _reserve_attempt(email, client_ip, settings, utcnow())
    if not passwords.verify_password(password, hashed):
        # Not 401: the session is fine, only the password typed again is wrong (a 401 reads as "signed out").
        raise Invalid(wrong, "wrong_password")
    _release(limits)
    return hashed


def change_password(user_id: uuid.UUID, data: PasswordChange, settings: Settings, client_ip: str = "") -> SessionOut:
    """A new password after the current one is proven (throttled like a sign-in); other sessions end."""
    hashed = _prove_password(user_id, data.current_password, settings, client_ip, "the current password is wrong")
    new_hash = passwords.hash_password(data.new_password, settings.BCRYPT_ROUNDS)
    with transaction() as s:
        changed = s.scalar(
            update(User)
            .where(User.id == user_id, User.password_hash == hashed)  # no concurrent change slipped in between
            .values(password_hash=new_hash, token_version=User.token_version + 1)
            .returning(User.id)
        )
        if changed is None:
            raise Conflict("the password was changed meanwhile; sign in again", "password_changed")
        updated = s.get(User, user_id)
        assert updated is not None
    return session_for(updated, settings)


def me(user_id: uuid.UUID) -> UserOut:
    with transaction() as s:
        return _user_out(require_user(s, user_id))


def change_profile(user_id: uuid.UUID, data: ProfileChange) -> UserOut:
    """The account's language (the web app's switch): the next mail is written in it."""
    with transaction() as s:
        user = require_user(s, user_id)
        user.language = data.language
        return _user_out(user)


def delete_account(user_id: uuid.UUID, password: str, settings: Settings, client_ip: str = "") -> None:
    """The account and everything of it: rows now (cascade), and through the outbox, carried out by the reconcile
    timer, every recording in storage and every transcript copy at the provider. The password is asked again."""
    _prove_password(user_id, password, settings, client_ip, "the password is wrong")
    with transaction() as s:
        refs = [
            (outbox.PROVIDER_TRANSCRIPT, tid)
            for tid in s.scalars(
                select(TranscriptionJob.provider_transcript_id).where(
                    TranscriptionJob.owner_id == user_id, TranscriptionJob.provider_transcript_id.is_not(None)
                )
            )
        ]
        for upload, stored in s.execute(
            select(MediaFile.object_key, MediaFile.stored_key).where(MediaFile.owner_id == user_id)
        ):
            refs += [(outbox.STORAGE_OBJECT, key) for key in (upload, stored) if key]
        redacted_copies = (
            select(JobUnderstanding.redacted_key)
            .join(TranscriptionJob, TranscriptionJob.id == JobUnderstanding.job_id)
            .where(TranscriptionJob.owner_id == user_id, JobUnderstanding.redacted_key.is_not(None))
        )
        refs += [(outbox.STORAGE_OBJECT, key) for key in s.scalars(redacted_copies)]
        for kind, ref in refs:
            outbox.enqueue(s, kind, str(ref))
        s.execute(delete(User).where(User.id == user_id))  # files, jobs, transcripts and keys go with it
