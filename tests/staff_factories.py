"""Small keyword factories for the staff console's tests: rows written directly."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlmodel import Session

from market.applications import terms as terms_service
from market.models import (
    HIRED,
    Application,
    Job,
    Membership,
    User,
    WeightsVersion,
    WorkerProfile,
)
from matching.score import Weights
from tests.factories import YANTAI, make_employer, make_worker


def make_posted_job(
    session: Session,
    *,
    employer: User | None = None,
    created_at: datetime,
    trade: str = "painter",
    district: str = "芝罘区",
    headcount: int = 3,
    wage: int = 300,
    status: str = "open",
    confirmed: int = 0,
    first_hire_after: timedelta | None = None,
    full_after: timedelta | None = None,
    start_at: datetime | None = None,
) -> Job:
    employer = employer or make_employer(session)
    start = start_at or created_at + timedelta(days=1)
    job = Job(
        employer_id=employer.id or 0,
        trade=trade,
        title="测试工作",
        lat=YANTAI[0],
        lon=YANTAI[1],
        address="烟台市芝罘区南大街",
        district=district,
        start_at=start,
        end_at=start + timedelta(hours=8),
        headcount=headcount,
        wage=wage,
        status=status,
        confirmed_count=confirmed,
        created_at=created_at,
        updated_at=created_at,
        first_hire_at=None if first_hire_after is None else created_at + first_hire_after,
        filled_at=None if full_after is None else created_at + full_after,
    )
    session.add(job)
    session.flush()
    return job


def make_application(
    session: Session,
    *,
    job: Job,
    worker: User,
    status: str = "confirmed",
    hired: bool = True,
    distance_km: float | None = None,
    cancelled_by: str | None = None,
) -> Application:
    application = Application(
        job_id=job.id or 0,
        worker_id=worker.id or 0,
        status=status,
        shift_start=job.start_at,
        shift_end=job.end_at,
        distance_km=distance_km,
        cancelled_by=cancelled_by,
        created_at=job.created_at,
        decided_at=job.created_at if hired else None,
        **terms_service.terms_of(job, now=job.created_at),
    )
    if status in HIRED:
        terms_service.record_hire(application, job)
    session.add(application)
    session.flush()
    return application


def make_district_worker(
    session: Session, *, trade: str = "painter", district: str = "芝罘区", **kwargs: object
) -> User:
    worker = make_worker(session, trades=((trade, 2),), **kwargs)  # type: ignore[arg-type]
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.district = district
    session.add(profile)
    session.flush()
    return worker


def make_member(session: Session, *, worker: User, status: str = "approved") -> Membership:
    membership = Membership(user_id=worker.id or 0, status=status)
    session.add(membership)
    session.flush()
    return membership


def make_weights_version(
    session: Session, weights: Weights, *, metrics: dict[str, object] | None = None
) -> WeightsVersion:
    """A kept (not live) version of the ranking's weights, as `linggong learn` keeps one."""
    version = WeightsVersion(weights=asdict(weights), metrics=metrics or {})
    session.add(version)
    session.flush()
    return version
