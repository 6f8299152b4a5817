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
