"""The purge of idempotency keys: older than 24 hours they go, younger ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from market.idempotency import service as idempotency
from market.models import IdempotencyRecord
from tests.factories import make_worker

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)


def _record(session: Session, *, user_id: int, key: str, age: timedelta) -> None:
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            route="POST /api/v1/jobs",
            key=key,
            request_hash="h" * 64,
            status_code=201,
            body={"id": 1},
            created_at=NOW - age,
        )
    )
    session.flush()


def _keys(session: Session) -> set[tuple[int, str]]:
    rows = session.exec(select(IdempotencyRecord.user_id, IdempotencyRecord.key)).all()
    return {(user_id, key) for user_id, key in rows}


def test_purge_deletes_keys_older_than_24_hours_and_keeps_younger_ones(db: Session) -> None:
    first, second = (make_worker(db).id or 0 for _ in range(2))
    for user_id in (first, second):
        _record(db, user_id=user_id, key="old", age=timedelta(hours=24, minutes=1))
        _record(db, user_id=user_id, key="new", age=timedelta(hours=23, minutes=59))
    _record(db, user_id=first, key="ancient", age=timedelta(days=40))
    assert idempotency.idempotency_purge(session=db, now=NOW, batch_size=2) == 3
    assert _keys(db) == {(first, "new"), (second, "new")}


def test_purge_in_small_batches_deletes_every_expired_key(db: Session) -> None:
    user_id = make_worker(db).id or 0
    for n in range(7):
        _record(db, user_id=user_id, key=f"k{n}", age=timedelta(days=2))
    _record(db, user_id=user_id, key="live", age=timedelta(hours=1))
    assert idempotency.idempotency_purge(session=db, now=NOW, batch_size=3) == 7
    assert _keys(db) == {(user_id, "live")}
    assert idempotency.idempotency_purge(session=db, now=NOW, batch_size=3) == 0
