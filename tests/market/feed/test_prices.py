"""Slot prices in the feed: a worker with choices leaves the job a neighbour needs.

The read model solves the prices from the workers and jobs it holds (`solve_prices`, which
the live service runs in the background) and its feeds lean by them; on both databases.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from market.feed import service as feed_service
from market.feed.prices import solve_prices
from market.feed.readmodel import FeedReadModel
from market.feed.schemas import FeedFilter
from matching import model as m
from tests.factories import YANTAI, make_employer, make_job, make_worker, tomorrow_at

LAT, LON = YANTAI
KM = 1 / 111.2  # a degree of latitude is 111.2 km


def _ids(engine: Engine, worker_id: int, model: FeedReadModel | None) -> list[int]:
    with Session(engine) as session:
        feed = feed_service.list_feed(
            session=session, worker_id=worker_id, data=FeedFilter(), model=model
        )
        return [item.job.id or 0 for item in feed.items]


def test_the_job_a_neighbour_needs_goes_below_a_free_one_once_prices_are_solved(
    fresh_engine: Engine,
) -> None:
    # Wang lives by the courtyard job and can reach only it; Li lives a little further off
    # and can reach the courtyard job and a free one 3 km the other way.
    with Session(fresh_engine, expire_on_commit=False) as session:
        boss = make_employer(session)
        wang = make_worker(session, lat=LAT + 0.2 * KM, lon=LON, radius_km=1)
        li = make_worker(session, lat=LAT - 0.5 * KM, lon=LON, radius_km=10)
        courtyard = make_job(session, employer=boss, headcount=1, lat=LAT, lon=LON)
        further = make_job(
            session, employer=boss, headcount=1, lat=LAT - 3.5 * KM, lon=LON, title="刷楼道"
        )
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()
    assert _ids(fresh_engine, li.id or 0, model) == [courtyard.id, further.id]  # nearest first

    assert model.solve_prices() == 2
    prices = model.book.prices
    assert prices[str(courtyard.id)] > 0.01 and prices[str(further.id)] < 1e-6
    assert _ids(fresh_engine, li.id or 0, model) == [further.id, courtyard.id]
    assert _ids(fresh_engine, wang.id or 0, model) == [courtyard.id]
    # the database path (a replica whose model is not ready) still leans by applications
    assert _ids(fresh_engine, li.id or 0, None) == [courtyard.id, further.id]


def _job(job_id: str, km_north: float, headcount: int = 1) -> m.Job:
    start = tomorrow_at(1)
    return m.Job(
        id=job_id,
        lat=LAT + km_north * KM,
        lon=LON,
        trade="painter",
        start=start,
        end=start + timedelta(hours=8),
        headcount=headcount,
        wage=300.0,
    )


def _painter(worker_id: str, km_north: float, radius_km: float) -> m.Worker:
    start = tomorrow_at(0)
    return m.Worker(
        id=worker_id,
        lat=LAT + km_north * KM,
        lon=LON,
        radius_km=radius_km,
        trades=(m.TradeSkill("painter", 2),),
        available=((start, start + timedelta(hours=12)),),
    )


def test_places_to_spare_are_free_and_a_warm_solve_agrees_with_a_cold_one() -> None:
    jobs = [_job("a", 0.0), _job("b", 1.0, headcount=5), _job("c", -2.0)]
    crowd = [_painter(f"w{i}", 0.1 * i, 3.0) for i in range(6)]
    cold = solve_prices(jobs, crowd, {})
    assert cold["b"] < 1e-6  # five places for six workers who all have other jobs too
    assert cold["a"] > 0.01
    warm = solve_prices(jobs, crowd, cold)
    assert all(abs(warm[k] - cold[k]) < 1e-3 for k in cold)
    assert solve_prices(jobs, [], cold) == {"a": 0.0, "b": 0.0, "c": 0.0}
    assert solve_prices([], crowd, cold) == {}
