"""`python -m bench alerts`: one tiny real run, so it does not rot."""

from __future__ import annotations

import pytest

from bench.alerts import main
from tests.conftest import NO_POSTGRES, POSTGRES_URL


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)
def test_a_tiny_run_times_both_paths_and_they_alert_the_same_workers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--postgres-url", POSTGRES_URL or "", "--jobs", "6", "--workers", "40", "--repeat", "1"]
    assert main(argv) == 0  # it exits with a message when the two paths' alerts differ
    out = capsys.readouterr().out
    rows = {line[:11].strip(): line[11:].split() for line in out.splitlines()[1:3]}
    database, model = rows["database"], rows["read model"]
    assert database[0] == "6" and int(database[1]) > 0  # jobs, and alerts written for them
    assert model[:2] == database[:2]
    assert "read model / database: drafts" in out
