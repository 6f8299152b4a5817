"""station-staff accounts tied to a station, and workers registered there with consent

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('station_staff',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_station_staff_created_by_user')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_station_staff_station_id_station')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_station_staff_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_station_staff'))
    )
    with op.batch_alter_table('station_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_staff_station_id'), ['station_id'], unique=False)

    op.create_table('assisted_worker',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registered_by'], ['user.id'], name=op.f('fk_assisted_worker_registered_by_user')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_assisted_worker_station_id_station')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_assisted_worker_worker_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_assisted_worker'))
    )
    with op.batch_alter_table('assisted_worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assisted_worker_station_id'), ['station_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assisted_worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assisted_worker_station_id'))
    op.drop_table('assisted_worker')
    with op.batch_alter_table('station_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_staff_station_id'))
    op.drop_table('station_staff')
