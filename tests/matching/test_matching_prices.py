from __future__ import annotations

import math

import numpy as np
import pytest
from matching_factories import make_job, make_worker

from matching.index import JobIndex, market_context, rank_market
from matching.rank import rank_jobs_for_worker
from matching.score import (
    PRICE_TEMPERATURE,
    RESERVATION_SCORE,
    MarketContext,
    price_factor,
    slot_prices,
    slot_prices_of_parts,
)


def _ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_one_slot_wanted_by_three_alike_workers_has_the_known_dual() -> None:
    # nobody keeps a surplus, so the slot's price is the placement's worth plus the entropy
    # term of three equal claims: score - reservation + temperature * ln 3
    price = slot_prices(_ints(0, 1, 2), _ints(0, 0, 0), np.full(3, 0.8), _ints(1))
    expected = 0.8 - RESERVATION_SCORE + PRICE_TEMPERATURE * math.log(3)
    assert price[0] == pytest.approx(expected, abs=1e-6)


def test_a_job_with_a_slot_for_each_candidate_is_free() -> None:
    price = slot_prices(_ints(0, 1, 2), _ints(0, 0, 0), np.full(3, 0.8), _ints(3))
    assert price[0] == pytest.approx(0.0, abs=1e-9)


def test_a_job_only_a_flexible_worker_wants_is_cheaper_than_one_others_need() -> None:
    # job 0 (one slot) is the only job of workers 0 and 1; worker 2 can also take job 1
    worker, job = _ints(0, 1, 2, 2), _ints(0, 0, 0, 1)
    price = slot_prices(worker, job, np.array([0.7, 0.7, 0.75, 0.7]), _ints(1, 1))
    assert price[0] > 0.25 and price[1] < price[0] / 4


def test_full_jobs_have_no_price_and_a_full_job_is_left_out_of_the_plan() -> None:
    worker, job = _ints(0, 0, 1, 1), _ints(0, 1, 0, 1)
    price = slot_prices(worker, job, np.full(4, 0.9), _ints(0, 1))
    assert price[0] == 0.0
    # with job 0 full, job 1 has both workers for its one slot
    assert price[1] == pytest.approx(0.9 - RESERVATION_SCORE + PRICE_TEMPERATURE * math.log(2))


def test_parts_give_the_prices_of_the_whole() -> None:
    rng = np.random.default_rng(3)
    worker = np.sort(rng.integers(0, 40, 300))
    job = rng.integers(0, 25, 300)
    keys = np.unique(worker * 25 + job)
    worker, job = keys // 25, keys % 25
    score = rng.uniform(0.3, 0.9, len(worker))
    slots = rng.integers(0, 3, 25)
    whole = slot_prices(worker, job, score, slots)
    cut = int(np.searchsorted(worker, 20))  # a worker's pairs never span two parts
    parts = [(worker[:cut], job[:cut], score[:cut]), (worker[cut:], job[cut:], score[cut:])]
    assert np.allclose(slot_prices_of_parts(parts, slots, 40), whole)


def test_a_warm_start_from_the_solution_stays_there() -> None:
    score = np.array([0.8, 0.7, 0.6, 0.9])
    worker, job, slots = _ints(0, 1, 1, 2), _ints(0, 0, 1, 1), _ints(1, 1)
    solved = slot_prices(worker, job, score, slots, rounds=400)
    warm = slot_prices(worker, job, score, slots, rounds=5, prices=solved)
    assert np.allclose(warm, solved, atol=1e-3)


def test_price_factor_keeps_a_free_job_and_discounts_a_dear_one() -> None:
    factor = price_factor(np.array([0.0, 0.1, 0.3]), 1.0)
    assert factor[0] == 1.0 and 1.0 > factor[1] > factor[2] > 0.0


def _contested_market() -> tuple[list, list]:
    # "contested" (one slot) is the only job within reach of the two "fixed" workers; the
    # "flexible" worker likes it a little more than "spare", which nobody else can reach
    contested = make_job(id="contested", km_north=1.0)
    spare = make_job(id="spare", km_north=-1.2)
    fixed = [make_worker(id=f"fixed{i}", km_north=2.0, radius_km=1.5) for i in range(2)]
    flexible = make_worker(id="flexible", km_north=0.0, radius_km=5.0)
    return [*fixed, flexible], [contested, spare]


def test_market_context_prices_the_job_workers_without_options_need() -> None:
    workers, jobs = _contested_market()
    context = market_context(workers=workers, jobs=jobs)
    assert context.job_price["contested"] > 0.3
    assert context.job_price["spare"] < 0.05


def test_priced_feed_sends_the_flexible_worker_to_the_free_job() -> None:
    workers, jobs = _contested_market()
    flexible = workers[-1]
    alone = rank_jobs_for_worker(flexible, jobs)
    context = market_context(workers=workers, jobs=jobs)
    priced = rank_jobs_for_worker(flexible, jobs, market=context)
    assert [m.job for m in alone] == ["contested", "spare"]
    assert [m.job for m in priced] == ["spare", "contested"]


def test_a_worker_with_a_unique_option_keeps_it_however_dear() -> None:
    workers, jobs = _contested_market()
    context = MarketContext(job_price={"contested": 5.0, "spare": 0.0})
    feed = rank_jobs_for_worker(workers[0], jobs, market=context)
    assert [m.job for m in feed] == ["contested"]
    assert JobIndex(jobs).rank_for_worker(workers[0], market=context)[0].job == "contested"


def test_index_feed_with_prices_equals_plain_ranking_with_prices() -> None:
    jobs = [make_job(id=f"j{i}", km_north=(i % 5) - 2, wage=260 + 9 * i) for i in range(10)]
    market = MarketContext(job_price={f"j{i}": 0.05 * (i % 4) for i in range(10)})
    plain = rank_jobs_for_worker(make_worker(), jobs, k=5, market=market)
    indexed = JobIndex(jobs).rank_for_worker(make_worker(), k=5, market=market)
    assert [(m.job, m.score) for m in indexed] == [(m.job, m.score) for m in plain]


def test_market_lists_lean_by_price_too() -> None:
    workers, jobs = _contested_market()
    feeds = rank_market(workers, jobs, k=5, both_sides=False).workers
    assert [m.job for m in feeds["flexible"]] == ["spare", "contested"]
    assert [m.job for m in feeds["fixed0"]] == ["contested"]
