"""purge indexes: user_session.created_at and last_seen_at, for the purge of expired sessions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00

The idempotency keys' created_at is indexed since 0005. Creating an index does not copy the
table, even in SQLite batch mode.
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_session_last_seen_at'), ['last_seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_user_session_created_at'))
