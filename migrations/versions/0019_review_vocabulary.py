"""review mode: each job's count of uncertain words, and each user's vocabulary of terms and spellings

Revision ID: 0019
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("transcription_jobs", sa.Column("uncertain_words", sa.Integer(), nullable=True))
    op.create_table(
        "vocabulary_terms",
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("spellings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "position"),
        sa.UniqueConstraint("owner_id", "term", name="uq_vocabulary_owner_term"),
    )


def downgrade() -> None:
    op.drop_table("vocabulary_terms")
    with op.batch_alter_table("transcription_jobs") as batch:
        batch.drop_column("uncertain_words")
