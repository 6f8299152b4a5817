from __future__ import annotations

import numpy as np
import pytest
from matching_factories import make_job, make_worker

from matching.columns import JobColumns, WorkerColumns, score_pairs
from matching.constraints import feasible
from matching.index import JobIndex, market_context
from matching.model import Reason
from matching.rank import (
    rank_jobs_for_worker,
    rank_workers_for_job,
    reason_for,
    reasons_for,
    round_tenths,
)
from matching.reasons import format_reason
from matching.score import PINNED_RANK, MarketContext


def _order(worker_jobs: list) -> list[str]:
    return [m.job for m in rank_jobs_for_worker(make_worker(), worker_jobs)]


def test_closer_job_ranks_higher_all_else_equal() -> None:
    assert _order([make_job(id="far", km_north=4), make_job(id="near", km_north=1)]) == [
        "near",
        "far",
    ]


def test_better_paid_job_ranks_higher_all_else_equal() -> None:
    jobs = [make_job(id="low", wage=260), make_job(id="high", wage=320)]
    assert _order(jobs) == ["high", "low"]


def test_exact_trade_ranks_above_related_trade_at_any_level() -> None:
    jobs = [make_job(id="painter", trade="painter"), make_job(id="mover", trade="mover")]
    worker = make_worker(trades=(("painter", 1), ("loader", 3)))
    assert [m.job for m in rank_jobs_for_worker(worker, jobs)] == ["painter", "mover"]


def test_higher_level_candidate_ranks_higher_all_else_equal() -> None:
    workers = [
        make_worker(id="helper", trades=(("painter", 1),)),
        make_worker(id="master", trades=(("painter", 3),)),
    ]
    assert [m.worker for m in rank_workers_for_job(make_job(), workers)] == ["master", "helper"]


@pytest.mark.parametrize("km", [0.5, 2.0, 6.0])
def test_moving_a_job_closer_never_lowers_its_score(km: float) -> None:
    far = rank_jobs_for_worker(make_worker(), [make_job(km_north=km + 1)])[0].score
    near = rank_jobs_for_worker(make_worker(), [make_job(km_north=km)])[0].score
    assert near > far


def test_ranked_lists_hold_only_feasible_pairs_and_respect_k() -> None:
    worker = make_worker(radius_km=5, min_wage=250)
    jobs = [make_job(id=f"j{i}", km_north=i * 0.7, wage=200 + 15 * i) for i in range(12)]
    ranked = rank_jobs_for_worker(worker, jobs, k=3)
    assert len(ranked) == 3
    by_id = {j.id: j for j in jobs}
    assert all(feasible(worker, by_id[m.job]) for m in ranked)


def test_worker_with_nothing_feasible_gets_an_empty_list() -> None:
    assert rank_jobs_for_worker(make_worker(trades=(("cook", 1),)), [make_job()]) == []


def test_market_context_leans_towards_the_uncontested_job() -> None:
    crowded, quiet = make_job(id="crowded", km_north=1.0), make_job(id="quiet", km_north=1.3)
    alone = rank_jobs_for_worker(make_worker(), [crowded, quiet])
    market = MarketContext(job_demand={"crowded": 20.0, "quiet": 0.5}, worker_options={"w": 2})
    leaned = rank_jobs_for_worker(make_worker(), [crowded, quiet], market=market)
    assert [m.job for m in alone] == ["crowded", "quiet"]
    assert [m.job for m in leaned] == ["quiet", "crowded"]


def test_market_context_never_hides_the_pair_best_job() -> None:
    best = make_job(id="best", km_north=0.2, wage=400)
    others = [make_job(id=f"o{i}", km_north=2 + 0.1 * i) for i in range(14)]
    demand = {"best": 500.0} | {o.id: 0.0 for o in others}
    market = MarketContext(job_demand=demand, worker_options={"w": 15}, strength=0.9)
    ranked = rank_jobs_for_worker(make_worker(), [best, *others], market=market, k=10)
    assert "best" in [m.job for m in ranked[:PINNED_RANK]]  # pushed down the list, not off it
    short = rank_jobs_for_worker(make_worker(), [best, *others], market=market, k=3)
    assert "best" in [m.job for m in short]  # a shorter list still shows it


def test_index_feed_equals_plain_ranking() -> None:
    jobs = [
        make_job(id=f"j{i}", km_north=(i % 7) - 3, wage=250 + 7 * i, trade=t)
        for i, t in enumerate(
            ["painter", "mover", "painter", "electrician", "painter", "decorator"] * 3
        )
    ]
    worker = make_worker(trades=(("painter", 2), ("general", 1)))
    plain = rank_jobs_for_worker(worker, jobs, k=5)
    indexed = JobIndex(jobs).rank_for_worker(worker, k=5)
    assert [(m.job, m.score) for m in indexed] == [(m.job, m.score) for m in plain]


def test_reason_renders_in_both_languages() -> None:
    reason = Reason(trade="painter", exact_trade=True, distance_km=2.34, full_shift=True, wage=300)
    assert format_reason(reason, "zh") == "同工种 · 2.3 km · 在你的空闲时间内 · 日薪 300"
    assert format_reason(reason, "en") == "painter · 2.3 km · in your free hours · 300 CNY"


def test_a_short_shift_inside_the_free_hours_is_not_called_a_partial_fit() -> None:
    # an 8-hour shift in a worker's 16 free hours uses half the window: still wholly inside it
    reason = Reason(trade="painter", exact_trade=True, distance_km=1, full_shift=False, wage=240)
    assert "在你的空闲时间内" in format_reason(reason, "zh")
    assert "部分" not in format_reason(reason, "zh")
    assert "free hours" in format_reason(reason, "en")
    # an employer reads it about the worker, not about themselves
    assert "在其空闲时间内" in format_reason(reason, "zh", to_worker=False)
    assert "in their free hours" in format_reason(reason, "en", to_worker=False)


def test_reason_names_the_related_trade() -> None:
    reason = Reason(trade="cook", exact_trade=False, distance_km=0.55, full_shift=False, wage=260.5)
    assert (
        format_reason(reason, "en")
        == "related trade (cook) · 0.6 km · in your free hours · 260.5 CNY"
    )
    assert format_reason(reason, "zh").startswith("相近工种（厨工）")


def test_index_feed_with_market_equals_plain_ranking_with_market() -> None:
    jobs = [make_job(id=f"j{i}", km_north=(i % 5) - 2, wage=260 + 9 * i) for i in range(10)]
    market = MarketContext(
        job_demand={f"j{i}": float(i % 4) * 3 for i in range(10)}, worker_options={"w": 10}
    )
    plain = rank_jobs_for_worker(make_worker(), jobs, k=5, market=market)
    indexed = JobIndex(jobs).rank_for_worker(make_worker(), k=5, market=market)
    assert [(m.job, m.score) for m in indexed] == [(m.job, m.score) for m in plain]


def test_reasons_in_bulk_are_the_reasons_pair_by_pair() -> None:
    workers = [
        make_worker(id="near", trades=(("painter", 2),)),
        make_worker(id="related", km_north=2.0, trades=(("mover", 3),)),
    ]
    jobs = [make_job(id="a", km_north=1.23), make_job(id="b", trade="mover", km_north=3.0)]
    worker_cols, job_cols = WorkerColumns.build(workers), JobColumns.build(jobs)
    wi, ji = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    pairs = score_pairs(worker_cols, job_cols, wi, ji)
    assert len(pairs.worker) > 1
    one_by_one = [reason_for(pairs, job_cols, worker_cols, i) for i in range(len(pairs.worker))]
    assert reasons_for(pairs, job_cols, worker_cols) == one_by_one
    last = np.array([len(pairs.worker) - 1])
    assert reasons_for(pairs, job_cols, worker_cols, last) == one_by_one[-1:]
    keys = zip(pairs.worker.tolist(), pairs.job.tolist(), strict=True)
    by_pair = dict(zip(keys, one_by_one, strict=True))
    exact = by_pair[(0, 0)]
    assert (exact.trade, exact.exact_trade, exact.level) == ("painter", True, 2)
    assert exact.distance_km == round(exact.distance_km, 1) > 1.0


def test_candidate_idle_longer_comes_first_among_equals() -> None:
    rested = make_worker(id="rested", idle_days=9)
    busy = make_worker(id="busy", idle_days=0)
    order = [m.worker for m in rank_workers_for_job(make_job(), [busy, rested])]
    assert order == ["rested", "busy"]


def test_idle_days_only_lean_between_near_equal_candidates() -> None:
    # a month idle does not lift a clearly worse candidate (8 km off) over a close one
    far_rested = make_worker(id="far_rested", km_north=9, idle_days=30)
    close = make_worker(id="close", km_north=1, idle_days=0)
    order = [m.worker for m in rank_workers_for_job(make_job(), [far_rested, close])]
    assert order == ["close", "far_rested"]


def test_market_candidate_lists_lean_to_the_idle_too() -> None:
    from matching.index import rank_market

    rested = make_worker(id="rested", idle_days=9)
    busy = make_worker(id="busy", idle_days=0)
    lists = rank_market([busy, rested], [make_job()], k=5).jobs["j"]
    assert [m.worker for m in lists] == ["rested", "busy"]


def test_market_context_counts_a_worker_mostly_at_their_best_jobs() -> None:
    # a worker next to a well-paid job, with a poor one at the edge of their radius: they will
    # most likely head for the first, so it is the contested one, not the two alike
    near = make_job(id="near", km_north=0.3, wage=400)
    far = make_job(id="far", km_north=9.0, wage=210)
    demand = market_context(workers=[make_worker()], jobs=[near, far]).job_demand
    assert demand["near"] + demand["far"] == pytest.approx(1.0)
    assert demand["near"] > 0.99


def test_tenths_in_bulk_round_exactly_as_round_does() -> None:
    rng = np.random.default_rng(7)
    halves = np.arange(0, 2000) / 20  # 0.05, 0.15, ...: ties in decimal, not in binary
    values = np.concatenate(
        [halves, halves + 1e-12, halves - 1e-12, rng.uniform(0, 60, 5000), [0.0, 1e9]]
    )
    assert round_tenths(values) == [round(float(v), 1) for v in values]


def test_equal_reasons_in_bulk_are_one_object() -> None:
    workers = [make_worker(id=f"w{i}", trades=(("painter", 2),)) for i in range(3)]
    worker_cols, job_cols = WorkerColumns.build(workers), JobColumns.build([make_job(id="a")])
    every = np.arange(3)
    pairs = score_pairs(worker_cols, job_cols, every, np.zeros_like(every))
    reasons = reasons_for(pairs, job_cols, worker_cols)
    assert len(reasons) == 3 and reasons[0] is reasons[1] is reasons[2]


def test_ranking_many_jobs_at_once_gives_each_job_its_own_list() -> None:
    from matching.rank import rank_workers_for_jobs

    rng = np.random.default_rng(5)
    trades = ("painter", "mover", "cleaner")
    workers = [
        make_worker(
            id=f"w{i}",
            km_north=float(rng.uniform(-6, 6)),
            radius_km=float(rng.uniform(2, 12)),
            trades=((trades[i % 3], 1 + i % 3),),
            min_wage=float(rng.choice([150, 250, 350])),
            idle_days=int(rng.integers(0, 20)),
        )
        for i in range(60)
    ]
    jobs = [
        make_job(
            id=f"j{i}",
            km_north=float(rng.uniform(-5, 5)),
            trade=trades[i % 3],
            wage=float(rng.choice([200, 300, 400])),
        )
        for i in range(12)
    ]
    # each job among its own subset of the workers, overlapping; one job with nobody
    near = [sorted(rng.choice(60, 25, replace=False).tolist()) for _ in jobs[:-1]] + [[]]
    together = rank_workers_for_jobs(jobs, workers, near, k=5)
    for job, rows, got in zip(jobs, near, together, strict=True):
        alone = rank_workers_for_job(job, [workers[r] for r in rows], k=5)
        assert [(m.worker, m.score, m.reason) for m in got] == [
            (m.worker, m.score, m.reason) for m in alone
        ]
    assert together[-1] == [] and sum(len(g) for g in together) > 20
