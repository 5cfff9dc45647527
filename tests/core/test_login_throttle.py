"""Sign-in throttling: per (account, client address) with an account-wide ceiling, reserved before bcrypt runs."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from common.domain.accounts import passwords
from tests.api import Api, signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.usefixtures("clean_db")
LOGIN = "/api/v1/auth/login"
RIGHT, WRONG = "the right password", "a wrong password"


def attempt(email: str, password: str, ip: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    res = Api(client_ip=ip).post(LOGIN, {"email": email, "password": password}, headers=headers)
    return res.status, res.headers


def test_a_guesser_cannot_lock_the_owner_out_from_another_address() -> None:
    email = unique_email()
    signed_up(email, RIGHT)
    assert [attempt(email, WRONG, "203.0.113.9")[0] for _ in range(6)] == [401] * 5 + [429]
    assert attempt(email, RIGHT, "203.0.113.9")[0] == 429  # that address waits, even with the right password
    assert attempt(email, RIGHT, "198.51.100.7")[0] == 200  # the owner, elsewhere, is not locked out


def test_a_throttled_answer_says_when_to_come_back() -> None:
    email = unique_email()
    for _ in range(5):
        attempt(email, WRONG, "203.0.113.9")
    status, headers = attempt(email, WRONG, "203.0.113.9")
    assert status == 429
    assert 800 < int(headers["retry-after"]) <= 900  # the rest of the 15-minute window, in seconds


def test_forwarded_for_headers_do_not_reset_the_address_limit() -> None:
    email = unique_email()
    statuses = [attempt(email, WRONG, "203.0.113.9", {"X-Forwarded-For": f"10.0.0.{i}"})[0] for i in range(7)]
    assert statuses == [401] * 5 + [429, 429]


def test_the_account_ceiling_holds_across_many_addresses() -> None:
    email = unique_email()
    signed_up(email, RIGHT)
    statuses = Counter(attempt(email, WRONG, f"198.51.100.{i // 4}")[0] for i in range(100))
    assert statuses == {401: 100}  # 4 per address never trips the per-address limit
    assert attempt(email, WRONG, "192.0.2.1")[0] == 429  # the 101st in the hour, from a fresh address
    assert attempt(email, RIGHT, "192.0.2.2")[0] == 429
    assert attempt(unique_email(), WRONG, "192.0.2.1")[0] == 401  # other accounts are unaffected


def test_concurrent_guesses_cost_at_most_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    email = unique_email()
    signed_up(email, RIGHT)
    hashed = Counter[str]()
    real_verify = passwords.verify_password

    def counting_verify(password: str, stored: str) -> bool:
        hashed["calls"] += 1
        return real_verify(password, stored)

    monkeypatch.setattr(passwords, "verify_password", counting_verify)
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def guess() -> None:
        barrier.wait()
        statuses.append(attempt(email, WRONG, "203.0.113.50")[0])

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(statuses) == {401: 5, 429: 35}
    assert hashed["calls"] == 5  # bcrypt ran for the five reserved attempts only
