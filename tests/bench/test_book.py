"""`python -m bench book`: one tiny real run, so it does not rot."""

from __future__ import annotations

import pytest

from bench.book import main


def test_a_tiny_run_prints_a_changes_and_a_feeds_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sizes", "300", "--changes", "40", "--repeat", "1"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:2] == ["open", "jobs"]
    size, change, feed = row.split()
    assert size == "300" and float(change) > 0 and float(feed) > 0
