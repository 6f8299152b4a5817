"""The hiring hall's rotation as staff statistics: who had no work lately, how work spreads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from market.i18n import market_tz
from market.models import User, WorkerProfile
from market.stats import rotation
from tests.factories import make_job, make_worker
from tests.market.service_helpers import hire

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # Monday 10:00 local


def worked_on(session: Session, worker: User, day: date) -> None:
    start = datetime(day.year, day.month, day.day, 8, tzinfo=market_tz()).astimezone(UTC)
    hire(
        session,
        job=make_job(session, headcount=1, start_at=start),
        worker=worker,
        now=start - timedelta(days=1),
    )


def seeker(session: Session, district: str, **fields: object) -> User:
    worker = make_worker(session, **fields)  # type: ignore[arg-type]
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.district = district
    return worker


def test_gini_is_zero_when_equal_and_grows_with_concentration() -> None:
    assert rotation.gini([3, 3, 3]) == 0.0
    assert rotation.gini([0, 0, 0, 8]) == 0.75
    assert rotation.gini([0, 0]) is None and rotation.gini([]) is None


def test_rotation_counts_idle_seekers_and_the_spread_of_days_worked(db: Session) -> None:
    busy = seeker(db, "芝罘区")  # worked five days, the last yesterday
    for day in (3, 1, 2, 25, 26):
        worked_on(db, busy, date(2030, 3, day) if day < 4 else date(2030, 2, day))
    once = seeker(db, "芝罘区", trades=(("painter", 2), ("cook", 1)))  # twelve days ago
    worked_on(db, once, date(2030, 2, 20))
    seeker(db, "莱山区")  # registered, never applied: not seeking work
    long_ago = seeker(db, "莱山区")  # worked 40 days ago: outside the window, not seeking
    worked_on(db, long_ago, date(2030, 1, 23))
    figures = rotation.get_rotation(session=db, now=NOW)
    assert (figures.workers_seeking, figures.workers_idle, figures.idle_share) == (2, 1, 0.5)
    painters = next(r for r in figures.by_trade if r.group == "painter")
    assert (painters.workers, painters.days_worked, painters.gini) == (
        2,
        6,
        pytest.approx(0.333, abs=1e-3),
    )
    assert [(r.group, r.workers, r.days_worked) for r in figures.by_trade] == [
        ("painter", 2, 6),
        ("cook", 1, 1),
    ]
    assert [(r.group, r.workers) for r in figures.by_district] == [("芝罘区", 2)]
    laishan = rotation.get_rotation(session=db, district="莱山区", now=NOW)
    assert (laishan.workers_seeking, laishan.idle_share, laishan.by_trade) == (0, None, [])
