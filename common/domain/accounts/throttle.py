"""Attempt counters in the database (sign-ins, reset requests): fixed windows, taken before the expensive work."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.orm import Session

from common.domain.errors import TooManyRequests
from common.store.db import transaction
from common.store.dialect import insert_ignore
from common.store.models import LoginThrottle


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window_s: int


def throttle_key(*parts: str) -> str:
    """A counter's key: hashed, so the table holds no email or address in the clear."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def reserve(s: Session, limit: Limit, now: datetime) -> int:
    """Takes one attempt from the counter in a single conditional UPDATE; 0, or the seconds until one is free.

    Reserving before bcrypt runs (and not counting after) is what keeps N concurrent guesses at the limit.
    """
    s.execute(insert_ignore(s, LoginThrottle, {"key": limit.key, "failures": 0, "window_started_at": now}))
    expired = LoginThrottle.window_started_at <= now - timedelta(seconds=limit.window_s)
    taken = s.scalar(
        update(LoginThrottle)
        .where(LoginThrottle.key == limit.key, or_(expired, LoginThrottle.failures < limit.limit))
        .values(
            failures=case((expired, 1), else_=LoginThrottle.failures + 1),
            window_started_at=case((expired, now), else_=LoginThrottle.window_started_at),
        )
        .returning(LoginThrottle.failures)
    )
    if taken is not None:
        return 0
    started = s.scalar(select(LoginThrottle.window_started_at).where(LoginThrottle.key == limit.key)) or now
    return max(1, math.ceil((started + timedelta(seconds=limit.window_s) - now).total_seconds()))


def spend(limits: list[Limit], now: datetime, what: str, code: str) -> None:
    """One attempt from each counter, in one transaction; 429 naming the wait (and none spent) when any is used up."""
    with transaction() as s:
        for limit in limits:
            wait = reserve(s, limit, now)
            if wait:  # raising rolls back whatever this attempt reserved already
                minutes = max(1, (wait + 59) // 60)
                raise TooManyRequests(
                    f"too many {what}; try again in {minutes} minute(s)", code, headers={"Retry-After": str(wait)}
                )


def release(pair: Limit, ceiling: Limit) -> None:
    """A correct secret: this (name, address) pair starts afresh, and the name's ceiling gets its attempt back."""
    with transaction() as s:
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == pair.key))
        s.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == ceiling.key, LoginThrottle.failures > 0)
            .values(failures=LoginThrottle.failures - 1)
        )
