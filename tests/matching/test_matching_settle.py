"""Lists made once are settled by replaying them (matching.rank.settle_lists)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.columns import PairScores, WorkerColumns
from matching.index import JobIndex, market_prices, rank_market
from matching.rank import (
    accept_chance,
    lists_made_once,
    places_left_share,
    settle_lists,
    top_k_per_group,
)
from matching.score import DEFAULT_STRENGTH, price_factor
from tests.matching.matching_factories import make_job, make_worker


def _pairs(worker: list[int], job: list[int], score: list[float]) -> PairScores:
    n = len(worker)
    return PairScores(
        worker=np.array(worker),
        job=np.array(job),
        distance_km=np.ones(n),
        features=np.zeros((n, 6)),
        score=np.array(score),
    )


def test_a_replay_counts_how_often_a_job_ends_with_a_place_left() -> None:
    # worker 0 lists job 0 then job 1; worker 1 only job 0 (one place each). Job 1 ends
    # free exactly when worker 0 comes first: half the arrival orders.
    worker, job = np.array([0, 0, 1]), np.array([0, 1, 0])
    share = places_left_share(
        worker,
        job,
        np.ones(3),
        np.array([1, 1]),
        replays=400,
        rng=np.random.default_rng(1),
    )
    assert share[0] == 0.0
    assert 0.4 < share[1] < 0.6
    # nobody accepts anything: every place is left
    none = places_left_share(
        worker, job, np.zeros(3), np.array([1, 1]), replays=5, rng=np.random.default_rng(1)
    )
    assert none.tolist() == [1.0, 1.0]


def test_a_worker_with_another_job_is_shown_it_first_and_the_needed_job_kept() -> None:
    # worker 0 likes job 0 best but also reaches job 1; worker 1 can only take job 0
    worker, job = np.array([0, 0, 1]), np.array([0, 1, 0])
    score = np.array([0.9, 0.7, 0.9])
    settled = settle_lists(worker, job, score.copy(), score, np.array([1, 1]))
    assert settled[1] > settled[0]  # worker 0: job 1 now above job 0
    assert settled[2] == score[2]  # worker 1's only job keeps its key
    assert np.all(settled <= score + 1e-12)  # never above the market key


def test_lists_where_nobody_competes_keep_their_order() -> None:
    worker, job = np.array([0, 0, 1, 1]), np.array([0, 1, 2, 3])
    key = np.array([0.8, 0.6, 0.7, 0.65])
    settled = settle_lists(worker, job, key, key, np.array([5, 5, 5, 5]))
    assert np.allclose(settled, key)  # every job always keeps a place: all lifted alike


def test_the_guessed_acceptance_rises_with_the_score() -> None:
    chance = accept_chance(np.array([0.3, 0.42, 0.5, 0.58, 0.7]))
    assert np.all(np.diff(chance) > 0)
    assert abs(chance[2] - 0.5) < 1e-12
    assert 0.1 < chance[1] < 0.15 and 0.85 < chance[3] < 0.9


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 6))
def test_settling_reorders_lists_but_never_changes_what_is_on_them(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    n_workers, n_jobs = 30, 12
    worker = np.repeat(np.arange(n_workers), 5)
    job = np.concatenate([rng.choice(n_jobs, 5, replace=False) for _ in range(n_workers)])
    pairs = _pairs(worker.tolist(), job.tolist(), rng.uniform(0.3, 0.9, len(worker)).tolist())
    slots = rng.integers(1, 4, n_jobs)
    key = pairs.score * price_factor(market_prices([pairs], n_workers, slots)[pairs.job], 1.0)
    [(listed, settled)] = lists_made_once([pairs], [key], slots, k)
    picked = top_k_per_group(pairs.worker, key, pairs.score, k)
    assert sorted(listed.tolist()) == sorted(picked.tolist())
    assert np.all(np.diff(pairs.worker[listed]) >= 0)  # grouped by worker
    same = pairs.worker[listed][1:] == pairs.worker[listed][:-1]
    assert np.all(np.diff(settled[listed])[same] <= 0)  # each list best first by its key
    again = lists_made_once([pairs], [key], slots, k)[0]
    assert again[0].tolist() == listed.tolist()  # reproducible
    assert np.all(settled[listed] <= key[listed] + 1e-12)


def test_market_lists_are_the_settled_lists() -> None:
    # two workers near a job with one place, one of them also near a second job
    jobs = [
        make_job(id="near", km_north=0.5, headcount=1),
        make_job(id="farther", km_north=6.0, headcount=1),
    ]
    workers = [make_worker(id="flexible", radius_km=10), make_worker(id="fixed", radius_km=2)]
    index, cols = JobIndex(jobs), WorkerColumns.build(workers)
    pairs = index.market_pairs(cols)
    key = pairs.score * price_factor(
        market_prices([pairs], len(cols), index.jobs.slots_left)[pairs.job], DEFAULT_STRENGTH
    )
    [(listed, _)] = lists_made_once([pairs], [key], index.jobs.slots_left, 10)
    expected = {
        cols.ids[w]: [index.jobs.ids[j] for j in pairs.job[listed][pairs.worker[listed] == w]]
        for w in range(len(cols))
    }
    lists = rank_market(workers, jobs, k=10, both_sides=False).workers
    assert {w: [m.job for m in ms] for w, ms in lists.items()} == expected
    assert [m.job for m in lists["fixed"]] == ["near"]
    scores = [m.score for m in lists["flexible"]]
    assert scores == sorted(scores, reverse=True)  # printed best first, by the printed score
