"""the work record is append-only in the database too, not only in the service

Revision ID: 0020
Revises: 0015
Create Date: 2026-11-29 16:00:00

Attendance entries, payments and the other side's answers are the evidence of a wage dispute.
The service only ever inserts them (a wrong time is put right by a correction row, a wrong
payment is disputed); these triggers make the database refuse an UPDATE or DELETE of such a
row from anywhere else too: a hand-run SQL statement, a future bug, a careless script.

SQLite drops a table's triggers when a batch migration rebuilds the table: a later migration
that alters one of these tables on SQLite must create them again (the test
tests/alembic/test_append_only.py checks them at head on both databases).
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0020'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('attendance', 'payment', 'work_answer')
MESSAGE = 'the work record is append-only: put a wrong entry right with a new one'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION work_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME"
            " USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
        for table in TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{table}"'
                ' FOR EACH ROW EXECUTE FUNCTION work_record_append_only()'
            )
        return
    for table in TABLES:
        for action in ('update', 'delete'):
            op.execute(
                f'CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON "{table}"'
                f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER {table}_append_only ON "{table}"')
        op.execute('DROP FUNCTION work_record_append_only()')
        return
    for table in TABLES:
        for action in ('update', 'delete'):
            op.execute(f'DROP TRIGGER {table}_no_{action}')
