"""The worker's feed and job pages and the employer's job page, each read in one call."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from market.applications import service as application_service
from market.feed import views as feed_views
from market.feed.schemas import FeedFilter
from market.jobs import service as job_service
from market.models import WorkerProfile
from market.stations import service as station_service
from market.stations.schemas import StationCreate
from market.types import utcnow
from matching.geo import haversine_km
from tests.factories import YANTAI, make_employer, make_job, make_worker


def test_feed_page_ranks_the_jobs_and_names_the_nearest_stations(session: Session) -> None:
    worker = make_worker(session)
    job = make_job(session)
    station_service.station_create(
        session=session,
        data=StationCreate(name="南大街驿站", address="芝罘区南大街 1 号", lat=37.54, lon=121.26),
    )
    page = feed_views.get_feed_page(session=session, worker_id=worker.id or 0, data=FeedFilter())
    assert job.id in [item.job.id for item in page.feed.items]
    assert page.view.user.id == worker.id and not page.now_on
    assert page.stations and page.stations[0][0].name == "南大街驿站"


def test_feed_page_shows_available_now_until_it_runs_out(session: Session) -> None:
    worker = make_worker(session)
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None
    now = utcnow()
    profile.available_now, profile.now_until = True, now + timedelta(hours=2)
    session.flush()
    page = feed_views.get_feed_page(
        session=session, worker_id=worker.id or 0, data=FeedFilter(), now=now
    )
    assert page.now_on
    later = feed_views.get_feed_page(
        session=session, worker_id=worker.id or 0, data=FeedFilter(), now=now + timedelta(hours=3)
    )
    assert not later.now_on


def test_worker_job_gives_the_distance_from_where_the_worker_is(session: Session) -> None:
    worker = make_worker(session)
    job = make_job(session, certificates=("height",))
    seen = feed_views.get_worker_job(session=session, worker_id=worker.id or 0, job=job)
    assert seen.here == YANTAI
    assert seen.distance == round(haversine_km(*YANTAI, job.lat, job.lon), 1)
    assert seen.certificates == ["height"] and seen.mine is None
    assert seen.employer.employer_id == job.employer_id
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.available_now, profile.now_lat, profile.now_lon = True, job.lat, job.lon
    session.flush()
    there = feed_views.get_worker_job(session=session, worker_id=worker.id or 0, job=job)
    assert there.here == (job.lat, job.lon) and there.distance == 0.0


def test_worker_job_shows_the_workers_own_application_only(session: Session) -> None:
    worker, other = make_worker(session), make_worker(session)
    job = make_job(session)
    application_service.application_claim(session=session, job_id=job.id or 0, worker=other)
    before = feed_views.get_worker_job(session=session, worker_id=worker.id or 0, job=job)
    assert before.mine is None
    mine = application_service.application_claim(session=session, job_id=job.id or 0, worker=worker)
    seen = feed_views.get_worker_job(session=session, worker_id=worker.id or 0, job=job)
    assert seen.mine is not None and seen.mine.id == mine.application.id


def test_worker_job_without_a_known_position_has_no_distance(session: Session) -> None:
    worker = make_worker(session)
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.home_lat = profile.home_lon = None
    session.flush()
    job = make_job(session)
    seen = feed_views.get_worker_job(session=session, worker_id=worker.id or 0, job=job)
    assert seen.here is None and seen.distance is None


def test_employer_job_ranks_candidates_only_while_the_job_is_open(session: Session) -> None:
    employer = make_employer(session)
    worker = make_worker(session)
    job = make_job(session, employer=employer)
    page = feed_views.get_employer_job(session=session, job=job, employer_id=employer.id or 0)
    assert [c.view.user.id for c in page.candidates] == [worker.id]
    assert page.applicants.job is job and not page.applicants.started
    assert page.certificates == []
    job_service.job_cancel(session=session, job=job, reason="下雨")
    closed = feed_views.get_employer_job(session=session, job=job, employer_id=employer.id or 0)
    assert closed.candidates == []


def test_employer_job_may_leave_the_candidates_out(session: Session) -> None:
    employer = make_employer(session)
    make_worker(session)
    job = make_job(session, employer=employer)
    page = feed_views.get_employer_job(
        session=session, job=job, employer_id=employer.id or 0, candidates=0
    )
    assert page.candidates == []
