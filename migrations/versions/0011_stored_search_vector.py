"""transcript search: a stored search vector on PostgreSQL, indexed, instead of an index on an expression

The GIN index on `to_tsvector('simple', text)` found a word's transcripts, but every other way of reading a match
computed the vector again from the text: the newest-first walk that common words take, and any plan the planner
preferred to the index. For a 30-minute transcript (~5,000 words) that is ~3 ms a row: 1.3 s for a word said in 1
transcript in 20, 3 s for a name when a small table made a sequential scan look cheaper (bench/search_long.py). A
generated column holds the vector, computed once when the text is written or edited; the index is on that column.
SQLite's FTS5 table is unchanged.

Adding a stored generated column rewrites the table (under an exclusive lock).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_transcripts_search")
    op.execute(
        "ALTER TABLE transcripts ADD COLUMN search_vector tsvector"
        " GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED"
    )
    op.execute("CREATE INDEX ix_transcripts_search ON transcripts USING GIN (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_transcripts_search")
    op.execute("ALTER TABLE transcripts DROP COLUMN search_vector")
    op.execute("CREATE INDEX ix_transcripts_search ON transcripts USING GIN (to_tsvector('simple', text))")
