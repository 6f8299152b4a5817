"""`python -m bench feed`: wrk's output read right, and one tiny real run so it does not rot."""

from __future__ import annotations

import shutil

import pytest

from bench.feed import main, parse_wrk
from tests.conftest import NO_POSTGRES, POSTGRES_URL

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/api/v1/worker/feed?limit=20
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.12ms   10.01ms 200.00ms   90.00%
  Latency Distribution
     50%   38.50ms
     75%   45.00ms
     90%   52.00ms
     99%    1.20s
  8000 requests in 10.00s, 20.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:    799.95
Transfer/sec:      2.00MB
"""


def test_wrk_figures_are_read_with_their_units() -> None:
    assert parse_wrk(WRK_OUTPUT) == {"rps": 799.95, "p50": 38.5, "p99": 1200.0, "errors": 9}
    assert parse_wrk("")["rps"] == 0.0


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_a_tiny_run_prints_both_requests_the_bare_app_and_the_memory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--postgres-url", POSTGRES_URL or "", "--sizes", "20,40", "--seconds", "1",
            "--warmup", "1", "--workers", "10", "--connections", "4"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "bare app" in out and "GET /, ours" in out
    for size in ("20", "40"):
        for kind in ("feed", "feed, many", "candidates"):
            assert any(f" {size} {kind}" in " ".join(line.split()) for line in out.splitlines())
    assert "read model memory per 100,000 open jobs" in out
    assert "feed cost at 40 jobs" in out
