"""provider slots: one row per parallel transcription, claimed with FOR UPDATE SKIP LOCKED instead of a global lock

Rows are added by the claims themselves, up to MAX_PARALLEL_TRANSCRIPTIONS; a slot is free when its job is not
processing, so nothing else writes here.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'provider_slots',
        sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('job_id', sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint('slot'),
    )


def downgrade() -> None:
    op.drop_table('provider_slots')
