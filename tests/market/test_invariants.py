"""The invariant check: a market built by the services is healthy; each corruption is named.

Every corruption is written straight into the database with SQL, as a bug or a hand edit
would, after the market was committed; `check_all` must name the job or worker it hit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlmodel import col

from market.applications import service as application_service
from market.db import session_scope
from market.demo import seed as demo
from market.errors import Conflict
from market.events import outbox as outbox
from market.invariants import check_all
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import Application, Event, Job
from tests.factories import make_employer, make_worker
from tests.service_market import Market, build_market, job_post


def _named(violations: list[str], prefix: str, *words: str) -> bool:
    return any(v.startswith(prefix) and all(w in v for w in words) for v in violations)


@pytest.fixture
def market(fresh_engine: Engine) -> Market:
    built = build_market(fresh_engine)
    assert check_all(engine=fresh_engine) == []
    return built


def test_market_built_by_the_services_is_healthy(fresh_engine: Engine, market: Market) -> None:
    with session_scope(fresh_engine) as s:
        statuses = set(s.execute(text("SELECT DISTINCT status FROM application")).scalars())
        jobs = set(s.execute(text("SELECT DISTINCT status FROM job")).scalars())
    # the fixture covered every state, so the healthy answer means something
    assert statuses == {"applied", "confirmed", "declined", "withdrawn", "cancelled"} | {
        "no_show",
        "completed",
    }
    assert jobs == {"open", "filled", "cancelled", "completed"}
    assert check_all(engine=fresh_engine) == []


@pytest.mark.slow
def test_demo_market_is_healthy(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        demo.seed_demo(session=session, seed=7, workers=60)
    outbox.number_pending(engine=fresh_engine)
    assert check_all(engine=fresh_engine) == []


def market_application(engine: Engine, market: Market) -> int:
    """The id of d's re-applied application on the overlapping job."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(Application.id).where(
                    col(Application.job_id) == market.overlapping_job,
                    col(Application.worker_id) == market.d,
                )
            ).scalar_one()
        )


def _set(engine: Engine, statement: object) -> None:
    with engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def test_more_hires_than_headcount_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        update(Application)
        .where(col(Application.job_id) == market.overlapping_job)
        .values(status="confirmed"),
    )
    violations = check_all(engine=fresh_engine)
    assert _named(violations, f"job {market.overlapping_job}:", "3 workers hired", "headcount of 2")


def test_slot_counter_off_by_one_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        update(Job).where(col(Job.id) == market.open_job).values(confirmed_count=2),
    )
    violations = check_all(engine=fresh_engine)
    assert violations == [
        f"job {market.open_job}: confirmed_count is 2, but it is open "
        "with 1 hired (confirmed, no-show or completed) applications"
    ]


def test_cancelled_job_keeping_its_count_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        update(Job).where(col(Job.id) == market.cancelled_job).values(confirmed_count=1),
    )
    violations = check_all(engine=fresh_engine)
    assert _named(violations, f"job {market.cancelled_job}:", "confirmed_count is 1", "cancelled")


def test_filled_job_with_free_slots_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        update(Job)
        .where(col(Job.id) == market.open_job)
        .values(status="filled", filled_at=datetime.now(UTC)),
    )
    assert check_all(engine=fresh_engine) == [
        f"job {market.open_job}: filled with 1 of 3 slots taken"
    ]


def test_open_job_with_every_slot_taken_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        update(Job).where(col(Job.id) == market.full_job).values(status="open", filled_at=None),
    )
    assert check_all(engine=fresh_engine) == [
        f"job {market.full_job}: open with 2 of 2 slots taken"
    ]


def test_cancelled_job_with_a_live_application_is_named(
    fresh_engine: Engine, market: Market
) -> None:
    _set(
        fresh_engine,
        update(Application)
        .where(
            col(Application.job_id) == market.cancelled_job, col(Application.worker_id) == market.a
        )
        .values(status="applied"),
    )
    violations = check_all(engine=fresh_engine)
    assert _named(violations, f"job {market.cancelled_job}:", "cancelled but still has 1 applied")


def test_worker_confirmed_for_overlapping_shifts_is_named(
    fresh_engine: Engine, market: Market
) -> None:
    _set(
        fresh_engine,
        update(Application)
        .where(
            col(Application.job_id) == market.overlapping_job,
            col(Application.worker_id) == market.a,
        )
        .values(status="confirmed"),
    )
    violations = check_all(engine=fresh_engine)
    first, second = sorted((market.full_job, market.overlapping_job))
    assert _named(violations, f"worker {market.a}:", "overlap")
    assert any(
        f"jobs {first} and {second}," in v or f"jobs {second} and {first}," in v for v in violations
    )


def test_application_with_a_stale_shift_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        update(Application)
        .where(
            col(Application.job_id) == market.overlapping_job,
            col(Application.worker_id) == market.d,
        )
        .values(shift_start=datetime.now(UTC)),
    )
    violations = check_all(engine=fresh_engine)
    assert violations == [
        f"job {market.overlapping_job}: application {market_application(fresh_engine, market)} "
        f"of worker {market.d} carries a shift other than the job's"
    ]


def test_cancelled_job_without_its_event_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        delete(Event).where(
            col(Event.job_id) == market.cancelled_job, col(Event.kind) == "job.cancelled"
        ),
    )
    job_line, gap_line = check_all(engine=fresh_engine)
    assert job_line == (
        f"job {market.cancelled_job}: cancelled, but the outbox has no job.cancelled event"
    )
    assert gap_line.startswith("outbox:")  # the deleted event had its number


def test_hire_without_its_event_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        delete(Event).where(
            col(Event.job_id) == market.full_job,
            col(Event.worker_id) == market.b,
            col(Event.kind) == "application.confirmed",
        ),
    )
    hire_line, gap_line = check_all(engine=fresh_engine)
    assert _named([hire_line], f"job {market.full_job}:", f"worker {market.b} is confirmed", "hire")
    assert gap_line.startswith("outbox:")  # the deleted event had its number


def test_confirmed_application_whose_claim_was_no_hire_is_named(
    fresh_engine: Engine, market: Market
) -> None:
    # d's application.created events say "applied": confirmed, it has no hire event at all
    _set(
        fresh_engine,
        update(Application)
        .where(
            col(Application.job_id) == market.overlapping_job,
            col(Application.worker_id) == market.d,
        )
        .values(status="confirmed"),
    )
    violations = check_all(engine=fresh_engine)
    assert _named(
        violations, f"job {market.overlapping_job}:", f"worker {market.d} is confirmed", "hire"
    )


def test_gap_in_the_outbox_numbers_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(fresh_engine, update(Event).where(col(Event.seq) == 3).values(seq=1000))
    violations = check_all(engine=fresh_engine)
    assert len(violations) == 1
    assert violations[0].startswith("outbox:") and "number 3 is missing" in violations[0]


def test_repeated_outbox_number_is_named(fresh_engine: Engine, market: Market) -> None:
    with fresh_engine.begin() as conn:  # the unique constraint would refuse the repeat
        if fresh_engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE event DROP CONSTRAINT uq_event_seq"))
        else:
            conn.execute(text("CREATE TABLE event_copy AS SELECT * FROM event"))
            conn.execute(text("DROP TABLE event"))
            conn.execute(text("ALTER TABLE event_copy RENAME TO event"))
        conn.execute(update(Event).where(col(Event.seq) == 4).values(seq=5))
    violations = check_all(engine=fresh_engine)
    assert "outbox: number 5 is given to 2 events" in violations


def test_reapplying_after_the_shift_moved_cannot_double_book(fresh_engine: Engine) -> None:
    # found by check_all: a re-application kept the shift it was first made for, so the
    # clash check read the old shift and let the worker be hired twice at the same time
    start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    with session_scope(fresh_engine) as s:
        boss, worker = make_employer(s), make_worker(s)
        moved, other = (job_post(s, boss, at) for at in (start, start + timedelta(days=1)))
        first = application_service.application_claim(
            session=s, job_id=moved.id or 0, worker=worker
        ).application
        application_service.application_cancel(
            session=s, application=first, user=worker, reason="有事"
        )
        job_service.job_update(
            session=s, job=moved, data=JobUpdate(start_at=other.start_at, end_at=other.end_at)
        )
        again = application_service.application_claim(
            session=s, job_id=moved.id or 0, worker=worker
        ).application
        application_service.application_confirm(session=s, application=again, employer=boss)
        with pytest.raises(Conflict, match="already booked"):
            application_service.application_claim(session=s, job_id=other.id or 0, worker=worker)
    assert check_all(engine=fresh_engine) == []
