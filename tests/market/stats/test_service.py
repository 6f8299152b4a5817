"""Every statistic checked against a small market computed by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from market.db import session_scope
from market.i18n import market_tz
from market.models import WorkerProfile
from market.stats import periods as period_service
from market.stats import service as stats_service
from tests.factories import make_employer
from tests.staff_factories import (
    make_application,
    make_district_worker,
    make_member,
    make_posted_job,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 20:00 in Yantai
DAY = NOW.astimezone(market_tz()).date()
AT_8 = datetime(DAY.year, DAY.month, DAY.day, 8, 15, tzinfo=market_tz()).astimezone(UTC)
AT_10 = AT_8 + timedelta(hours=2)
H = timedelta(hours=1)


def _market(engine: Engine) -> None:
    """Four jobs posted today (one cancelled), one ten days ago; twelve workers."""
    with session_scope(engine) as s:
        boss = make_employer(s)
        j1 = make_posted_job(s, employer=boss, created_at=AT_8, headcount=3, wage=300,
                             confirmed=2, first_hire_after=1 * H)  # fmt: skip
        j2 = make_posted_job(s, employer=boss, created_at=AT_10, district="莱山区", headcount=2,
                             wage=400, status="filled", confirmed=2, first_hire_after=2 * H,
                             full_after=4 * H)  # fmt: skip
        j3 = make_posted_job(s, employer=boss, created_at=AT_8, trade="electrician", headcount=1,
                             wage=500, status="cancelled")  # fmt: skip
        j4 = make_posted_job(s, employer=boss, created_at=AT_8, trade="mover", headcount=4,
                             wage=200, status="completed", confirmed=3,
                             first_hire_after=3 * H)  # fmt: skip
        old = make_posted_job(s, employer=boss, created_at=AT_8 - timedelta(days=10), headcount=5,
                              confirmed=1)  # fmt: skip
        w = {i: make_district_worker(s) for i in (1, 2, 8, 11)}
        w |= {i: make_district_worker(s, district="莱山区") for i in (3, 4)}
        w |= {i: make_district_worker(s, trade="mover") for i in (5, 6, 7)}
        w[9] = make_district_worker(s, trade="electrician")
        w[10] = make_district_worker(s, trade="mover", district="莱山区")
        w[12] = make_district_worker(s, trade="welder", district="福山区")
        make_member(s, worker=w[1])
        make_member(s, worker=w[4])
        make_member(s, worker=w[8], status="pending")
        for i, d in ((1, 2.0), (2, 4.0)):
            make_application(s, job=j1, worker=w[i], distance_km=d)
        make_application(s, job=j1, worker=w[8], status="applied", hired=False)
        for i, d in ((3, 1.0), (4, 3.0)):
            make_application(s, job=j2, worker=w[i], distance_km=d)
        make_application(s, job=j3, worker=w[9], status="cancelled", cancelled_by="employer")
        make_application(s, job=j4, worker=w[5], status="completed", distance_km=5.0)
        make_application(s, job=j4, worker=w[6], status="no_show")
        make_application(s, job=j4, worker=w[7], status="completed", distance_km=6.0)
        make_application(s, job=j4, worker=w[10], status="cancelled", cancelled_by="worker")
        make_application(s, job=old, worker=w[11], distance_km=9.0)
        profile = s.get(WorkerProfile, w[12].id)
        assert profile is not None
        profile.available_now, profile.now_until = True, NOW + H


def test_summary_matches_the_hand_computed_market(fresh_engine: Engine) -> None:
    _market(fresh_engine)
    period = period_service.period_of(first=DAY, last=DAY)
    with session_scope(fresh_engine) as s:
        summary = stats_service.get_summary(session=s, period=period, now=NOW)
    assert summary == stats_service.Summary(
        jobs_posted=4,
        jobs_cancelled=1,
        slots_offered=9,  # the cancelled job offers none
        slots_filled=7,
        fill_rate=0.7778,
        median_hours_to_first_hire=2.0,  # 1, 2, 3
        median_hours_to_full=4.0,
        median_distance_km=3.5,  # 1 2 3 4 5 6; the no-show has no distance
        average_wage=300.0,  # 300, 400, 200: the cancelled job's wage is not an offer
        workers_registered=12,
        workers_available_now=1,
        workers_active=10,
        workers_placed=7,  # a no-show was placed
        workers_idle=3,
        members=2,
        members_active=2,
        members_placed=2,
        members_idle=0,
        cancelled_by_worker=1,
        cancelled_by_employer=1,
        no_shows=1,
    )


def test_breakdowns_by_trade_district_day_and_hour(fresh_engine: Engine) -> None:
    _market(fresh_engine)
    period = period_service.period_of(first=DAY, last=DAY)
    with session_scope(fresh_engine) as s:
        table = {
            by: [
                (r.key, r.jobs_posted, r.slots_offered, r.slots_filled, r.fill_rate, r.average_wage)
                for r in stats_service.list_breakdown(session=s, period=period, by=by)
            ]
            for by in ("trade", "district", "day", "hour")
        }
    assert table["trade"] == [
        ("electrician", 1, 0, 0, None, None),
        ("mover", 1, 4, 3, 0.75, 200.0),
        ("painter", 2, 5, 4, 0.8, 350.0),
    ]
    assert sorted(table["district"]) == sorted(
        [("芝罘区", 3, 7, 5, 0.7143, 250.0), ("莱山区", 1, 2, 2, 1.0, 400.0)]
    )
    assert table["day"] == [(DAY.isoformat(), 4, 9, 7, 0.7778, 300.0)]
    assert table["hour"] == [("08", 3, 7, 5, 0.7143, 250.0), ("10", 1, 2, 2, 1.0, 400.0)]


def test_gap_verdict_is_matching_where_idle_workers_sit_beside_open_places() -> None:
    # 芝罘区, 普工: 22 places unfilled, 18 idle workers of the trade there: dispatch them
    assert stats_service.verdict_of(22, 18) == "match"
    assert stats_service.verdict_of(3, 18) == "match"
    assert stats_service.verdict_of(22, 0) == "shortage"  # no one to send: train more
    assert stats_service.verdict_of(0, 18) == "surplus"
    assert stats_service.verdict_of(0, 0) == "balanced"


def test_gap_shows_shortage_where_jobs_go_unfilled_and_surplus_where_workers_idle(
    fresh_engine: Engine,
) -> None:
    _market(fresh_engine)
    period = period_service.period_of(first=DAY, last=DAY)
    with session_scope(fresh_engine) as s:
        rows = stats_service.list_gap(session=s, period=period)
        by_trade = stats_service.list_gap(session=s, period=period, by="trade")
    got = {
        (r.trade, r.district): (r.unfilled, r.workers, r.placed, r.idle, r.gap, r.verdict)
        for r in rows
    }
    assert got == {
        ("painter", "芝罘区"): (1, 4, 2, 2, -1, "match"),  # one open place, two idle painters
        ("painter", "莱山区"): (0, 2, 2, 0, 0, "balanced"),
        ("mover", "芝罘区"): (1, 3, 3, 0, 1, "shortage"),
        ("mover", "莱山区"): (0, 1, 0, 1, -1, "surplus"),
        ("electrician", "芝罘区"): (0, 1, 0, 1, -1, "surplus"),
        ("welder", "福山区"): (0, 1, 0, 1, -1, "surplus"),
    }
    assert {r.trade: (r.unfilled, r.idle, r.gap) for r in by_trade} == {
        "painter": (1, 2, -1),
        "mover": (1, 1, 0),
        "electrician": (0, 1, -1),
        "welder": (0, 1, -1),
    }


def test_a_period_without_jobs_gives_zeros_not_errors(fresh_engine: Engine) -> None:
    _market(fresh_engine)
    empty = DAY + timedelta(days=5)
    with session_scope(fresh_engine) as s:
        summary = stats_service.get_summary(
            session=s, period=period_service.period_of(first=empty, last=empty), now=NOW
        )
    assert (summary.jobs_posted, summary.fill_rate, summary.median_hours_to_full) == (0, None, None)
    assert summary.workers_registered == 12
