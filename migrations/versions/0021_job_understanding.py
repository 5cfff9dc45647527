"""job understanding: redaction, translation and entities asked per job, their results, the redacted recording's copy

Revision ID: 0021
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "redacted_audio = 'pending'"


def upgrade() -> None:
    op.create_table(
        "job_understanding",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("redact_policies", sa.JSON(), nullable=True),
        sa.Column("redact_sub", sa.String(length=16), nullable=True),
        sa.Column("redact_audio", sa.Boolean(), nullable=False),
        sa.Column("translation_targets", sa.JSON(), nullable=False),
        sa.Column("entity_detection", sa.Boolean(), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=True),
        sa.Column("translated_lines", sa.JSON(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_transcript_id", sa.String(length=64), nullable=True),
        sa.Column("redacted_audio", sa.String(length=16), nullable=True),
        sa.Column("redacted_key", sa.String(length=1024), nullable=True),
        sa.Column("copy_claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("copy_attempts", sa.Integer(), nullable=False),
        sa.Column("copy_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "redacted_audio IS NULL OR redacted_audio IN ('pending', 'copied', 'unavailable')",
            name="ck_job_understanding_redacted_audio",
        ),
        sa.ForeignKeyConstraint(["job_id"], ["transcription_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index(
        "ix_job_understanding_pending_copy",
        "job_understanding",
        ["result_at"],
        postgresql_where=sa.text(PENDING),
        sqlite_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_job_understanding_pending_copy", table_name="job_understanding")
    op.drop_table("job_understanding")
