"""The staff console's migration: no drift from the models, and it goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from market.db import make_engine
from market.migrations import downgrade, upgrade
from market.models import metadata

STAFF_TABLES = {"report", "report_photo", "report_note", "moderation_action", "station",
                "membership", "dispatch_proposal"}  # fmt: skip


def test_models_and_migrations_do_not_drift(fresh_engine: Engine) -> None:
    with fresh_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_staff_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    downgrade(url, "0001")
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names())
        assert not names & STAFF_TABLES
        assert "hidden_reason" not in {c["name"] for c in inspect(engine).get_columns("job")}
    finally:
        engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) >= STAFF_TABLES
    finally:
        engine.dispose()
