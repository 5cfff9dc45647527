"""Alembic environment: the models' metadata, and the database from DATABASE_URL or the caller's connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from common.runtime.config import get_settings
from common.store.db import build_engine
from common.store.models import Base

target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves the search index alone: raw DDL of migration 0005, not part of the models."""
    return not (name or "").startswith(("transcripts_fts", "ix_transcripts_search"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().DATABASE_URL
    engine = build_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run()
