"""work record: attendance, payments, answers, posting holds; report.work_record_id

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:37:45

SQLite alters `report` in batch mode (a copy of the table); PostgreSQL in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('posting_hold',
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('placed_by', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['user.id'], name=op.f('fk_posting_hold_employer_id_user')),
    sa.ForeignKeyConstraint(['placed_by'], ['user.id'], name=op.f('fk_posting_hold_placed_by_user')),
    sa.PrimaryKeyConstraint('employer_id', name=op.f('pk_posting_hold'))
    )
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('check_in', 'check_out')", name=op.f('ck_attendance_kind')),
    sa.CheckConstraint('accuracy_m IS NULL OR accuracy_m >= 0', name=op.f('ck_attendance_accuracy')),
    sa.CheckConstraint('revision >= 0', name=op.f('ck_attendance_revision')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_attendance_application_id_application')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_attendance_job_id_job')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], name=op.f('fk_attendance_recorded_by_user')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_attendance_worker_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('application_id', 'kind', 'revision', name=op.f('uq_attendance_application_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_job', ['job_id', 'worker_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("method IN ('cash', 'wechat', 'alipay', 'bank')", name=op.f('ck_payment_method')),
    sa.CheckConstraint('amount > 0 AND amount <= 20000', name=op.f('ck_payment_amount')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_payment_application_id_application')),
    sa.ForeignKeyConstraint(['employer_id'], ['user.id'], name=op.f('fk_payment_employer_id_user')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_payment_job_id_job')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], name=op.f('fk_payment_recorded_by_user')),
    sa.ForeignKeyConstraint(['worker_id'], ['user.id'], name=op.f('fk_payment_worker_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_worker_id'), ['worker_id'], unique=False)

    op.create_table('work_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('received', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('answered_by', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("verdict IN ('confirmed', 'disputed')", name=op.f('ck_work_answer_verdict')),
    sa.CheckConstraint('(attendance_id IS NULL AND payment_id IS NOT NULL) OR (attendance_id IS NOT NULL AND payment_id IS NULL)', name=op.f('ck_work_answer_one_subject')),
    sa.CheckConstraint('received IS NULL OR received >= 0', name=op.f('ck_work_answer_received')),
    sa.ForeignKeyConstraint(['answered_by'], ['user.id'], name=op.f('fk_work_answer_answered_by_user')),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendance.id'], name=op.f('fk_work_answer_attendance_id_attendance')),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], name=op.f('fk_work_answer_payment_id_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_answer')),
    sa.UniqueConstraint('attendance_id', name=op.f('uq_work_answer_attendance_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_work_answer_payment_id'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_record_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_report_work_record_id'), ['work_record_id'])
        batch_op.create_foreign_key(batch_op.f('fk_report_work_record_id_application'), 'application', ['work_record_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_work_record_id_application'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_report_work_record_id'), type_='unique')
        batch_op.drop_column('work_record_id')

    op.drop_table('work_answer')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_worker_id'))
        batch_op.drop_index(batch_op.f('ix_payment_job_id'))
        batch_op.drop_index(batch_op.f('ix_payment_employer_id'))
        batch_op.drop_index(batch_op.f('ix_payment_application_id'))

    op.drop_table('payment')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_job')

    op.drop_table('attendance')
    op.drop_table('posting_hold')
