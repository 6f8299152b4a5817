"""Distinct workers active and placed, rolled up: stats_worker per worker, stats_people per day.

stats_worker keeps each worker's latest closed-day application and hire (the posting time
of the job, and its local day) and whether they were an approved member; stats_people
counts those rows per day. A refresh re-reads the workers that changed (an application
to a closed-day job, a membership decision) and recounts only the days they left or
joined. A period reaching the end of the closed days then counts its workers as sums
over its days, plus today's applicants that the closed days did not already count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, literal, or_, select, union_all
from sqlmodel import Session, col

from market.applications.models import HIRED
from market.models import (
    Application,
    Job,
    Membership,
    MembershipStatus,
    StatsPeople,
    StatsWorker,
)


def changed_members(since: datetime) -> Any:
    """A select of the workers whose membership was applied for or decided since `since`."""
    return select(col(Membership.user_id)).where(
        or_(col(Membership.applied_at) >= since, col(Membership.decided_at) >= since)
    )


def rebuild_workers(*, session: Session, workers: Any, cutoff: datetime, local_day: Any) -> None:
    """Re-read `workers` (a select of worker ids; None for all) and recount their days."""
    days: set[str] | None = None
    if workers is None:
        session.exec(delete(StatsWorker))  # type: ignore[call-overload]
        session.exec(delete(StatsPeople))  # type: ignore[call-overload]
    else:
        ids = workers.subquery()
        changed = col(StatsWorker.worker_id).in_(select(ids.c[0]))
        days = _days(session, changed)
        session.exec(delete(StatsWorker).where(changed))  # type: ignore[call-overload]
    hired = col(Application.status).in_(HIRED)
    latest: Any = (
        select(
            col(Application.worker_id).label("worker_id"),
            func.max(col(Job.created_at)).label("applied"),
            func.max(case((hired, col(Job.created_at)))).label("hired"),
        )
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(col(Job.created_at) < cutoff)
        .group_by(col(Application.worker_id))
    )
    if workers is not None:
        latest = latest.where(col(Application.worker_id).in_(select(ids.c[0])))
    rows = latest.subquery()
    approved = and_(
        col(Membership.user_id) == rows.c.worker_id,
        col(Membership.status) == MembershipStatus.approved,
    )
    member = case((col(Membership.user_id).is_not(None), True), else_=False)
    query = select(
        rows.c.worker_id,
        rows.c.applied,
        rows.c.hired,
        local_day(rows.c.applied),
        func.coalesce(local_day(rows.c.hired), ""),
        member,
    ).outerjoin(Membership, approved)
    names = ["worker_id", "last_applied_at", "last_hired_at", "applied_day", "hired_day", "member"]
    session.exec(insert(StatsWorker).from_select(names, query))  # type: ignore[call-overload]
    if days is not None:
        days |= _days(session, changed)
        if not days:
            return
        session.exec(delete(StatsPeople).where(col(StatsPeople.day).in_(sorted(days))))  # type: ignore[call-overload]
    _recount(session, days)


def _days(session: Session, changed: Any) -> set[str]:
    query = select(col(StatsWorker.applied_day), col(StatsWorker.hired_day)).where(changed)
    found = {day for pair in session.exec(query).all() for day in pair}  # type: ignore[call-overload]
    return found - {""}


def _recount(session: Session, days: set[str] | None) -> None:
    applied_day, hired_day = col(StatsWorker.applied_day), col(StatsWorker.hired_day)
    member = col(StatsWorker.member)
    applied: Any = select(applied_day.label("day"), member.label("member"),
                     literal(1).label("applied"), literal(0).label("hired"))  # fmt: skip
    placed = select(hired_day, member, literal(0), literal(1)).where(hired_day != "")
    if days is not None:
        applied = applied.where(applied_day.in_(sorted(days)))
        placed = placed.where(hired_day.in_(sorted(days)))
    both = union_all(applied, placed).subquery()
    counted = select(
        both.c.day, both.c.member, func.sum(both.c.applied), func.sum(both.c.hired)
    ).group_by(both.c.day, both.c.member)
    session.exec(  # type: ignore[call-overload]
        insert(StatsPeople).from_select(["day", "member", "applied", "hired"], counted)
    )


def people_counts(
    *, session: Session, first_day: str | None, today: Any
) -> tuple[int, int, int, int]:
    """Workers active and placed, and of them members, in a period reaching the closed end.

    `first_day` is its first local day when it has closed days, None for today alone;
    `today` a subquery of (worker_id, hired 0/1) of today's applicants, or None.
    """
    active = placed = members_active = members_placed = 0
    if first_day is not None:
        is_member = col(StatsPeople.member)
        row = session.exec(  # type: ignore[call-overload]
            select(
                func.coalesce(func.sum(col(StatsPeople.applied)), 0),
                func.coalesce(func.sum(col(StatsPeople.hired)), 0),
                func.coalesce(func.sum(case((is_member, col(StatsPeople.applied)), else_=0)), 0),
                func.coalesce(func.sum(case((is_member, col(StatsPeople.hired)), else_=0)), 0),
            ).where(col(StatsPeople.day) >= first_day)
        ).one()
        active, placed, members_active, members_placed = (int(v) for v in row)
    if today is None:
        return active, placed, members_active, members_placed
    # today's applicants the closed days did not count already; correlated look-ups by key,
    # not joins: a few hundred of them beat hashing every worker and member
    mine = col(StatsWorker.worker_id) == today.c.worker_id
    new_active: Any = literal(True)
    new_placed: Any = today.c.hired == 1
    if first_day is not None:
        new_active = ~exists().where(mine, col(StatsWorker.applied_day) >= first_day)
        new_placed = and_(
            new_placed, ~exists().where(mine, col(StatsWorker.hired_day) >= first_day)
        )
    member = exists().where(
        col(Membership.user_id) == today.c.worker_id,
        col(Membership.status) == MembershipStatus.approved,
    )
    row = session.exec(  # type: ignore[call-overload]
        select(
            func.count(case((new_active, 1))),
            func.count(case((new_placed, 1))),
            func.count(case((and_(new_active, member), 1))),
            func.count(case((and_(new_placed, member), 1))),
        ).select_from(today)
    ).one()
    return (active + int(row[0]), placed + int(row[1]),
            members_active + int(row[2]), members_placed + int(row[3]))  # fmt: skip
