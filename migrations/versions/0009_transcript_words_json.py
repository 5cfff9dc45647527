"""transcript words and utterances: json (stored as sent, lz4-compressed) on PostgreSQL instead of jsonb

A 30-minute transcript's words and utterances are ~1 MB of JSON. Nothing queries inside them (search reads `text`), and
they are written once per job and read whole: as jsonb, PostgreSQL parsed every document into its binary form and
printed it back on every read, and pglz-compressed it on write (together ~25 ms a webhook, bench/webhooks.py). json
keeps the text as given; lz4 compresses it in ~1 ms. SQLite stores JSON as text already: nothing changes there.

The type change rewrites the table (under an exclusive lock), lz4-compressing what it rewrites.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("words", "utterances")


def _has_lz4() -> bool:
    """Whether columns can be lz4-compressed here (PostgreSQL 14+, built with lz4)."""
    return bool(
        op.get_bind()
        .exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))"
        )
        .scalar()
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    clauses = [f"ALTER COLUMN {c} TYPE json USING {c}::json" for c in COLUMNS]
    if _has_lz4():  # first, in the same statement: the rewrite the type change makes then compresses with lz4
        clauses = [f"ALTER COLUMN {c} SET COMPRESSION lz4" for c in COLUMNS] + clauses
    op.execute(f"ALTER TABLE transcripts {', '.join(clauses)}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    clauses = [f"ALTER COLUMN {c} TYPE jsonb USING {c}::jsonb" for c in COLUMNS]
    if _has_lz4():
        clauses = [f"ALTER COLUMN {c} SET COMPRESSION default" for c in COLUMNS] + clauses
    op.execute(f"ALTER TABLE transcripts {', '.join(clauses)}")
