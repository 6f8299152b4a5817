"""Applications and hires: the state machine, slot counting and the no-clash rule.

Every hire takes two locks in one order — the worker's row, then the job's slot counter —
so concurrent claims queue rather than overbook, and never deadlock:

- the worker lock (`UPDATE worker SET lock_version = lock_version + 1`) serialises one
  worker's bookings, so twenty taps make one application and two overlapping jobs
  cannot both be confirmed;
- the slot is taken by `UPDATE job SET confirmed_count = confirmed_count + 1 WHERE
  confirmed_count < headcount`, which only one transaction per free slot can win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from market import paging
from market.applications import terms as terms_service
from market.applications.events import application_event
from market.applications.fit import check_can_do
from market.applications.locks import lock_job
from market.applications.locks import lock_worker as _lock_worker
from market.errors import N_, Conflict, Invalid, NotFound
from market.events.service import event_record
from market.invites import blocks as block_service
from market.invites import lapse as invite_lapse
from market.jobs import service as job_service
from market.models import (
    STATUS_LABELS,
    Application,
    ApplicationStatus,
    Job,
    JobStatus,
    User,
    WorkerProfile,
)
from market.paging import DEFAULT_LIMIT, Page
from market.reliability import service as reliability_service
from market.reliability.employers import employer_strike_on_call_off
from market.standby import offers as standby_offers
from market.types import utcnow

S = ApplicationStatus
# who may move an application from which state to which
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    ("employer", S.applied): {S.confirmed, S.declined},
    ("worker", S.applied): {S.withdrawn},
    ("worker", S.confirmed): {S.cancelled},
    ("employer", S.confirmed): {S.cancelled, S.no_show},
}
CONTACT_VISIBLE = frozenset({S.confirmed, S.completed, S.no_show})


@dataclass(frozen=True)
class ClaimResult:
    application: Application
    created: bool  # False when the worker had already applied (a repeated tap)


def get_application(*, session: Session, application_id: int) -> Application:
    """The application, or NotFound."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(N_("Application not found"))
    return application


def _take_slot(session: Session, job: Job, worker_id: int, now: datetime) -> None:
    """Count the worker into one of the job's places. The caller holds the job's row lock
    (`lock_job`), the lock every standby offer is made under, and `job` was read under it:
    places held for other workers' offers are not free (market/standby/offers.py)."""
    held = standby_offers.held_slots(
        session=session, job_id=job.id or 0, worker_id=worker_id, now=now
    )
    result = session.execute(
        update(Job)
        .where(
            col(Job.id) == job.id,
            col(Job.status) == JobStatus.open,
            col(Job.confirmed_count) < col(Job.headcount) - held,
        )
        .values(confirmed_count=Job.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if held and job.status == JobStatus.open:
            raise Conflict(N_("The free place is being offered to a worker on the standby list"))
        raise Conflict(N_("This job is full"))
    # under the lock the row held what `job` holds, so it now holds one more (no re-read)
    set_committed_value(job, "confirmed_count", job.confirmed_count + 1)


def _check_no_clash(session: Session, worker_id: int, job: Job) -> None:
    clash = session.exec(
        select(Application.job_id).where(
            Application.worker_id == worker_id,
            Application.status == S.confirmed,
            Application.job_id != job.id,
            col(Application.shift_start) < job.end_at,
            col(Application.shift_end) > job.start_at,
        )
    ).first()
    if clash is not None:
        raise Conflict(N_("You are already booked for another job at this time"))


def _open_for_applications(job: Job, now: datetime) -> None:
    if job.hidden_reason is not None:
        raise Conflict(N_("The union has taken this job down; it takes no applications"))
    if job.status == JobStatus.filled:
        raise Conflict(N_("This job is full"))
    if job.status != JobStatus.open:
        raise Conflict(
            N_("This job is {status} and takes no more applications"),
            status=STATUS_LABELS[job.status],
        )
    if job.start_at <= now:
        raise Conflict(N_("This shift has already started"))


def check_could_apply(*, session: Session, job: Job, worker_id: int, now: datetime) -> None:
    """Everything a claim checks but a free place: asked of a full job's standby list."""
    existing = find_application(session=session, job_id=job.id or 0, worker_id=worker_id)
    if existing is not None and existing.status == S.confirmed:
        raise Conflict(N_("You are already hired for this job"))
    if existing is not None and existing.status not in (S.applied, S.withdrawn):
        raise Conflict(
            N_("You cannot apply again: your application is {status}"),
            status=STATUS_LABELS[existing.status],
        )
    if job.hidden_reason is not None:
        raise Conflict(N_("The union has taken this job down; it takes no applications"))
    if job.status not in (JobStatus.open, JobStatus.filled):
        raise Conflict(
            N_("This job is {status} and takes no more applications"),
            status=STATUS_LABELS[job.status],
        )
    if job.start_at <= now:
        raise Conflict(N_("This shift has already started"))
    _check_not_blocked(session, worker_id, job)
    check_can_do(session, worker_id, job)
    _check_no_clash(session, worker_id, job)


def _check_not_blocked(session: Session, worker_id: int, job: Job) -> None:
    if block_service.is_blocked(session=session, user_id=worker_id, other_id=job.employer_id):
        raise Conflict(block_service.BLOCKED)


def application_claim(
    *,
    session: Session,
    job_id: int,
    worker: User,
    terms_version: int | None = None,
    now: datetime | None = None,
) -> ClaimResult:
    """Apply for a job; on an instant (抢单) job the claim is the hire, if a slot is left.

    The application keeps the job's terms as they stand under the job's lock; given the
    `terms_version` the worker read, a claim on terms changed since then is refused.
    """
    now = now or utcnow()
    assert worker.id is not None
    _lock_worker(session, worker.id)
    job = job_service.get_job_for_update(session=session, job_id=job_id)
    existing = session.exec(
        select(Application).where(Application.job_id == job_id, Application.worker_id == worker.id)
    ).first()
    if existing is not None and existing.status in (S.applied, S.confirmed):
        return ClaimResult(existing, created=False)
    if existing is not None and existing.status != S.withdrawn:
        raise Conflict(
            N_("You cannot apply again: your application is {status}"),
            status=STATUS_LABELS[existing.status],
        )
    _open_for_applications(job, now)
    if terms_version is not None and terms_version != job.terms_version:
        raise Conflict(
            N_("The terms of this job changed after you opened it; read them again"),
            field="terms_version",
        )
    _check_not_blocked(session, worker.id, job)
    distance = check_can_do(session, worker.id, job)
    _check_no_clash(session, worker.id, job)
    if job.instant:
        _take_slot(session, job, worker.id, now)
    application = existing or Application(
        job_id=job_id,
        worker_id=worker.id,
        status=S.applied,
        shift_start=job.start_at,
        shift_end=job.end_at,
        **terms_service.terms_of(job, now=now),
    )
    application.status = S.confirmed if job.instant else S.applied
    # a re-application after a withdrawal: the shift and the terms may have changed since
    application.shift_start, application.shift_end = job.start_at, job.end_at
    terms_service.agree(application, job, now)
    if job.instant:
        terms_service.record_hire(application, job)
        application.decided_at = now  # in the INSERT, not an UPDATE after it
    application.distance_km, application.updated_at = distance, now
    application.cancel_reason = application.cancelled_by = None
    session.add(application)
    try:
        session.flush()
    except IntegrityError as exc:  # the unique (job, worker) pair: a racing duplicate
        raise Conflict(N_("You have already applied for this job")) from exc
    if job.instant:
        _after_hire(session, application, job, now)
    application_event(session, application, job, "application.created")
    return ClaimResult(application, created=True)


def _after_hire(session: Session, application: Application, job: Job, now: datetime) -> None:
    application.decided_at = now
    standby_offers.end_on_hire(
        session=session,
        job=job,
        worker_id=application.worker_id,
        application_id=application.id or 0,
        now=now,
    )
    session.execute(
        update(WorkerProfile)
        .where(col(WorkerProfile.user_id) == application.worker_id)
        .values(confirmed_total=WorkerProfile.confirmed_total + 1)
    )
    if job.first_hire_at is None:
        job.first_hire_at = now
    _sync_job(session, job, now)


def _sync_job(session: Session, job: Job, now: datetime) -> None:
    before = job.status
    job_service.job_status_sync(job, now)
    job.updated_at = now
    session.add(job)
    if job.status != before:
        kind = "job.filled" if job.status == JobStatus.filled else "job.reopened"
        if job.status == JobStatus.filled:
            invite_lapse.expire_job_invites(session=session, job_id=job.id or 0, now=now)
        event_record(
            session=session,
            kind=kind,
            job_id=job.id,
            employer_id=job.employer_id,
            payload={"job": job.id, "slots_left": job.headcount - job.confirmed_count},
        )


def side_of(application: Application, job: Job, user: User) -> str:
    """ "worker" or "employer": which side of the application `user` is on, else NotAllowed."""
    if user.id == application.worker_id:
        return "worker"
    if user.id == job.employer_id:
        return "employer"
    raise NotFound(N_("Application not found"))


def _transition(application: Application, side: str, target: str) -> None:
    if target not in TRANSITIONS.get((side, application.status), set()):
        raise Conflict(
            N_("An application that is {status} cannot become {target}"),
            status=STATUS_LABELS[application.status],
            target=STATUS_LABELS[target],
        )


def application_confirm(
    *, session: Session, application: Application, employer: User, now: datetime | None = None
) -> Application:
    """Hire an applicant: needs a free slot and no clash with the worker's other hires."""
    now = now or utcnow()
    job = job_service.get_job(session=session, job_id=application.job_id)
    _transition(application, side_of(application, job, employer), S.confirmed)
    _lock_worker(session, application.worker_id)
    session.refresh(application)
    _transition(application, "employer", S.confirmed)  # it may have been withdrawn meanwhile
    terms_service.check_accepted(application, job)
    _open_for_applications(job, now)
    _check_no_clash(session, application.worker_id, job)
    job = lock_job(session, job.id or 0)  # re-read under the lock: the count may have moved
    _take_slot(session, job, application.worker_id, now)
    # under the job's lock: an edit committed meanwhile may have changed the terms
    session.refresh(application)
    terms_service.check_accepted(application, job)
    terms_service.record_hire(application, job)
    application.status, application.updated_at = S.confirmed, now
    session.add(application)
    _after_hire(session, application, job, now)
    application_event(session, application, job, "application.confirmed")
    return application


def application_decline(
    *, session: Session, application: Application, employer: User, now: datetime | None = None
) -> Application:
    """Turn an applicant down."""
    now = now or utcnow()
    job = job_service.get_job(session=session, job_id=application.job_id)
    _transition(application, side_of(application, job, employer), S.declined)
    application.status, application.decided_at, application.updated_at = S.declined, now, now
    session.add(application)
    application_event(session, application, job, "application.declined")
    return application


def application_cancel(
    *,
    session: Session,
    application: Application,
    user: User,
    reason: str,
    now: datetime | None = None,
) -> Application:
    """Withdraw an application, or call off a confirmed hire (either side), with a reason."""
    now = now or utcnow()
    job = job_service.get_job(session=session, job_id=application.job_id)
    side = side_of(application, job, user)
    target = S.withdrawn if application.status == S.applied else S.cancelled
    _transition(application, side, target)
    if target == S.cancelled:
        # once work has begun, the hire ends as done or no-show, not as a call-off
        if job.start_at <= now:
            raise Conflict(N_("The shift has started; the hire can no longer be called off"))
        job = job_service.get_job_for_update(session=session, job_id=job.id or 0)
        job.confirmed_count -= 1
        _sync_job(session, job, now)
    application.status, application.updated_at = target, now
    application.cancel_reason, application.cancelled_by = reason, side
    session.add(application)
    application_event(session, application, job, f"application.{target}")
    if target == S.cancelled:  # the freed place goes to the standby list first
        standby_offers.offer_next(session=session, job=job, now=now)
        reliability_service.strike_on_call_off(
            session=session, application=application, job=job, side=side, now=now
        )
        if side == "employer":
            employer_strike_on_call_off(session=session, job=job, application=application, now=now)
    return application


def application_no_show(
    *, session: Session, application: Application, employer: User, now: datetime | None = None
) -> Application:
    """Record that a hired worker did not come (only once the shift has started)."""
    now = now or utcnow()
    job = job_service.get_job(session=session, job_id=application.job_id)
    _transition(application, side_of(application, job, employer), S.no_show)
    if now < job.start_at:
        raise Conflict(N_("The shift has not started yet"))
    application.status, application.updated_at = S.no_show, now
    session.add(application)
    profile = session.get(WorkerProfile, application.worker_id)
    if profile is not None:
        profile.no_show_total += 1
        session.add(profile)
    application_event(session, application, job, "application.no_show")
    reliability_service.strike_on_no_show(session=session, application=application, now=now)
    return application


def list_worker_applications(
    *, session: Session, worker_id: int, after: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[tuple[Application, Job, User]]:
    """A page of the worker's applications with jobs and employers, soonest shift first."""
    limit, order = paging.clamp(limit), (col(Application.shift_start), col(Application.id))
    query = (
        select(Application, Job, User)
        .join(Job, col(Job.id) == col(Application.job_id))
        .join(User, col(User.id) == col(Job.employer_id))
        .where(Application.worker_id == worker_id)
    )
    if after is not None:
        query = query.where(paging.beyond(order, paging.decode(after, datetime, int)))
    rows = session.exec(query.order_by(*order).limit(limit + 1)).all()
    return paging.page_of(rows, limit, lambda row: (row[0].shift_start, row[0].id or 0))


def find_application(*, session: Session, job_id: int, worker_id: int) -> Application | None:
    """The worker's application to the job, if they made one."""
    return session.exec(
        select(Application).where(Application.job_id == job_id, Application.worker_id == worker_id)
    ).first()


def list_job_applications(*, session: Session, job_id: int) -> Sequence[tuple[Application, User]]:
    """A job's applications with their workers, oldest first."""
    return session.exec(
        select(Application, User)
        .join(User, col(User.id) == col(Application.worker_id))
        .where(Application.job_id == job_id)
        .order_by(col(Application.created_at))
    ).all()


def count_waiting(*, session: Session, job_ids: Sequence[int]) -> dict[int, int]:
    """Per job, how many applications wait for the employer's answer (jobs with none left out)."""
    if not job_ids:
        return {}
    rows = session.exec(
        select(Application.job_id, func.count())
        .where(col(Application.job_id).in_(job_ids))
        .where(Application.status == ApplicationStatus.applied)
        .group_by(col(Application.job_id))
    ).all()
    return {job_id: count for job_id, count in rows}


def contact_visible(application: Application) -> bool:
    """Phone numbers are shared only between the sides of a confirmed hire."""
    return application.status in CONTACT_VISIBLE


def require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid(N_("Give a reason"), field="reason")
    return reason
