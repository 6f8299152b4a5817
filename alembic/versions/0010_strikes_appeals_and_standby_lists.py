"""strikes, appeals and standby lists

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 12:53:43

New tables only. No strike is written for call-offs and no-shows before this migration:
they were never announced as strikes (market/reliability/service.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('standby',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('offered_at', sa.DateTime(), nullable=True),
    sa.Column('offer_deadline', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_standby_application_id_application')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_standby_job_id_job')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_standby_worker_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standby')),
    sa.UniqueConstraint('job_id', 'worker_id', name=op.f('uq_standby_job_id'))
    )
    with op.batch_alter_table('standby', schema=None) as batch_op:
        batch_op.create_index('ix_standby_job_status', ['job_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_standby_status_deadline', ['status', 'offer_deadline'], unique=False)
        batch_op.create_index('ix_standby_worker', ['worker_id', 'status'], unique=False)

    op.create_table('strike',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('hours_before', sa.Float(), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_strike_application_id_application')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_strike_job_id_job')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_strike_worker_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strike')),
    sa.UniqueConstraint('application_id', name=op.f('uq_strike_application_id'))
    )
    with op.batch_alter_table('strike', schema=None) as batch_op:
        batch_op.create_index('ix_strike_worker', ['worker_id', 'occurred_at'], unique=False)

    op.create_table('strike_appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('strike_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], name=op.f('fk_strike_appeal_decided_by_user')),
    sa.ForeignKeyConstraint(['strike_id'], ['strike.id'], name=op.f('fk_strike_appeal_strike_id_strike')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_strike_appeal_worker_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strike_appeal')),
    sa.UniqueConstraint('strike_id', name=op.f('uq_strike_appeal_strike_id'))
    )
    with op.batch_alter_table('strike_appeal', schema=None) as batch_op:
        batch_op.create_index('ix_strike_appeal_status', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_strike_appeal_worker_id'), ['worker_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('strike_appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strike_appeal_worker_id'))
        batch_op.drop_index('ix_strike_appeal_status')

    op.drop_table('strike_appeal')
    with op.batch_alter_table('strike', schema=None) as batch_op:
        batch_op.drop_index('ix_strike_worker')

    op.drop_table('strike')
    with op.batch_alter_table('standby', schema=None) as batch_op:
        batch_op.drop_index('ix_standby_worker')
        batch_op.drop_index('ix_standby_status_deadline')
        batch_op.drop_index('ix_standby_job_status')

    op.drop_table('standby')
