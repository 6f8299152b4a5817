"""The invariants under real concurrency: threads, real commits, SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from market.applications import service as application_service
from market.db import session_scope
from market.errors import Conflict
from market.models import Application, ApplicationStatus, Event, Job, User
from tests.concurrency import all_at_once
from tests.factories import make_employer, make_job, make_worker, tomorrow_at

pytestmark = pytest.mark.slow


def _claim(engine: Engine, job_id: int, worker: User) -> ApplicationStatus:
    with session_scope(engine) as session:
        result = application_service.application_claim(
            session=session, job_id=job_id, worker=worker
        )
        return ApplicationStatus(result.application.status)


def test_200_simultaneous_claims_on_5_slots_hire_exactly_5(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        job = make_job(session, headcount=5, instant=True)
        workers = [make_worker(session) for _ in range(200)]
    outcomes = all_at_once(200, lambda i: _claim(fresh_engine, job.id or 0, workers[i]))

    wins = [o for o in outcomes if o == ApplicationStatus.confirmed]
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    others = [o for o in outcomes if o not in wins and o not in refusals]
    assert (len(wins), len(refusals), others) == (5, 195, [])
    assert {str(r) for r in refusals} == {"This job is full"}
    with Session(fresh_engine) as session:
        stored = session.get(Job, job.id)
        assert stored is not None and (stored.confirmed_count, stored.status) == (5, "filled")
        hires = session.exec(
            select(func.count()).where(
                Application.job_id == job.id, Application.status == ApplicationStatus.confirmed
            )
        ).one()
        assert hires == 5
        kinds = Counter(session.exec(select(Event.kind).where(Event.job_id == job.id)).all())
        assert kinds["application.created"] == 5 and kinds["job.filled"] == 1


def test_simultaneous_claims_on_overlapping_shifts_confirm_one(fresh_engine: Engine) -> None:
    start = tomorrow_at(1)
    with session_scope(fresh_engine) as session:
        worker = make_worker(session)
        employer = make_employer(session)
        jobs = [
            make_job(
                session, employer=employer, instant=True, start_at=start + timedelta(minutes=20 * i)
            )
            for i in range(10)
        ]
    outcomes = all_at_once(10, lambda i: _claim(fresh_engine, jobs[i].id or 0, worker))

    assert outcomes.count(ApplicationStatus.confirmed) == 1
    clashes = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(clashes) == 9
    assert {str(c) for c in clashes} == {"You are already booked for another job at this time"}
    with Session(fresh_engine) as session:
        confirmed = session.exec(
            select(func.count()).where(
                Application.worker_id == worker.id,
                Application.status == ApplicationStatus.confirmed,
            )
        ).one()
        assert confirmed == 1


def test_twenty_taps_by_one_worker_make_one_application(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        job = make_job(session, headcount=3)
        worker = make_worker(session)

    def tap(_: int) -> int:
        with session_scope(fresh_engine) as session:
            result = application_service.application_claim(
                session=session, job_id=job.id or 0, worker=worker
            )
            return result.application.id or 0

    outcomes = all_at_once(20, tap)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == 1
    with Session(fresh_engine) as session:
        rows = session.exec(
            select(func.count()).where(
                Application.job_id == job.id, Application.worker_id == worker.id
            )
        ).one()
        events = session.exec(
            select(func.count()).where(Event.job_id == job.id, Event.kind == "application.created")
        ).one()
        assert (rows, events) == (1, 1)


def test_employer_confirming_many_applicants_at_once_stops_at_headcount(
    fresh_engine: Engine,
) -> None:
    with session_scope(fresh_engine) as session:
        employer = make_employer(session)
        job = make_job(session, employer=employer, headcount=5)
        applications = []
        for _ in range(12):
            worker = make_worker(session)
            result = application_service.application_claim(
                session=session, job_id=job.id or 0, worker=worker
            )
            applications.append(result.application.id or 0)

    def confirm(i: int) -> str:
        with session_scope(fresh_engine) as session:
            application = application_service.get_application(
                session=session, application_id=applications[i]
            )
            return application_service.application_confirm(
                session=session, application=application, employer=employer
            ).status

    outcomes = all_at_once(12, confirm)
    assert outcomes.count("confirmed") == 5
    assert all(isinstance(o, Conflict) for o in outcomes if o != "confirmed")
    with Session(fresh_engine) as session:
        stored = session.get(Job, job.id)
        assert stored is not None and stored.confirmed_count == 5


def test_hires_cancelled_while_others_claim_never_lose_a_slot(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        job = make_job(session, headcount=10, instant=True)
        first = [make_worker(session) for _ in range(10)]
        for worker in first:
            application_service.application_claim(
                session=session, job_id=job.id or 0, worker=worker
            )
        later = [make_worker(session) for _ in range(10)]

    def cancel_or_claim(i: int) -> str:
        with session_scope(fresh_engine) as session:
            if i % 2 == 0:
                worker = first[i // 2]
                application = session.exec(
                    select(Application).where(
                        Application.job_id == job.id, Application.worker_id == worker.id
                    )
                ).one()
                return application_service.application_cancel(
                    session=session, application=application, user=worker, reason="家里有事"
                ).status
            result = application_service.application_claim(
                session=session, job_id=job.id or 0, worker=later[i // 2]
            )
            return result.application.status

    outcomes = all_at_once(20, cancel_or_claim)
    assert [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Conflict)] == []
    with Session(fresh_engine) as session:
        stored = session.get(Job, job.id)
        hires = session.exec(
            select(func.count()).where(
                Application.job_id == job.id, Application.status == ApplicationStatus.confirmed
            )
        ).one()
        assert stored is not None and stored.confirmed_count == hires <= 10
