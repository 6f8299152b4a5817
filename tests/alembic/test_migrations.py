"""Migrations: up from nothing, down to nothing, up again; and no drift from the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool

from market.db import normalise_url
from market.migrations import downgrade, upgrade
from market.models import metadata
from tests.conftest import BACKENDS, PostgresServer

MODEL_TABLES = set(metadata.tables)


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"lg_m_{uuid.uuid4().hex[:12]}"
    url = server.create(name)
    yield url
    server.drop(name)


def _tables(url: str) -> set[str]:
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _drift(url: str) -> list[object]:
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trip(empty_url: str) -> None:
    upgrade(empty_url)
    assert _tables(empty_url) == MODEL_TABLES | {"alembic_version"}

    downgrade(empty_url)
    assert _tables(empty_url) == {"alembic_version"}

    upgrade(empty_url)
    assert _tables(empty_url) == MODEL_TABLES | {"alembic_version"}


def test_migrated_schema_matches_the_models(empty_url: str) -> None:
    upgrade(empty_url)
    assert _drift(empty_url) == []
