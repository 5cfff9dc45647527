"""A pooled connection the server dropped (restart, failover, a pooler's idle timeout, a container thawed after minutes)
costs the next request one retry on a fresh connection, not an error; nothing pings before every transaction."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import event, text

from common.store import db
from tests.api import signed_up
from tests.conftest import unique_email

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def invalidations(clean_db: str, database_url: str) -> Iterator[list[object]]:
    """Connections the pool threw away as dead, so a test can show it really met one."""
    assert database_url.startswith("postgresql")  # postgres_only: SQLite has no server to drop a connection
    seen: list[object] = []

    def record(_dbapi: object, _record: object, exc: object) -> None:
        seen.append(exc)

    event.listen(db.get_engine(), "invalidate", record)
    yield seen
    event.remove(db.get_engine(), "invalidate", record)


def _backend_pid() -> int:
    with db.read_transaction() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _drop(database_url: str, pid: int | None = None) -> None:
    """The server ends one backend (`pid`), or every other backend of the database."""
    which = "pid = %(pid)s" if pid is not None else "datname = current_database() AND pid <> pg_backend_pid()"
    with psycopg.connect(database_url, autocommit=True) as admin:
        ended = admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {which}", {"pid": pid})
        rows = ended.fetchall()
        assert rows and all(row == (True,) for row in rows)  # something was there to end, and it ended
        admin.execute("SELECT pg_sleep(0.05)")  # the backend's exit is asynchronous


@pytest.mark.parametrize("scope", ["read_transaction", "transaction"])
def test_a_dropped_pooled_connection_is_replaced_without_an_error(
    scope: str, database_url: str, invalidations: list[object]
) -> None:
    pid = _backend_pid()
    assert _backend_pid() == pid  # the pool hands back the same connection while warm
    _drop(database_url, pid)
    if scope == "transaction":
        with db.transaction() as session:
            new_pid = int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    else:
        new_pid = _backend_pid()
    assert new_pid != pid
    assert len(invalidations) == 1  # it did meet the dead connection, and threw it away once


def test_requests_after_the_server_dropped_every_connection_are_answered(
    database_url: str, invalidations: list[object]
) -> None:
    api = signed_up(unique_email())
    assert api.get("/api/v1/jobs").status == 200
    _drop(database_url)
    res = api.get("/api/v1/jobs")
    assert res.status == 200, res.text
    assert res.json["items"] == []
    assert api.post("/api/v1/auth/logout").status == 204  # a write after the drop commits too
    assert api.get("/api/v1/auth/me").status == 401
    assert invalidations


def test_an_error_that_is_not_a_lost_connection_is_not_retried(database_url: str, invalidations: list[object]) -> None:
    calls = []

    def fail_once() -> tuple[object, object]:
        calls.append(1)
        with db.read_transaction() as conn:
            conn.execute(text("SELECT 1 / 0"))
        raise AssertionError("unreachable")

    with pytest.raises(Exception, match="division by zero"):
        db._begun(fail_once)
    assert len(calls) == 1 and not invalidations
