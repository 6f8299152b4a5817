"""statistics rollup: workers (supply per trade and district, people per day), months; worker.updated_at

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_supply",
        sa.Column("trade", sa.String(length=24), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("hired_day", sa.String(length=10), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("trade", "district", "hired_day", name=op.f("pk_stats_supply")),
    )
    op.create_table(
        "stats_supply_worker",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("trade", sa.String(length=24), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("hired_day", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", "trade", name=op.f("pk_stats_supply_worker")),
    )
    with op.batch_alter_table("stats_supply_worker", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stats_supply_worker_key", ["trade", "district", "hired_day"], unique=False
        )
    op.create_table(
        "stats_month",
        sa.Column("jobs", sa.Integer(), nullable=False),
        sa.Column("jobs_cancelled", sa.Integer(), nullable=False),
        sa.Column("slots_offered", sa.Integer(), nullable=False),
        sa.Column("slots_filled", sa.Integer(), nullable=False),
        sa.Column("wage_sum", sa.Integer(), nullable=False),
        sa.Column("wage_jobs", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("trade", sa.String(length=24), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("month", "trade", "district", name=op.f("pk_stats_month")),
    )
    op.create_table(
        "stats_people",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("hired", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "member", name=op.f("pk_stats_people")),
    )
    # the rollup is rebuilt from scratch, with its new tables and columns, by the next refresh
    op.execute("DELETE FROM stats_refresh")
    op.execute("DELETE FROM stats_worker")
    # recreated on SQLite: it cannot add a NOT NULL column without a default in place
    with op.batch_alter_table("stats_worker", schema=None, recreate="always") as batch_op:
        batch_op.add_column(sa.Column("applied_day", sa.String(length=10), nullable=False))
        batch_op.add_column(sa.Column("hired_day", sa.String(length=10), nullable=False))
        batch_op.add_column(sa.Column("member", sa.Boolean(), nullable=False))
        batch_op.create_index(
            "ix_stats_worker_applied_day", ["applied_day", "member"], unique=False
        )
        batch_op.create_index("ix_stats_worker_hired_day", ["hired_day", "member"], unique=False)
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_applied_at"), ["applied_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_decided_at"), ["decided_at"], unique=False)

    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))
    utc_now = (
        "now() AT TIME ZONE 'UTC'"
        if op.get_bind().dialect.name == "postgresql"
        else "CURRENT_TIMESTAMP"
    )
    op.execute(f"UPDATE worker SET updated_at = {utc_now}")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index("ix_worker_updated", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_updated")
        batch_op.drop_column("updated_at")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_decided_at"))
        batch_op.drop_index(batch_op.f("ix_membership_applied_at"))

    op.execute("DELETE FROM stats_refresh")  # rebuilt as 0005 knew it by the next staff read
    with op.batch_alter_table("stats_worker", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_worker_hired_day")
        batch_op.drop_index("ix_stats_worker_applied_day")
        batch_op.drop_column("member")
        batch_op.drop_column("hired_day")
        batch_op.drop_column("applied_day")
    op.drop_table("stats_people")
    op.drop_table("stats_month")
    with op.batch_alter_table("stats_supply_worker", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_supply_worker_key")
    op.drop_table("stats_supply_worker")
    op.drop_table("stats_supply")
