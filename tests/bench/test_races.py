"""`python -m bench races`: the concurrency races on a database of their own, then its check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from bench import races
from bench.races_cast import Result
from tests.conftest import POSTGRES_URL, PostgresServer
from web import cli

# a line per race; where the winner of a race may change, only what must not
RACE_LINES = (
    "claims on a 5-slot job: 5 hired, 195 refused as full\n",
    "one worker's claims on 10 overlapping shifts: 1 confirmed, 9 refused as a clash\n",
    "confirms racing pay cuts on 8 jobs: ",
    "0 hired below the terms they accepted\n",
    "50 workers accepting new terms while the pay rises: 50 accepted, 50 hold the raise to 350\n",
    "8 check-ins at once for one hire: 1 recorded, 7 refused as already recorded\n",
    "confirmations racing disputes on 5 payments: 5 answered (",
    "), 5 refused; arrears cases opened: ",
    "arrears sweeps racing disputes on 4 hires: 4 cases for 4 hires\n",
)


def _every_race_held(out: str) -> None:
    assert [line for line in RACE_LINES if line not in out] == [], out
    assert "NOT HELD" not in out
    assert "7 races in " in out and "\nevery invariant holds\n" in out


@pytest.mark.slow
def test_the_races_hold_on_sqlite_and_keep_a_database_the_check_finds_healthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'races.db'}"
    assert cli.main(["bench", "races", "--url", url, "--keep"]) == 0
    out = capsys.readouterr().out
    _every_race_held(out)
    assert out.endswith(f"every invariant holds\nkept database {url}\n")
    assert cli.main(["check-invariants", "--url", url]) == 0
    assert capsys.readouterr().out == "every invariant holds\n"


def _race_databases(server: PostgresServer) -> set[str]:
    with server.admin.connect() as conn:
        query = text("SELECT datname FROM pg_database WHERE datname LIKE 'lg_races_%'")
        return set(conn.execute(query).scalars())


@pytest.mark.slow
@pytest.mark.postgres
def test_the_races_hold_on_postgres_and_drop_their_database(
    postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _race_databases(postgres_server)
    assert races.main(["--url", POSTGRES_URL or ""]) == 0
    out = capsys.readouterr().out
    _every_race_held(out)
    assert "kept database" not in out
    assert _race_databases(postgres_server) == before


def test_a_race_that_did_not_hold_fails_the_run_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = Result("claims on a job: 6 hired", held=False, why="hired: 6, expected 5")
    monkeypatch.setattr(races, "RACES", (lambda engine: broken,))
    path = tmp_path / "races.db"
    assert races.main(["--url", f"sqlite:///{path}"]) == 1
    out = capsys.readouterr().out
    assert "claims on a job: 6 hired  -- NOT HELD: hired: 6, expected 5\n" in out
    assert out.endswith("every invariant holds\n")  # an empty market is healthy
    assert list(tmp_path.iterdir()) == []  # not kept: the file and its WAL are gone


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("sqlite://", "give SQLite a file"),
        ("sqlite:///:memory:", "give SQLite a file"),
        ("mysql://root@127.0.0.1/linggong", "not mysql"),
    ],
)
def test_a_url_without_a_new_database_is_refused(
    url: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert races.main(["--url", url]) == 2
    assert why in capsys.readouterr().err


def test_an_existing_sqlite_file_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "linggong.db"
    mine.write_bytes(b"someone's market")
    assert races.main(["--url", f"sqlite:///{mine}", "--keep"]) == 2
    assert "overwrite none" in capsys.readouterr().err
    assert mine.read_bytes() == b"someone's market"
