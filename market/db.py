"""Engines and sessions. Nothing connects at import time: the app's lifespan builds the engine.

SQLite runs in WAL mode and every writing transaction starts with ``BEGIN IMMEDIATE``, so
concurrent writers queue on the database lock instead of failing half-way; reads use a
deferred ``BEGIN`` so they never wait for a writer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    Integer,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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


POOL_KEPT = 25  # PostgreSQL connections a process keeps open once it needed them


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
        # up to 30 at once as before, but 25 kept open: a connection beyond those kept is
        # closed when given back, and under `bench load` at 270 req/s ten a second were
        # opened and closed (PostgreSQL forks a backend for each, and its statements are
        # prepared afresh)
        kwargs = {"pool_size": POOL_KEPT, "max_overflow": 5, "pool_timeout": 30, **kwargs}
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


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Plain rows (each with the same columns) into `table`, in the session's transaction.

    Each value goes through its column type's own bind processing as an INSERT would do
    it (a batch's shared values once). On PostgreSQL one COPY: an INSERT executed many
    times cost about 30 µs a row in the driver, most of what writing a posted job's alerts
    cost. On SQLite a plain INSERT of tuples executed many.
    """
    if not rows:
        return
    connection = session.connection()
    names = list(rows[0])
    processors = [_copy_processor(table.c[name].type, connection.dialect) for name in names]
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in names)
    if connection.dialect.name != "postgresql":
        # SQLite: the same plain tuples executed many; through `insert(table)` the
        # statement's bind processing per value was over a quarter of the server's busy
        # samples while jobs were posted (py-spy)
        marks = ", ".join("?" * len(names))
        connection.exec_driver_sql(
            f"INSERT INTO {preparer.format_table(table)} ({columns}) VALUES ({marks})",
            [
                tuple(
                    value if process is None else process(value)
                    for value, process in zip(
                        (row[name] for name in names), processors, strict=True
                    )
                )
                for row in rows
            ],
        )
        return
    statement = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    value if process is None else process(value)
                    for value, process in zip(
                        (row[name] for name in names), processors, strict=True
                    )
                ]
            )


def _copy_processor(column_type: Any, dialect: Any) -> Any:
    """What COPY needs of a value of this column type: JSON as text, and otherwise what the
    type's own bind processing makes of it (None when nothing)."""
    process = _json_text if isinstance(column_type, JSON) else column_type.bind_processor(dialect)
    if process is None:
        return None
    last: list[Any] = [object(), None]  # a batch's rows share their moments: one conversion

    def once(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, process(value)]
        return last[1]

    return once


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def dialect_insert(session: Session) -> Any:
    """The INSERT construct of the session's database (PostgreSQL's or SQLite's), for the
    `ON CONFLICT` clauses both have and the generic one lacks."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def among(session: Session, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids` for a list of integer ids. On PostgreSQL one array parameter
    (`= ANY(...)`): the statement's text is the same for any number of ids, where an IN
    list of a thousand ids was rendered, sent and parsed afresh every time (4.5-5.0 ->
    3.7-4.2 ms of CPU a new job's alerts cost the notify loop). Elsewhere a plain IN (keep its
    lists under SQLite's parameter cap)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(list(ids))
