"""`linggong bench live` itself: a small run delivers every frame and reports its figures."""

from __future__ import annotations

import pytest

from web.live import bench

pytestmark = pytest.mark.slow


def test_a_small_live_bench_delivers_every_post_to_every_client() -> None:
    result = bench.run_case(
        clients=20, posts=2, database_url=bench._fresh_sqlite(), redis_url=None, two_processes=False
    )
    assert result["delivered"] == result["expected"] == 40
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    # the delivery's own cost is what the run cost beyond the same posts made to nobody
    assert result["solo_post_cpu_ms"] > 0
    assert result["delivery_cpu_us_per_message"] < result["cpu_us_per_message"]
