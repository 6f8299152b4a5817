"""The in-memory book of open jobs: nearest-first retrieval that stops early and stays exact."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from market.feed.book import JobBook, OpenJob, Window
from matching import model as m
from matching.rank import rank_jobs_for_worker
from matching.score import MarketContext, Weights

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
TRADES = ("general", "mover", "cleaner", "loader", "painter")


def _market(n: int, seed: int) -> tuple[list[m.Job], dict[str, int]]:
    rng = random.Random(seed)
    jobs = []
    for i in range(n):
        start = NOW + timedelta(hours=rng.randint(2, 100))
        jobs.append(
            m.Job(
                id=str(i + 1),
                lat=37.5 + rng.uniform(-0.25, 0.25),
                lon=121.3 + rng.uniform(-0.3, 0.3),
                trade=rng.choice(TRADES),
                start=start,
                end=start + timedelta(hours=rng.choice((4, 8))),
                headcount=rng.randint(1, 4),
                wage=float(rng.randint(150, 450)),
                booked=("x",) if rng.random() < 0.2 else (),
            )
        )
    pending = {str(rng.randint(1, n)): rng.randint(1, 5) for _ in range(n // 10)}
    return jobs, pending


def _worker(seed: int) -> m.Worker:
    rng = random.Random(seed)
    return m.Worker(
        id="w",
        lat=37.5 + rng.uniform(-0.1, 0.1),
        lon=121.3 + rng.uniform(-0.1, 0.1),
        radius_km=rng.choice((8.0, 20.0, 30.0)),
        trades=(m.TradeSkill("general", 2), m.TradeSkill("mover", 1)),
        available=((NOW, NOW + timedelta(days=5)),),
        min_wage=rng.choice((0.0, 250.0)),
        reliability=rng.choice((None, 0.5, 1.0)),
        rating=rng.choice((None, 2.0, 5.0)),
    )


@pytest.mark.parametrize("seed", range(6))
def test_stopping_early_gives_exactly_the_full_ranking(seed: int) -> None:
    jobs, pending = _market(6000, seed)
    book = JobBook()
    book.replace_all([OpenJob((), (), job) for job in jobs[:5000]], pending)
    book.update(upsert=[OpenJob((), (), job) for job in jobs[5000:]], remove=["7"], pending={})
    worker, window = _worker(seed), Window(after=NOW.timestamp())
    for k in (1, 3, 20, 60):
        early = [(x.job, x.score) for x, _ in book.rank(worker, k=k, window=window, first_k=16)]
        every = [(x.job, x.score) for x, _ in book.rank(worker, k=k, window=window, first_k=None)]
        assert early == every and len(early) == k
    reference = rank_jobs_for_worker(
        worker,
        [j for j in jobs if j.id != "7"],
        k=20,
        market=MarketContext(job_demand={k: float(v) for k, v in pending.items()}),
    )
    ranked = book.rank(worker, k=20, window=window, first_k=16)
    assert [(x.job, x.score) for x, _ in ranked] == [(x.job, x.score) for x in reference]


def test_jobs_whose_shift_has_started_leave_memory_when_segments_merge() -> None:
    now = datetime.now(UTC)
    started, ahead = (
        m.Job(id=str(i), lat=37.5, lon=121.3, trade="general", start=now + offset,
              end=now + offset + timedelta(hours=8), headcount=1, wage=300.0)
        for i, offset in ((1, timedelta(hours=-1)), (2, timedelta(hours=1)))
    )  # fmt: skip
    book = JobBook()
    book.replace_all([OpenJob((), (), started), OpenJob((), (), ahead)], {})
    assert len(book) == 1 and book.snapshot.base.row_of == {"2": 0}


@pytest.mark.parametrize("seed", range(3))
def test_learned_weights_rank_the_book_as_the_matching_module_and_stay_exact(seed: int) -> None:
    pay_first = Weights(trade_fit=1, time_fit=0.5, distance=0.5, wage=6, reliability=1, rating=0)
    jobs, pending = _market(3000, seed)
    book = JobBook()
    book.replace_all([OpenJob((), (), job) for job in jobs], pending)
    worker, window = _worker(seed), Window(after=NOW.timestamp())
    early = book.rank(worker, k=20, window=window, first_k=16, weights=pay_first)
    every = book.rank(worker, k=20, window=window, first_k=None, weights=pay_first)
    assert [(x.job, x.score) for x, _ in early] == [(x.job, x.score) for x, _ in every]
    reference = rank_jobs_for_worker(
        worker,
        jobs,
        k=20,
        market=MarketContext(job_demand={k: float(v) for k, v in pending.items()}),
        weights=pay_first,
    )
    assert [x.job for x, _ in early] == [x.job for x in reference]
    assert [x.job for x, _ in early] != [x.job for x, _ in book.rank(worker, k=20, window=window)]


@pytest.mark.parametrize("seed", range(3))
def test_slot_prices_rank_the_book_as_the_matching_module_and_stay_exact(seed: int) -> None:
    jobs, pending = _market(3000, seed)
    rng = random.Random(seed)
    prices = {job.id: rng.choice((0.0, 0.0, 0.05, 0.2, 0.6)) for job in jobs}
    book = JobBook()
    book.replace_all([OpenJob((), (), job) for job in jobs[:2500]], pending)
    book.update(upsert=[OpenJob((), (), job) for job in jobs[2500:]], remove=[], pending={})
    worker, window = _worker(seed), Window(after=NOW.timestamp())
    leaned_by_demand = [x.job for x, _ in book.rank(worker, k=20, window=window)]
    book.set_prices(prices)
    early = book.rank(worker, k=20, window=window, first_k=16)
    every = book.rank(worker, k=20, window=window, first_k=None)
    assert [(x.job, x.score) for x, _ in early] == [(x.job, x.score) for x, _ in every]
    reference = rank_jobs_for_worker(worker, jobs, k=20, market=MarketContext(job_price=prices))
    assert [x.job for x, _ in early] == [x.job for x in reference]
    assert [x.job for x, _ in early] != leaned_by_demand
    # a change after the solve: the changed job keeps its price, a new one counts as free
    moved, new = jobs[0], replace(jobs[1], id="new")
    book.update(upsert=[OpenJob((), (), moved), OpenJob((), (), new)], remove=[], pending={})
    snap = book.snapshot
    assert snap.delta_price is not None
    assert snap.delta_price[snap.delta.row_of[moved.id]] == prices[moved.id]
    assert snap.delta_price[snap.delta.row_of["new"]] == 0.0
