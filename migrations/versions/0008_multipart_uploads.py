"""multipart uploads: a media file may be uploaded in parts

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('media_files', sa.Column('multipart_upload_id', sa.String(length=1024), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('media_files') as batch:
        batch.drop_column('multipart_upload_id')
