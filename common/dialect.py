"""The few statements whose SQL differs between PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable


def insert_ignore(s: Session, model: Any, values: dict[str, Any]) -> Executable:
    """INSERT … ON CONFLICT DO NOTHING: concurrent first writers must not fail each other."""
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(**values).on_conflict_do_nothing()
