"""The work record is append-only in the database itself (migration 0020): an UPDATE or a
DELETE of an attendance entry, a payment or an answer is refused from any connection, and the
row is as it was. Run at head, so a later migration that loses a trigger fails here."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, col, select

from market.models import Attendance, Payment, WorkAnswer

STATEMENTS = {
    "update attendance": lambda ids: (
        update(Attendance).where(col(Attendance.id) == ids["correction"]).values(note="改过了")
    ),
    "delete attendance": lambda ids: delete(Attendance).where(
        col(Attendance.id) == ids["correction"]
    ),
    "update payment": lambda ids: (
        update(Payment).where(col(Payment.id) == ids["payment"]).values(amount=1)
    ),
    "delete payment": lambda ids: delete(Payment).where(col(Payment.id) == ids["payment"]),
    "update answer": lambda ids: (
        update(WorkAnswer)
        .where(col(WorkAnswer.payment_id) == ids["payment"])
        .values(verdict="confirmed")
    ),
    "delete answer": lambda ids: delete(WorkAnswer).where(
        col(WorkAnswer.payment_id) == ids["payment"]
    ),
}


def _rows(engine: Engine) -> list[tuple[str, ...]]:
    with Session(engine) as session:
        found: list[tuple[str, ...]] = []
        for model in (Attendance, Payment, WorkAnswer):
            found += [
                (model.__name__, r.model_dump_json()) for r in session.exec(select(model)).all()
            ]
        return sorted(found)


@pytest.mark.parametrize("what", sorted(STATEMENTS))
def test_a_recorded_entry_cannot_be_changed_or_removed(
    fresh_engine: Engine, record: dict[str, int], what: str
) -> None:
    before = _rows(fresh_engine)
    with pytest.raises(DatabaseError, match="append-only"), fresh_engine.begin() as conn:
        conn.execute(STATEMENTS[what](record))
    assert _rows(fresh_engine) == before
