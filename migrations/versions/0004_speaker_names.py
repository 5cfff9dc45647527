"""speaker names: the user's names for a transcript's speaker labels

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json_doc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    op.add_column('transcripts', sa.Column('speaker_names', json_doc, server_default='{}', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('transcripts') as batch:
        batch.drop_column('speaker_names')
