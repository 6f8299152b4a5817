"""What a worker's "My jobs" and an employer's applicant list show, each in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from market.applications import ratings as rating_service
from market.applications import service as application_service
from market.jobs import service as job_service
from market.models import Application, Job, Station, User
from market.stations import service as station_service
from market.types import utcnow
from market.workers import service as worker_service


@dataclass(frozen=True)
class WorkerJobs:
    rows: Sequence[tuple[Application, Job, User]]  # application, job, employer; soonest first
    rated: set[int]  # the applications the worker has rated
    stations: list[tuple[Station, float]] = field(default_factory=list)  # nearest, with km
    next: str | None = None  # the cursor of the following page, if there is more


def get_worker_jobs(
    *, session: Session, worker_id: int, stations: bool = False, after: str | None = None
) -> WorkerJobs:
    """A page of the worker's applications and hires, those rated, and the stations near."""
    page = application_service.list_worker_applications(
        session=session, worker_id=worker_id, after=after
    )
    rows = page.items
    near: list[tuple[Station, float]] = []
    if stations:
        position = worker_service.get_position(session=session, worker_id=worker_id)
        near = station_service.list_stations_near(session=session, position=position)
    return WorkerJobs(
        rows=rows,
        rated=rating_service.list_rated_application_ids(
            session=session, user_id=worker_id, application_ids=[a.id or 0 for a, _j, _e in rows]
        ),
        stations=near,
        next=page.next,
    )


@dataclass(frozen=True)
class JobApplicants:
    job: Job
    applicants: Sequence[tuple[Application, User]]  # application, worker; oldest first
    rated: set[int]  # the applications the employer has rated
    started: bool  # the shift has begun: the work can be marked done
    # each applicant's trades, rating and jobs done (never shown: place, phone before a hire)
    workers: dict[int, worker_service.WorkerView] = field(default_factory=dict)


def get_job_applicants(
    *, session: Session, job: Job, employer_id: int, now: datetime | None = None
) -> JobApplicants:
    """The job's applicants, which of them the employer rated, and whether the shift began."""
    rows = application_service.list_job_applications(session=session, job_id=job.id or 0)
    return JobApplicants(
        job=job,
        applicants=rows,
        rated=rating_service.list_rated_application_ids(
            session=session, user_id=employer_id, application_ids=[a.id or 0 for a, _w in rows]
        ),
        started=job.start_at <= (now or utcnow()),
        workers=worker_service.list_workers(
            session=session, user_ids=[w.id or 0 for _a, w in rows]
        ),
    )


@dataclass(frozen=True)
class EmployerJobs:
    jobs: Sequence[Job]  # upcoming soonest first, then the rest latest first
    waiting: dict[int, int]  # per job, the applications waiting for the employer's answer
    next: str | None  # the cursor of the following page, if there is more


def get_employer_jobs(*, session: Session, employer_id: int, after: str | None) -> EmployerJobs:
    """A page of the employer's jobs with how many applicants wait on each."""
    page = job_service.list_employer_jobs(session=session, employer_id=employer_id, after=after)
    ids = [job.id or 0 for job in page.items]
    return EmployerJobs(
        jobs=page.items,
        waiting=application_service.count_waiting(session=session, job_ids=ids),
        next=page.next,
    )
