"""One SQLAlchemy engine per container (reused while warm) and the transaction scope every write goes through."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from common.config import get_settings

_engine: Engine | None = None


def normalise_url(url: str) -> str:
    """psycopg 3 for every PostgreSQL URL spelling; everything else as given."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def json_text(value: Any) -> str:
    """JSON columns' serializer: pydantic-core's encoder, ~3x the standard library's on a transcript's ~1 MB."""
    from pydantic_core import to_json

    return to_json(value).decode()


def build_engine(url: str, *, pool_size: int = 2, statement_timeout_ms: int = 10_000) -> Engine:
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        eng = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
            json_serializer=json_text,
        )

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(eng, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock up front: a read that later upgrades to a write can fail under WAL.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return eng

    eng = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,  # a restarted server or a pooler that dropped us costs one retry, not an error
        pool_recycle=300,
        # Prepared statements break behind a transaction-mode pooler (Odyssey/PgBouncer).
        connect_args={"prepare_threshold": None, "connect_timeout": 5, "application_name": "transcribe"},
        json_serializer=json_text,
    )

    @event.listens_for(eng, "begin")
    def _timeout(conn: Any) -> None:
        # SET LOCAL holds for this transaction only, so it is right behind a transaction pooler too.
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}")

    return eng


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        s = get_settings()
        _engine = build_engine(s.DATABASE_URL, pool_size=s.DB_POOL_SIZE, statement_timeout_ms=s.DB_STATEMENT_TIMEOUT_MS)
    return _engine


def reset_engine() -> None:
    """Forget the engine (after settings change, e.g. a new DATABASE_URL in a long-lived process)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_transaction() -> Iterator[Connection]:
    """A Core connection in one transaction (committed on success, rolled back on any error), for hot reads that
    need no ORM objects: no Session, no identity map, rows as tuples."""
    with get_engine().begin() as conn:
        yield conn
