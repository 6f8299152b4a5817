"""the learning loop: feed impressions, weights versions, workers' own taste

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 16:30:00

What a worker's feed showed (first page, once per worker, job and day, purged after 90
days), the ranking's weights versions fitted by `linggong learn` (at most one live), and
each worker's own split of distance against pay once they have enough history.
(Asked for down_revision 0015; main's head is 0021 now, so it follows that.)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('learning_impression',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shown_at', sa.DateTime(), nullable=False),
    sa.Column('slot', sa.SmallInteger(), nullable=False),
    sa.Column('rank', sa.SmallInteger(), nullable=False),
    sa.Column('propensity', sa.Float(), nullable=False),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('weights_id', sa.Integer(), nullable=True),
    sa.Column('opened', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_impression')),
    sa.UniqueConstraint('worker_id', 'job_id', 'day', name='uq_learning_impression_once')
    )
    with op.batch_alter_table('learning_impression', schema=None) as batch_op:
        batch_op.create_index('ix_learning_impression_shown', ['shown_at'], unique=False)

    op.create_table('learning_weights',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('switched_by', sa.String(length=40), nullable=False),
    sa.Column('switched_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_weights'))
    )
    with op.batch_alter_table('learning_weights', schema=None) as batch_op:
        batch_op.create_index('ix_learning_weights_live', ['live'], unique=False)

    op.create_table('learning_worker_taste',
    sa.Column('worker_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('distance_share', sa.Float(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('fitted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_learning_worker_taste'))
    )


def downgrade() -> None:
    op.drop_table('learning_worker_taste')
    with op.batch_alter_table('learning_weights', schema=None) as batch_op:
        batch_op.drop_index('ix_learning_weights_live')

    op.drop_table('learning_weights')
    with op.batch_alter_table('learning_impression', schema=None) as batch_op:
        batch_op.drop_index('ix_learning_impression_shown')

    op.drop_table('learning_impression')
