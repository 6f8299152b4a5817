"""An employer's late call-offs count against the employer as a worker's count against the
worker: under 12 hours before the start, until three of the employer's jobs were worked."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from market.applications import service as application_service
from market.jobs import service as job_service
from market.models import Application, EmployerProfile, EmployerStrike, Job, User
from market.reliability.employers import active_employer_strikes
from market.reports.service import get_employer_reliability
from tests.factories import make_employer, make_job, make_worker
from tests.market.service_helpers import events_after, hire, last_event_id

H = timedelta(hours=1)


def _job_with_hire(db: Session, employer: User, start: datetime | None = None) -> Job:
    job = make_job(db, employer=employer, headcount=2, start_at=start)
    hire(db, job=job, worker=make_worker(db), now=job.start_at - 48 * H)
    return job


def _hired(db: Session, employer: User) -> tuple[Job, Application]:
    job = make_job(db, employer=employer, headcount=2)
    return job, hire(db, job=job, worker=make_worker(db), now=job.start_at - 48 * H)


def _active(db: Session, employer: User) -> int:
    return active_employer_strikes(session=db, employer_ids=[employer.id or 0])[employer.id or 0]


def test_calling_a_hire_off_under_12_hours_is_a_strike_and_workers_see_it(db: Session) -> None:
    employer = make_employer(db)
    job, application = _hired(db, employer)
    mark = last_event_id(db)
    application_service.application_cancel(
        session=db,
        application=application,
        user=employer,
        reason="不做了",
        now=job.start_at - 3 * H,
    )
    strikes = db.exec(select(EmployerStrike)).all()
    assert [(s.employer_id, s.application_id, s.hours_before) for s in strikes] == [
        (employer.id, application.id, 3.0)
    ]
    assert "employer_strike.recorded" in [e.kind for e in events_after(db, mark)]
    assert (
        get_employer_reliability(session=db, employer_id=employer.id or 0).late_cancellations == 1
    )
    assert db.get_one(EmployerProfile, employer.id).late_cancel_total == 1


def test_calling_off_13_hours_ahead_or_a_job_nobody_was_hired_for_is_no_strike(
    db: Session,
) -> None:
    employer = make_employer(db)
    job = _job_with_hire(db, employer)
    job_service.job_cancel(session=db, job=job, reason="下雨", now=job.start_at - 13 * H)
    empty = make_job(db, employer=employer)
    job_service.job_cancel(session=db, job=empty, reason="下雨", now=empty.start_at - H)
    assert db.exec(select(EmployerStrike)).all() == []
    assert _active(db, employer) == 0


def test_cancelling_a_whole_job_late_is_one_strike_naming_how_many_lost_the_shift(
    db: Session,
) -> None:
    employer = make_employer(db)
    job = _job_with_hire(db, employer)
    hire(db, job=job, worker=make_worker(db), now=job.start_at - 47 * H)
    job_service.job_cancel(session=db, job=job, reason="下雨", now=job.start_at - 2 * H)
    strikes = db.exec(select(EmployerStrike)).all()
    assert [(s.application_id, s.hired) for s in strikes] == [(None, 2)]
    assert _active(db, employer) == 1


def test_a_strike_stops_counting_after_three_jobs_worked_since(db: Session) -> None:
    employer = make_employer(db)
    job = _job_with_hire(db, employer)
    job_service.job_cancel(session=db, job=job, reason="下雨", now=job.start_at - 2 * H)
    for day in (3, 4, 5):
        assert _active(db, employer) == 1
        worked = _job_with_hire(db, employer, start=job.start_at + timedelta(days=day))
        job_service.job_complete(session=db, job=worked, now=worked.start_at + 9 * H)
    assert _active(db, employer) == 0
    # the lifetime total stays for staff
    assert db.get_one(EmployerProfile, employer.id).late_cancel_total == 1
