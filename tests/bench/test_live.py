"""`linggong bench live` itself: a small run delivers every frame and reports its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import live as bench

pytestmark = pytest.mark.slow


def test_a_small_live_bench_delivers_every_post_to_every_client() -> None:
    with bench.sqlite_database() as url:
        result = bench.run_case(
            clients=20, posts=2, database_url=url, redis_url=None, two_processes=False
        )
    assert not Path(url.removeprefix("sqlite:///")).parent.exists()  # the bench cleans up
    assert result["delivered"] == result["expected"] == 40
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    # the delivery's own cost is what the run cost beyond the same posts made to nobody
    # (CPU is read in 10 ms ticks, so a run this small may see none of it in the baseline)
    assert result["delivery_cpu_us_per_message"] <= result["cpu_us_per_message"]
