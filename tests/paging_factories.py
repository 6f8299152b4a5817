"""Many rows at once for the paging tests: reports, jobs and hires, with ties in the sort key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from market.models import Application, Job, Report, User
from tests.factories import make_employer, make_job, make_worker
from tests.staff_factories import make_application

EPOCH = datetime(2030, 1, 1, 8, tzinfo=UTC)


def make_reports(session: Session, count: int, *, first: int = 0) -> list[Report]:
    """`count` open reports, ten to a second (so the cursor must break ties by id)."""
    employer, worker = make_employer(session), make_worker(session)
    job = make_job(session, employer=employer)
    hire = make_application(session, job=job, worker=worker, status="completed")
    reports = [
        Report(
            worker_id=worker.id or 0,
            employer_id=employer.id or 0,
            job_id=job.id or 0,
            application_id=hire.id or 0,
            kind="unpaid",
            agreed_wage=300,
            work_from=date(2030, 1, 1),
            work_to=date(2030, 1, 1),
            created_at=EPOCH + timedelta(seconds=(first + i) // 10),
        )
        for i in range(count)
    ]
    session.add_all(reports)
    session.flush()
    return reports


def make_jobs(session: Session, employer: User, count: int) -> list[Job]:
    """`count` of the employer's jobs, three shifts to a start time."""
    return [
        make_job(session, employer=employer, start_at=EPOCH + timedelta(days=i // 3))
        for i in range(count)
    ]


def make_hires(session: Session, worker: User, count: int) -> list[Application]:
    """`count` confirmed hires of the worker, on jobs two to a start time."""
    jobs = [make_job(session, start_at=EPOCH + timedelta(days=i // 2)) for i in range(count)]
    return [make_application(session, job=job, worker=worker) for job in jobs]
