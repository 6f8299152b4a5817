from __future__ import annotations

import json

import pytest

from bench.cli import main
from bench.match.quality import quality
from bench.match.simulate import DISTRICTS, make_market


def test_simulated_market_stays_inside_yantai() -> None:
    workers, jobs = make_market(workers=300, jobs=100, seed=3)
    lats = [w.lat for w in workers] + [j.lat for j in jobs]
    assert min(lats) > 37.0 and max(lats) < 38.2
    assert {d[0] for d in DISTRICTS} >= {"芝罘区", "莱山区", "福山区", "牟平区", "蓬莱区"}


def test_market_aware_ranking_fills_more_than_nearest_first() -> None:
    workers, jobs = make_market(workers=800, jobs=280, seed=11)
    figures = quality(workers, jobs, seed=11)
    ours, nearest = figures["rankers"]["linggong"], figures["rankers"]["nearest"]
    assert figures["dispatch_fill_vs_max"] == 1.0
    assert ours["fill_vs_optimum"] > nearest["fill_vs_optimum"]
    assert ours["satisfaction_vs_optimum"] > nearest["satisfaction_vs_optimum"]
    assert all(0 < r["fill_vs_optimum"] <= 1.0 for r in figures["rankers"].values())


@pytest.mark.slow
def test_quick_bench_prints_json_with_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["match", "--quick", "--json", "--sizes", "1000x300", "--quality-workers", "400"]
    assert main([*argv, "--cap-check", "600x200"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures["speed"]) == {"rank_market", "feed", "dispatch"}
    assert figures["speed"]["feed"]["p99_ms"] > 0
    # each figure comes from its own process: its high-water mark holds at least its peak
    ranked = figures["speed"]["rank_market"]["1000x300"]
    assert ranked["process_peak_mb"] >= ranked["peak_mb"] > 0
    assert 0 < figures["cap_check"]["fill_capped_vs_all"] <= 1.5
    assert set(figures["quality"]["rankers"]) == {
        "linggong",
        "pair-only",
        "nearest",
        "random",
        "uncapped",
    }


def test_family_reports_every_member_the_worst_case_and_the_held_out_one() -> None:
    from bench.match.family import HELD_OUT, TUNING, family

    figures = family(workers=300, seeds=1, seed=3)
    assert set(figures["members"]) == {m.name for m in TUNING}
    assert HELD_OUT.name not in figures["members"]
    assert figures["held_out"]["name"] == HELD_OUT.name
    # the held-out member shares no city, trade mix, taste or seed family with the others
    assert all(
        (m.city, m.mix, m.taste) != (HELD_OUT.city, HELD_OUT.mix, HELD_OUT.taste)
        and m.city != HELD_OUT.city
        and abs(m.seed_base - HELD_OUT.seed_base) > 10_000
        for m in TUNING
    )
    for ranker, summary in figures["summary"].items():
        fills = [m[ranker]["fill_vs_optimum"] for m in figures["members"].values()]
        assert summary["worst_fill_vs_optimum"] == min(fills)
        assert summary["mean_fill_vs_optimum"] == pytest.approx(sum(fills) / len(fills))
    assert {m["taste"] for m in figures["members"].values()} >= {
        "mixed",
        "distance-averse",
        "pay-driven",
        "trade-indifferent",
    }


def test_tastes_differ_between_members() -> None:
    # a distance-averse worker likes the near job better; a pay-driven one the better-paid
    from dataclasses import replace

    import numpy as np

    from bench.match.family import DISTANCE_AVERSE, PAY_DRIVEN
    from bench.match.simulate import hidden_taste
    from matching.columns import PairScores

    pairs = PairScores(
        worker=np.array([0, 0]),
        job=np.array([0, 1]),
        distance_km=np.array([0.5, 8.0]),
        features=np.full((2, 6), 1.0),
        score=np.zeros(2),
    )
    wage, min_wage = np.array([210.0, 320.0]), np.array([200.0])
    near = hidden_taste(pairs, wage, min_wage, 1, replace(DISTANCE_AVERSE, noise=0.0))
    paid = hidden_taste(pairs, wage, min_wage, 1, replace(PAY_DRIVEN, noise=0.0))
    assert near.liking[0] > near.liking[1]
    assert paid.liking[1] > paid.liking[0]


def test_dispatch_rotation_is_the_best_at_max_fill_on_family_markets() -> None:
    from bench.match.family import TUNING
    from bench.match.rotation import rotation_figures

    figures = rotation_figures(TUNING[1], workers=300, seed=3)
    assert figures["hiring_hall_fill_vs_max"] == 1.0
    assert figures["hiring_hall_rotation_vs_best"] == 1.0
    assert figures["score_only_fill_vs_max"] == 1.0
    assert figures["score_only_rotation_vs_best"] < 0.95


def test_a_list_made_once_keeps_a_job_that_filled_before_the_worker_came() -> None:
    import numpy as np

    from bench.match.quality import simulate_lists_once
    from bench.match.simulate import HiddenTaste
    from matching.columns import PairScores
    from matching.rank import top_k_per_group as top

    # two workers, each liking both jobs; job 0 (one place) is both workers' best
    pairs = PairScores(
        worker=np.array([0, 0, 1, 1]),
        job=np.array([0, 1, 0, 1]),
        distance_km=np.array([1.0, 5.0, 1.0, 5.0]),
        features=np.zeros((4, 6)),
        score=np.array([0.9, 0.5, 0.9, 0.5]),
    )
    taste = HiddenTaste(liking=np.ones(4), accepts=np.ones(4, dtype=bool))
    slots = np.array([1, 1])
    one = simulate_lists_once(
        pairs, taste, slots, top(pairs.worker, pairs.score, pairs.score, 1), seed=0
    )
    assert len(one) == 1  # the second arrival's only listed job is full
    two = simulate_lists_once(
        pairs, taste, slots, top(pairs.worker, pairs.score, pairs.score, 2), seed=0
    )
    assert sorted(pairs.job[two].tolist()) == [0, 1]  # a longer list has the other job
    assert slots.tolist() == [1, 1]  # the caller's places are left as they were


def test_the_family_reports_lists_made_once_beside_the_feed() -> None:
    from bench.match.family import HELD_OUT, run_member

    figures = run_member(HELD_OUT, workers=300, seeds=1, seed=3)
    once, nearest_once = figures["linggong-once"], figures["nearest-once"]
    assert 0 < once["fill_vs_optimum"] <= 1.0
    assert once["fill_vs_optimum"] > nearest_once["fill_vs_optimum"]
