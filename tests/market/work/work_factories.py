"""Hires with a shift at a chosen time, and the checks every refusal test makes."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from market.applications import service as application_service
from market.applications import terms as terms_service
from market.applications.models import HIRED
from market.db import session_scope
from market.i18n import market_tz
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import Application, ApplicationStatus, Job, User
from market.types import utcnow
from market.work.codes import attendance_code
from tests.factories import job_body, make_employer, make_job, make_worker

HOUR = timedelta(hours=1)


def local_at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the market's time zone, `day_offset` days from today (aware)."""
    today = datetime.now(market_tz()).date() + timedelta(days=day_offset)
    return datetime.combine(today, time(hour, minute), tzinfo=market_tz())


def make_hire(
    session: Session,
    *,
    start_at: datetime | None = None,
    hours: int = 8,
    wage: int = 300,
    employer: User | None = None,
    worker: User | None = None,
    status: str = ApplicationStatus.confirmed,
) -> tuple[Application, Job]:
    """A job whose worker is hired (rows written directly; no events)."""
    job = make_job(
        session,
        employer=employer or make_employer(session),
        start_at=start_at or utcnow() - HOUR,
        hours=hours,
        wage=wage,
    )
    worker = worker or make_worker(session)
    application = Application(
        job_id=job.id or 0,
        worker_id=worker.id or 0,
        status=status,
        shift_start=job.start_at,
        shift_end=job.end_at,
        decided_at=job.start_at - 24 * HOUR,
        **terms_service.terms_of(job, now=job.start_at - 24 * HOUR),
    )
    if status in HIRED:
        terms_service.record_hire(application, job)
    job.confirmed_count = 1 if status != ApplicationStatus.applied else 0
    session.add_all([application, job])
    session.flush()
    return application, job


def hired_through_services(
    engine: Engine, workers: int, start: datetime | None = None
) -> tuple[User, list[User], list[int], int]:
    """A job posted and claimed through the services (every event written), committed:
    (employer, workers, application ids, job id). The shift is today 08:00-16:00."""
    start = start or local_at(0, 8)
    posted_at = start - timedelta(days=2)
    with session_scope(engine) as session:
        employer = make_employer(session)
        body = job_body(
            start_at=start.isoformat(),
            end_at=(start + 8 * HOUR).isoformat(),
            headcount=workers,
            instant=True,
        )
        job = job_service.job_post(
            session=session, employer=employer, data=JobCreate.model_validate(body), now=posted_at
        )
        people = [make_worker(session) for _ in range(workers)]
        ids = [
            application_service.application_claim(
                session=session, job_id=job.id or 0, worker=w, now=posted_at
            ).application.id
            or 0
            for w in people
        ]
        return employer, people, ids, job.id or 0


def code_on(job: Job, moment: datetime) -> str:
    """The job's code on the local day of `moment`."""
    return attendance_code(job_id=job.id or 0, day=moment.astimezone(market_tz()).date())
