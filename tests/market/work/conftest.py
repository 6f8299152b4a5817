"""The work record built through the services, for the tests that then corrupt or attack it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from market.db import session_scope
from market.invariants import check_all
from market.models import Application, Job
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
