"""market.db.insert_rows writes what an INSERT would: a COPY on PostgreSQL, rows elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, col, select

from market.db import POOL_KEPT, among, insert_rows, make_engine
from market.models import Event, Notification, User
from tests.conftest import NO_POSTGRES, POSTGRES_URL
from tests.factories import make_worker


def test_rows_come_back_as_written_zones_json_and_nulls_included(db: Session) -> None:
    workers = [make_worker(db, name="甲"), make_worker(db, name="乙")]
    event = Event(kind="job.posted", created_at=datetime.now(UTC))
    db.add(event)
    db.flush()
    shanghai = datetime(2026, 12, 1, 6, 30, tzinfo=timezone(timedelta(hours=8)))
    rows = [
        {
            "event_id": event.id,
            "user_id": worker.id,
            "kind": "job.posted",
            "title": "新活 \t带制表符\n和换行",
            "body": "反斜杠 \\ 与引号 \"' 也照存",
            "params": {"job": "外墙刷漆", "wage": 300, "when": None, "list": [1, "二"]},
            "url": "/jobs/1",
            "urgent": urgent,
            "created_at": shanghai,
            "read_at": None if urgent else shanghai + timedelta(hours=1),
        }
        for worker, urgent in zip(workers, (True, False), strict=True)
    ]
    insert_rows(db, Notification.__table__, rows)  # type: ignore[attr-defined]
    db.expire_all()
    got = db.exec(
        select(Notification).where(Notification.event_id == event.id).order_by(col(Notification.id))
    ).all()
    assert [n.urgent for n in got] == [True, False]
    for note, row in zip(got, rows, strict=True):
        assert (note.title, note.body, note.params) == (row["title"], row["body"], row["params"])
        assert note.created_at == shanghai and note.created_at.tzinfo is not None
        assert note.read_at == row["read_at"]
    assert got[0].id is not None and got[1].id == got[0].id + 1  # ids from the sequence


def test_no_rows_write_nothing(db: Session) -> None:
    insert_rows(db, Notification.__table__, [])  # type: ignore[attr-defined]
    assert db.exec(select(Notification)).all() == []


def test_among_picks_the_listed_ids_whatever_their_number(db: Session) -> None:
    """`market.db.among` is `IN` on either database: one array parameter on PostgreSQL."""
    workers = [make_worker(db, name=f"工{i}") for i in range(5)]
    ids = [w.id or 0 for w in workers]

    def picked(wanted: list[int]) -> list[int]:
        return list(
            db.exec(select(User.id).where(among(db, col(User.id), wanted)).order_by(col(User.id)))
        )

    assert picked(ids[1:4]) == ids[1:4]
    assert picked([ids[0], ids[0], -1]) == [ids[0]]
    assert picked([]) == []
    assert picked([*range(-3000, 0), ids[4]]) == [ids[4]]


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
def test_a_busy_moment_leaves_its_postgresql_connections_open_for_the_next() -> None:
    """Twenty requests at once, then twenty again: the second burst opens no connection
    (with ten kept, ten were closed and opened again every burst: a backend forked each)."""
    engine = make_engine(POSTGRES_URL or "", pool_timeout=0.1)  # not 30 s for the last proof
    opened: list[int] = []
    sa_event.listen(engine, "connect", lambda *_: opened.append(1))
    try:
        for _ in range(2):
            held = [engine.connect() for _ in range(20)]
            for connection in held:
                connection.exec_driver_sql("SELECT 1")
                connection.close()
        assert len(opened) == 20
        assert engine.pool.checkedin() == 20  # type: ignore[attr-defined]
        burst = [engine.connect() for _ in range(POOL_KEPT + 5)]  # the most at once
        with pytest.raises(PoolTimeout):
            engine.connect()
        for connection in burst:
            connection.close()
        assert engine.pool.checkedin() == POOL_KEPT  # type: ignore[attr-defined]
    finally:
        engine.dispose()
