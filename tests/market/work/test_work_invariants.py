"""The invariant check covers the work record: a record built by the services is healthy;
each corruption, written straight into the database, is named."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, update
from sqlmodel import Session, col, select

from market.invariants import check_all
from market.models import Application, Attendance, Event, Payment, Report, WorkAnswer


def _run(engine: Engine, statement: object) -> None:
    with engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def test_a_check_out_without_check_in_is_named(
    fresh_engine: Engine, record: dict[str, int]
) -> None:
    with Session(fresh_engine) as session:
        row = session.exec(select(Attendance).where(Attendance.kind == "check_out")).one()
        values = row.model_dump(exclude={"id"})
    values.update(application_id=record["idle"], revision=0)
    with Session(fresh_engine) as session:
        values["worker_id"] = session.get_one(Application, record["idle"]).worker_id
    _run(fresh_engine, insert(Attendance).values(**values))
    violations = check_all(engine=fresh_engine)
    assert any("a check-out of application" in v and "no check-in" in v for v in violations)
    assert any(v.startswith("attendance ") and "no attendance.recorded" in v for v in violations)


def test_attendance_and_pay_of_an_unhired_worker_are_named(
    fresh_engine: Engine, record: dict[str, int]
) -> None:
    _run(
        fresh_engine,
        update(Application)
        .where(col(Application.id) == record["application"])
        .values(status="declined"),
    )
    violations = check_all(engine=fresh_engine)
    assert any(v.startswith("attendance ") and "not a hire" in v for v in violations)
    assert any(v.startswith(f"payment {record['payment']}: ") for v in violations)


def test_an_answer_from_the_wrong_side_and_a_missing_event_are_named(
    fresh_engine: Engine, record: dict[str, int]
) -> None:
    # the employer's own correction "answered" by the employer: the worker is the other side
    with Session(fresh_engine) as session:
        employer_id = session.get_one(Payment, record["payment"]).employer_id
    _run(
        fresh_engine,
        insert(WorkAnswer).values(
            attendance_id=record["correction"], verdict="confirmed", answered_by=employer_id
        ),
    )
    _run(fresh_engine, delete(Event).where(col(Event.kind) == "payment.recorded"))
    violations = check_all(engine=fresh_engine)
    assert any("someone other than the other side" in v for v in violations)
    assert f"payment {record['payment']} has no payment.recorded event" in violations


def test_a_case_linked_to_another_hire_is_named(
    fresh_engine: Engine, record: dict[str, int]
) -> None:
    _run(fresh_engine, update(Report).values(work_record_id=record["idle"]))
    violations = check_all(engine=fresh_engine)
    assert any("linked to the work record of another application" in v for v in violations)
