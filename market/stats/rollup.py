"""The statistics rollup: closed local days summed once, so a year's figures read small tables.

Only days before the market's today are rolled up (`StatsRefresh.closed_before`); today is
always read live from the base tables. `refresh_rollup` brings the closed days up to date:
a day is rebuilt from the base tables when one of its jobs, or an application to one of
them, changed since the last refresh (a hire landing on a job posted days ago rebuilds
that job's day), and the days that closed since then are added; the workers whose
applications, membership, district or trades changed are re-read (`stats_people`,
`stats_supply`). The app refreshes it periodically in the background (`web/stats_refresh.py`),
which alone builds it the first time and closes days; the statistics reads call it first
to bring in changed rows, usually finding nothing to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union,
)
from sqlmodel import Session, col

from market.applications.models import HIRED
from market.db import try_xact_lock
from market.i18n import market_tz
from market.models import (
    Application,
    ApplicationStatus,
    Job,
    JobStatus,
    StatsDay,
    StatsDistance,
    StatsHour,
    StatsMonth,
    StatsRefresh,
    StatsWait,
    WorkerProfile,
)
from market.stats import people as people_service
from market.stats import supply as supply_service
from market.types import utcnow

# changes are looked for this far before the watermark: a transaction that stamped its rows
# just before the last refresh may have committed just after it
LAG = timedelta(minutes=10)
ADVISORY_LOCK = 0x6C675F7374617473  # "lg_stats": held by a refresh until its transaction ends
COUNT_COLUMNS = ("jobs", "jobs_cancelled", "slots_offered", "slots_filled", "wage_sum", "wage_jobs")
SUMMARY_COLUMNS = (
    "called_off_by_worker",
    "called_off_by_employer",
    "no_shows",
    "jobs_first_hired",
    "jobs_filled",
)


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def local_day_hour(session: Session, column: Any) -> tuple[Any, Any]:
    """Expressions for the local day ("YYYY-MM-DD") and hour ("HH") of a UTC column."""
    if dialect(session) == "postgresql":
        moment = func.timezone(market_tz().key, func.timezone("UTC", column))
        return func.to_char(moment, "YYYY-MM-DD"), func.to_char(moment, "HH24")
    offset = datetime.now(market_tz()).utcoffset() or timedelta(0)
    shift = f"{int(offset.total_seconds()):+d} seconds"
    return func.strftime("%Y-%m-%d", column, shift), func.strftime("%H", column, shift)


def start_of_local_day(moment: datetime) -> datetime:
    """The UTC instant at which `moment`'s local day began."""
    local = moment.astimezone(market_tz())
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(moment.tzinfo)


def hours_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    if dialect(session) == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


WAITS = {"first": "first_hire_at", "full": "filled_at"}


def job_counts() -> list[Any]:
    """The rollup's sums over jobs: cancelled jobs count as posted but offer nothing."""
    live = col(Job.status) != JobStatus.cancelled
    return [
        func.count().label("jobs"),
        func.coalesce(func.sum(case((~live, 1), else_=0)), 0).label("jobs_cancelled"),
        func.coalesce(func.sum(case((live, col(Job.headcount)), else_=0)), 0).label("offered"),
        func.coalesce(func.sum(case((live, col(Job.confirmed_count)), else_=0)), 0).label("filled"),
        func.coalesce(func.sum(case((live, col(Job.wage)), else_=0)), 0).label("wage_sum"),
        func.coalesce(func.sum(case((live, 1), else_=0)), 0).label("wage_jobs"),
    ]


def called_off_counts() -> list[Any]:
    """Sums over applications: hires called off by each side, and no-shows."""

    def called_off(side: str) -> ColumnElement[bool]:
        # decided_at is set by a hire (and a decline): a cancelled row with it was a hire
        return and_(
            col(Application.status) == ApplicationStatus.cancelled,
            col(Application.decided_at).is_not(None),
            col(Application.cancelled_by) == side,
        )

    no_show = col(Application.status) == ApplicationStatus.no_show
    return [
        func.coalesce(func.sum(case((called_off("worker"), 1), else_=0)), 0).label("by_worker"),
        func.coalesce(func.sum(case((called_off("employer"), 1), else_=0)), 0).label("by_employer"),
        func.coalesce(func.sum(case((no_show, 1), else_=0)), 0).label("no_shows"),
    ]


def called_off_rows() -> ColumnElement[bool]:
    """The only applications `called_off_counts` can count (ix_application_status_stats)."""
    return col(Application.status).in_((ApplicationStatus.cancelled, ApplicationStatus.no_show))


def _hired() -> ColumnElement[bool]:
    return col(Application.status).in_(HIRED)


def refresh_rollup(
    *, session: Session, now: datetime | None = None, build: bool = True
) -> datetime | None:
    """Bring the closed days up to date; returns where they end (the start of local today).

    The first build reads the whole market (seconds on a large one) and closing a day
    re-reads that day's jobs and workers (a second or two): with `build` false, as staff
    reads call it, both are left to the periodic refresh. None then says there is no rollup
    yet (the reads use the base tables alone); a day that closed since the last refresh
    stays live (the reads read it from the base tables too). Rows changed since the last
    refresh are brought in (one stamped before it and committed after comes in with the next
    periodic refresh, which looks back LAG); on PostgreSQL a read that finds another
    refresh under way does not wait for it: it reads the closed days as the last finished
    refresh left them.
    """
    now = now or utcnow()
    state = session.get(StatsRefresh, 1)
    if state is None and not build:
        return None
    cutoff = _cutoff(state, now, build)
    if state is not None and not _stale(session, state, cutoff, now, build):
        return state.closed_before
    if dialect(session) == "postgresql":  # one refresher at a time
        if not build:
            # a read finding a refresh under way reads what is committed: the figures as of
            # the last refresh (behind by about what one refresh takes), not a queue of
            # staff reads each holding a database slot while it waits its turn
            if not try_xact_lock(session, ADVISORY_LOCK):
                assert state is not None  # (None returned above)
                return state.closed_before
        else:  # the periodic refresh (and the first build) waits its turn, then skips
            # an advisory lock, not a row lock: it also serialises the very first build
            session.exec(select(func.pg_advisory_xact_lock(ADVISORY_LOCK)))  # type: ignore[call-overload]
        if state is not None:
            session.expire(state)  # re-read: a refresher we waited for may have moved it
        state = session.get(StatsRefresh, 1)
        if state is None and not build:
            return None
        cutoff = _cutoff(state, now, build)
        if state is not None and not _stale(session, state, cutoff, now, build):
            return state.closed_before
    if state is None:
        _rebuild(session, days=None, workers=None, cutoff=cutoff)
        supply_service.rebuild_supply(session=session, workers=None)
        session.add(StatsRefresh(id=1, closed_before=cutoff, watermark=now))
    else:
        since = state.watermark - LAG
        closing = and_range(state.closed_before, cutoff)
        changed_jobs = (
            select(col(Job.id))
            .where(col(Job.updated_at) >= since)
            .union(select(col(Application.job_id)).where(col(Application.updated_at) >= since))
        )
        day, _hour = local_day_hour(session, col(Job.created_at))
        days = session.exec(  # type: ignore[call-overload]
            select(day)
            .where(col(Job.created_at) < cutoff)
            .where(or_(col(Job.id).in_(changed_jobs), closing))
            .distinct()
        ).all()
        # one select per index (applications changed, jobs of the days that closed): an OR
        # across the two tables would join every application to its job, each time
        to_job = col(Job.id) == col(Application.job_id)
        applied = select(col(Application.worker_id)).join(Job, to_job)
        changed = applied.where(col(Application.updated_at) >= since, col(Job.created_at) < cutoff)
        closed = applied.where(closing)
        members = people_service.changed_members(since)
        workers = union(changed, closed, members)
        _rebuild(session, days=sorted(d for (d,) in days), workers=workers, cutoff=cutoff)
        moved = select(col(WorkerProfile.user_id)).where(col(WorkerProfile.updated_at) >= since)
        supply_service.rebuild_supply(
            session=session, workers=union(changed, closed, members, moved)
        )
        state.closed_before, state.watermark = cutoff, now
        session.add(state)
    session.flush()
    return cutoff


def _cutoff(state: StatsRefresh | None, now: datetime, build: bool) -> datetime:
    """Where the closed days are to end: today's start, or where they end now for a read."""
    if build or state is None:
        return start_of_local_day(now)
    return state.closed_before


def _day(session: Session) -> Any:
    return lambda column: local_day_hour(session, column)[0]


def and_range(start: datetime, end: datetime) -> ColumnElement[bool]:
    return (col(Job.created_at) >= start) & (col(Job.created_at) < end)


def _stale(
    session: Session, state: StatsRefresh, cutoff: datetime, now: datetime, build: bool
) -> bool:
    """Whether a row changed that the closed days may not hold yet.

    The periodic refresh looks back LAG before the last refresh, for a transaction that
    stamped its rows before it and committed after. A staff read looks only after it: what
    the last refresh's own look-back took in is not a change again (looking back on every
    read, a market where anyone saved a profile in the last ten minutes rebuilt on every
    read). A read that does rebuild still looks back LAG, and a row committed that late is
    in the figures by the next periodic refresh.
    """
    if state.closed_before != cutoff or now - state.watermark > LAG:
        return True
    since = state.watermark - LAG if build else state.watermark
    old_job = col(Job.created_at) < cutoff
    changed = select(col(Job.id)).where(col(Job.updated_at) >= since, old_job).limit(1)
    if session.exec(changed).first() is not None:  # type: ignore[call-overload]
        return True
    moved = select(col(WorkerProfile.user_id)).where(col(WorkerProfile.updated_at) >= since)
    if session.exec(moved.limit(1)).first() is not None:  # type: ignore[call-overload]
        return True
    if session.exec(people_service.changed_members(since).limit(1)).first() is not None:  # type: ignore[call-overload]
        return True
    applied = (
        select(col(Application.id))
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(col(Application.updated_at) >= since, old_job)
        .limit(1)
    )
    return session.exec(applied).first() is not None  # type: ignore[call-overload]


def _day_ranges(days: list[str]) -> ColumnElement[bool]:
    tz = market_tz()
    ranges = []
    for text in days:
        start = datetime.fromisoformat(text).replace(tzinfo=tz)
        ranges.append(and_range(start, start + timedelta(days=1)))
    return or_(*ranges)


def _rebuild(session: Session, *, days: list[str] | None, workers: Any, cutoff: datetime) -> None:
    """Recompute the given closed days (all when None) and workers (all when None)."""
    if days is None:
        jobs_in: ColumnElement[bool] = col(Job.created_at) < cutoff
    elif days:
        jobs_in = (col(Job.created_at) < cutoff) & _day_ranges(days)
    for table in (StatsDay, StatsHour, StatsDistance):
        if days is None:
            session.exec(delete(table))  # type: ignore[call-overload]
        elif days:
            session.exec(delete(table).where(col(table.day).in_(days)))  # type: ignore[call-overload, attr-defined]
    if days is None or days:
        day, hour = local_day_hour(session, col(Job.created_at))
        _insert(session, StatsDay, ["day", "trade", "district"],
                [day, col(Job.trade), col(Job.district)], jobs_in)  # fmt: skip
        _insert_hours(session, [day, hour], jobs_in)
        _rebuild_months(session, days)
        hires: Select[Any] = (
            select(day, col(Application.distance_km), func.count())
            .join(Job, col(Job.id) == col(Application.job_id))
            .where(jobs_in, _hired(), col(Application.distance_km).is_not(None))
            .group_by(day, col(Application.distance_km))
        )
        session.exec(  # type: ignore[call-overload]
            insert(StatsDistance).from_select(["day", "distance_km", "hires"], hires)
        )
        _rebuild_waits(session, days=days, jobs_in=jobs_in)
    people_service.rebuild_workers(
        session=session, workers=workers, cutoff=cutoff, local_day=_day(session)
    )


def _rebuild_months(session: Session, days: list[str] | None) -> None:
    """Sum again the months of the rebuilt days (all when None) from stats_day."""
    month = func.substr(col(StatsDay.day), 1, 7)
    keys = [month, col(StatsDay.trade), col(StatsDay.district)]
    query = select(*keys, *(func.sum(getattr(StatsDay, c)) for c in COUNT_COLUMNS))
    if days is None:
        session.exec(delete(StatsMonth))  # type: ignore[call-overload]
    else:
        months = sorted({d[:7] for d in days})
        session.exec(delete(StatsMonth).where(col(StatsMonth.month).in_(months)))  # type: ignore[call-overload]
        query = query.where(month.in_(months))
    names = ["month", "trade", "district", *COUNT_COLUMNS]
    session.exec(insert(StatsMonth).from_select(names, query.group_by(*keys)))  # type: ignore[call-overload]


def _rebuild_waits(session: Session, *, days: list[str] | None, jobs_in: Any) -> None:
    if days is None:
        session.exec(delete(StatsWait))  # type: ignore[call-overload]
    else:
        day_ranges = _day_ranges(days).self_group()
        session.exec(  # type: ignore[call-overload]
            delete(StatsWait).where(
                col(StatsWait.job_id).in_(select(col(Job.id)).where(day_ranges))
            )
        )
    for kind, column in WAITS.items():
        at = getattr(Job, column)
        waits = select(
            col(Job.id),
            literal(kind),
            col(Job.created_at),
            hours_between(session, at, Job.created_at),
        ).where(jobs_in, col(at).is_not(None))
        session.exec(  # type: ignore[call-overload]
            insert(StatsWait).from_select(["job_id", "kind", "created_at", "hours"], waits)
        )


def _insert(
    session: Session, table: Any, keys: list[str], key_exprs: list[Any], where: Any
) -> None:
    query = select(*key_exprs, *job_counts()).where(where).group_by(*key_exprs)
    session.exec(insert(table).from_select([*keys, *COUNT_COLUMNS], query))  # type: ignore[call-overload]


def _insert_hours(session: Session, keys: list[Any], jobs_in: Any) -> None:
    per_job = (
        select(col(Application.job_id).label("job_id"), *called_off_counts())
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(called_off_rows(), jobs_in)
        .group_by(col(Application.job_id))
        .subquery()
    )
    called_off = (per_job.c.by_worker, per_job.c.by_employer, per_job.c.no_shows)
    waited = (col(Job.first_hire_at).is_not(None), col(Job.filled_at).is_not(None))
    query = (
        select(
            *keys,
            *job_counts(),
            *(func.coalesce(func.sum(c), 0) for c in called_off),
            *(func.coalesce(func.sum(case((w, 1), else_=0)), 0) for w in waited),
        )
        .outerjoin(per_job, per_job.c.job_id == col(Job.id))
        .where(jobs_in)
        .group_by(*keys)
    )
    names = ["day", "hour", *COUNT_COLUMNS, *SUMMARY_COLUMNS]
    session.exec(insert(StatsHour).from_select(names, query))  # type: ignore[call-overload]
