"""the SMS switch of a user's notification channels

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 14:05:00

Existing users get SMS on: important messages reach them by text when push cannot.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notify_preference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('notify_preference', schema=None) as batch_op:
        batch_op.drop_column('sms')
