"""new-job alerts a day and their digest; the check-in-open notice

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 15:40:00

Existing users get the default of 5 new-job alerts a day.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_tally",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("alerted", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("digest_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_alert_tally_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_alert_tally")),
    )
    with op.batch_alter_table("alert_tally", schema=None) as batch_op:
        batch_op.create_index("ix_alert_tally_digest", ["day", "digest_at"], unique=False)

    with op.batch_alter_table("notify_preference", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("daily_alerts", sa.Integer(), server_default="5", nullable=False)
        )

    with op.batch_alter_table("shift_reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_open_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shift_reminder", schema=None) as batch_op:
        batch_op.drop_column("checkin_open_at")

    with op.batch_alter_table("notify_preference", schema=None) as batch_op:
        batch_op.drop_column("daily_alerts")

    with op.batch_alter_table("alert_tally", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_tally_digest")

    op.drop_table("alert_tally")
