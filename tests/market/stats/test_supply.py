"""The gap's supply side rolled up per trade, district and latest hire day, against a hand count.

worker  trades           district  latest closed-day hire
a       painter, mover   芝罘区     five days ago
b       painter          莱山区     two days ago
c       mover            芝罘区     - (applied two days ago, not hired)
d       welder           福山区     - (never applied)
e       -                福山区     -
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlmodel import Session, col

from market.models import StatsSupply, StatsSupplyWorker, User, WorkerProfile, WorkerTrade
from market.stats import people as people_service
from market.stats import rollup as rollup_service
from market.stats import supply as supply_service
from tests.factories import make_worker
from tests.staff_factories import make_application, make_posted_job

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # Monday 10:00 in the market's time zone
CUTOFF = rollup_service.start_of_local_day(NOW)
FIVE, TWO = "2030-02-27", "2030-03-02"
Z, L, F = "芝罘区", "莱山区", "福山区"


def posted(days_ago: int) -> datetime:
    return CUTOFF - timedelta(days=days_ago) + timedelta(hours=10)


def person(session: Session, district: str, *trades: str) -> User:
    worker = make_worker(session, trades=tuple((t, 2) for t in trades))
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.district = district
    session.add(profile)
    session.flush()
    return worker


def build_market(session: Session) -> dict[str, User]:
    w = {
        "a": person(session, Z, "painter", "mover"),
        "b": person(session, L, "painter"),
        "c": person(session, Z, "mover"),
        "d": person(session, F, "welder"),
        "e": person(session, F),
    }
    five = make_posted_job(session, created_at=posted(5))
    two = make_posted_job(session, created_at=posted(2))
    make_application(session, job=five, worker=w["a"], status="completed")
    make_application(session, job=two, worker=w["b"], status="confirmed")
    make_application(session, job=two, worker=w["c"], status="applied", hired=False)
    return w


def rebuild(session: Session, workers: Any = None) -> None:
    """What a refresh does: the workers' hire days first, then their supply."""
    people_service.rebuild_workers(
        session=session,
        workers=workers,
        cutoff=CUTOFF,
        local_day=lambda column: rollup_service.local_day_hour(session, column)[0],
    )
    supply_service.rebuild_supply(session=session, workers=workers)


def stored(session: Session) -> dict[tuple[str, str, str], int]:
    rows = session.exec(select(StatsSupply)).all()  # type: ignore[call-overload]
    return {(r[0].trade, r[0].district, r[0].hired_day): r[0].workers for r in rows}


def ids_of(*users: User) -> Any:
    return select(col(User.id)).where(col(User.id).in_([u.id for u in users]))


def counts(session: Session, by: str, first_day: str | None, hired_today: Any = None) -> Any:
    return supply_service.supply_counts(
        session=session,
        use_trade=by != "district",
        use_district=by != "trade",
        first_day=first_day,
        hired_today=hired_today,
    )


HAND_COUNT = {
    ("", Z, FIVE): 1,  # a, once whatever their trades
    ("", L, TWO): 1,  # b
    ("", Z, ""): 1,  # c
    ("", F, ""): 2,  # d, and e who has no trade
    ("painter", Z, FIVE): 1,
    ("mover", Z, FIVE): 1,
    ("painter", L, TWO): 1,
    ("mover", Z, ""): 1,
    ("welder", F, ""): 1,
}


def test_supply_is_counted_per_trade_district_and_latest_hire_day(db: Session) -> None:
    build_market(db)
    rebuild(db)
    assert stored(db) == HAND_COUNT
    assert supply_service.registered_workers(session=db) == 5


@pytest.mark.parametrize(
    ("by", "first_day", "expected"),
    [
        ("trade_district", TWO, {("painter", Z): (1, 0), ("mover", Z): (2, 0),
                                 ("painter", L): (1, 1), ("welder", F): (1, 0)}),
        ("trade_district", None, {("painter", Z): (1, 0), ("mover", Z): (2, 0),
                                  ("painter", L): (1, 0), ("welder", F): (1, 0)}),
        ("trade", FIVE, {("painter", ""): (2, 2), ("mover", ""): (2, 1), ("welder", ""): (1, 0)}),
        ("district", FIVE, {("", Z): (2, 1), ("", L): (1, 1), ("", F): (2, 0)}),
        ("neither", FIVE, {("", ""): (5, 2)}),
    ],
    ids=["two days", "today only", "by trade", "by district", "in all"],
)  # fmt: skip
def test_registered_and_placed_workers_per_key_match_the_hand_count(
    db: Session, by: str, first_day: str | None, expected: dict[tuple[str, str], tuple[int, int]]
) -> None:
    build_market(db)
    rebuild(db)
    if by == "neither":
        found = supply_service.supply_counts(
            session=db, use_trade=False, use_district=False, first_day=first_day, hired_today=None
        )
    else:
        found = counts(db, by, first_day)
    assert found == expected


@pytest.mark.parametrize(
    ("by", "first_day", "hired", "expected"),
    [
        # a (last hired five days ago) and c (never) hired today: placed once each
        ("trade_district", TWO, "ac", {("painter", Z): (1, 1), ("mover", Z): (2, 2),
                                       ("painter", L): (1, 1), ("welder", F): (1, 0)}),
        ("trade_district", None, "ac", {("painter", Z): (1, 1), ("mover", Z): (2, 2),
                                        ("painter", L): (1, 0), ("welder", F): (1, 0)}),
        # b, hired two days ago, is not counted twice; nor is a five days ago
        ("trade", FIVE, "abc", {("painter", ""): (2, 2), ("mover", ""): (2, 2),
                                ("welder", ""): (1, 0)}),
        ("district", TWO, "ab", {("", Z): (2, 1), ("", L): (1, 1), ("", F): (2, 0)}),
    ],
    ids=["two days", "today only", "by trade", "by district"],
)  # fmt: skip
def test_workers_hired_today_are_placed_once_each(
    db: Session,
    by: str,
    first_day: str | None,
    hired: str,
    expected: dict[tuple[str, str], tuple[int, int]],
) -> None:
    w = build_market(db)
    rebuild(db)
    today = ids_of(*(w[name] for name in hired))
    assert counts(db, by, first_day, today) == expected


def test_a_refresh_of_a_moved_worker_recounts_what_they_left_and_joined(db: Session) -> None:
    w = build_market(db)
    rebuild(db)
    b = w["b"]
    profile = db.get(WorkerProfile, b.id)
    assert profile is not None
    profile.district = Z  # b moves to 芝罘区 and turns from painter to mover
    db.add(profile)
    db.exec(delete(WorkerTrade).where(col(WorkerTrade.worker_id) == b.id))  # type: ignore[call-overload]
    db.add(WorkerTrade(worker_id=b.id or 0, trade="mover", level=1))
    db.flush()
    rebuild(db, workers=ids_of(b))
    moved = {
        **{k: v for k, v in HAND_COUNT.items() if k not in {("", L, TWO), ("painter", L, TWO)}},
        ("", Z, TWO): 1,
        ("mover", Z, TWO): 1,
    }
    assert stored(db) == moved
    own = db.exec(select(StatsSupplyWorker).where(col(StatsSupplyWorker.worker_id) == b.id)).all()  # type: ignore[call-overload]
    assert sorted((r[0].trade, r[0].district, r[0].hired_day) for r in own) == [
        ("", Z, TWO),
        ("mover", Z, TWO),
    ]
    rebuild(db)
    assert stored(db) == moved  # what a build from scratch gives


def test_a_refresh_of_a_new_worker_adds_them_alone(db: Session) -> None:
    build_market(db)
    rebuild(db)
    newcomer = person(db, "开发区", "cook")
    rebuild(db, workers=ids_of(newcomer))
    assert stored(db) == {**HAND_COUNT, ("", "开发区", ""): 1, ("cook", "开发区", ""): 1}
    assert supply_service.registered_workers(session=db) == 6


def test_registered_workers_of_an_empty_rollup_is_zero(db: Session) -> None:
    assert supply_service.registered_workers(session=db) == 0
    assert counts(db, "trade_district", TWO) == {}
