"""Forgotten passwords: a signed, short-lived, single-use link by email, and the new password it sets.

Asking never tells whether an account exists: the same answer, no sooner than PASSWORD_RESET_ANSWER_SECONDS, for
every well-formed email; the mail goes out (or fails, logged) within that time.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from sqlalchemy import delete, select, update

from common.adapters.ports import Mail, MailSender
from common.domain.accounts import mail_words, passwords, tokens
from common.domain.accounts.accounts import account_throttle_key, session_for
from common.domain.accounts.mail_words import RESET_MAIL
from common.domain.accounts.throttle import Limit, spend, throttle_key
from common.domain.errors import BadRequest
from common.domain.schemas import Accepted, PasswordReset, PasswordResetRequest, SessionOut
from common.runtime import logs
from common.runtime.config import Settings
from common.store.db import transaction
from common.store.models import LoginThrottle, User, utcnow

RESET_PATH = "/reset-password"
ACCEPTED = (
    "If an account uses this email, a link to choose a new password is on its way. "
    "It works once; check your spam folder if it does not arrive within a few minutes."
)
INVALID = (
    "this reset link is not valid: it has expired, was already used, or the password changed since; ask for a new one"
)


def _throttle(email: str, client_ip: str, settings: Settings) -> None:
    """A victim's inbox is not a target (per email, whoever asks), nor is our sending reputation (per address)."""
    limits = [
        Limit(throttle_key("reset", email), settings.PASSWORD_RESET_MAX_PER_EMAIL, 3600),
        Limit(throttle_key("reset-from", client_ip), settings.PASSWORD_RESET_MAX_PER_ADDRESS, 3600),
    ]
    spend(limits, utcnow(), "password reset requests", "reset_throttled")


def reset_mail(email: str, link: str, minutes: int, language: str = "en") -> Mail:
    """The mail with a reset link, in the account's language (English for any other)."""
    language = language if language in RESET_MAIL else "en"
    words, within = RESET_MAIL[language], mail_words.minutes(minutes, language)
    asked, open_, once = words["asked"], words["open"], words["once"]
    text = (
        f"{asked.format(email=email)}\n\n{open_.format(minutes=within)}\n{link}\n\n"
        f"{words['works_once']} {words['ignore']}"
    )
    safe_link, safe_email = html.escape(link, quote=True), html.escape(email)
    body = (
        f"<p>{asked.format(email=safe_email)}</p>"
        f'<p><a href="{safe_link}">{words["button"]}</a> {once.format(minutes=within)}</p>'
        f"<p>{words['ignore']}</p>"
    )
    return Mail(to=email, subject=words["subject"], text=text, html=body)


def request_reset(
    data: PasswordResetRequest, settings: Settings, client_ip: str, mailer: Callable[[], MailSender]
) -> Accepted:
    _throttle(data.email, client_ip, settings)
    answer_at = time.monotonic() + settings.PASSWORD_RESET_ANSWER_SECONDS
    try:
        with transaction() as s:
            found = s.execute(
                select(User.id, User.password_hash, User.language).where(User.email == data.email)
            ).first()
        if found is not None:
            token = tokens.issue_reset_token(found.id, found.password_hash, settings)
            # The token rides in the fragment: browsers never send it to a server, nor in a Referer.
            link = f"{settings.PUBLIC_BASE_URL.rstrip('/')}{RESET_PATH}#token={token}"
            try:
                mail = reset_mail(data.email, link, settings.PASSWORD_RESET_EXPIRE_MINUTES, found.language)
                message_id = mailer().send(mail)
                logs.log("password_reset_mailed", user_id=str(found.id), message_id=message_id)
            except Exception as exc:  # the same answer either way; the operator sees why in the log
                logs.error("password_reset_mail_failed", user_id=str(found.id), error=str(exc)[:300])
    finally:
        time.sleep(max(0.0, answer_at - time.monotonic()))
    return Accepted(message=ACCEPTED)


def reset_password(data: PasswordReset, settings: Settings) -> SessionOut:
    """The new password, if the link is genuine, unexpired and names the current password; every session ends."""
    named = tokens.read_reset_token(data.token, settings)
    if named is None:
        raise BadRequest(INVALID, "invalid_reset_token")
    user_id, fingerprint = named
    with transaction() as s:
        current = s.scalar(select(User.password_hash).where(User.id == user_id))
    if current is None or tokens.password_fingerprint(current) != fingerprint:
        raise BadRequest(INVALID, "invalid_reset_token")
    new_hash = passwords.hash_password(data.new_password, settings.BCRYPT_ROUNDS)
    with transaction() as s:
        user = s.scalar(
            update(User)
            .where(User.id == user_id, User.password_hash == current)  # two tabs using one link: the first wins
            .values(password_hash=new_hash, token_version=User.token_version + 1)
            .returning(User)
        )
        if user is None:
            raise BadRequest(INVALID, "invalid_reset_token")
        # Whoever locked the account with wrong guesses does not keep its owner out after a reset.
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == account_throttle_key(user.email)))
        session = session_for(user, settings)
    logs.log("password_reset", user_id=str(user_id))
    return session
