"""the photo of an employer's business licence, which staff verify against

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29 15:50:00

Kept in the database (like a report's photo): every replica serves it, backups hold it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('employer_licence',
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.user_id'], name=op.f('fk_employer_licence_employer_id_employer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('employer_id', name=op.f('pk_employer_licence'))
    )


def downgrade() -> None:
    op.drop_table('employer_licence')
