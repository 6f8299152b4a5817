"""The standby list's invariants, part of `linggong check-invariants` (market/invariants.py).

What the services in market/standby guarantee (and market/applications, whose every hire
ends the worker's own live entry on the job's list):

- an entry's state is whole: an offer has its time and deadline, a decided entry its
  decision time, an accepted one the hire it became (of its own worker and job);
- a freed place is offered to one worker at a time: the live offers of an open or filled
  job are no more than its places still free (offers are made only for free places, a
  claim or hire never takes a place held for another worker, and the headcount cannot
  go below the hires and the held places);
- a worker hired on a job is not also waiting or offered a place on its list.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from market.applications.models import HIRED
from market.checks import violations
from market.models import Application, Job, JobStatus, Standby, StandbyStatus
from market.types import utcnow

S = StandbyStatus
LIVE = (S.waiting, S.offered)
DECIDED = (S.accepted, S.declined, S.expired, S.left, S.closed)


def check_standby_states(session: Session) -> list[str]:
    """Known statuses; offers timed; decisions dated; an accepted entry names its own hire."""
    hire = Application.__table__.alias("hire")  # type: ignore[attr-defined]
    status = col(Standby.status)
    offered = status == S.offered
    broken = or_(
        status.not_in(tuple(S)),
        and_(
            offered, or_(col(Standby.offered_at).is_(None), col(Standby.offer_deadline).is_(None))
        ),
        and_(status.in_(DECIDED), col(Standby.decided_at).is_(None)),
        and_(
            status == S.accepted,
            or_(
                hire.c.id.is_(None),
                hire.c.worker_id != col(Standby.worker_id),
                hire.c.job_id != col(Standby.job_id),
            ),
        ),
    )
    return violations(
        session,
        select(col(Standby.id), col(Standby.job_id), col(Standby.worker_id), status.label("status"))
        .outerjoin(hire, hire.c.id == col(Standby.application_id))
        .where(broken)
        .order_by(col(Standby.id)),
        lambda r: (
            f"job {r.job_id}: standby entry {r.id} of worker {r.worker_id} is {r.status!r} "
            "but lacks what that status needs (offer times, decision time, or its own hire)"
        ),
        "standby states",
    )


def check_offers_within_free_places(session: Session) -> list[str]:
    """An open or filled job's live offers are no more than its free places."""
    offers = (
        select(col(Standby.job_id).label("job_id"), func.count().label("offers"))
        .where(col(Standby.status) == S.offered, col(Standby.offer_deadline) > utcnow())
        .group_by(col(Standby.job_id))
        .subquery()
    )
    free = col(Job.headcount) - col(Job.confirmed_count)
    return violations(
        session,
        select(col(Job.id), offers.c.offers, free.label("free"))
        .join(offers, offers.c.job_id == col(Job.id))
        .where(col(Job.status).in_((JobStatus.open, JobStatus.filled)), offers.c.offers > free)
        .order_by(col(Job.id)),
        lambda r: (
            f"job {r.id}: {r.offers} standby offers are live for {max(r.free, 0)} free places "
            "(a place is offered to one worker at a time)"
        ),
        "standby offers over free places",
    )


def check_hired_not_on_the_list(session: Session) -> list[str]:
    """No worker hired on a job is still waiting or offered a place on its list."""
    return violations(
        session,
        select(col(Standby.id), col(Standby.job_id), col(Standby.worker_id), col(Standby.status))
        .join(
            Application,
            and_(
                col(Application.job_id) == col(Standby.job_id),
                col(Application.worker_id) == col(Standby.worker_id),
            ),
        )
        .where(col(Standby.status).in_(LIVE), col(Application.status).in_(HIRED))
        .order_by(col(Standby.id)),
        lambda r: (
            f"job {r.job_id}: worker {r.worker_id} is hired, yet their standby entry {r.id} "
            f"is still {r.status}"
        ),
        "hired workers on the standby list",
    )


CHECKS: tuple[Callable[[Session], list[str]], ...] = (
    check_standby_states,
    check_offers_within_free_places,
    check_hired_not_on_the_list,
)
