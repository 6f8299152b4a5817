"""The invariant check covers the work record: a record built by the services is healthy;
each corruption, written straight into the database, is named."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, insert, update
from sqlmodel import Session, col, select

from market.db import session_scope
from market.invariants import check_all
from market.models import Application, Attendance, Event, Job, Payment, Report, WorkAnswer
from market.work import service as work_service
from market.work.schemas import AttendanceCorrection, CheckIn, PaymentCreate, PaymentDispute
from tests.market.work.work_factories import HOUR, code_on, hired_through_services, local_at

NOW = local_at(0, 9)


@pytest.fixture
def record(fresh_engine: Engine) -> dict[str, int]:
    """Two hires: one checked in and out, corrected, paid and disputed (a case); one idle."""
    employer, (worker, _idle), (application_id, idle_id), job_id = hired_through_services(
        fresh_engine, 2
    )
    later = NOW + 7 * HOUR
    with session_scope(fresh_engine) as session:
        job = session.get_one(Job, job_id)
        application = session.get_one(Application, application_id)
        for kind, moment in (("check_in", NOW), ("check_out", later)):
            work_service.attendance_record(
                session=session,
                application=application,
                user=worker,
                kind=kind,
                data=CheckIn(code=code_on(job, moment)),
                now=moment,
            )
        fix = work_service.attendance_correct(
            session=session,
            application=application,
            user=employer,
            data=AttendanceCorrection(kind="check_in", at=NOW - HOUR / 2, note="来得早"),
            now=later,
        )
        payment = work_service.payment_record(
            session=session,
            application=application,
            user=employer,
            data=PaymentCreate(amount=200, method="cash"),
            now=later,
        )
        work_service.payment_dispute(
            session=session,
            payment=payment,
            user=worker,
            data=PaymentDispute(received=0),
            now=later,
        )
        ids = {
            "application": application_id,
            "idle": idle_id,
            "payment": payment.id or 0,
            "correction": fix.id or 0,
        }
    assert check_all(engine=fresh_engine) == []
    return ids


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
    with Session(fresh_engine) as session:
        employer_id = session.get_one(Payment, record["payment"]).employer_id
    _run(
        fresh_engine,
        update(WorkAnswer)
        .where(col(WorkAnswer.payment_id) == record["payment"])
        .values(answered_by=employer_id),
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
