"""Moderation by union staff: hide a posting, suspend an account, verify an employer.

Every action is logged in `moderation_action` (who, what, why) and written to the outbox.
A hidden job leaves every feed and takes no claims (`feed`, `applications`); a suspended
account is inactive, so it can neither log in nor use an old session (`accounts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, delete, select

from market import paging
from market.accounts import employers as employers_service
from market.accounts import logins
from market.dispatch import service as dispatch_service
from market.errors import N_, Conflict, NotAllowed, NotFound
from market.events.service import event_record
from market.models import EmployerProfile, Job, ModerationAction, Role, User, UserSession
from market.paging import DEFAULT_LIMIT, Page
from market.standby import service as standby_service
from market.types import utcnow


def _log(
    session: Session,
    staff: User,
    action: str,
    now: datetime,
    *,
    job_id: int | None = None,
    user_id: int | None = None,
    reason: str = "",
) -> None:
    assert staff.id is not None
    session.add(
        ModerationAction(
            staff_id=staff.id,
            action=action,
            job_id=job_id,
            user_id=user_id,
            reason=reason,
            created_at=now,
        )
    )


def job_hide(
    *, session: Session, staff: User, job: Job, reason: str, now: datetime | None = None
) -> Job:
    """Take a posting down; the employer sees the reason, workers no longer see the job."""
    now = now or utcnow()
    if job.hidden_reason is not None:
        raise Conflict(N_("This job is already hidden"))
    job.hidden_reason, job.updated_at = reason, now
    session.add(job)
    _log(session, staff, "job.hidden", now, job_id=job.id, reason=reason)
    event_record(
        session=session,
        kind="job.hidden",
        job_id=job.id,
        employer_id=job.employer_id,
        payload={"job": job.id, "reason": reason},
    )
    session.flush()
    return job


def job_unhide(*, session: Session, staff: User, job: Job, now: datetime | None = None) -> Job:
    """Put a hidden posting back on the market."""
    now = now or utcnow()
    if job.hidden_reason is None:
        raise Conflict(N_("This job is not hidden"))
    job.hidden_reason, job.updated_at = None, now
    session.add(job)
    _log(session, staff, "job.unhidden", now, job_id=job.id)
    event_record(
        session=session,
        kind="job.unhidden",
        job_id=job.id,
        employer_id=job.employer_id,
        payload={"job": job.id},
    )
    session.flush()
    return job


def get_user(*, session: Session, user_id: int) -> User:
    """The account, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("Account not found"))
    return user


def user_suspend(
    *, session: Session, staff: User, user: User, reason: str, now: datetime | None = None
) -> User:
    """Suspend a worker or employer: logged out everywhere, and no new login."""
    now = now or utcnow()
    if user.role == Role.staff:
        raise NotAllowed(N_("Staff accounts cannot be suspended here"))
    if not user.is_active:
        raise Conflict(N_("This account is already suspended"))
    user.is_active = False
    session.add(user)
    session.exec(delete(UserSession).where(col(UserSession.user_id) == user.id))
    logins.ended(session=session, user_id=user.id or 0)
    # a suspended worker cannot answer the morning's proposals: their slots go to others
    dispatch_service.proposals_release(session=session, worker_id=user.id or 0, now=now)
    # nor take a standby offer: a place held for them goes to the next worker on the list
    standby_service.standby_release(session=session, worker_id=user.id or 0, now=now)
    _log(session, staff, "user.suspended", now, user_id=user.id, reason=reason)
    event_record(
        session=session,
        kind="user.suspended",
        worker_id=user.id if user.role == Role.worker else None,
        employer_id=user.id if user.role == Role.employer else None,
        payload={"user": user.id, "reason": reason},
    )
    session.flush()
    return user


def user_reinstate(
    *, session: Session, staff: User, user: User, now: datetime | None = None
) -> User:
    """Lift a suspension."""
    now = now or utcnow()
    if user.deleted_at is not None:
        raise Conflict(N_("Its owner deleted this account: it cannot be reinstated"))
    if user.is_active:
        raise Conflict(N_("This account is not suspended"))
    user.is_active = True
    session.add(user)
    _log(session, staff, "user.reinstated", now, user_id=user.id)
    event_record(
        session=session,
        kind="user.reinstated",
        worker_id=user.id if user.role == Role.worker else None,
        employer_id=user.id if user.role == Role.employer else None,
        payload={"user": user.id},
    )
    session.flush()
    return user


def employer_verify(
    *,
    session: Session,
    staff: User,
    employer_id: int,
    verified: bool = True,
    now: datetime | None = None,
) -> EmployerProfile:
    """Give (or take back) the verified badge workers see on the employer's jobs."""
    now = now or utcnow()
    profile = session.get(EmployerProfile, employer_id)
    if profile is None:
        raise NotFound(N_("Employer not found"))
    if verified and not employers_service.verifiable(profile):
        raise Conflict(
            N_(
                "This employer has not given a valid unified social credit code nor stated "
                "that they hire as a private person"
            )
        )
    if profile.verified == verified:
        raise Conflict(
            N_("This employer is already verified")
            if verified
            else N_("This employer is not verified")
        )
    profile.verified = verified
    session.add(profile)
    kind = "employer.verified" if verified else "employer.unverified"
    _log(session, staff, kind, now, user_id=employer_id)
    event_record(
        session=session,
        kind=kind,
        employer_id=employer_id,
        payload={"employer": employer_id, "verified": verified},
    )
    session.flush()
    return profile


def list_moderation_actions(
    *, session: Session, after: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[ModerationAction]:
    """A page of moderation actions, newest first, after the cursor `after`."""
    limit, order = paging.clamp(limit), (col(ModerationAction.id),)
    query = select(ModerationAction)
    if after is not None:
        query = query.where(paging.beyond(order, paging.decode(after, int), descending=True))
    rows = session.exec(query.order_by(order[0].desc()).limit(limit + 1)).all()
    return paging.page_of(rows, limit, lambda action: (action.id or 0,))


def list_hidden_jobs(*, session: Session) -> Sequence[Job]:
    """Jobs taken down by staff, latest first."""
    return session.exec(
        select(Job).where(col(Job.hidden_reason).is_not(None)).order_by(col(Job.updated_at).desc())
    ).all()


def search_accounts(
    *, session: Session, query: str, limit: int = 50
) -> Sequence[tuple[User, EmployerProfile | None]]:
    """Worker and employer accounts whose name or phone contains `query`, with the employer row."""
    like = f"%{query.strip()}%"
    rows = session.exec(
        select(User, EmployerProfile)
        .join(EmployerProfile, col(EmployerProfile.user_id) == col(User.id), isouter=True)
        .where(
            col(User.role).in_((Role.worker, Role.employer)),
            col(User.name).like(like) | col(User.phone).like(like),
        )
        .order_by(col(User.id).desc())
        .limit(limit)
    ).all()
    return list(rows)


def employers_of(
    *, session: Session, user_ids: Sequence[int]
) -> dict[int, tuple[User, EmployerProfile | None]]:
    """The accounts of these employers, each with its employer row, by id."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(User, EmployerProfile)
        .join(EmployerProfile, col(EmployerProfile.user_id) == col(User.id), isouter=True)
        .where(col(User.id).in_(set(user_ids)))
    ).all()
    return {user.id or 0: (user, profile) for user, profile in rows}


def search_jobs(*, session: Session, query: str = "", limit: int = 50) -> Sequence[Job]:
    """Postings whose title or address contains `query` (or the latest), newest first."""
    statement = select(Job)
    if query.strip().isdigit():
        statement = statement.where(col(Job.id) == int(query.strip()))
    elif query.strip():
        like = f"%{query.strip()}%"
        statement = statement.where(col(Job.title).like(like) | col(Job.address).like(like))
    return session.exec(statement.order_by(col(Job.id).desc()).limit(limit)).all()
