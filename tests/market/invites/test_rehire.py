"""The rehire list (常用工友): added after a completed shift, shown without contact details."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from market.errors import Conflict
from market.invites import rehire as rehire_service
from market.jobs import service as job_service
from market.models import User
from tests.factories import make_job, make_worker
from tests.market.service_helpers import hire, refused

H = timedelta(hours=1)


def test_only_a_worker_who_completed_a_shift_is_added_and_no_phone_shows(db: Session) -> None:
    job = make_job(db)
    employer = db.get(User, job.employer_id)
    assert employer is not None
    worker, stranger = make_worker(db), make_worker(db)
    hire(db, job=job, worker=worker, now=job.start_at - 30 * H)
    refused(
        db,
        lambda: rehire_service.rehire_add(session=db, employer=employer, worker_id=worker.id or 0),
        Conflict,
        "Only a worker who completed a shift for you can be added",
    )
    job_service.job_complete(session=db, job=job, now=job.end_at + H)
    rehire_service.rehire_add(session=db, employer=employer, worker_id=worker.id or 0)
    refused(
        db,
        lambda: rehire_service.rehire_add(
            session=db, employer=employer, worker_id=stranger.id or 0
        ),
        Conflict,
        "Only a worker who completed a shift for you can be added",
    )
    (row,) = rehire_service.list_rehire(
        session=db, employer_id=employer.id or 0, now=job.end_at + H
    )
    assert (row.view.user.id, row.jobs_done, row.phone) == (worker.id, 1, None)
    # hired again: the phone shows while the hire lasts
    again = make_job(db, employer=employer, start_at=job.start_at + 48 * H)
    hire(db, job=again, worker=worker, now=job.end_at + 2 * H)
    (row,) = rehire_service.list_rehire(
        session=db, employer_id=employer.id or 0, now=job.end_at + 3 * H
    )
    assert row.phone == worker.phone


def test_listed_candidates_come_first_among_equal_scores_only() -> None:
    ranked = ["a", "b", "c", "d"]
    scores = [0.9, 0.8, 0.8, 0.5]
    listed = [False, False, True, True]
    assert rehire_service.prefer_listed(ranked, scores, listed) == ["a", "c", "b", "d"]
