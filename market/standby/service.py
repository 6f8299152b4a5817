"""The standby list (候补): join a full job's list, answer an offer, sweep expired offers.

Joining asks what a claim asks (trade, certificates, no clash with a confirmed job, the
job not started or taken down) but a free place. Accepting an offer hires the worker
through the ordinary claim path (and, on a job the employer confirms by hand, the
employer's posted terms, as a union dispatch does), so slot counting and the no-clash
rule hold as for any hire. Locks are taken in the hire's order: the worker, then the job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.applications.locks import lock_job, lock_worker
from market.errors import N_, Conflict, NotFound
from market.models import Application, ApplicationStatus, Job, JobStatus, Standby, User
from market.standby import offers as standby_offers
from market.standby.models import StandbyStatus
from market.types import utcnow

S = StandbyStatus


def standby_join(
    *, session: Session, job_id: int, worker: User, now: datetime | None = None
) -> Standby:
    """Join a full job's standby list, at its end."""
    now = now or utcnow()
    assert worker.id is not None
    lock_worker(session, worker.id)
    job = lock_job(session, job_id)
    entry = session.exec(
        select(Standby).where(Standby.job_id == job_id, Standby.worker_id == worker.id)
    ).first()
    if entry is not None and entry.status in standby_offers.LIVE:
        raise Conflict(N_("You are already on this job's standby list"))
    if entry is not None and entry.status == S.accepted:
        raise Conflict(N_("You are already hired for this job"))
    if job.status == JobStatus.open and job.hidden_reason is None:
        free = job.headcount - job.confirmed_count
        if free > standby_offers.held_slots(session=session, job_id=job_id, worker_id=0, now=now):
            raise Conflict(N_("This job still has free places: claim it instead"))
    application_service.check_could_apply(session=session, job=job, worker_id=worker.id, now=now)
    entry = entry or Standby(job_id=job_id, worker_id=worker.id)
    entry.status, entry.created_at = S.waiting, now
    entry.offered_at = entry.offer_deadline = entry.decided_at = None
    session.add(entry)
    session.flush()
    standby_offers.record_event(session, entry, job, "standby.joined")
    session.flush()
    return entry


def _own(session: Session, standby_id: int, worker: User) -> Standby:
    entry = session.get(Standby, standby_id)
    if entry is None or entry.worker_id != worker.id:
        raise NotFound(N_("Standby place not found"))
    return entry


def _live_offer(entry: Standby, now: datetime) -> None:
    if entry.status != S.offered:
        raise Conflict(N_("There is no open offer here: the place was not offered to you"))
    assert entry.offer_deadline is not None
    if entry.offer_deadline <= now:
        raise Conflict(N_("This offer has run out; the place has gone to the next worker"))


def standby_accept(
    *, session: Session, standby_id: int, worker: User, now: datetime | None = None
) -> Application:
    """Take the offered place before its deadline: hired like any claim."""
    now = now or utcnow()
    entry = _own(session, standby_id, worker)
    lock_worker(session, entry.worker_id)
    job = lock_job(session, entry.job_id)
    session.refresh(entry)  # under the locks: a racing sweep or second tap is seen
    _live_offer(entry, now)
    claim = application_service.application_claim(
        session=session, job_id=entry.job_id, worker=worker, now=now
    )
    application = claim.application
    if application.status == ApplicationStatus.applied:
        employer = session.get_one(User, job.employer_id)
        # the place was offered on the employer's posted terms, as a union dispatch is
        application = application_service.application_confirm(
            session=session, application=application, employer=employer, now=now
        )
    session.flush()  # the hire accepted the entry (`standby_offers.end_on_hire`)
    return application


def standby_decline(
    *, session: Session, standby_id: int, worker: User, now: datetime | None = None
) -> Standby:
    """Turn the offer down: the place goes to the next worker on the list."""
    now = now or utcnow()
    entry = _own(session, standby_id, worker)
    job = lock_job(session, entry.job_id)
    session.refresh(entry)
    _live_offer(entry, now)
    entry.status, entry.decided_at = S.declined, now
    session.add(entry)
    standby_offers.record_event(session, entry, job, "standby.declined")
    standby_offers.offer_next(session=session, job=job, now=now)
    session.flush()
    return entry


def standby_leave(
    *, session: Session, standby_id: int, worker: User, now: datetime | None = None
) -> Standby:
    """Leave the list (an offer held for me passes to the next worker)."""
    now = now or utcnow()
    entry = _own(session, standby_id, worker)
    job = lock_job(session, entry.job_id)
    session.refresh(entry)
    if entry.status not in standby_offers.LIVE:
        raise Conflict(N_("You are no longer on this job's standby list"))
    entry.status, entry.decided_at = S.left, now
    session.add(entry)
    standby_offers.record_event(session, entry, job, "standby.left")
    standby_offers.offer_next(session=session, job=job, now=now)
    session.flush()
    return entry


def standby_release(*, session: Session, worker_id: int, now: datetime | None = None) -> int:
    """Take a suspended worker off every list; a place held for them goes to the next."""
    now = now or utcnow()
    job_ids = session.exec(
        select(Standby.job_id).where(
            Standby.worker_id == worker_id, col(Standby.status).in_(standby_offers.LIVE)
        )
    ).all()
    for job_id in sorted(job_ids):
        job = lock_job(session, job_id)
        entry = find_standby(session=session, job_id=job_id, worker_id=worker_id)
        if entry is None or entry.status not in standby_offers.LIVE:
            continue
        entry.status, entry.decided_at = S.closed, now
        session.add(entry)
        standby_offers.record_event(session, entry, job, "standby.closed")
        standby_offers.offer_next(session=session, job=job, now=now)
    session.flush()
    return len(job_ids)


@dataclass(frozen=True)
class Swept:
    expired: int
    offered: int
    closed: int


def standby_sweep(*, session: Session, now: datetime | None = None) -> Swept:
    """Pass expired offers on to the next worker; close the lists of started or ended jobs."""
    now = now or utcnow()
    live = col(Standby.status).in_(standby_offers.LIVE)
    overdue = and_(col(Standby.status) == S.offered, col(Standby.offer_deadline) <= now)
    over = or_(col(Job.status).not_in((JobStatus.open, JobStatus.filled)), col(Job.start_at) <= now)
    job_ids = session.exec(
        select(Standby.job_id)
        .join(Job, col(Job.id) == col(Standby.job_id))
        .where(live, or_(overdue, over))
        .distinct()
    ).all()
    expired = offered = closed = 0
    for job_id in sorted(job_ids):
        job = lock_job(session, job_id)
        if job.status not in (JobStatus.open, JobStatus.filled) or job.start_at <= now:
            expired += standby_offers.expire_overdue(session=session, job=job, now=now)
            closed += standby_offers.close_list(session=session, job=job, now=now)
            continue
        expired += standby_offers.expire_overdue(session=session, job=job, now=now)
        offered += len(standby_offers.offer_next(session=session, job=job, now=now))
    session.flush()
    return Swept(expired=expired, offered=offered, closed=closed)


def list_worker_standby(*, session: Session, worker_id: int) -> Sequence[tuple[Standby, Job]]:
    """The worker's live standby places (offers first), soonest shift first."""
    return session.exec(
        select(Standby, Job)
        .join(Job, col(Job.id) == col(Standby.job_id))
        .where(Standby.worker_id == worker_id, col(Standby.status).in_(standby_offers.LIVE))
        .order_by(col(Standby.status) != S.offered, col(Job.start_at), col(Standby.id))
    ).all()


def find_standby(*, session: Session, job_id: int, worker_id: int) -> Standby | None:
    """The worker's entry on the job's list, if any."""
    return session.exec(
        select(Standby).where(Standby.job_id == job_id, Standby.worker_id == worker_id)
    ).first()


def standby_position(*, session: Session, entry: Standby) -> int:
    """1 for the first waiting worker on the list."""
    before = session.exec(
        select(Standby.id).where(
            Standby.job_id == entry.job_id,
            Standby.status == S.waiting,
            col(Standby.created_at) <= entry.created_at,
            col(Standby.id) < (entry.id or 0),
        )
    ).all()
    return len(before) + 1
