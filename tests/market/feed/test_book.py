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


@pytest.mark.parametrize("seed", range(3))
def test_a_book_changed_job_by_job_ranks_as_one_built_at_once(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from market.feed import book as book_module

    # a small threshold: the changes below pass through the delta and many merges
    monkeypatch.setattr(book_module, "DELTA_MAX", 30)
    jobs, pending = _market(1500, seed)
    rng = random.Random(seed)
    current = {job.id: job for job in jobs[:1000]}
    book = JobBook()
    book.replace_all([OpenJob((), (), job) for job in current.values()], pending)
    waiting = dict(pending)
    fresh = jobs[1000:]
    workers = [_worker(seed * 10 + i) for i in range(4)]
    window = Window(after=NOW.timestamp())
    layers_seen = set()
    changed: list[str] = []
    for step in range(120):
        upsert, remove = [], []
        for _ in range(rng.choice((1, 1, 2, 3))):
            what = rng.random()
            if what < 0.4 and fresh:  # a new job
                upsert.append(fresh.pop())
            elif what < 0.8:  # a job changed: moved and repaid, often one changed lately
                recent = [j for j in changed[-40:] if j in current]
                pick = rng.choice(recent) if recent and rng.random() < 0.6 else None
                old = current[pick or rng.choice(sorted(current))]
                upsert.append(replace(old, lat=old.lat + 0.01, wage=old.wage + 10))
            else:
                remove.append(rng.choice(sorted(current)))
        upsert = [j for j in upsert if j.id not in remove]
        counts = {j.id: rng.randint(0, 3) for j in upsert[:1]}
        for job_id in remove:
            current.pop(job_id, None)
        current.update((j.id, j) for j in upsert)
        changed += [j.id for j in upsert]
        waiting.update(counts)
        book.update(upsert=[OpenJob((), (), j) for j in upsert], remove=remove, pending=counts)
        if step == 60:
            prices = {job_id: rng.choice((0.0, 0.1, 0.5)) for job_id in current}
            book.set_prices(prices)
        snap = book.snapshot
        held = [  # every row a feed may read: each current job once, as it is now
            *(job.model for row, job in enumerate(snap.base.jobs) if snap.alive[row]),
            *(job.model for job in snap.delta.jobs),
        ]
        assert sorted(held, key=lambda j: j.id) == sorted(current.values(), key=lambda j: j.id)
        layers_seen.add((bool(snap.base.jobs), len(snap.delta.jobs) > 10))
        if step % 3:
            continue
        whole = JobBook()
        whole.replace_all([OpenJob((), (), j) for j in current.values()], waiting)
        if step >= 60:
            whole.set_prices(book.prices)
        assert len(book) == len(whole) == len(current)
        for worker in workers:
            got = [(x.job, x.score) for x, _ in book.rank(worker, k=20, window=window)]
            want = [(x.job, x.score) for x, _ in whole.rank(worker, k=20, window=window)]
            assert got == want and got
    assert (True, True) in layers_seen  # a delta of some size beside the base


@pytest.mark.parametrize("seed", range(3))
def test_a_segment_without_trees_finds_what_its_trees_find(seed: int) -> None:
    from market.feed.book import Segment
    from matching.columns import TRADE_INDEX, WorkerColumns

    jobs, _ = _market(2000, seed)
    sizes = []
    with_trees = Segment([OpenJob((), (), job) for job in jobs])
    whole = Segment([OpenJob((), (), job) for job in jobs], trees=False)
    for trades in (None, frozenset({TRADE_INDEX["mover"]}), frozenset({TRADE_INDEX["cleaner"]})):
        for i in range(5):
            worker = WorkerColumns.build([_worker(seed * 10 + i)])
            want, _ = with_trees.nearest(worker, trades, None)
            got, edge = whole.nearest(worker, trades, 16)  # all of them: nothing left out
            assert sorted(got.tolist()) == sorted(want.tolist()) and edge == float("inf")
            sizes.append(len(got))
    assert max(sizes) > 16  # more than k: a segment without trees leaves nothing out
