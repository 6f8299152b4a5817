"""`python -m bench prices`: one tiny real run, so it does not rot."""

from __future__ import annotations

import pytest

from bench.prices import main


def test_a_tiny_run_prices_some_jobs_and_times_feeds_beside_a_solve(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--workers", "800", "--repeat", "1"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:3] == ["workers", "jobs", "dear"]
    fields = row.replace("/", " ").split()
    workers, jobs, dear, cold, warm, peak = fields[:6]
    assert (workers, jobs) == ("800", "240")
    assert 0 < float(dear) < 1  # a scarce trade's places are dear, a crowded one's free
    assert float(cold) > 0 and float(warm) > 0 and float(peak) > 0
    assert all(float(ms) > 0 for ms in fields[6:])  # feeds were ranked alone and beside it
