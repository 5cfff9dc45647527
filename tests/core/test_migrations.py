"""The schema comes from migrations alone, and the models agree with it (no autogenerate drift)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from common.store.db import normalise_url
from common.store.models import Base


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """The search index is DDL of its own (PostgreSQL's generated vector and its GIN index, an FTS5 table and its
    shadow tables)."""
    return not (name or "").startswith(("transcripts_fts", "ix_transcripts_search", "search_vector"))


def test_migrations_build_every_table_and_models_match(database_url: str) -> None:
    engine = create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert {t.name for t in Base.metadata.sorted_tables} <= tables
            assert "alembic_version" in tables
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        engine.dispose()
