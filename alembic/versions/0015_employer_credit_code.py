"""an employer's unified social credit code, or that they hire as a private person

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 14:10:00

Existing employers have stated neither: staff can verify them again once they do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_code', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('private_person', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_column('private_person')
        batch_op.drop_column('credit_code')
