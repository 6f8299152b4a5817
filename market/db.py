"""Engines and sessions. Nothing connects at import time: the app's lifespan builds the engine.

SQLite runs in WAL mode and every writing transaction starts with ``BEGIN IMMEDIATE``, so
concurrent writers queue on the database lock instead of failing half-way; reads use a
deferred ``BEGIN`` so they never wait for a writer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from market.errors import traces_of

_READ_ONLY = "linggong_read_only"
log = logging.getLogger("linggong.market")


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would issue a deferred BEGIN too late.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite tuned for concurrent writers."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 60})
        if "poolclass" not in kwargs:
            kwargs = {"pool_size": 20, "max_overflow": 40, "pool_timeout": 120, **kwargs}
        engine = create_engine(url, **kwargs)
        _prepare_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:  # the caller's own pool settings win
        kwargs = {"pool_size": 10, "max_overflow": 20, "pool_timeout": 30, **kwargs}
    return create_engine(url, **kwargs)


def read_only(engine: Engine) -> Engine:
    """The same engine, but its transactions only read (SQLite: deferred BEGIN)."""
    if engine.get_execution_options().get(_READ_ONLY):
        return engine
    # made once per engine: building an option engine costs ~0.2 ms, and every read asks
    cached: Engine | None = engine.__dict__.get("_linggong_read_only")
    if cached is None:
        cached = engine.execution_options(**{_READ_ONLY: True})
        engine.__dict__["_linggong_read_only"] = cached
    return cached


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def leave_traces(*, engine: Engine, error: BaseException) -> None:
    """After a rollback: write what the refusal must leave behind, each in its own transaction.

    Never raises: failing to count a refusal must not turn the refusal into a 500.
    """
    for trace in traces_of(error):
        try:
            with session_scope(engine) as session:
                trace(session)
        except Exception:
            log.exception("could not record a refusal's trace")


def try_xact_lock(session: Session, key: int) -> bool:
    """Take advisory lock `key` until this transaction ends; False (at once, no waiting)
    when another transaction (another replica) holds it.

    SQLite needs none: every writing transaction already holds the database lock
    (``BEGIN IMMEDIATE``).
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(
        session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar_one()
    )
