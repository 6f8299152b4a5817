"""Jobs: post, edit, cancel, complete. Slot counting lives in `applications`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from market import paging
from market.applications import terms as terms_service
from market.applications.locks import lock_job
from market.errors import N_, Conflict, Invalid, NotAllowed, NotFound
from market.events.service import event_record
from market.fields import MAX_DAYS_AHEAD, MAX_SHIFT_HOURS
from market.jobs.schemas import JobCreate, JobUpdate
from market.models import (
    STATUS_LABELS,
    Application,
    ApplicationStatus,
    EmployerProfile,
    Job,
    JobCertificate,
    JobStatus,
    User,
    WorkerProfile,
)
from market.paging import DEFAULT_LIMIT, Page
from market.reliability.employers import employer_strike_on_call_off
from market.standby import offers as standby_offers
from market.types import utcnow
from market.wages import service as wage_service
from market.work import standing as work_standing
from matching import model as m
from matching import trades as catalogue

ACTIVE = (JobStatus.open, JobStatus.filled)


def _shift_problems(start: datetime, end: datetime, now: datetime) -> list[Invalid]:
    """Every rule the shift breaks (an empty list when it is fine)."""
    problems = []
    if start <= now:
        problems.append(Invalid(N_("The shift must start in the future"), field="start_at"))
    if start - now > timedelta(days=MAX_DAYS_AHEAD):
        problems.append(
            Invalid(
                N_("A job may be posted at most {days} days ahead"),
                field="start_at",
                days=MAX_DAYS_AHEAD,
            )
        )
    if end <= start:
        problems.append(Invalid(N_("The shift must end after it starts"), field="end_at"))
    elif end - start > timedelta(hours=MAX_SHIFT_HOURS):
        problems.append(
            Invalid(
                N_("A shift may last at most {hours} hours"), field="end_at", hours=MAX_SHIFT_HOURS
            )
        )
    return problems


def _check_shift(start: datetime, end: datetime, now: datetime) -> None:
    for problem in _shift_problems(start, end, now):
        raise problem


def job_problems(
    *,
    session: Session,
    employer_id: int,
    trade: str | None,
    district: str,
    wage: int | None,
    start: datetime | None,
    end: datetime | None,
    now: datetime | None = None,
) -> list[Invalid]:
    """Every rule a new job's shift and pay break, all at once, for a form to show together.

    Parts the form could not read are None and not checked; `job_post` checks them all again.
    """
    now = now or utcnow()
    problems = [] if start is None or end is None else _shift_problems(start, end, now)
    if trade is not None and wage is not None:
        try:
            wage_service.check_wage_floor(
                session=session,
                trade=trade,
                district=district,
                wage=wage,
                employer_id=employer_id,
                now=now,
            )
        except Invalid as problem:
            problems.append(problem)
    return problems


def get_job(*, session: Session, job_id: int) -> Job:
    """The job, or NotFound."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(N_("Job not found"))
    return job


def get_job_for_update(*, session: Session, job_id: int) -> Job:
    """The job, row-locked until the transaction ends (PostgreSQL; SQLite locks the file)."""
    # re-read even when the session already holds it: it may have been read before the lock
    return lock_job(session, job_id)


def job_certificates(*, session: Session, job_id: int) -> list[str]:
    return sorted(session.exec(select(JobCertificate.code).where(JobCertificate.job_id == job_id)))


def certificates_by_job(*, session: Session, job_ids: Sequence[int]) -> dict[int, list[str]]:
    """Listed certificates for many jobs in one query."""
    result: dict[int, list[str]] = {i: [] for i in job_ids}
    if job_ids:
        rows = session.exec(
            select(JobCertificate.job_id, JobCertificate.code).where(
                col(JobCertificate.job_id).in_(list(job_ids))
            )
        )
        for job_id, code in rows:
            result[job_id].append(code)
    return result


def job_post(
    *, session: Session, employer: User, data: JobCreate, now: datetime | None = None
) -> Job:
    """Open a new job for applications."""
    now = now or utcnow()
    _check_shift(data.start_at, data.end_at, now)
    if session.get(EmployerProfile, employer.id) is None:
        raise NotAllowed(N_("Only employers can post jobs"))
    assert employer.id is not None
    work_standing.check_may_post(session=session, employer_id=employer.id)
    wage_service.check_wage_floor(
        session=session,
        trade=data.trade,
        district=data.district,
        wage=data.wage,
        employer_id=employer.id,
        now=now,
    )
    job = Job(
        employer_id=employer.id,
        **data.model_dump(exclude={"certificates"}),
        status=JobStatus.open,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    session.add_all(JobCertificate(job_id=job.id, code=c) for c in data.certificates)
    event_record(
        session=session,
        kind="job.posted",
        job_id=job.id,
        employer_id=employer.id,
        payload=job_summary(job, data.certificates),
    )
    session.flush()
    return job


def job_update(*, session: Session, job: Job, data: JobUpdate, now: datetime | None = None) -> Job:
    """Edit a job that is still open or filled.

    Once anyone is hired the shift and the place stay and the pay only goes up; before a
    hire, worse terms go back to the pending workers (see market/applications/terms.py).
    """
    now = now or utcnow()
    job = get_job_for_update(session=session, job_id=_id(job))
    if job.status not in ACTIVE:
        raise Conflict(
            N_("This job is {status} and can no longer be edited"), status=STATUS_LABELS[job.status]
        )
    sent = data.model_dump(exclude_unset=True, exclude_none=True)
    changes = {k: v for k, v in sent.items() if v != getattr(job, k)}
    if not changes:
        return job  # nothing to change: no write, no event
    change = terms_service.terms_change(job, changes)
    if change.shift_moves:
        if job.confirmed_count:
            raise Conflict(N_("Workers are already hired: the shift can no longer move"))
        _check_shift(changes.get("start_at", job.start_at), changes.get("end_at", job.end_at), now)
    terms_service.check_hired_terms(job, change)
    # places held for standby offers stay too: an offer is one place for one worker
    held = standby_offers.held_slots(session=session, job_id=_id(job), worker_id=0, now=now)
    if changes.get("headcount", job.headcount) < job.confirmed_count + held:
        message = N_("{hired} workers are already hired; headcount cannot be lower")
        if held:
            message = N_(
                "{hired} workers are hired and {held} places are offered to the standby list; "
                "headcount cannot be lower"
            )
        raise Invalid(message, field="headcount", hired=job.confirmed_count, held=held)
    if ("lat" in sent) != ("lon" in sent):  # a new place comes whole (one may stay the same)
        raise Invalid(N_("Give both lat and lon"), field="lat")
    _check_floor_of_edit(session, job, changes, change, now)
    for key, value in changes.items():
        setattr(job, key, value)
    if change.shift_moves:
        for application in _applications(session, job, (ApplicationStatus.applied,)):
            application.shift_start, application.shift_end = job.start_at, job.end_at
            session.add(application)
    terms_service.terms_changed(session=session, job=job, change=change, now=now)
    job_status_sync(job, now)
    job.updated_at = now
    session.add(job)
    certificates = job_certificates(session=session, job_id=_id(job))
    event_record(
        session=session,
        kind="job.updated",
        job_id=job.id,
        employer_id=job.employer_id,
        payload=job_summary(job, certificates),
    )
    session.flush()
    return job


def _check_floor_of_edit(
    session: Session,
    job: Job,
    changes: dict[str, Any],
    change: terms_service.TermsChange,
    now: datetime,
) -> None:
    """A cut, or a move to another district, must keep the pay at the union's floor there."""
    if change.pay_cut or "district" in changes:
        wage_service.check_wage_floor(
            session=session,
            trade=job.trade,
            district=changes.get("district", job.district),
            wage=changes.get("wage", job.wage),
            employer_id=job.employer_id,
            job_id=job.id,
            now=now,
        )


def job_status_sync(job: Job, now: datetime) -> None:
    """Filled when every slot is taken, open again when one frees up (in memory only)."""
    if job.confirmed_count >= job.headcount:
        if job.status != JobStatus.filled:
            job.status, job.filled_at = JobStatus.filled, now
    elif job.status == JobStatus.filled:
        job.status, job.filled_at = JobStatus.open, None


def _applications(session: Session, job: Job, statuses: Sequence[str]) -> list[Application]:
    return list(
        session.exec(
            select(Application).where(
                Application.job_id == job.id, col(Application.status).in_(list(statuses))
            )
        )
    )


def job_cancel(*, session: Session, job: Job, reason: str, now: datetime | None = None) -> Job:
    """Call the job off: every pending or confirmed worker is told, with the reason."""
    now = now or utcnow()
    job = get_job_for_update(session=session, job_id=_id(job))
    if job.status not in ACTIVE:
        raise Conflict(
            N_("This job is {status} and cannot be cancelled"), status=STATUS_LABELS[job.status]
        )
    affected = _applications(session, job, (ApplicationStatus.applied, ApplicationStatus.confirmed))
    hired = job.confirmed_count
    for application in affected:
        application.status = ApplicationStatus.cancelled
        application.cancelled_by, application.cancel_reason = "employer", reason
        application.updated_at = now
        session.add(application)
        event_record(
            session=session,
            kind="application.cancelled",
            job_id=job.id,
            worker_id=application.worker_id,
            employer_id=job.employer_id,
            payload={"application": application.id, "by": "employer", "reason": reason},
        )
    job.status, job.cancel_reason, job.confirmed_count, job.updated_at = (
        JobStatus.cancelled,
        reason,
        0,
        now,
    )
    session.add(job)
    event_record(
        session=session,
        kind="job.cancelled",
        job_id=job.id,
        employer_id=job.employer_id,
        payload={"job": job.id, "reason": reason},
    )
    employer_strike_on_call_off(session=session, job=job, now=now, hired=hired)
    session.flush()
    return job


def job_complete(*, session: Session, job: Job, now: datetime | None = None) -> Job:
    """Mark the job done: hires not marked no-show are completed, pending ones declined."""
    now = now or utcnow()
    job = get_job_for_update(session=session, job_id=_id(job))
    if job.status not in ACTIVE:
        raise Conflict(
            N_("This job is {status} and cannot be marked done"), status=STATUS_LABELS[job.status]
        )
    if now < job.start_at:
        raise Conflict(N_("The shift has not started yet; mark it done after the work"))
    for application in _applications(
        session, job, (ApplicationStatus.applied, ApplicationStatus.confirmed)
    ):
        hired = application.status == ApplicationStatus.confirmed
        application.status = ApplicationStatus.completed if hired else ApplicationStatus.declined
        application.updated_at = now
        session.add(application)
        if hired:
            profile = session.get(WorkerProfile, application.worker_id)
            if profile is not None:
                profile.completed_total += 1
                session.add(profile)
        event_record(
            session=session,
            kind=f"application.{application.status}",
            job_id=job.id,
            worker_id=application.worker_id,
            employer_id=job.employer_id,
            payload={"application": application.id},
        )
    job.status, job.updated_at = JobStatus.completed, now
    session.add(job)
    event_record(
        session=session,
        kind="job.completed",
        job_id=job.id,
        employer_id=job.employer_id,
        payload={"job": job.id},
    )
    session.flush()
    return job


def list_employer_jobs(
    *,
    session: Session,
    employer_id: int,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> Page[Job]:
    """A page of the employer's jobs: upcoming ones soonest first, then the rest latest first.

    Upcoming means open or full and not yet over, the jobs an employer still acts on. The
    cursor carries which of the two parts its row is in (0 upcoming, 1 the rest).
    """
    limit, order = paging.clamp(limit), (col(Job.start_at), col(Job.id))
    now = now or utcnow()
    ahead = col(Job.status).in_(ACTIVE) & (col(Job.end_at) > now)
    part, key = 0, None
    if after is not None:
        which, *rest = paging.decode(after, int, datetime, int)
        if not isinstance(which, int) or which not in (0, 1):
            raise Invalid(N_("This page link is not valid"), field="after")
        part, key = which, tuple(rest)
    mine = select(Job).where(Job.employer_id == employer_id)
    rows: list[tuple[int, Job]] = []
    if part == 0:
        query = mine.where(ahead)
        if key is not None:
            query = query.where(paging.beyond(order, key))
        found = session.exec(query.order_by(*order).limit(limit + 1)).all()
        rows, key = [(0, job) for job in found], None
    if len(rows) <= limit:
        query = mine.where(~ahead)
        if key is not None:
            query = query.where(paging.beyond(order, key, descending=True))
        ordered = query.order_by(*(c.desc() for c in order))
        rows += [(1, job) for job in session.exec(ordered.limit(limit + 1 - len(rows))).all()]
    page = paging.page_of(rows, limit, lambda row: (row[0], row[1].start_at, row[1].id or 0))
    return Page(items=[job for _part, job in page.items], next=page.next)


def job_summary(job: Job, certificates: Sequence[str]) -> dict[str, Any]:
    """What anyone may know of a job (used in events and the public job view)."""
    return {
        "id": job.id,
        "trade": job.trade,
        "title": job.title,
        "lat": job.lat,
        "lon": job.lon,
        "district": job.district,
        "address": job.address,
        "start_at": job.start_at.isoformat(),
        "end_at": job.end_at.isoformat(),
        "headcount": job.headcount,
        "slots_left": job.headcount - job.confirmed_count,
        "wage": job.wage,
        "instant": job.instant,
        "status": job.status,
        "certificates": list(certificates),
        "employer_id": job.employer_id,
    }


def matching_job(job: Job, certificates: Sequence[str], booked: int) -> m.Job:
    """The job as the matching module sees it (legal certificates added there)."""
    return m.Job(
        id=str(job.id),
        lat=job.lat,
        lon=job.lon,
        trade=job.trade,
        start=job.start_at,
        end=job.end_at,
        headcount=job.headcount,
        wage=float(job.wage),
        certificates=catalogue.required_certificates(job.trade, frozenset(certificates)),
        booked=tuple(f"booked-{i}" for i in range(booked)),
    )


def _id(job: Job) -> int:
    assert job.id is not None
    return job.id
