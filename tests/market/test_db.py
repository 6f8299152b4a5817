"""market.db.insert_rows writes what an INSERT would: a COPY on PostgreSQL, rows elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import Session, col, select

from market.db import among, insert_rows
from market.models import Event, Notification, User
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
