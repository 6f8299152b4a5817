"""Blocks: a blocked pair stops meeting in feeds, candidates, claims and invites; hires stand."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from market.applications import service as application_service
from market.errors import Conflict, NotFound
from market.feed import candidates as candidate_service
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.invites import blocks as block_service
from market.invites import service as invite_service
from market.models import Job, User
from tests.factories import make_employer, make_job, make_worker
from tests.market.service_helpers import employer_of, hire, refused

H = timedelta(hours=1)


def _feed_ids(db: Session, worker: User, job: Job) -> set[int | None]:
    feed = feed_service.list_feed_from_database(
        session=db, worker_id=worker.id or 0, data=FeedFilter(), now=job.start_at - 24 * H
    )
    return {item.job.id for item in feed.items}


def test_a_worker_who_blocks_an_employer_no_longer_sees_their_jobs(db: Session) -> None:
    job, other = make_job(db), make_job(db)
    worker = make_worker(db)
    assert {job.id, other.id} <= _feed_ids(db, worker, job)
    block_service.block_add(session=db, user=worker, other_id=job.employer_id)
    assert job.id not in _feed_ids(db, worker, job) and other.id in _feed_ids(db, worker, job)
    assert [u.id for _, u in block_service.list_blocks(session=db, user_id=worker.id or 0)] == [
        job.employer_id
    ]
    block_service.block_remove(session=db, user=worker, other_id=job.employer_id)
    assert job.id in _feed_ids(db, worker, job)


def test_a_blocked_worker_is_refused_neutrally_and_is_no_candidate(db: Session) -> None:
    job = make_job(db)
    worker = make_worker(db)
    block_service.block_add(session=db, user=employer_of(db, job), other_id=worker.id or 0)
    assert worker.id not in {
        c.view.user.id for c in candidate_service.list_candidates(session=db, job=job)
    }
    refused(
        db,
        lambda: application_service.application_claim(
            session=db, job_id=job.id or 0, worker=worker, now=job.start_at - 24 * H
        ),
        Conflict,
        "This job does not take your application",
    )


def test_blocking_keeps_an_existing_hire_and_lapses_open_invites(db: Session) -> None:
    job = make_job(db, headcount=2)
    later = make_job(db, employer=employer_of(db, job), start_at=job.start_at + 48 * H)
    worker = make_worker(db)
    application = hire(db, job=job, worker=worker, now=job.start_at - 30 * H)
    invite = invite_service.invite_send(
        session=db,
        job_id=later.id or 0,
        employer=employer_of(db, job),
        worker_id=worker.id or 0,
        now=job.start_at - 30 * H,
    )
    block_service.block_add(session=db, user=worker, other_id=job.employer_id)
    db.refresh(application)
    db.refresh(invite)
    # the hire stands (either side calls it off the ordinary way); the invite lapses
    assert (application.status, invite.status) == ("confirmed", "expired")
    assert job.confirmed_count == 1


def test_blocking_someone_of_the_wrong_kind_or_unknown_is_not_found(db: Session) -> None:
    worker, other_worker, employer = make_worker(db), make_worker(db), make_employer(db)
    refused(
        db,
        lambda: block_service.block_add(session=db, user=worker, other_id=other_worker.id or 0),
        NotFound,
        "Employer not found",
    )
    refused(
        db,
        lambda: block_service.block_add(session=db, user=employer, other_id=10**6),
        NotFound,
        "Worker not found",
    )
    refused(
        db,
        lambda: block_service.block_remove(session=db, user=worker, other_id=employer.id or 0),
        NotFound,
        "You have not blocked this person",
    )


def test_in_one_batch_a_block_or_an_application_leaves_a_worker_out_of_that_job_only(
    db: Session,
) -> None:
    # new-job alerts rank a batch of jobs at once: who is left out is decided per job
    first, second = make_job(db), make_job(db, employer=make_employer(db, name="赵老板"))
    blocker, applicant, other = (make_worker(db, name=n) for n in ("甲", "乙", "丙"))
    now = first.start_at - 24 * H
    block_service.block_add(session=db, user=blocker, other_id=first.employer_id)
    application_service.application_claim(
        session=db, job_id=second.id or 0, worker=applicant, now=now
    )
    ranked = candidate_service.rank_candidates_many(session=db, jobs=[first, second], now=now)
    offered = {job_id: {int(m.worker) for m in ms} for job_id, ms in ranked.items()}
    ids = {u.id for u in (blocker, applicant, other)}
    assert offered[first.id or 0] & ids == {applicant.id, other.id}
    assert offered[second.id or 0] & ids == {blocker.id, other.id}
