"""The few statements whose SQL differs between PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable


def insert_ignore(s: Session, model: Any, values: dict[str, Any] | list[dict[str, Any]]) -> Executable:
    """INSERT … ON CONFLICT DO NOTHING (one row, or several in one statement): concurrent first writers must not fail
    each other."""
    # Imported here: each dialect package costs ~20 ms of a cold start, and a container only ever uses one.
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model).values(values).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model).values(values).on_conflict_do_nothing()
