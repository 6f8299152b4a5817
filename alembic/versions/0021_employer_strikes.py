"""employers' late call-offs are strikes that expire

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 16:20:00

An employer's late call-offs were a lifetime counter; now each is a strike with its time,
that stops counting after three of the employer's jobs were worked, as a worker's does.
Earlier call-offs stay in the counter only: they were never announced as strikes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('employer_strike',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('hired', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('hours_before', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_employer_strike_application_id_application')),
    sa.ForeignKeyConstraint(['employer_id'], ['user.id'], name=op.f('fk_employer_strike_employer_id_user')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_employer_strike_job_id_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_strike'))
    )
    with op.batch_alter_table('employer_strike', schema=None) as batch_op:
        batch_op.create_index('ix_employer_strike_employer', ['employer_id', 'occurred_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('employer_strike', schema=None) as batch_op:
        batch_op.drop_index('ix_employer_strike_employer')

    op.drop_table('employer_strike')
