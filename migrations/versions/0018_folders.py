"""folders: a user's folders of jobs, and each job's place in one

Revision ID: 0018
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "folders",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("owner_id", "name_key", name="uq_folders_owner_name_key"),
    )
    op.create_table(
        "folder_entries",
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("transcription_jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("folder_id", sa.Uuid(), sa.ForeignKey("folders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("job_created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_folder_entries_folder_created", "folder_entries", ["folder_id", "job_created_at", "job_id"])


def downgrade() -> None:
    op.drop_index("ix_folder_entries_folder_created", table_name="folder_entries")
    op.drop_table("folder_entries")
    op.drop_table("folders")
