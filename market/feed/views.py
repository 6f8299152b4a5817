"""What a worker's feed and job pages and an employer's job page show, each in one call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from market.applications import service as application_service
from market.applications import views as application_views
from market.feed import candidates as candidate_service
from market.feed import service as feed_service
from market.feed.readmodel import FeedReadModel
from market.feed.schemas import FeedFilter
from market.invites import rehire as rehire_service
from market.invites import service as invite_service
from market.jobs import service as job_service
from market.learning.impressions import ImpressionLog
from market.models import Application, Job, JobStatus, Station
from market.reports import service as report_service
from market.stations import service as station_service
from market.types import utcnow
from market.workers import service as worker_service
from matching.geo import haversine_km


@dataclass(frozen=True)
class FeedPage:
    feed: feed_service.Feed
    view: worker_service.WorkerView
    now_on: bool  # "available now" is on and has not run out
    stations: list[tuple[Station, float]] = field(default_factory=list)  # nearest, with km


def get_feed_page(
    *,
    session: Session,
    worker_id: int,
    data: FeedFilter,
    now: datetime | None = None,
    model: FeedReadModel | None = None,
    shown: ImpressionLog | None = None,
) -> FeedPage:
    """The worker's ranked feed, their profile, and the union stations nearest to them."""
    now = now or utcnow()
    feed = feed_service.list_feed(
        session=session, worker_id=worker_id, data=data, now=now, model=model, shown=shown
    )
    view = worker_service.get_worker(session=session, user_id=worker_id)
    return FeedPage(
        feed=feed,
        view=view,
        now_on=worker_service.is_available_now(view.profile, now=now),
        stations=station_service.list_stations_near(
            session=session, position=worker_service.position_of(view.profile)
        ),
    )


@dataclass(frozen=True)
class WorkerJob:
    job: Job
    certificates: list[str]
    here: tuple[float, float] | None  # where the worker is, when known
    distance: float | None  # straight-line km from there, to 0.1 km
    mine: Application | None  # the worker's own application to the job
    employer: report_service.EmployerReliability


def get_worker_job(*, session: Session, worker_id: int, job: Job) -> WorkerJob:
    """A job as the worker sees it: their distance to it, their application, the employer."""
    here = worker_service.get_position(session=session, worker_id=worker_id)
    return WorkerJob(
        job=job,
        certificates=job_service.job_certificates(session=session, job_id=job.id or 0),
        here=here,
        distance=None if here is None else round(haversine_km(*here, job.lat, job.lon), 1),
        mine=application_service.find_application(
            session=session, job_id=job.id or 0, worker_id=worker_id
        ),
        employer=report_service.get_employer_reliability(
            session=session, employer_id=job.employer_id
        ),
    )


@dataclass(frozen=True)
class EmployerJob:
    applicants: application_views.JobApplicants
    certificates: list[str]
    candidates: list[candidate_service.Candidate]  # ranked; only while the job is open
    listed: set[int]  # candidates on the employer's rehire list (常用工友)
    invites: dict[int, str]  # worker id -> status of the invite to this job


def get_employer_job(
    *,
    session: Session,
    job: Job,
    employer_id: int,
    candidates: int = 10,
    model: FeedReadModel | None = None,
) -> EmployerJob:
    """The employer's job: applicants, required certificates, and its best `candidates`.

    Candidates on the employer's rehire list come first among candidates of equal score.
    """
    ranked = (
        candidate_service.list_candidates(session=session, job=job, k=candidates, model=model)
        if job.status == JobStatus.open and candidates > 0
        else []
    )
    listed = rehire_service.listed_ids(session=session, employer_id=employer_id)
    ranked = rehire_service.prefer_listed(
        ranked, [c.match.score for c in ranked], [c.view.user.id in listed for c in ranked]
    )
    return EmployerJob(
        applicants=application_views.get_job_applicants(
            session=session, job=job, employer_id=employer_id
        ),
        certificates=job_service.job_certificates(session=session, job_id=job.id or 0),
        candidates=ranked,
        listed=listed,
        invites=invite_service.job_invites(session=session, job_id=job.id or 0),
    )
