"""full-text search over transcripts: a GIN index on PostgreSQL, an FTS5 table kept by triggers on SQLite

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 'simple': no stemming, so any language's words are found as spoken (the transcripts are in many languages).
PG_INDEX = "CREATE INDEX ix_transcripts_search ON transcripts USING GIN (to_tsvector('simple', text))"
SQLITE = [
    "CREATE VIRTUAL TABLE transcripts_fts USING fts5(text, content='transcripts', content_rowid='rowid',"
    " tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO transcripts_fts(rowid, text) SELECT rowid, text FROM transcripts",
    "CREATE TRIGGER transcripts_fts_insert AFTER INSERT ON transcripts BEGIN"
    " INSERT INTO transcripts_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER transcripts_fts_delete AFTER DELETE ON transcripts BEGIN"
    " INSERT INTO transcripts_fts(transcripts_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER transcripts_fts_update AFTER UPDATE OF text ON transcripts BEGIN"
    " INSERT INTO transcripts_fts(transcripts_fts, rowid, text) VALUES ('delete', old.rowid, old.text);"
    " INSERT INTO transcripts_fts(rowid, text) VALUES (new.rowid, new.text); END",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_INDEX)
    else:
        for statement in SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_transcripts_search")
    else:
        for name in ("transcripts_fts_insert", "transcripts_fts_delete", "transcripts_fts_update"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE transcripts_fts")
