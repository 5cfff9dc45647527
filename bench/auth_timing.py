"""Login timing for an existing vs an unknown email (production bcrypt cost), to show no enumeration by time.

Run: .venv/bin/python bench/auth_timing.py [--rounds 12] [--samples 30]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
import uuid

from harness import postgres_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    with postgres_database() as url:
        from common.domain.accounts.jwks import new_private_key_pem

        os.environ.update({"DATABASE_URL": url, "JWT_PRIVATE_KEY": new_private_key_pem(), "JWT_KEY_ID": "bench"})
        from common.domain.accounts import accounts
        from common.domain.errors import Unauthorized
        from common.domain.schemas import Login, Registration
        from common.runtime.config import get_settings, with_changes
        from common.store.migrate import upgrade

        upgrade(url)
        settings = with_changes(get_settings(), BCRYPT_ROUNDS=args.rounds, LOGIN_MAX_FAILURES=10**6)
        email = f"known-{uuid.uuid4().hex[:6]}@example.com"
        accounts.register(Registration(email=email, password="the right password"), settings)

        def timed(address: str) -> float:
            start = time.perf_counter()
            with contextlib.suppress(Unauthorized):
                accounts.login(Login(email=address, password="a wrong password"), settings)
            return (time.perf_counter() - start) * 1000

        timed(email)
        known = [timed(email) for _ in range(args.samples)]
        unknown = [timed(f"nobody-{uuid.uuid4().hex[:8]}@example.com") for _ in range(args.samples)]
    k, u = statistics.median(known), statistics.median(unknown)
    print(
        f"bcrypt {args.rounds} rounds, {args.samples} samples each (medians): existing email {k:.1f} ms, "
        f"unknown email {u:.1f} ms, gap {abs(k - u):.1f} ms ({abs(k - u) / k * 100:.1f}%)"
    )


if __name__ == "__main__":
    main()
