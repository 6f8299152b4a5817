"""The workers' rollup (supply per trade and district, people per day) against the base tables.

Every figure read through the rollup must equal the figure read from the base tables
alone, which is what a read gives before the first build: the reference is taken by
removing the rollup's bookkeeping row in a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, literal, select
from sqlmodel import Session, col

from market.db import session_scope
from market.membership import service as membership_service
from market.models import (
    StatsDay,
    StatsPeople,
    StatsRefresh,
    StatsSupply,
    StatsWorker,
    User,
    WorkerProfile,
    WorkerTrade,
)
from market.stats import parts as stats_parts
from market.stats import periods as period_service
from market.stats import rollup as rollup_service
from market.stats import service as stats_service
from market.types import utcnow
from market.workers import service as worker_service
from market.workers.schemas import TradeLevel, WorkerProfileUpdate
from tests.factories import make_staff
from tests.staff_factories import (
    make_application,
    make_district_worker,
    make_member,
    make_posted_job,
)

H = timedelta(hours=1)


def _figures(session: Session) -> dict[str, Any]:
    """Every worker figure of periods reaching today, and of one ending before yesterday."""
    today = period_service.today()
    got: dict[str, Any] = {}
    for days in (1, 3, 10, 30, 80):
        period = period_service.period_of(first=today - timedelta(days=days - 1), last=today)
        summary = stats_service.get_summary(session=session, period=period)
        got[f"summary {days}"] = summary
        for by in stats_service.GROUPINGS:
            gap = stats_service.list_gap(session=session, period=period, by=by)
            got[f"gap {by} {days}"] = sorted(gap, key=lambda r: (r.trade, r.district))
        for by in ("trade", "district"):  # whole months from stats_month, the rest by day
            rows = stats_service.list_breakdown(session=session, period=period, by=by)
            got[f"breakdown {by} {days}"] = rows
    past = period_service.period_of(first=today - timedelta(days=9), last=today - timedelta(days=3))
    got["summary past"] = stats_service.get_summary(session=session, period=past)
    got["gap past"] = sorted(
        stats_service.list_gap(session=session, period=past), key=lambda r: (r.trade, r.district)
    )
    return got


def _rolled_up(engine: Engine) -> dict[str, Any]:
    with session_scope(engine) as s:
        assert s.get(StatsRefresh, 1) is not None
        return _figures(s)


def _from_base_tables(engine: Engine) -> dict[str, Any]:
    with Session(engine) as s:
        s.exec(delete(StatsRefresh))  # type: ignore[call-overload]
        figures = _figures(s)
        s.rollback()
    return figures


def _refresh(engine: Engine) -> None:
    with session_scope(engine) as s:
        rollup_service.refresh_rollup(session=s)


def _market(engine: Engine) -> dict[str, User]:
    """Hires on closed days (5 and 2 days ago), two trades, two districts, members."""
    now = utcnow()
    w: dict[str, User] = {}
    with session_scope(engine) as s:
        old = make_posted_job(s, created_at=now - 5 * 24 * H, headcount=3, confirmed=2)
        for days_ago in (35, 45, 70):  # earlier months: no worker of ours applied
            make_posted_job(s, created_at=now - days_ago * 24 * H, district="莱山区", headcount=2)
        recent = make_posted_job(s, created_at=now - 2 * 24 * H, trade="mover", district="莱山区",
                                 headcount=2, confirmed=1)  # fmt: skip
        w["a"] = make_district_worker(s)
        w["b"] = make_district_worker(s, district="莱山区")
        w["c"] = make_district_worker(s, trade="mover", district="莱山区")
        w["d"] = make_district_worker(s, trade="mover")
        w["idle"] = make_district_worker(s, trade="welder", district="福山区")
        make_application(s, job=old, worker=w["a"], distance_km=2.0)
        make_application(s, job=old, worker=w["b"], distance_km=3.0)
        make_application(s, job=old, worker=w["c"], status="applied", hired=False)
        make_application(s, job=recent, worker=w["c"], distance_km=1.0)
        make_application(s, job=recent, worker=w["d"], status="applied", hired=False)
        make_member(s, worker=w["a"])
        make_member(s, worker=w["c"])
    return w


def _stored_supply(session: Session) -> dict[tuple[str, str, str], int]:
    rows = session.exec(select(StatsSupply)).all()  # type: ignore[call-overload]
    return {(r[0].trade, r[0].district, r[0].hired_day): r[0].workers for r in rows}


def _supply_from_base_tables(session: Session) -> dict[tuple[str, str, str], int]:
    """The supply counted afresh: one row per worker (trade "") and per trade they hold."""
    day = func.coalesce(col(StatsWorker.hired_day), "")
    counted: dict[tuple[str, str, str], int] = {}

    def add(query: Any) -> None:
        for trade, district, hired_day in session.exec(query).all():  # type: ignore[call-overload]
            key = (trade, district, hired_day)
            counted[key] = counted.get(key, 0) + 1

    on = col(StatsWorker.worker_id) == col(WorkerProfile.user_id)
    add(select(literal(""), col(WorkerProfile.district), day).outerjoin(StatsWorker, on))
    add(
        select(col(WorkerTrade.trade), col(WorkerProfile.district), day)
        .join(WorkerTrade, col(WorkerTrade.worker_id) == col(WorkerProfile.user_id))
        .outerjoin(StatsWorker, on)
    )
    return counted


def test_staff_reads_never_build_the_rollup(fresh_engine: Engine) -> None:
    _market(fresh_engine)
    period = period_service.period_of(
        first=period_service.today() - timedelta(days=9), last=period_service.today()
    )
    with session_scope(fresh_engine) as s:
        summary = stats_service.get_summary(session=s, period=period)
        gap = stats_service.list_gap(session=s, period=period, by="trade")
    assert (summary.workers_registered, summary.workers_active, summary.workers_placed) == (5, 4, 3)
    assert {r.trade: (r.workers, r.placed) for r in gap} == {
        "painter": (2, 2),
        "mover": (2, 1),
        "welder": (1, 0),
    }
    with session_scope(fresh_engine) as s:
        assert s.get(StatsRefresh, 1) is None
        assert s.exec(select(StatsDay)).all() == []


def test_worker_figures_through_the_rollup_match_the_base_tables(fresh_engine: Engine) -> None:
    _market(fresh_engine)
    expected = _from_base_tables(fresh_engine)
    _refresh(fresh_engine)
    got = _rolled_up(fresh_engine)
    assert got == expected
    ten = got["summary 10"]
    assert (ten.workers_registered, ten.workers_active, ten.workers_placed) == (5, 4, 3)
    assert (ten.members_active, ten.members_placed) == (2, 2)
    assert got["summary 3"].workers_placed == 1  # only the mover hired 2 days ago
    gap = {(r.trade, r.district): (r.workers, r.placed) for r in got["gap trade_district 3"]}
    assert gap == {
        ("painter", "芝罘区"): (1, 0),
        ("painter", "莱山区"): (1, 0),
        ("mover", "莱山区"): (1, 1),
        ("mover", "芝罘区"): (1, 0),
        ("welder", "福山区"): (1, 0),
    }


def test_changes_made_today_are_counted_without_waiting_for_the_refresh(
    fresh_engine: Engine,
) -> None:
    w = _market(fresh_engine)
    _refresh(fresh_engine)
    now = utcnow()
    with session_scope(fresh_engine) as s:
        newcomer = make_district_worker(s, trade="welder", district="福山区")
        worker = s.get(User, w["a"].id)
        assert worker is not None
        worker_service.worker_profile_update(  # painter in 芝罘区 becomes a welder in 福山区
            session=s,
            worker=worker,
            data=WorkerProfileUpdate(district="福山区", trades=[TradeLevel(code="welder")]),
        )
        make_member(s, worker=w["d"], status="pending")
        membership_service.membership_decide(
            session=s, staff=make_staff(s), user_id=w["d"].id or 0, approve=True
        )
        posted = rollup_service.start_of_local_day(now) + timedelta(minutes=1)
        today_job = make_posted_job(s, created_at=posted, trade="welder",
                                    district="福山区", headcount=2, confirmed=2)  # fmt: skip
        make_application(s, job=today_job, worker=newcomer)
        make_application(s, job=today_job, worker=w["b"])  # placed 5 days ago too
        late = make_posted_job(s, created_at=now - 2 * 24 * H, headcount=1, confirmed=1)
        make_application(s, job=late, worker=w["idle"])  # a hire on a closed day
    got = _rolled_up(fresh_engine)
    assert got == _from_base_tables(fresh_engine)
    one = got["summary 1"]
    assert (one.workers_registered, one.workers_active, one.workers_placed) == (6, 2, 2)
    three = got["summary 3"]
    assert (three.workers_active, three.workers_placed, three.members_active) == (5, 4, 2)
    gap = {(r.trade, r.district): (r.workers, r.placed) for r in got["gap trade_district 3"]}
    assert gap[("welder", "福山区")] == (3, 2)  # moved in; registered and hired today; hired late
    assert gap[("painter", "芝罘区")] == (0, 0)  # the painter who moved away


def test_a_rollup_refreshed_after_new_rows_matches_the_raw_aggregates(
    fresh_engine: Engine,
) -> None:
    w = _market(fresh_engine)
    _refresh(fresh_engine)
    now = utcnow()
    with session_scope(fresh_engine) as s:
        for district in ("芝罘区", "开发区"):
            make_district_worker(s, trade="mover", district=district)
        late = make_posted_job(s, created_at=now - 3 * 24 * H, trade="mover", confirmed=1)
        make_application(s, job=late, worker=w["d"])
        worker = s.get(User, w["b"].id)
        assert worker is not None
        worker_service.worker_profile_update(
            session=s, worker=worker, data=WorkerProfileUpdate(trades=[TradeLevel(code="mover")])
        )
    _refresh(fresh_engine)
    with session_scope(fresh_engine) as s:
        stored = _stored_supply(s)
        assert stored == _supply_from_base_tables(s)
        assert stored[("mover", "开发区", "")] == 1
        assert ("painter", "莱山区", _hired_day(s, w["b"])) not in stored
        people = {(r[0].day, r[0].member): (r[0].applied, r[0].hired)
                  for r in s.exec(select(StatsPeople)).all()}  # type: ignore[call-overload]  # fmt: skip
        assert sum(a for a, _ in people.values()) == 4  # a, b, c, d applied on closed days
        assert sum(h for _, h in people.values()) == 4  # and were all hired on one
    assert _rolled_up(fresh_engine) == _from_base_tables(fresh_engine)


def _hired_day(session: Session, worker: User) -> str:
    row = session.get(StatsWorker, worker.id)
    assert row is not None
    return row.hired_day


def test_rebuilding_from_scratch_gives_what_the_increments_gave(fresh_engine: Engine) -> None:
    _market(fresh_engine)
    _refresh(fresh_engine)
    with session_scope(fresh_engine) as s:
        make_district_worker(s, trade="mover", district="开发区")
    _refresh(fresh_engine)
    read: Callable[[Session], Any] = _stored_supply
    with session_scope(fresh_engine) as s:
        incremental = read(s)
        s.exec(delete(StatsRefresh))  # type: ignore[call-overload]
        rollup_service.refresh_rollup(session=s)
        assert read(s) == incremental


def test_a_period_is_split_into_whole_months_and_the_days_around_them() -> None:
    split = stats_parts.month_split
    assert split("2026-08-15", "2026-11-22", True) == (
        ["2026-09", "2026-10", "2026-11"],
        [("2026-08-15", "2026-08-31")],
    )
    # not reaching the last closed day: November's row would hold days after the 22nd
    assert split("2026-09-01", "2026-11-22", False) == (
        ["2026-09", "2026-10"],
        [("2026-11-01", "2026-11-22")],
    )
    assert split("2026-02-01", "2026-02-28", False) == (["2026-02"], [])
    assert split("2026-12-31", "2027-01-01", True) == (["2027-01"], [("2026-12-31", "2026-12-31")])
