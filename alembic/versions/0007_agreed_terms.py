"""agreed terms: each application keeps the terms its worker accepted; the union's wage floor

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# application column <- the job's column it is backfilled from
AGREED = {
    "agreed_wage": "wage",
    "agreed_start_at": "start_at",
    "agreed_end_at": "end_at",
    "agreed_address": "address",
    "agreed_lat": "lat",
    "agreed_lon": "lon",
    "agreed_trade": "trade",
}
AGREED_TYPES = {
    "agreed_wage": sa.Integer(),
    "agreed_start_at": sa.DateTime(),
    "agreed_end_at": sa.DateTime(),
    "agreed_address": sa.String(length=200),
    "agreed_lat": sa.Float(),
    "agreed_lon": sa.Float(),
    "agreed_trade": sa.String(length=24),
    "terms_version": sa.Integer(),
    "terms_accepted_at": sa.DateTime(),
}
HIRED = "('confirmed', 'completed', 'no_show')"


def upgrade() -> None:
    op.create_table(
        "wage_floor",
        sa.Column("trade", sa.String(length=24), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("daily_wage", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["set_by"], ["user.id"], name=op.f("fk_wage_floor_set_by_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wage_floor")),
        sa.UniqueConstraint("trade", "district", name=op.f("uq_wage_floor_trade")),
    )
    op.create_table(
        "wage_floor_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trade", sa.String(length=24), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("wage", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["user.id"], name=op.f("fk_wage_floor_refusal_employer_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_wage_floor_refusal_job_id_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wage_floor_refusal")),
    )
    with op.batch_alter_table("wage_floor_refusal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wage_floor_refusal_employer_id"), ["employer_id"], unique=False
        )
        batch_op.create_index(
            "ix_wage_floor_refusal_when", ["created_at", "trade", "district"], unique=False
        )

    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms_version", sa.Integer(), nullable=True))
    op.execute("UPDATE job SET terms_version = 1")

    with op.batch_alter_table("application", schema=None) as batch_op:
        for name, type_ in AGREED_TYPES.items():
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column("confirmed_wage", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_terms_version", sa.Integer(), nullable=True))
    # what each worker saw is not known: the job's terms as they stand now, accepted when
    # the worker applied; hires were confirmed on them
    copied = ", ".join(
        f"{column} = (SELECT job.{source} FROM job WHERE job.id = application.job_id)"
        for column, source in AGREED.items()
    )
    op.execute(
        f"UPDATE application SET {copied}, terms_version = 1, terms_accepted_at = created_at"
    )
    op.execute(
        "UPDATE application SET confirmed_wage = agreed_wage, confirmed_terms_version = 1 "
        f"WHERE status IN {HIRED}"
    )

    with op.batch_alter_table("application", schema=None) as batch_op:
        for name, type_ in AGREED_TYPES.items():
            batch_op.alter_column(name, existing_type=type_, nullable=False)
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.alter_column("terms_version", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("terms_version")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("confirmed_terms_version")
        batch_op.drop_column("confirmed_wage")
        for name in reversed(AGREED_TYPES):
            batch_op.drop_column(name)
    with op.batch_alter_table("wage_floor_refusal", schema=None) as batch_op:
        batch_op.drop_index("ix_wage_floor_refusal_when")
        batch_op.drop_index(batch_op.f("ix_wage_floor_refusal_employer_id"))
    op.drop_table("wage_floor_refusal")
    op.drop_table("wage_floor")
