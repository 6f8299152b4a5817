"""Fixtures of the service tests: a rolled-back session on SQLite and, when given, PostgreSQL.

`db` is the `session` fixture of tests/conftest.py on each backend. The PostgreSQL database
is made once per run from the migrated template; every test's changes are rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from market.db import make_engine
from tests.conftest import BACKENDS, PostgresServer


@pytest.fixture(scope="session")
def postgres_shared_engine(
    postgres_server: PostgresServer, postgres_template: str
) -> Iterator[Engine]:
    name = f"lg_svc_{uuid.uuid4().hex[:10]}"
    engine = make_engine(postgres_server.create(name, template=postgres_template))
    yield engine
    engine.dispose()
    postgres_server.drop(name)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest) -> Iterator[Session]:
    """A session on each backend whose every change is rolled back when the test ends."""
    name = "shared_engine" if request.param == "sqlite" else "postgres_shared_engine"
    engine: Engine = request.getfixturevalue(name)
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    transaction.rollback()
    connection.close()
