"""Invites: an employer invites a ranked candidate, the worker accepts (hired) or declines."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from market.applications import service as application_service
from market.errors import Conflict, NotFound
from market.feed import candidates as candidate_service
from market.invites import blocks as block_service
from market.invites import service as invite_service
from market.models import Invite, Job, User
from market.notifications.texts import drafts_for
from tests.factories import make_employer, make_job, make_worker
from tests.market.service_helpers import employer_of, events_after, hire, last_event_id, refused

H = timedelta(hours=1)


def _invite(db: Session, job: Job, worker: User) -> Invite:
    return invite_service.invite_send(
        session=db,
        job_id=job.id or 0,
        employer=employer_of(db, job),
        worker_id=worker.id or 0,
        now=job.start_at - 24 * H,
    )


def test_an_invited_worker_is_told_and_accepting_hires_them_through_the_claim(
    db: Session,
) -> None:
    job = make_job(db, headcount=2)
    worker = make_worker(db)
    mark = last_event_id(db)
    invite = _invite(db, job, worker)
    (sent,) = events_after(db, mark)
    assert sent.kind == "invite.sent"
    (told,) = drafts_for(session=db, event=sent)
    assert (told.user_id, told.title, told.url) == (
        worker.id,
        "You are invited to a job",
        "/my/invites",
    )
    assert (
        invite_service.list_worker_invites(
            session=db, worker_id=worker.id or 0, now=job.start_at - 24 * H
        )[0][0].id
        == invite.id
    )
    application = invite_service.invite_accept(
        session=db, invite_id=invite.id or 0, worker=worker, now=job.start_at - 23 * H
    )
    assert (application.status, invite.status, invite.application_id) == (
        "confirmed",
        "accepted",
        application.id,
    )
    assert application.agreed_wage == job.wage and job.confirmed_count == 1


def test_a_duplicate_invite_and_an_invite_to_an_applicant_are_refused(db: Session) -> None:
    job = make_job(db)
    worker, applicant = make_worker(db), make_worker(db)
    _invite(db, job, worker)
    now = job.start_at - 24 * H
    application_service.application_claim(session=db, job_id=job.id or 0, worker=applicant, now=now)
    for who, message in (
        (worker, "You have already invited this worker to this job"),
        (applicant, "This worker has already applied: answer them under Applicants"),
    ):
        refused(
            db,
            lambda who=who: invite_service.invite_send(
                session=db,
                job_id=job.id or 0,
                employer=employer_of(db, job),
                worker_id=who.id or 0,
                now=now,
            ),
            Conflict,
            message,
        )


def test_invites_are_capped_at_three_per_free_place(db: Session) -> None:
    job = make_job(db, headcount=1)
    for _ in range(3):
        _invite(db, job, make_worker(db))
    extra = make_worker(db)
    refused(
        db,
        lambda: _invite(db, job, extra),
        Conflict,
        "At most 3 invites can wait for an answer on this job",
    )


def test_another_employers_job_and_an_unknown_worker_are_not_found(db: Session) -> None:
    job = make_job(db)
    worker, stranger = make_worker(db), make_employer(db)
    now = job.start_at - 24 * H
    refused(
        db,
        lambda: invite_service.invite_send(
            session=db, job_id=job.id or 0, employer=stranger, worker_id=worker.id or 0, now=now
        ),
        NotFound,
        "Job not found",
    )
    refused(
        db,
        lambda: invite_service.invite_send(
            session=db, job_id=job.id or 0, employer=employer_of(db, job), worker_id=10**6, now=now
        ),
        NotFound,
        "Worker not found",
    )


def test_invites_lapse_when_the_job_fills_and_stay_lapsed_when_it_reopens(db: Session) -> None:
    job = make_job(db, headcount=1)
    invited, other = make_worker(db), make_worker(db)
    invite = _invite(db, job, invited)
    application = hire(db, job=job, worker=other, now=job.start_at - 20 * H)
    db.refresh(invite)
    assert invite.status == "expired"
    application_service.application_cancel(
        session=db,
        application=application,
        user=other,
        reason="家里有事",
        now=job.start_at - 19 * H,
    )
    assert job.status == "open"
    refused(
        db,
        lambda: invite_service.invite_accept(
            session=db, invite_id=invite.id or 0, worker=invited, now=job.start_at - 18 * H
        ),
        Conflict,
        "This invite has expired: the job is full, closed or started",
    )


def test_an_invite_cannot_be_taken_once_the_shift_started_nor_answered_twice(db: Session) -> None:
    job = make_job(db)
    worker = make_worker(db)
    invite = _invite(db, job, worker)
    refused(
        db,
        lambda: invite_service.invite_accept(
            session=db, invite_id=invite.id or 0, worker=worker, now=job.start_at + H
        ),
        Conflict,
        "This invite has expired: the job is full, closed or started",
    )
    mark = last_event_id(db)
    invite_service.invite_decline(
        session=db, invite_id=invite.id or 0, worker=worker, now=job.start_at - 20 * H
    )
    (declined,) = events_after(db, mark)
    (told,) = drafts_for(session=db, event=declined)
    assert (told.user_id, told.title) == (job.employer_id, "An invite was declined")
    refused(
        db,
        lambda: invite_service.invite_accept(
            session=db, invite_id=invite.id or 0, worker=worker, now=job.start_at - 19 * H
        ),
        Conflict,
        "You have already answered this invite",
    )
    someone = make_worker(db)
    refused(
        db,
        lambda: invite_service.invite_decline(
            session=db, invite_id=invite.id or 0, worker=someone, now=job.start_at - 19 * H
        ),
        NotFound,
        "Invite not found",
    )


def test_candidates_leave_out_applicants_and_show_invited_workers(db: Session) -> None:
    job = make_job(db)
    applicant, other = make_worker(db), make_worker(db)
    before = {c.view.user.id for c in candidate_service.list_candidates(session=db, job=job)}
    assert {applicant.id, other.id} <= before
    application_service.application_claim(
        session=db, job_id=job.id or 0, worker=applicant, now=job.start_at - 24 * H
    )
    after = {c.view.user.id for c in candidate_service.list_candidates(session=db, job=job)}
    assert applicant.id not in after and other.id in after
    _invite(db, job, other)
    assert invite_service.job_invites(session=db, job_id=job.id or 0) == {other.id: "invited"}


def test_a_blocked_worker_cannot_be_invited_either_way(db: Session) -> None:
    job = make_job(db)
    blocks_employer, blocked_by_employer = make_worker(db), make_worker(db)
    block_service.block_add(session=db, user=blocks_employer, other_id=job.employer_id)
    block_service.block_add(
        session=db, user=employer_of(db, job), other_id=blocked_by_employer.id or 0
    )
    for who in (blocks_employer, blocked_by_employer):
        refused(
            db,
            lambda who=who: _invite(db, job, who),
            Conflict,
            "This worker cannot be invited to your jobs",
        )
