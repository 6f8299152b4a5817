"""An employer invites a ranked candidate to an open job; the worker accepts or declines.

Accepting hires the worker through the ordinary claim and confirm path (the employer has
already chosen them, as a union dispatch proposal has), so terms, slot counting, the
no-clash rule and blocks hold as for any hire. One invite per worker and job; at most
INVITES_PER_PLACE open invites per free place. An invite lapses when its job fills (written
then, `expire_job_invites`), closes or starts (read so: `is_live`), or one side blocks.
The employer learns no phone number or exact place through an invite: only after the hire.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.applications.locks import lock_job
from market.errors import N_, Conflict, NotFound
from market.events.service import event_record
from market.invites import blocks as block_service
from market.invites import lapse
from market.models import (
    Application,
    ApplicationStatus,
    Invite,
    InviteStatus,
    Job,
    JobStatus,
    User,
    WorkerProfile,
)
from market.types import utcnow

INVITES_PER_PLACE = 3
expire_job_invites = lapse.expire_job_invites


def is_live(invite: Invite, job: Job, now: datetime) -> bool:
    """Whether the worker can still take the invite: open, and its job open and ahead."""
    return (
        invite.status == InviteStatus.invited
        and job.status == JobStatus.open
        and job.hidden_reason is None
        and job.start_at > now
    )


def _event(session: Session, invite: Invite, kind: str) -> None:
    event_record(
        session=session,
        kind=kind,
        job_id=invite.job_id,
        worker_id=invite.worker_id,
        employer_id=invite.employer_id,
        payload={"invite": invite.id, "job": invite.job_id, "status": invite.status},
    )


def invite_send(
    *, session: Session, job_id: int, employer: User, worker_id: int, now: datetime | None = None
) -> Invite:
    """Invite a worker to one of the employer's open jobs."""
    now = now or utcnow()
    job = session.get(Job, job_id)
    if job is None or job.employer_id != employer.id:
        raise NotFound(N_("Job not found"))
    job = lock_job(session, job_id)  # invites to one job queue here: the cap holds
    if session.get(WorkerProfile, worker_id) is None:
        raise NotFound(N_("Worker not found"))
    if job.status != JobStatus.open or job.hidden_reason is not None or job.start_at <= now:
        raise Conflict(N_("Only an open job that has not started takes invites"))
    if block_service.is_blocked(session=session, user_id=worker_id, other_id=job.employer_id):
        raise Conflict(N_("This worker cannot be invited to your jobs"))
    applied = application_service.find_application(
        session=session, job_id=job.id or 0, worker_id=worker_id
    )
    if applied is not None and applied.status != ApplicationStatus.withdrawn:
        raise Conflict(N_("This worker has already applied: answer them under Applicants"))
    if find_invite(session=session, job_id=job.id or 0, worker_id=worker_id) is not None:
        raise Conflict(N_("You have already invited this worker to this job"))
    cap = INVITES_PER_PLACE * max(0, job.headcount - job.confirmed_count)
    if count_open(session=session, job_id=job.id or 0) >= cap:
        raise Conflict(
            N_("At most {n} invites can wait for an answer on this job"), n=cap, field="worker_id"
        )
    invite = Invite(job_id=job.id or 0, worker_id=worker_id, employer_id=job.employer_id)
    invite.created_at = now
    session.add(invite)
    try:
        session.flush()
    except IntegrityError as exc:  # a racing duplicate of the same invite
        raise Conflict(N_("You have already invited this worker to this job")) from exc
    _event(session, invite, "invite.sent")
    session.flush()
    return invite


def find_invite(*, session: Session, job_id: int, worker_id: int) -> Invite | None:
    """The worker's invite to the job, if one was sent."""
    return session.exec(
        select(Invite).where(Invite.job_id == job_id, Invite.worker_id == worker_id)
    ).first()


def count_open(*, session: Session, job_id: int) -> int:
    """How many of the job's invites wait for an answer."""
    return session.exec(
        select(func.count()).where(Invite.job_id == job_id, Invite.status == InviteStatus.invited)
    ).one()


def _own_live(session: Session, invite_id: int, worker: User, now: datetime) -> tuple[Invite, Job]:
    invite = session.get(Invite, invite_id)
    if invite is None or invite.worker_id != worker.id:
        raise NotFound(N_("Invite not found"))
    if invite.status in (InviteStatus.accepted, InviteStatus.declined):
        raise Conflict(N_("You have already answered this invite"))
    job = session.get(Job, invite.job_id)
    assert job is not None
    if not is_live(invite, job, now):
        raise Conflict(N_("This invite has expired: the job is full, closed or started"))
    return invite, job


def invite_accept(
    *, session: Session, invite_id: int, worker: User, now: datetime | None = None
) -> Application:
    """Take the invite: claimed on the job's current terms and hired, like any other hire."""
    now = now or utcnow()
    invite, job = _own_live(session, invite_id, worker, now)
    application = application_service.application_claim(
        session=session, job_id=invite.job_id, worker=worker, now=now
    ).application
    if application.status == ApplicationStatus.applied:
        employer = session.get(User, job.employer_id)
        assert employer is not None
        application = application_service.application_confirm(
            session=session, application=application, employer=employer, now=now
        )
    session.refresh(invite)  # the hire may have filled the job and lapsed the others
    invite.status, invite.decided_at = InviteStatus.accepted, now
    invite.application_id = application.id
    session.add(invite)
    _event(session, invite, "invite.accepted")
    session.flush()
    return application


def invite_decline(
    *, session: Session, invite_id: int, worker: User, now: datetime | None = None
) -> Invite:
    """Turn the invite down; the employer may invite someone else in its place."""
    now = now or utcnow()
    invite, _ = _own_live(session, invite_id, worker, now)
    invite.status, invite.decided_at = InviteStatus.declined, now
    session.add(invite)
    _event(session, invite, "invite.declined")
    session.flush()
    return invite


def list_worker_invites(
    *, session: Session, worker_id: int, now: datetime | None = None
) -> Sequence[tuple[Invite, Job, User]]:
    """The worker's invites they can still take, with job and employer, soonest shift first."""
    now = now or utcnow()
    return session.exec(
        select(Invite, Job, User)
        .join(Job, col(Job.id) == col(Invite.job_id))
        .join(User, col(User.id) == col(Invite.employer_id))
        .where(
            Invite.worker_id == worker_id,
            Invite.status == InviteStatus.invited,
            Job.status == JobStatus.open,
            col(Job.hidden_reason).is_(None),
            col(Job.start_at) > now,
        )
        .order_by(col(Job.start_at))
    ).all()


def job_invites(*, session: Session, job_id: int) -> dict[int, str]:
    """The job's invites: worker id -> the invite's status."""
    rows = session.exec(
        select(Invite.worker_id, Invite.status).where(Invite.job_id == job_id)
    ).all()
    return dict(rows)
