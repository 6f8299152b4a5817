"""invites, blocks and the rehire list

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29 15:38:51

An employer invites a worker to a job (one invite per worker and job); either side may
block the other; an employer keeps a list of workers to rehire (常用工友).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rehire',
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['user.id'], name=op.f('fk_rehire_employer_id_user')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_rehire_worker_id_user')),
    sa.PrimaryKeyConstraint('employer_id', 'worker_id', name=op.f('pk_rehire'))
    )
    with op.batch_alter_table('rehire', schema=None) as batch_op:
        batch_op.create_index('ix_rehire_worker', ['worker_id'], unique=False)

    op.create_table('user_block',
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['blocked_id'], ['user.id'], name=op.f('fk_user_block_blocked_id_user')),
    sa.ForeignKeyConstraint(['blocker_id'], ['user.id'], name=op.f('fk_user_block_blocker_id_user')),
    sa.PrimaryKeyConstraint('blocker_id', 'blocked_id', name=op.f('pk_user_block'))
    )
    with op.batch_alter_table('user_block', schema=None) as batch_op:
        batch_op.create_index('ix_user_block_blocked', ['blocked_id'], unique=False)

    op.create_table('job_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_job_invite_application_id_application')),
    sa.ForeignKeyConstraint(['employer_id'], ['user.id'], name=op.f('fk_job_invite_employer_id_user')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_job_invite_job_id_job')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_job_invite_worker_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_invite')),
    sa.UniqueConstraint('job_id', 'worker_id', name=op.f('uq_job_invite_job_id'))
    )
    with op.batch_alter_table('job_invite', schema=None) as batch_op:
        batch_op.create_index('ix_job_invite_job_status', ['job_id', 'status'], unique=False)
        batch_op.create_index('ix_job_invite_worker_status', ['worker_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('job_invite', schema=None) as batch_op:
        batch_op.drop_index('ix_job_invite_worker_status')
        batch_op.drop_index('ix_job_invite_job_status')

    op.drop_table('job_invite')
    with op.batch_alter_table('user_block', schema=None) as batch_op:
        batch_op.drop_index('ix_user_block_blocked')

    op.drop_table('user_block')
    with op.batch_alter_table('rehire', schema=None) as batch_op:
        batch_op.drop_index('ix_rehire_worker')

    op.drop_table('rehire')
