"""The work record under real concurrency: threads, real commits, SQLite and PostgreSQL.

Each test ends with the database's invariant check (market/invariants.py), which covers the
work record too.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from market import invariants
from market.db import session_scope
from market.errors import Conflict
from market.models import Application, Attendance, Job, Payment, Report, WorkAnswer
from market.work import arrears
from market.work import service as work_service
from market.work.schemas import CheckIn, PaymentCreate, PaymentDispute
from tests.concurrency import all_at_once
from tests.market.work.work_factories import HOUR, code_on, hired_through_services, local_at

pytestmark = pytest.mark.slow
SHIFT = local_at(0, 8)
NOW = local_at(0, 9)


def _application(session: Session, application_id: int) -> Application:
    return session.get_one(Application, application_id)


def _healthy(engine: Engine) -> None:
    assert invariants.check_all(engine=engine) == []


def test_two_check_ins_at_once_make_exactly_one(fresh_engine: Engine) -> None:
    employer, (worker,), (application_id,), job_id = hired_through_services(fresh_engine, 1)
    with Session(fresh_engine) as session:
        code = code_on(session.get_one(Job, job_id), NOW)

    def check_in(i: int) -> int:
        with session_scope(fresh_engine) as session:
            user = worker if i % 2 else employer  # the worker's taps and the employer's, at once
            data = CheckIn(code=code) if i % 2 else CheckIn(at=NOW)
            return (
                work_service.attendance_record(
                    session=session,
                    application=_application(session, application_id),
                    user=user,
                    kind="check_in",
                    data=data,
                    now=NOW,
                ).id
                or 0
            )

    outcomes = all_at_once(8, check_in)
    wins = [o for o in outcomes if isinstance(o, int)]
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(wins), len(refusals)) == (1, 7), outcomes
    with Session(fresh_engine) as session:
        assert session.exec(select(func.count()).select_from(Attendance)).one() == 1
    _healthy(fresh_engine)


def test_both_sides_recording_at_once_lose_nothing(fresh_engine: Engine) -> None:
    employer, workers, ids, job_id = hired_through_services(fresh_engine, 6)
    with Session(fresh_engine) as session:
        code = code_on(session.get_one(Job, job_id), NOW)

    def record(i: int) -> str:
        with session_scope(fresh_engine) as session:
            application = _application(session, ids[i // 2])
            if i % 2:  # the worker checks in while the employer records their pay
                work_service.attendance_record(
                    session=session,
                    application=application,
                    user=workers[i // 2],
                    kind="check_in",
                    data=CheckIn(code=code),
                    now=NOW,
                )
                return "attendance"
            work_service.payment_record(
                session=session,
                application=application,
                user=employer,
                data=PaymentCreate(amount=150, method="cash"),
                now=NOW,
            )
            return "payment"

    outcomes = all_at_once(12, record)
    assert sorted(outcomes) == ["attendance"] * 6 + ["payment"] * 6  # type: ignore[type-var]
    with Session(fresh_engine) as session:
        assert session.exec(select(func.count()).select_from(Attendance)).one() == 6
        assert session.exec(select(func.count()).select_from(Payment)).one() == 6
    _healthy(fresh_engine)


def test_a_confirmation_racing_a_dispute_ends_with_exactly_one_answer(
    fresh_engine: Engine,
) -> None:
    employer, workers, ids, _job_id = hired_through_services(fresh_engine, 5)
    payments = []
    with session_scope(fresh_engine) as session:
        for application_id in ids:
            payment = work_service.payment_record(
                session=session,
                application=_application(session, application_id),
                user=employer,
                data=PaymentCreate(amount=300, method="wechat"),
                now=NOW,
            )
            payments.append(payment.id or 0)

    def answer(i: int) -> str:
        with session_scope(fresh_engine) as session:
            payment = work_service.get_payment(session=session, payment_id=payments[i // 2])
            if i % 2:
                work_service.payment_confirm(
                    session=session, payment=payment, user=workers[i // 2], now=NOW
                )
                return "confirmed"
            work_service.payment_dispute(
                session=session,
                payment=payment,
                user=workers[i // 2],
                data=PaymentDispute(received=100),
                now=NOW,
            )
            return "disputed"

    outcomes = all_at_once(10, answer)
    answered = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(answered), len(refusals)) == (5, 5), outcomes
    with Session(fresh_engine) as session:
        verdicts = session.exec(select(WorkAnswer.verdict)).all()
        assert sorted(verdicts) == sorted(answered)
        cases = session.exec(select(Report.application_id)).all()
        assert len(cases) == answered.count("disputed") == len(set(cases))
    _healthy(fresh_engine)


def test_sweeps_racing_disputes_open_one_case_per_hire(fresh_engine: Engine) -> None:
    start = local_at(-6, 8)
    employer, workers, ids, _job_id = hired_through_services(fresh_engine, 4, start=start)
    payments = []
    with session_scope(fresh_engine) as session:
        for application_id in ids:
            payment = work_service.payment_record(
                session=session,
                application=_application(session, application_id),
                user=employer,
                data=PaymentCreate(amount=50, method="cash"),
                now=start + 9 * HOUR,
            )
            payments.append(payment.id or 0)

    def act(i: int) -> int:
        with session_scope(fresh_engine) as session:
            if i < 4:
                payment = work_service.get_payment(session=session, payment_id=payments[i])
                work_service.payment_dispute(
                    session=session,
                    payment=payment,
                    user=workers[i],
                    data=PaymentDispute(received=0),
                    now=NOW,
                )
                return 1
            return len(arrears.arrears_sweep(session=session, now=NOW, days=3))

    outcomes = all_at_once(8, act)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    with Session(fresh_engine) as session:
        cases = session.exec(select(Report.application_id)).all()
        assert sorted(cases) == sorted(ids)
    _healthy(fresh_engine)
