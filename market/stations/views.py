"""What the station's pages read for a worker they help: fitting jobs, applications, a slip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from market.applications import service as application_service
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.jobs import service as job_service
from market.models import Application, Job, Station, User
from market.stations import assisted as assisted_service
from market.stats import assisted as assisted_stats
from market.types import utcnow


@dataclass(frozen=True)
class StationHome:
    station: Station
    workers: list[User]
    placements: int  # hires of the workers this station registered, all time


def get_station_home(*, session: Session, staff: User) -> StationHome:
    """The staff member's station, the workers it registered and how many were placed."""
    station = assisted_service.get_staff_station(session=session, user=staff)
    return StationHome(
        station=station,
        workers=list(
            assisted_service.list_assisted_workers(session=session, station_id=station.id or 0)
        ),
        placements=assisted_stats.assisted_placements(session=session).get(station.id or 0, 0),
    )


@dataclass(frozen=True)
class WorkerJobs:
    feed: feed_service.Feed  # ranked as the worker's own feed
    applications: list[tuple[Application, Job, User]]  # theirs, soonest shift first


def get_worker_jobs(*, session: Session, worker: User, now: datetime | None = None) -> WorkerJobs:
    """The jobs that fit an assisted worker and the applications made for them."""
    feed = feed_service.list_feed(
        session=session, worker_id=worker.id or 0, data=FeedFilter(), now=now or utcnow()
    )
    page = application_service.list_worker_applications(session=session, worker_id=worker.id or 0)
    return WorkerJobs(feed=feed, applications=list(page.items))


@dataclass(frozen=True)
class Slip:
    job: Job
    certificates: list[str]
    application: Application | None
    employer_name: str
    employer_phone: str | None  # only once the worker is hired


def get_slip(*, session: Session, worker: User, job: Job) -> Slip:
    """A printable job slip for the worker; the employer's phone only after a hire."""
    application = application_service.find_application(
        session=session, job_id=job.id or 0, worker_id=worker.id or 0
    )
    employer = session.get(User, job.employer_id)
    hired = application is not None and application_service.contact_visible(application)
    return Slip(
        job=job,
        certificates=job_service.job_certificates(session=session, job_id=job.id or 0),
        application=application,
        employer_name=employer.name if employer else "",
        employer_phone=employer.phone if employer and hired else None,
    )
