"""A period's statistics as its closed days (read from the rollup) plus today (read live).

Every function here gives exactly what one query over the base tables would: sums add up,
distinct workers are merged as sets, and the distance median is taken over the merged
multiset of values, so no figure is approximate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, func, select
from sqlmodel import Session, col

from market.applications.models import HIRED
from market.i18n import market_tz
from market.models import (
    Application,
    Job,
    Membership,
    MembershipStatus,
    StatsDay,
    StatsDistance,
    StatsHour,
    StatsMonth,
    StatsWait,
)
from market.stats import people as people_service
from market.stats import rollup as rollup
from market.stats.periods import Period

Counts = tuple[int, int, int, int, int, int]  # jobs, cancelled, offered, filled, wage sum, n
ZERO: Counts = (0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class Part:
    """The closed days (`first_day`..`last_day`, or none) and the live UTC range (or none)."""

    first_day: str | None
    last_day: str | None
    live_start: datetime | None
    live_end: datetime | None
    reaches_closed_end: bool  # the period runs at least to the last closed day
    rolled_up: bool = True  # False before the first build: everything is read live


def split_period(*, session: Session, period: Period) -> Part:
    """Refresh the rollup, then split the period at the start of the market's today.

    Before the periodic refresh has built the rollup once, the whole period is read live:
    slower, but a staff page never waits for the first build.
    """
    cutoff = rollup.refresh_rollup(session=session, build=False)
    if cutoff is None:
        return Part(None, None, period.start, period.end, False, rolled_up=False)
    last_closed: date = cutoff.astimezone(market_tz()).date() - timedelta(days=1)
    closed = period.start < cutoff
    live = period.end > cutoff
    return Part(
        first_day=period.first.isoformat() if closed else None,
        last_day=min(period.last, last_closed).isoformat() if closed else None,
        live_start=max(period.start, cutoff) if live else None,
        live_end=period.end if live else None,
        reaches_closed_end=closed and period.last >= last_closed,
    )


def _live_jobs(part: Part) -> ColumnElement[bool]:
    assert part.live_start is not None and part.live_end is not None
    return and_(col(Job.created_at) >= part.live_start, col(Job.created_at) < part.live_end)


def _add(a: Counts, b: Any) -> Counts:
    return tuple(int(x) + int(y) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def job_totals(*, session: Session, part: Part, by: str | None) -> dict[tuple[str, ...], Counts]:
    """Job sums per key (`by`: trade, district, trade_district, day, hour or None for one row)."""
    table: Any = StatsHour if by in ("hour", "day", None) else StatsDay  # the fewest rows
    names: list[str] = {None: [], "trade_district": ["trade", "district"]}.get(by, [str(by)])
    totals: dict[tuple[str, ...], Counts] = {}
    if part.first_day is not None and part.last_day is not None:
        reads: list[tuple[Any, ColumnElement[bool]]] = []
        if table is StatsDay:  # whole months from stats_month, the days around them by day
            months, edges = month_split(part.first_day, part.last_day, part.reaches_closed_end)
            if months:
                reads.append((StatsMonth, col(StatsMonth.month).in_(months)))
            reads += [(StatsDay, col(StatsDay.day).between(a, b)) for a, b in edges]
        else:
            reads.append((table, col(table.day).between(part.first_day, part.last_day)))
        for source, where in reads:
            keys = [getattr(source, n) for n in names]
            sums = [func.coalesce(func.sum(getattr(source, c)), 0) for c in rollup.COUNT_COLUMNS]
            query = select(*keys, *sums).where(where).group_by(*keys)
            for row in session.exec(query).all():  # type: ignore[call-overload]
                if by is None and not row[0]:
                    continue  # no closed jobs: sums over nothing
                key = tuple(str(k) for k in row[: len(keys)]) or ("",)
                totals[key] = _add(totals.get(key, ZERO), row[len(keys) :])
    if part.live_start is not None:
        day, hour = rollup.local_day_hour(session, col(Job.created_at))
        exprs = {"trade": col(Job.trade), "district": col(Job.district), "day": day, "hour": hour}
        keys = [exprs[n] for n in names]
        query = select(*keys, *rollup.job_counts()).where(_live_jobs(part))
        for row in session.exec(query.group_by(*keys)).all():  # type: ignore[call-overload]
            if by is None and not row[0]:
                continue
            key = tuple(str(k) for k in row[: len(keys)]) or ("",)
            totals[key] = _add(totals.get(key, ZERO), row[len(keys) :])
    return totals


def month_split(
    first_day: str, last_day: str, reaches_end: bool
) -> tuple[list[str], list[tuple[str, str]]]:
    """The months ("YYYY-MM") lying whole in first_day..last_day, and the day ranges left.

    stats_month holds only closed days, so the month of the last closed day counts as
    whole when the range reaches it.
    """
    first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    months: list[str] = []
    edges: list[tuple[str, str]] = []
    start = first
    while start <= last:
        month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        end = min(month_end, last)
        if start.day == 1 and (end == month_end or reaches_end):
            months.append(start.isoformat()[:7])
        else:
            edges.append((start.isoformat(), end.isoformat()))
        start = end + timedelta(days=1)
    return months, edges


@dataclass(frozen=True)
class SummarySums:
    counts: Counts
    called_off: tuple[int, int, int]  # by the worker, by the employer, no-shows
    closed_waits: dict[str, int]  # closed-day jobs with a first hire / filled, by kind


def summary_sums(*, session: Session, part: Part) -> SummarySums:
    """The summary's sums over jobs and called-off hires: one read of the closed hours."""
    counts, called_off, waits = ZERO, (0, 0, 0), {"first": 0, "full": 0}
    if part.first_day is not None:
        names = (*rollup.COUNT_COLUMNS, *rollup.SUMMARY_COLUMNS)
        sums = [func.coalesce(func.sum(getattr(StatsHour, n)), 0) for n in names]
        row = session.exec(  # type: ignore[call-overload]
            select(*sums)
            .where(col(StatsHour.day) >= part.first_day)
            .where(col(StatsHour.day) <= part.last_day)
        ).one()
        counts = _add(ZERO, row[:6])
        called_off = (int(row[6]), int(row[7]), int(row[8]))
        waits = {"first": int(row[9]), "full": int(row[10])}
    if part.live_start is not None:
        row = session.exec(select(*rollup.job_counts()).where(_live_jobs(part))).one()  # type: ignore[call-overload]
        counts = _add(counts, row)
        row = session.exec(  # type: ignore[call-overload]
            select(*rollup.called_off_counts())
            .select_from(Application)
            .join(Job, col(Job.id) == col(Application.job_id))
            .where(rollup.called_off_rows(), _live_jobs(part))
        ).one()
        called_off = (called_off[0] + int(row[0]), called_off[1] + int(row[1]),
                      called_off[2] + int(row[2]))  # fmt: skip
    return SummarySums(counts, called_off, waits)


def _applicants(where: ColumnElement[bool]) -> Any:
    """One (worker, hired 0/1) row per worker who applied to a job matching `where`."""
    hired = case((col(Application.status).in_(HIRED), 1), else_=0)
    return (
        select(col(Application.worker_id).label("worker_id"), func.max(hired).label("hired"))
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(where)
        .group_by(col(Application.worker_id))
        .subquery()
    )


def reads_rolled_up_workers(part: Part) -> bool:
    """Whether the workers of the period come from the rollup: it reaches the closed end."""
    return part.rolled_up and (part.first_day is None or part.reaches_closed_end)


def count_people(*, session: Session, part: Part, period: Period) -> tuple[int, int, int, int]:
    """Distinct workers active and placed in the period, and of them union members."""
    if reads_rolled_up_workers(part):
        today = _applicants(_live_jobs(part)) if part.live_start is not None else None
        return people_service.people_counts(session=session, first_day=part.first_day, today=today)
    return _count_from(session, _applicants(_in_period(period)))


def _in_period(period: Period) -> ColumnElement[bool]:
    return and_(col(Job.created_at) >= period.start, col(Job.created_at) < period.end)


def _count_from(session: Session, workers: Any) -> tuple[int, int, int, int]:
    member = col(Membership.user_id).is_not(None)
    approved = and_(
        col(Membership.user_id) == workers.c.worker_id,
        col(Membership.status) == MembershipStatus.approved,
    )
    row = session.exec(  # type: ignore[call-overload]
        select(
            func.count(),
            func.coalesce(func.sum(workers.c.hired), 0),
            func.count(col(Membership.user_id)),
            func.coalesce(func.sum(case((member, workers.c.hired), else_=0)), 0),
        )
        .select_from(workers)
        .outerjoin(Membership, approved)
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def hired_today(part: Part) -> Any:
    """A select of the workers hired on the period's jobs posted today, or None."""
    if part.live_start is None:
        return None
    return (
        select(col(Application.worker_id))
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(_live_jobs(part), col(Application.status).in_(HIRED))
    )


def placed_workers(*, period: Period, worker: Any) -> tuple[list[Any], Any]:
    """Outer joins and a condition on `worker` (a worker id column): hired in the period.

    Read from the base tables: the rollup answers periods reaching the closed end itself.
    """
    ids = (
        select(col(Application.worker_id).label("worker_id"))
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(_in_period(period), col(Application.status).in_(HIRED))
        .distinct()
        .subquery()
    )
    return [(ids, ids.c.worker_id == worker)], ids.c.worker_id.is_not(None)


def median_distance(*, session: Session, part: Part) -> float | None:
    """The exact median distance of the period's hires, from the merged multiset."""
    counts: dict[float, int] = {}
    if part.first_day is not None:
        query = (
            select(col(StatsDistance.distance_km), func.sum(col(StatsDistance.hires)))
            .where(
                col(StatsDistance.day) >= part.first_day, col(StatsDistance.day) <= part.last_day
            )
            .group_by(col(StatsDistance.distance_km))
        )
        for km, n in session.exec(query).all():  # type: ignore[call-overload]
            counts[float(km)] = counts.get(float(km), 0) + int(n)
    if part.live_start is not None:
        live: Any = (
            select(col(Application.distance_km), func.count())
            .join(Job, col(Job.id) == col(Application.job_id))
            .where(
                _live_jobs(part),
                col(Application.status).in_(HIRED),
                col(Application.distance_km).is_not(None),
            )
            .group_by(col(Application.distance_km))
        )
        for km, n in session.exec(live).all():  # type: ignore[call-overload]
            counts[float(km)] = counts.get(float(km), 0) + int(n)
    total = sum(counts.values())
    if not total:
        return None
    lower, upper = _nth(counts, (total + 1) // 2), _nth(counts, (total + 2) // 2)
    if rollup.dialect(session) == "postgresql":
        return lower + 0.5 * (upper - lower)  # percentile_cont's interpolation, to the bit
    return (lower + upper) / 2


def median_hours(
    *, session: Session, part: Part, period: Period, kind: str, closed_count: int
) -> float | None:
    """The exact median hours from posting to first hire / to full of the period's jobs.

    The closed days' values sit in index order in stats_wait (`closed_count` of them in
    the period, from `summary_sums`); today's few are read live.
    The union's middle ranks lie within today's count of the same ranks among the closed
    values, so only that window of the index is read.
    """
    at = getattr(Job, rollup.WAITS[kind])
    live: list[float] = []
    if part.live_start is not None:
        hours = func.cast(rollup.hours_between(session, at, col(Job.created_at)), Float)
        query = select(hours).where(_live_jobs(part), col(at).is_not(None))
        live = sorted(float(v) for (v,) in session.exec(query).all())  # type: ignore[call-overload]
    window, skipped = [], 0
    closed = (
        (col(StatsWait.kind) == kind)
        & (col(StatsWait.created_at) >= period.start)
        & (col(StatsWait.created_at) < (part.live_start or period.end))
    )
    count = closed_count if part.first_day is not None else 0
    total = count + len(live)
    if not total:
        return None
    lower_rank, upper_rank = (total + 1) // 2, (total + 2) // 2
    if count:
        skipped = max(0, lower_rank - len(live) - 1)
        query = (
            select(col(StatsWait.hours))
            .where(closed)
            .order_by(col(StatsWait.hours))
            .offset(skipped)
            .limit(upper_rank - skipped)
        )
        window = [float(v) for (v,) in session.exec(query).all()]  # type: ignore[call-overload]
    merged = sorted(window + live)
    lower, upper = merged[lower_rank - skipped - 1], merged[upper_rank - skipped - 1]
    if rollup.dialect(session) == "postgresql":
        return lower + 0.5 * (upper - lower)
    return (lower + upper) / 2


def _nth(counts: dict[float, int], rank: int) -> float:
    """The `rank`-th smallest value (1-based) of the multiset."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise ValueError(rank)
