"""Offers of a freed place to the standby list (候补): made, held, passed on, closed.

When a confirmed hire is called off before the start, the freed place is offered to the
first worker waiting on the job's standby list, and held for them until the offer's
deadline: ordinary claims and hires see the job as full meanwhile (`held_slots`, read by
`market.applications` under the job's row lock, the lock every offer is made under). A
declined or expired offer passes to the next worker. An offer needs at least
`OFFER_LEAD` before the start; closer than that the place is simply open to all.

Imported by `market.applications` (no import back): the accept lives in `service`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from market.events.service import event_record
from market.models import Job, JobStatus, Standby, StandbyStatus

# Two hours is time enough to see a push or an SMS and answer, and short enough that the
# next worker still has time to plan; the last offer ends an hour before the start so
# whoever takes the place can get there.
OFFER_WINDOW = timedelta(hours=2)
OFFER_LEAD = timedelta(hours=1)
LIVE = (StandbyStatus.waiting, StandbyStatus.offered)


def offer_deadline(job: Job, now: datetime) -> datetime:
    """When an offer made now runs out: two hours, but never later than an hour before start."""
    return min(now + OFFER_WINDOW, job.start_at - OFFER_LEAD)


def held_slots(*, session: Session, job_id: int, worker_id: int, now: datetime) -> int:
    """Places of the job held by live offers to other workers (read under the job's lock)."""
    return session.exec(
        select(func.count())
        .select_from(Standby)
        .where(
            Standby.job_id == job_id,
            Standby.status == StandbyStatus.offered,
            col(Standby.offer_deadline) > now,
            Standby.worker_id != worker_id,
        )
    ).one()


def record_event(session: Session, standby: Standby, job: Job, kind: str) -> None:
    """The outbox event of a standby entry's change: its worker and the job's employer."""
    event_record(
        session=session,
        kind=kind,
        job_id=job.id,
        worker_id=standby.worker_id,
        employer_id=job.employer_id,
        payload={
            "standby": standby.id,
            "job": job.id,
            "status": standby.status,
            "deadline": standby.offer_deadline.isoformat() if standby.offer_deadline else None,
        },
    )


def end_on_hire(
    *, session: Session, job: Job, worker_id: int, application_id: int, now: datetime
) -> None:
    """A worker hired on the job (by an offer or by any other hire) leaves its list: their
    live entry is accepted, with the hire, so it neither holds a place nor waits for one."""
    entry = session.exec(
        select(Standby).where(
            Standby.job_id == job.id, Standby.worker_id == worker_id, col(Standby.status).in_(LIVE)
        )
    ).first()
    if entry is None:
        return
    entry.status, entry.decided_at, entry.application_id = (
        StandbyStatus.accepted,
        now,
        application_id,
    )
    session.add(entry)
    record_event(session, entry, job, "standby.accepted")


def expire_overdue(*, session: Session, job: Job, now: datetime) -> int:
    """Mark the job's offers whose deadline passed as expired (the job is locked)."""
    overdue = session.exec(
        select(Standby).where(
            Standby.job_id == job.id,
            Standby.status == StandbyStatus.offered,
            col(Standby.offer_deadline) <= now,
        )
    ).all()
    for standby in overdue:
        standby.status, standby.decided_at = StandbyStatus.expired, now
        session.add(standby)
        record_event(session, standby, job, "standby.expired")
    return len(overdue)


def offer_next(*, session: Session, job: Job, now: datetime) -> list[Standby]:
    """Offer each free, unheld place of the job to the next waiting worker (job locked)."""
    expire_overdue(session=session, job=job, now=now)
    deadline = offer_deadline(job, now)
    if job.status != JobStatus.open or job.hidden_reason is not None or deadline <= now:
        return []
    free = job.headcount - job.confirmed_count
    free -= held_slots(session=session, job_id=job.id or 0, worker_id=0, now=now)
    if free <= 0:
        return []
    waiting = session.exec(
        select(Standby)
        .where(Standby.job_id == job.id, Standby.status == StandbyStatus.waiting)
        .order_by(col(Standby.created_at), col(Standby.id))
        .limit(free)
    ).all()
    for standby in waiting:
        standby.status, standby.offered_at, standby.offer_deadline = (
            StandbyStatus.offered,
            now,
            deadline,
        )
        session.add(standby)
        record_event(session, standby, job, "standby.offered")
    session.flush()
    return list(waiting)


def close_list(*, session: Session, job: Job, now: datetime) -> int:
    """End a started or finished job's list: waiting and offered entries are closed."""
    live = session.exec(
        select(Standby).where(Standby.job_id == job.id, col(Standby.status).in_(LIVE))
    ).all()
    for standby in live:
        standby.status, standby.decided_at = StandbyStatus.closed, now
        session.add(standby)
        record_event(session, standby, job, "standby.closed")
    return len(live)
