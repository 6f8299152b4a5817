"""The index's retrieval: exact within the radius, or capped to the nearest jobs per trade."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from matching_factories import CENTRE, make_job, make_worker

from matching.columns import WorkerColumns, score_pairs
from matching.constraints import feasible
from matching.geo import haversine_km
from matching.index import JobIndex, rank_market
from matching.model import Job, Worker
from matching.rank import _top_k_sorted, rank_jobs_for_worker, top_k_per_group
from matching.score import PINNED_RANK, MarketContext

TRADES = ("painter", "decorator", "mover", "loader", "cook")


def _scatter(seed: int, n: int, km: float = 8.0) -> list[Job]:
    """n jobs of mixed trades, shifts and wages scattered within `km` of the centre."""
    rng = np.random.default_rng(seed)
    jobs = []
    for i in range(n):
        north, east = rng.uniform(-km, km, 2)
        job = make_job(
            id=f"j{i}",
            trade=str(rng.choice(TRADES)),
            shift=((8, 17), (13, 17), (6, 9))[int(rng.integers(3))],
            headcount=int(rng.integers(0, 3)),
            wage=float(rng.choice([220.0, 260.0, 300.0, 360.0])),
        )
        jobs.append(
            replace(
                job,
                lat=CENTRE[0] + north / 111.195,
                lon=CENTRE[1] + east / (111.195 * np.cos(np.radians(CENTRE[0]))),
            )
        )
    return jobs


def _nearest_per_trade(worker: Worker, jobs: list[Job], cap: int) -> list[Job]:
    """The `cap` nearest jobs of every trade the worker can reach, by great-circle distance."""
    chosen = []
    for trade in TRADES:
        own = [j for j in jobs if j.trade == trade]
        own.sort(key=lambda j: haversine_km(worker.lat, worker.lon, j.lat, j.lon))
        chosen += own[:cap]
    return chosen


WORKER = make_worker(trades=(("painter", 2), ("general", 1)), radius_km=6, min_wage=240)


def test_capped_feed_is_the_plain_ranking_of_the_nearest_jobs_of_each_trade() -> None:
    jobs = _scatter(1, 900)
    market = MarketContext(job_demand={j.id: float(i % 7) for i, j in enumerate(jobs)})
    near = _nearest_per_trade(WORKER, jobs, cap=25)
    for context in (None, market):
        indexed = JobIndex(jobs).rank_for_worker(WORKER, k=10, market=context, cap=25)
        plain = rank_jobs_for_worker(WORKER, near, k=10, market=context)
        assert [(m.job, m.score) for m in indexed] == [(m.job, m.score) for m in plain]


def test_cap_beyond_every_job_gives_the_uncapped_feed() -> None:
    jobs = _scatter(2, 300)
    index = JobIndex(jobs)
    capped = index.rank_for_worker(WORKER, k=10, cap=len(jobs))
    assert capped == index.rank_for_worker(WORKER, k=10, cap=None)
    assert capped == rank_jobs_for_worker(WORKER, jobs, k=10)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cap=st.integers(1, 12),
    strength=st.floats(0.0, 0.95),
    radius=st.floats(1, 10),
)
def test_best_job_within_the_cap_is_always_listed(
    seed: int, cap: int, strength: float, radius: float
) -> None:
    """The worker's best feasible job by pair score, when it is among the `cap` nearest of
    its trade, is in their list however crowded the market says it is."""
    jobs = _scatter(seed, 120)
    worker = replace(WORKER, radius_km=radius)
    workers = WorkerColumns.build([worker])
    index = JobIndex(jobs)
    every = index.score_worker(workers, 0, None, cap=None)
    if len(every.score) == 0:
        return
    best = index.jobs.ids[int(every.job[np.argmax(every.score)])]
    crowded = {j.id: 50.0 if j.id == best else 0.0 for j in jobs}
    market = MarketContext(job_demand=crowded, worker_options={worker.id: 3}, strength=strength)
    listed = [m.job for m in index.rank_for_worker(worker, k=10, market=market, cap=cap)]
    within_cap = best in {j.id for j in _nearest_per_trade(worker, jobs, cap)}
    assert (best in listed[:PINNED_RANK]) == within_cap


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    radius=st.floats(0.5, 12),
    km=st.sampled_from([2.0, 6.0, 12.0]),
)
def test_exact_retrieval_finds_every_feasible_pair(seed: int, radius: float, km: float) -> None:
    jobs = _scatter(seed, 60, km=km)
    # a job exactly on the radius is inside it; rounding must not lose it
    edge = make_job(id="edge", km_north=radius, trade="painter")
    workers = [replace(WORKER, id=f"w{i}", radius_km=radius + i % 2) for i in range(3)]
    jobs = [*jobs, replace(edge, lat=workers[0].lat + radius / 111.195)]
    index, cols = JobIndex(jobs), WorkerColumns.build(workers)
    found = index.market_pairs(cols, chunk=2)
    got = set(zip(found.worker.tolist(), found.job.tolist(), strict=True))
    expected = {(a, b) for a, w in enumerate(workers) for b, j in enumerate(jobs) if feasible(w, j)}
    assert got == expected
    capped = index.market_pairs(cols, cap=len(jobs))
    assert set(zip(capped.worker.tolist(), capped.job.tolist(), strict=True)) == expected


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), cap=st.integers(1, 6), k=st.integers(1, 5))
def test_market_lists_hold_only_feasible_pairs(seed: int, cap: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    jobs = _scatter(seed, 40, km=5)
    workers = [
        replace(
            WORKER,
            id=f"w{i}",
            lat=WORKER.lat + rng.uniform(-0.03, 0.03),
            radius_km=float(rng.uniform(1, 6)),
        )
        for i in range(12)
    ]
    ranking = rank_market(workers, jobs, k=k, cap=cap)
    by_worker, by_job = {w.id: w for w in workers}, {j.id: j for j in jobs}
    for lists in (ranking.workers, ranking.jobs):
        for matches in lists.values():
            assert len(matches) <= k
            assert all(feasible(by_worker[m.worker], by_job[m.job]) for m in matches)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 300),
    groups=st.integers(1, 40),
    decimals=st.integers(1, 3),
    k=st.integers(1, 12),
)
def test_fast_top_k_picks_what_the_full_sort_picks(
    seed: int, n: int, groups: int, decimals: int, k: int
) -> None:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, groups, n) + int(rng.integers(0, 100_000))
    key, base = np.round(rng.random(n), decimals), np.round(rng.random(n), decimals)
    assert (
        top_k_per_group(group, key, base, k).tolist() == _top_k_sorted(group, key, base, k).tolist()
    )


def test_market_pairs_score_like_the_pair_scorer() -> None:
    jobs = _scatter(3, 200)
    index, cols = JobIndex(jobs), WorkerColumns.build([WORKER])
    pairs = index.market_pairs(cols, cap=None)
    every = np.arange(len(jobs))
    direct = score_pairs(cols, index.jobs, np.zeros_like(every), every)
    assert sorted(zip(pairs.job.tolist(), pairs.score.tolist(), strict=True)) == sorted(
        zip(direct.job.tolist(), direct.score.tolist(), strict=True)
    )
