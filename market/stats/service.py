"""Match statistics for union staff, computed by SQL aggregates (never row by row in Python).

One notion of period everywhere: a period is a range of local dates, and it selects the
jobs *posted* in it (`job.created_at`, indexed); every application figure counts through
those jobs. Cancelled jobs count as posted but offer no slots. A "hire" is an application
that was confirmed at some point and not withdrawn: confirmed, completed or no-show.

Closed local days are read from the rollup (`market/stats/rollup.py`: built and advanced
day by day by a background refresh, brought up to date with changed rows by every read
before it reads) and the rest from the base tables; `market/stats/parts.py` (jobs),
`people.py` (distinct workers) and `supply.py` (the gap's supply) merge the
two so that every figure is exactly what one query over the base tables gives. Medians
interpolate as `percentile_cont` does on PostgreSQL and average the two middle values on
SQLite; local day and hour use the market's time zone (`LINGGONG_TIMEZONE`).

Staff reads write (the rollup refresh): they need a session that commits, as requests have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlmodel import Session, col

from market.models import (
    Membership,
    MembershipStatus,
    WorkerProfile,
    WorkerTrade,
)
from market.stats import parts as parts
from market.stats import supply as supply_service
from market.stats.periods import Period
from market.types import utcnow

GROUPINGS = ("trade", "district", "trade_district")


@dataclass(frozen=True)
class Summary:
    jobs_posted: int
    jobs_cancelled: int
    slots_offered: int
    slots_filled: int
    fill_rate: float | None
    median_hours_to_first_hire: float | None
    median_hours_to_full: float | None
    median_distance_km: float | None
    average_wage: float | None
    workers_registered: int
    workers_available_now: int
    workers_active: int  # applied to a job of the period
    workers_placed: int  # hired on a job of the period
    workers_idle: int  # active but not placed
    members: int
    members_active: int
    members_placed: int
    members_idle: int
    cancelled_by_worker: int  # hires the worker called off
    cancelled_by_employer: int  # hires the employer called off (job cancellations included)
    no_shows: int  # hired workers who did not come


@dataclass(frozen=True)
class GroupRow:
    key: str  # a trade code, a district, a local day (YYYY-MM-DD) or an hour ("07")
    jobs_posted: int
    slots_offered: int
    slots_filled: int
    fill_rate: float | None
    average_wage: float | None

    @property
    def unfilled(self) -> int:
        return self.slots_offered - self.slots_filled


@dataclass(frozen=True)
class GapRow:
    """Demand against idle supply: `gap` > 0 means jobs go unfilled for lack of workers."""

    trade: str
    district: str
    slots_offered: int
    slots_filled: int
    unfilled: int
    workers: int  # registered workers with this trade living in this district
    placed: int  # of them, hired on a job of the period
    idle: int
    gap: int  # unfilled - idle
    verdict: str  # see `verdict_of`


def verdict_of(unfilled: int, idle: int) -> str:
    """What a cell of the gap table needs.

    "match": places go unfilled while workers of that trade sit idle in the same district,
    so matching and dispatch fill them, not training; "shortage": places unfilled and no one
    idle (a training need); "surplus": idle workers and no open place (find more jobs).
    """
    if unfilled > 0 and idle > 0:
        return "match"
    if unfilled > 0:
        return "shortage"
    return "surplus" if idle > 0 else "balanced"


def _rate(filled: int, offered: int) -> float | None:
    return round(filled / offered, 4) if offered else None


def _round(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def get_summary(*, session: Session, period: Period, now: datetime | None = None) -> Summary:
    """The headline figures of the period."""
    now = now or utcnow()
    part = parts.split_period(session=session, period=period)
    sums = parts.summary_sums(session=session, part=part)
    jobs, cancelled, offered, filled, wage_sum, wage_jobs = sums.counts
    active, placed, members_active, members_placed = parts.count_people(
        session=session, part=part, period=period
    )
    by_worker, by_employer, no_shows = sums.called_off
    available = session.exec(  # type: ignore[call-overload]
        select(func.count())
        .select_from(WorkerProfile)
        .where(col(WorkerProfile.available_now), col(WorkerProfile.now_until) > now)
    ).one()[0]
    if part.rolled_up:  # a few thousand rows instead of every worker
        registered = supply_service.registered_workers(session=session)
    else:
        registered = session.exec(select(func.count()).select_from(WorkerProfile)).one()[0]  # type: ignore[call-overload]
    members = session.exec(  # type: ignore[call-overload]
        select(func.count())
        .select_from(Membership)
        .where(col(Membership.status) == MembershipStatus.approved)
    ).one()[0]
    return Summary(
        jobs_posted=int(jobs),
        jobs_cancelled=int(cancelled),
        slots_offered=int(offered),
        slots_filled=int(filled),
        fill_rate=_rate(int(filled), int(offered)),
        median_hours_to_first_hire=_round(
            parts.median_hours(
                session=session,
                part=part,
                period=period,
                kind="first",
                closed_count=sums.closed_waits["first"],
            )
        ),
        median_hours_to_full=_round(
            parts.median_hours(
                session=session,
                part=part,
                period=period,
                kind="full",
                closed_count=sums.closed_waits["full"],
            )
        ),
        median_distance_km=_round(parts.median_distance(session=session, part=part), 1),
        average_wage=_round(wage_sum / wage_jobs if wage_jobs else None, 1),
        workers_registered=int(registered),
        workers_available_now=int(available),
        workers_active=int(active),
        workers_placed=int(placed),
        workers_idle=int(active) - int(placed),
        members=int(members),
        members_active=int(members_active),
        members_placed=int(members_placed),
        members_idle=int(members_active) - int(members_placed),
        cancelled_by_worker=int(by_worker),
        cancelled_by_employer=int(by_employer),
        no_shows=int(no_shows),
    )


def list_breakdown(*, session: Session, period: Period, by: str) -> list[GroupRow]:
    """Jobs, slots, fill rate and average wage per trade, district, local day or local hour."""
    part = parts.split_period(session=session, period=period)
    totals = parts.job_totals(session=session, part=part, by=by)
    return [
        GroupRow(
            key=str(key[0]),
            jobs_posted=jobs,
            slots_offered=offered,
            slots_filled=filled,
            fill_rate=_rate(filled, offered),
            average_wage=_round(wage_sum / wage_jobs if wage_jobs else None, 1),
        )
        for key, (jobs, _cancelled, offered, filled, wage_sum, wage_jobs) in sorted(totals.items())
    ]


def list_gap(*, session: Session, period: Period, by: str = "trade_district") -> list[GapRow]:
    """Supply against demand per trade and/or district, the widest gaps first."""
    if by not in GROUPINGS:
        raise ValueError(by)
    use_trade, use_district = by != "district", by != "trade"
    part = parts.split_period(session=session, period=period)
    demand: dict[tuple[str, ...], tuple[int, int]] = {
        key: (offered, filled)
        for key, (_j, _c, offered, filled, _ws, _wj) in parts.job_totals(
            session=session, part=part, by="trade_district"
        ).items()
    }
    if by != "trade_district":
        merged: dict[tuple[str, ...], tuple[int, int]] = {}
        for (trade, district), (offered, filled) in demand.items():
            coarse = (trade if use_trade else "", district if use_district else "")
            was = merged.get(coarse, (0, 0))
            merged[coarse] = (was[0] + offered, was[1] + filled)
        demand = merged
    if parts.reads_rolled_up_workers(part):
        supply = supply_service.supply_counts(
            session=session,
            use_trade=use_trade,
            use_district=use_district,
            first_day=part.first_day,
            hired_today=parts.hired_today(part),
        )
    else:  # before the first build, or a period ending before yesterday
        placed = parts.placed_workers(period=period, worker=col(WorkerProfile.user_id))
        supply = _supply(session, use_trade, use_district, placed)
    rows = []
    for key in set(demand) | set(supply):
        trade, district = key[0], key[1]
        offered, filled = demand.get(key, (0, 0))
        workers, hired = supply.get(key, (0, 0))
        unfilled, idle = offered - filled, workers - hired
        gap = unfilled - idle
        verdict = verdict_of(unfilled, idle)
        rows.append(
            GapRow(trade, district, offered, filled, unfilled, workers, hired, idle, gap, verdict)
        )
    return sorted(rows, key=lambda r: (-abs(r.gap), r.trade, r.district))


def _supply(
    session: Session, use_trade: bool, use_district: bool, placed: tuple[list[Any], Any]
) -> dict[tuple[str, ...], tuple[int, int]]:
    """Registered and placed workers per (trade, district) key, in one pass over the workers.

    `placed` is outer joins and a condition saying a worker was hired in the period. A
    worker counts once per trade they hold (worker_trade's key is worker and trade), so
    plain counts suffice and the database never has to de-duplicate.
    """
    blank = literal("")
    keys = [
        (col(WorkerTrade.trade) if use_trade else blank).label("trade"),
        (col(WorkerProfile.district) if use_district else blank).label("district"),
    ]
    joins, hired = placed
    query = select(*keys, func.count(), func.count(case((hired, 1)))).select_from(WorkerProfile)
    if use_trade:
        query = query.join(WorkerTrade, col(WorkerTrade.worker_id) == col(WorkerProfile.user_id))
    for target, on in joins:
        query = query.outerjoin(target, on)
    rows = session.exec(query.group_by(*keys)).all()  # type: ignore[call-overload]
    return {(t, d): (int(n), int(p)) for t, d, n, p in rows}
