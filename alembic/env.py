"""Alembic environment: SQLite in batch mode, PostgreSQL as is, one metadata for both."""

from __future__ import annotations

from typing import Any

from sqlalchemy import pool

from alembic import context
from market import models
from market.db import make_engine, normalise_url
from market.settings import get_settings
from market.types import UTCDateTime

config = context.config
target_metadata = models.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or normalise_url(get_settings().database_url)


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # migrations must not import model code: a stored UTC time is a plain DateTime column
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table, drops it and renames the copy. With foreign
            # keys on, SQLite refuses to drop a table other rows refer to (application,
            # referred to by rating): they are switched off (outside any transaction, or the
            # pragma does nothing) and checked once, before the migration commits.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
