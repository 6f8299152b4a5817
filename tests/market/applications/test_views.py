"""A worker's "My jobs" and an employer's applicants, each read in one call."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from sqlmodel import Session

from market.applications import ratings as rating_service
from market.applications import service as application_service
from market.applications import views as application_views
from market.models import Application, Job, User
from market.stations import service as station_service
from market.stations.schemas import StationCreate
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker


class Done(NamedTuple):
    worker: User
    employer: User
    job: Job
    application: Application


def _done(session: Session) -> Done:
    """A worker hired on a job whose shift is over and marked done."""
    employer, worker = make_employer(session), make_worker(session)
    job = make_job(session, employer=employer, instant=True)
    claimed = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=worker
    )
    job.start_at, job.end_at = utcnow() - timedelta(hours=9), utcnow() - timedelta(hours=1)
    claimed.application.status = "completed"
    session.flush()
    return Done(worker, employer, job, claimed.application)


def test_worker_jobs_lists_the_applications_and_those_rated(session: Session) -> None:
    done = _done(session)
    worker_id = done.worker.id or 0
    jobs = application_views.get_worker_jobs(session=session, worker_id=worker_id)
    assert [(a.id, j.id, e.id) for a, j, e in jobs.rows] == [
        (done.application.id, done.job.id, done.employer.id)
    ]
    assert jobs.rated == set() and jobs.stations == []
    rating_service.rating_create(
        session=session, application=done.application, rater=done.worker, stars=5, comment=""
    )
    rated = application_views.get_worker_jobs(session=session, worker_id=worker_id).rated
    assert rated == {done.application.id}


def test_worker_jobs_names_the_nearest_stations_when_asked(session: Session) -> None:
    worker = make_worker(session)
    station_service.station_create(
        session=session,
        data=StationCreate(name="南大街驿站", address="芝罘区南大街 1 号", lat=37.54, lon=121.26),
    )
    jobs = application_views.get_worker_jobs(
        session=session, worker_id=worker.id or 0, stations=True
    )
    assert list(jobs.rows) == [] and jobs.stations[0][0].name == "南大街驿站"


def test_job_applicants_show_those_rated_and_whether_the_shift_began(session: Session) -> None:
    done = _done(session)
    employer_id = done.employer.id or 0
    seen = application_views.get_job_applicants(
        session=session, job=done.job, employer_id=employer_id
    )
    assert [(a.id, w.id) for a, w in seen.applicants] == [(done.application.id, done.worker.id)]
    assert seen.started and seen.rated == set()
    rating_service.rating_create(
        session=session, application=done.application, rater=done.employer, stars=4, comment=""
    )
    before = done.job.start_at - timedelta(minutes=1)
    earlier = application_views.get_job_applicants(
        session=session, job=done.job, employer_id=employer_id, now=before
    )
    assert earlier.rated == {done.application.id} and not earlier.started
