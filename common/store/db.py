"""One SQLAlchemy engine per container (reused while warm) and the transaction scope every write goes through."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import RootTransaction, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction

from common.runtime.config import get_settings

_engine: Engine | None = None
# Yandex's root CA (https://storage.yandexcloud.net/cloud-certs/CA.pem, CN=YandexInternalRootCA, valid to 2033),
# shipped in every zip: managed PostgreSQL's certificates chain to it, and verify-full needs it as a file.
YANDEX_CA = __file__.rpartition("/")[0] + "/data/yandex-internal-root-ca.pem"


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

    connect_args: dict[str, Any] = {"prepare_threshold": None, "connect_timeout": 5, "application_name": "transcribe"}
    query = make_url(url).query
    if query.get("sslmode") in ("verify-ca", "verify-full") and "sslrootcert" not in query:
        connect_args["sslrootcert"] = YANDEX_CA  # a URL naming its own CA file keeps it
    eng = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: the first statement of every transaction is its liveness check (see `_begun`), which saves
        # the round trip a `SELECT 1` per checkout would cost.
        pool_recycle=300,
        # Prepared statements break behind a transaction-mode pooler (Odyssey/PgBouncer).
        connect_args=connect_args,
        json_serializer=json_text,
    )

    @event.listens_for(eng, "begin")
    def _transaction_settings(conn: Any) -> None:
        # SET LOCAL holds for this transaction only, so it is right behind a transaction pooler too. In UTC, psycopg
        # hands timestamps back in `datetime.UTC`, the zone the API writes, so no value needs converting (a page of
        # jobs has 100); the server's default zone (Etc/UTC here, a cluster's own setting in the cloud) does not matter.
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}; SET LOCAL TimeZone = 'UTC'")

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


def _begun[T](open_: Callable[[], tuple[T, Any]]) -> tuple[T, Any]:
    """Open a transaction and send its first statement (the `begin` hook's SET LOCAL, or SQLite's BEGIN IMMEDIATE).

    That statement is the connection's liveness check. A pooled connection can be dead after the container was frozen,
    the server restarted or a pooler dropped it; if so, nothing of this transaction reached the server and the pool
    has invalidated its connections, so one more try on a fresh connection is safe. This replaces SQLAlchemy's
    pre-ping, which spent a `SELECT 1` round trip on every checkout to learn the same.
    """
    try:
        return open_()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return open_()


def _session_begun() -> tuple[Session, SessionTransaction]:
    session = Session(get_engine(), expire_on_commit=False)
    try:
        tx = session.begin()
        session.connection()  # the Session's transaction is lazy: begin it now, where a dead connection can be retried
    except BaseException:
        session.close()
        raise
    return session, tx


def _connection_begun() -> tuple[Connection, RootTransaction]:
    conn = get_engine().connect()
    try:
        return conn, conn.begin()
    except BaseException:
        conn.close()
        raise


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    session, tx = _begun(_session_begun)
    with session, tx:
        yield session


@contextmanager
def read_transaction() -> Iterator[Connection]:
    """A Core connection in one transaction (committed on success, rolled back on any error), for hot reads that
    need no ORM objects: no Session, no identity map, rows as tuples."""
    conn, tx = _begun(_connection_begun)
    with conn, tx:
        yield conn
