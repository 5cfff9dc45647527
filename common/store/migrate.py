"""Bring a database to the latest schema with Alembic (local start-up, tests, and the cloud's `migrate` function).

Safe to run twice at once: on PostgreSQL the whole upgrade runs in ONE transaction that first takes a transaction-level
advisory lock, so a second run waits, then finds the schema at head and does nothing. Transaction-level, because the
cloud database sits behind Odyssey in transaction pooling mode, where a session-level lock could be taken on one server
connection and released on another. SQLite needs no lock (one file, one writer, BEGIN IMMEDIATE).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
# Files the upgrade reads by path, relative to ROOT: a deploy zip of any function that imports this module carries them
# (scripts/build_functions.py reads this tuple; their Python files count for the zip's requirements too).
BUNDLED_FILES = ("alembic.ini", "migrations")
# pg_advisory_xact_lock key: any constant the application uses for nothing else ("transcri" in ASCII, as an int64).
ADVISORY_LOCK_KEY = int.from_bytes(b"transcri", "big") & 0x7FFF_FFFF_FFFF_FFFF
# A migration may wait for another one (the lock) and rewrite tables: far beyond the request-sized default timeout.
STATEMENT_TIMEOUT_MS = 15 * 60 * 1000


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def head_revision(database_url: str = "sqlite://") -> str | None:
    """The newest revision in migrations/ (no database is touched)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def upgrade(database_url: str, revision: str = "head") -> str | None:
    """Upgrade to `revision`; returns the revision the database is at afterwards."""
    from alembic import command
    from alembic.migration import MigrationContext

    from common.store.db import build_engine

    cfg = alembic_config(database_url)
    engine = build_engine(database_url, pool_size=1, statement_timeout_ms=STATEMENT_TIMEOUT_MS)
    try:
        if engine.dialect.name != "postgresql":
            command.upgrade(cfg, revision)  # migrations/env.py opens its own connection
            with engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        with engine.connect() as conn, conn.begin():  # lock, migrations and the version row commit together
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
            cfg.attributes["connection"] = conn  # env.py migrates on this connection, inside this transaction
            command.upgrade(cfg, revision)
            current = MigrationContext.configure(conn).get_current_revision()
        return current
    finally:
        engine.dispose()
