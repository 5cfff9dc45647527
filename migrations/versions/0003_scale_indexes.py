"""indexes that keep lists, filters and the reconcile sweep flat as the jobs table grows

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = [
    ('ix_jobs_ready', ['created_at', 'id'], "status = 'pending'"),
    ('ix_jobs_processing_owner', ['owner_id'], "status = 'processing'"),
    ('ix_jobs_submitted_since', ['submitted_at'], "stage = 'submitted'"),
    ('ix_jobs_submitting_claimed', ['claimed_at'], "stage = 'submitting'"),
    ('ix_jobs_waiting_file', ['media_file_id'], "stage = 'waiting_for_upload'"),
]


def upgrade() -> None:
    op.drop_index('ix_jobs_status_stage', table_name='transcription_jobs')
    op.create_index('ix_jobs_owner_status_created', 'transcription_jobs', ['owner_id', 'status', 'created_at', 'id'])
    for name, columns, where in PARTIAL:
        op.create_index(
            name, 'transcription_jobs', columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where)
        )


def downgrade() -> None:
    for name, _, _ in PARTIAL:
        op.drop_index(name, table_name='transcription_jobs')
    op.drop_index('ix_jobs_owner_status_created', table_name='transcription_jobs')
    op.create_index('ix_jobs_status_stage', 'transcription_jobs', ['status', 'stage'])
