"""voices: speaker identification asked per job, each speaker's embedding, and a per-user directory of named voices

Revision ID: 0020
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("transcription_jobs", sa.Column("speaker_identification", sa.JSON(), nullable=True))
    op.add_column("transcripts", sa.Column("speaker_embeddings", sa.JSON(), nullable=True))
    op.create_table(
        "voices",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("owner_id", "name", name="uq_voices_owner_name"),
    )
    op.create_table(
        "voice_uses",
        sa.Column(
            "job_id",
            sa.Uuid(),
            sa.ForeignKey("transcription_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("label", sa.String(16), primary_key=True),
        sa.Column("voice_id", sa.Uuid(), sa.ForeignKey("voices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("embedding", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_voice_uses_voice", "voice_uses", ["voice_id"])


def downgrade() -> None:
    op.drop_index("ix_voice_uses_voice", table_name="voice_uses")
    op.drop_table("voice_uses")
    op.drop_table("voices")
    with op.batch_alter_table("transcripts") as batch:
        batch.drop_column("speaker_embeddings")
    with op.batch_alter_table("transcription_jobs") as batch:
        batch.drop_column("speaker_identification")
