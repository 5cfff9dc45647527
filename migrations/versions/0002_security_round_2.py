"""security round 2: per-address login throttles, token versions (sign-out everywhere), immutable stored media, idempotency records

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Throttle rows are short-lived counters: the new keying starts from empty.
    op.drop_table('login_throttles')
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.add_column('users', sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('transcription_jobs', sa.Column('error_retryable', sa.Boolean(), nullable=True))
    op.add_column('media_files', sa.Column('stored_key', sa.String(length=1024), nullable=True))
    op.create_index('uq_media_files_stored_key', 'media_files', ['stored_key'], unique=True)
    op.create_table('idempotency_records',
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('operation', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('owner_id', 'key')
    )


def downgrade() -> None:
    op.drop_table('idempotency_records')
    op.drop_index('uq_media_files_stored_key', table_name='media_files')
    with op.batch_alter_table('media_files') as batch:
        batch.drop_column('stored_key')
    with op.batch_alter_table('transcription_jobs') as batch:
        batch.drop_column('error_retryable')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('token_version')
    op.drop_table('login_throttles')
    op.create_table('login_throttles',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('email')
    )
