"""Throwaway test databases: a SQLite file, or a fresh PostgreSQL database created and dropped per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text

from common.store.migrate import upgrade
from common.store.models import Base

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
SKIP_PG = os.environ.get("TRANSCRIBE_SKIP_POSTGRES") == "1"


def postgres_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)


def postgres_problem() -> str | None:
    try:
        with psycopg.connect(postgres_admin_url(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {postgres_admin_url()} is not reachable: {exc}".strip()


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = postgres_admin_url()
    name = f"transcribe_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    url = f"{base}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    url = f"sqlite:///{directory / 'transcribe-test.db'}"
    upgrade(url)
    yield url


def wipe(engine: Engine) -> None:
    """Empty every table, fast, between tests."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
