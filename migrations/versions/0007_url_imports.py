"""url imports: a media file may be a public URL the provider fetches

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('media_files', sa.Column('source_url', sa.String(length=2048), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('media_files') as batch:
        batch.drop_column('source_url')
