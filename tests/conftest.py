"""Test databases: SQLite always, PostgreSQL when LINGGONG_TEST_POSTGRES_URL is given.

Most tests run inside a transaction that is rolled back at the end. Tests that need real
commits from many threads get a database of their own (`fresh_engine`), copied from a
migrated template so they start fast.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest

os.environ["LINGGONG_ENVIRONMENT"] = "test"
os.environ.pop("LINGGONG_DATABASE_URL", None)
os.environ.pop("LINGGONG_REDIS_URL", None)
# no traces sent anywhere unless a test asks (tests/web/test_tracing.py)
os.environ.pop("LINGGONG_OTEL_ENDPOINT", None)
os.environ.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
os.environ.pop("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", None)
# no background rollup refresh writing beside the tests' own transactions; tests that
# want it ask for it
os.environ["LINGGONG_STATS_REFRESH_SECONDS"] = "0"
os.environ["LINGGONG_NOTIFY_SECONDS"] = "0"
# the test session's rows live in a transaction that is rolled back: the feed's read model
# (built from committed rows and events) cannot see them. Tests of the model turn it on.
os.environ["LINGGONG_FEED_READ_MODEL"] = "off"
# nor do slot prices reorder a served app's feeds while a test reads them: tests of the
# prices solve them themselves or turn the background solve on
os.environ["LINGGONG_PRICES_SECONDS"] = "0"
# feeds in the stated order: tests of the learning loop's random swaps turn them on
os.environ["LINGGONG_LEARN_EXPLORE"] = "0"

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from market.db import make_engine, normalise_url
from market.errors import traces_of
from market.migrations import upgrade
from market.settings import get_settings

POSTGRES_URL = os.environ.get("LINGGONG_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("LINGGONG_TEST_REDIS_URL")
NO_POSTGRES = "LINGGONG_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped"

get_settings.cache_clear()


class PostgresServer:
    """Creates and drops throw-away databases on the test server."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def url_for(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def create(self, name: str, template: str | None = None) -> str:
        suffix = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        return self.url_for(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    server = PostgresServer(POSTGRES_URL)
    yield server
    server.admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"lg_tpl_{uuid.uuid4().hex[:10]}"
    upgrade(postgres_server.create(name))
    yield name
    postgres_server.drop(name)


def _fresh(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Engine]:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "fresh.db"
        shutil.copy(template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"lg_t_{uuid.uuid4().hex[:12]}"
    engine = make_engine(server.create(name, template=request.getfixturevalue("postgres_template")))
    yield engine
    engine.dispose()
    server.drop(name)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database of this test's own, on each backend: commits are real."""
    yield from _fresh(request, request.param, tmp_path)


@pytest.fixture(scope="session")
def shared_engine(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("shared") / "shared.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def session(shared_engine: Engine) -> Iterator[Session]:
    """A session whose every change is rolled back when the test ends."""
    connection = shared_engine.connect()
    transaction = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield db
    db.close()
    transaction.rollback()
    connection.close()


def request_session_on(session: Session) -> Callable[[], Iterator[Session]]:
    """The app's request-session dependency, served by the test's session.

    A request's commit only releases a savepoint: the test's transaction still rolls back.
    """

    def _override() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException as error:
            session.rollback()
            for trace in traces_of(error):  # as the app's own dependency does (web/deps.py)
                trace(session)
                session.commit()
            raise

    return _override


@pytest.fixture
def client(session: Session, shared_engine: Engine) -> Iterator[TestClient]:
    """The app over the test's rolled-back session."""
    from web import deps
    from web.app import create_app

    app = create_app(engine=shared_engine)
    app.dependency_overrides[deps._session] = request_session_on(session)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """`pin(when)` sets the market's clock (`market.types.utcnow`) to read `when` now and
    run on from there, until the test ends: a test whose outcome hangs on the weekday or on
    a coin seeded by the day reads the same calendar whatever day it runs."""
    import market.types as clock

    def pin(when: datetime) -> None:
        offset = when - datetime.now(UTC)

        class Shifted(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
                return datetime.now(tz) + offset

        monkeypatch.setattr(clock, "datetime", Shifted)

    return pin
