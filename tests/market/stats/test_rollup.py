"""The statistics rollup: closed days follow late changes after a refresh, today stays live."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from market.db import session_scope
from market.models import Job, StatsDay, StatsRefresh
from market.stats import periods as period_service
from market.stats import rollup as rollup_service
from market.stats import service as stats_service
from market.types import utcnow
from tests.staff_factories import make_application, make_district_worker, make_posted_job

H = timedelta(hours=1)


def _refresh(engine: Engine) -> None:
    """What the periodic refresh does: staff reads never build the rollup themselves."""
    with session_scope(engine) as s:
        rollup_service.refresh_rollup(session=s)


def _day_row(engine: Engine, day: str) -> tuple[int, int, int]:
    today = period_service.today()
    period = period_service.period_of(first=today - timedelta(days=9), last=today)
    with session_scope(engine) as s:
        rows = stats_service.list_breakdown(session=s, period=period, by="day")
    row = next(r for r in rows if r.key == day)
    return row.jobs_posted, row.slots_offered, row.slots_filled


def test_a_hire_on_a_job_posted_days_ago_shows_after_refresh(fresh_engine: Engine) -> None:
    posted = utcnow() - timedelta(days=3)
    day = period_service.today(posted).isoformat()
    with session_scope(fresh_engine) as s:
        job = make_posted_job(s, created_at=posted, headcount=3)
        make_district_worker(s)
        job_id = job.id
    _refresh(fresh_engine)
    assert _day_row(fresh_engine, day) == (1, 3, 0)

    with session_scope(fresh_engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        job.confirmed_count, job.updated_at = 1, utcnow()
        worker = make_district_worker(s)
        make_application(s, job=job, worker=worker)
    with session_scope(fresh_engine) as s:
        rollup_service.refresh_rollup(session=s)
        stored = s.exec(select(StatsDay).where(StatsDay.day == day)).one()
        assert (stored.jobs, stored.slots_filled) == (1, 1)

    assert _day_row(fresh_engine, day) == (1, 3, 1)
    period = period_service.period_of(
        first=period_service.today(posted), last=period_service.today()
    )
    with session_scope(fresh_engine) as s:
        summary = stats_service.get_summary(session=s, period=period)
        gap = stats_service.list_gap(session=s, period=period, by="trade")
    assert (summary.slots_filled, summary.workers_active, summary.workers_placed) == (1, 1, 1)
    assert {r.trade: (r.workers, r.placed) for r in gap} == {"painter": (2, 1)}


def test_today_is_read_live_and_never_stored(fresh_engine: Engine) -> None:
    today = period_service.today()
    with session_scope(fresh_engine) as s:
        make_posted_job(s, created_at=utcnow() - timedelta(days=2), headcount=2)
    _refresh(fresh_engine)
    assert _day_row(fresh_engine, (today - timedelta(days=2)).isoformat()) == (1, 2, 0)

    with session_scope(fresh_engine) as s:  # after the refresh, so only a live read sees it
        job = make_posted_job(s, created_at=utcnow(), headcount=4)
        make_application(s, job=job, worker=make_district_worker(s))
        job.confirmed_count = 1
    assert _day_row(fresh_engine, today.isoformat()) == (1, 4, 1)
    period = period_service.period_of(first=today - timedelta(days=2), last=today)
    with session_scope(fresh_engine) as s:
        summary = stats_service.get_summary(session=s, period=period)
        stored_days = set(s.exec(select(StatsDay.day)).all())
    assert (summary.jobs_posted, summary.slots_offered, summary.workers_placed) == (2, 6, 1)
    assert stored_days == {(today - timedelta(days=2)).isoformat()}  # not today


def test_days_that_closed_since_the_last_refresh_are_added(fresh_engine: Engine) -> None:
    now = utcnow()
    with session_scope(fresh_engine) as s:
        make_posted_job(s, created_at=now - timedelta(days=1), headcount=5)
        rollup_service.refresh_rollup(session=s, now=now - timedelta(days=1))  # it was today
        assert s.exec(select(StatsDay)).all() == []
    yesterday = (period_service.today() - timedelta(days=1)).isoformat()
    with session_scope(fresh_engine) as s:
        rollup_service.refresh_rollup(session=s, now=now)
        assert [(r.day, r.slots_offered) for r in s.exec(select(StatsDay)).all()] == [
            (yesterday, 5)
        ]
        state = s.get(StatsRefresh, 1)
        assert state is not None
        assert state.closed_before == rollup_service.start_of_local_day(now)


def test_a_period_ending_before_yesterday_counts_workers_from_the_base_tables(
    fresh_engine: Engine,
) -> None:
    posted = utcnow() - timedelta(days=5)
    with session_scope(fresh_engine) as s:
        job = make_posted_job(s, created_at=posted, headcount=2, confirmed=1)
        make_application(s, job=job, worker=make_district_worker(s))
        later = make_posted_job(s, created_at=posted + timedelta(days=2), headcount=1)
        make_application(s, job=later, worker=make_district_worker(s), status="applied")
    _refresh(fresh_engine)
    day = period_service.today(posted)
    with session_scope(fresh_engine) as s:
        summary = stats_service.get_summary(
            session=s, period=period_service.period_of(first=day, last=day + timedelta(days=1))
        )
    assert (summary.jobs_posted, summary.workers_active, summary.workers_placed) == (1, 1, 1)


def test_medians_over_closed_days_and_today_are_exact(fresh_engine: Engine) -> None:
    now, today = utcnow(), period_service.today()
    old = now - timedelta(days=2)
    with session_scope(fresh_engine) as s:
        for created, after, km in ((old, 1 * H, 1.0), (old, 3 * H, 4.0), (old, 7 * H, 6.0)):
            job = make_posted_job(s, created_at=created, confirmed=1, first_hire_after=after)
            make_application(s, job=job, worker=make_district_worker(s), distance_km=km)
    _refresh(fresh_engine)
    period = period_service.period_of(first=today - timedelta(days=2), last=today)
    with session_scope(fresh_engine) as s:
        before = stats_service.get_summary(session=s, period=period)
    assert (before.median_hours_to_first_hire, before.median_distance_km) == (3.0, 4.0)

    with session_scope(fresh_engine) as s:  # today's jobs: read live, merged with the rollup
        posted = rollup_service.start_of_local_day(now) + timedelta(minutes=1)
        for after, km in ((2 * H, 2.0), (10 * H, 2.5), (12 * H, 3.5)):
            job = make_posted_job(s, created_at=posted, confirmed=1, first_hire_after=after)
            make_application(s, job=job, worker=make_district_worker(s), distance_km=km)
    with session_scope(fresh_engine) as s:
        after_today = stats_service.get_summary(session=s, period=period)
    assert after_today.median_hours_to_first_hire == 5.0  # 1 2 3 | 7 10 12
    assert after_today.median_distance_km == 3.0  # 1 2 2.5 | 3.5 4 6


def test_a_read_leaves_the_day_close_to_the_refresher_and_reads_that_day_live(
    fresh_engine: Engine,
) -> None:
    now = utcnow()
    yesterday = period_service.today() - timedelta(days=1)
    with session_scope(fresh_engine) as s:
        make_posted_job(s, created_at=now - 3 * 24 * H, headcount=1)
        job = make_posted_job(s, created_at=now - 24 * H, headcount=5, confirmed=1)
        make_application(s, job=job, worker=make_district_worker(s))
        rollup_service.refresh_rollup(session=s, now=now - 24 * H)  # yesterday was today
    with session_scope(fresh_engine) as s:
        make_district_worker(s)  # a change: the read brings it in, but closes no day
    assert _day_row(fresh_engine, yesterday.isoformat()) == (1, 5, 1)
    period = period_service.period_of(first=yesterday - timedelta(days=2), last=yesterday)
    with session_scope(fresh_engine) as s:
        summary = stats_service.get_summary(session=s, period=period)
        gap = stats_service.list_gap(session=s, period=period, by="trade")
        state = s.get(StatsRefresh, 1)
        assert state is not None
        assert state.closed_before == rollup_service.start_of_local_day(now - 24 * H)
        assert s.exec(select(StatsDay.day)).all() == [(yesterday - timedelta(days=2)).isoformat()]
    assert (summary.jobs_posted, summary.slots_offered, summary.workers_placed) == (2, 6, 1)
    assert {r.trade: (r.workers, r.placed) for r in gap} == {"painter": (2, 1)}


def test_a_read_during_another_refresh_does_not_queue_for_it(fresh_engine: Engine) -> None:
    """PostgreSQL: staff reads arriving while one refresh runs read the last finished one's
    figures at once, instead of each holding a database slot in the lock's queue; the
    next read after it brings the change in."""
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("SQLite's refreshers queue on the database's own write lock")
    posted = utcnow() - timedelta(days=3)
    day = period_service.today(posted).isoformat()
    with session_scope(fresh_engine) as s:
        job = make_posted_job(s, created_at=posted, headcount=3)
        job_id = job.id
    _refresh(fresh_engine)
    with session_scope(fresh_engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        job.confirmed_count, job.updated_at = 1, utcnow()
        make_application(s, job=job, worker=make_district_worker(s))

    with fresh_engine.connect() as holder:  # another replica's refresh, under way
        holder.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": rollup_service.ADVISORY_LOCK}
        )
        read: list[tuple[int, int, int]] = []
        reader = threading.Thread(target=lambda: read.append(_day_row(fresh_engine, day)))
        reader.start()
        reader.join(timeout=10)
        answered = not reader.is_alive()
        holder.rollback()  # lets a queued read go on, so a failure does not hang
        reader.join()
    assert answered, "the read queued for the other refresh"
    assert read == [(1, 3, 0)]  # as the last finished refresh left it
    assert _day_row(fresh_engine, day) == (1, 3, 1)


def _watermark(engine: Engine) -> object:
    with session_scope(engine) as s:
        state = s.get(StatsRefresh, 1)
        assert state is not None
        return state.watermark


def test_a_read_rebuilds_for_what_changed_after_the_last_refresh_only(
    fresh_engine: Engine,
) -> None:
    posted = utcnow() - timedelta(days=3)
    day = period_service.today(posted).isoformat()
    with session_scope(fresh_engine) as s:
        job = make_posted_job(s, created_at=posted, headcount=3)
        job_id = job.id
        make_district_worker(s)  # a profile saved a moment before the refresh
    _refresh(fresh_engine)
    first = _watermark(fresh_engine)
    with session_scope(fresh_engine) as s:
        rollup_service.refresh_rollup(session=s, build=False)
    assert _watermark(fresh_engine) == first  # the refresh took that profile in already

    with session_scope(fresh_engine) as s:  # a hire after the refresh
        job = s.get(Job, job_id)
        assert job is not None
        job.confirmed_count, job.updated_at = 1, utcnow()
        make_application(s, job=job, worker=make_district_worker(s))
    assert _day_row(fresh_engine, day) == (1, 3, 1)  # the read rebuilt that day
    assert _watermark(fresh_engine) != first


def test_a_change_stamped_before_the_refresh_and_committed_after_comes_in_periodically(
    fresh_engine: Engine,
) -> None:
    posted = utcnow() - timedelta(days=3)
    day = period_service.today(posted).isoformat()
    with session_scope(fresh_engine) as s:
        job_id = make_posted_job(s, created_at=posted, headcount=3).id
    _refresh(fresh_engine)
    with session_scope(fresh_engine) as s:  # stamped before the refresh, committed after
        job = s.get(Job, job_id)
        assert job is not None
        job.confirmed_count = 1
        job.updated_at = utcnow() - timedelta(minutes=1)
    _refresh(fresh_engine)  # the periodic refresh looks back for it (a read may not)
    assert _day_row(fresh_engine, day) == (1, 3, 1)
