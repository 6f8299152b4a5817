"""`linggong check-invariants`: exit 0 on a healthy database, 1 with each violation printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col

from market.models import Job
from tests.service_market import build_market
from web import cli


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_healthy_database_exits_0(fresh_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    build_market(fresh_engine)
    assert cli.main(["check-invariants", "--url", _url(fresh_engine)]) == 0
    assert capsys.readouterr().out == "every invariant holds\n"


def test_broken_invariant_is_printed_and_exits_1(
    fresh_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    market = build_market(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(update(Job).where(col(Job.id) == market.open_job).values(confirmed_count=0))
    assert cli.main(["check-invariants", "--url", _url(fresh_engine)]) == 1
    out = capsys.readouterr()
    assert out.out.startswith(f"job {market.open_job}: confirmed_count is 0")
    assert "1 invariant violations" in out.err


def test_missing_sqlite_file_exits_2_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere" / "linggong.db"
    assert cli.main(["check-invariants", "--url", f"sqlite:///{path}"]) == 2
    assert "no database file" in capsys.readouterr().err
    assert not path.parent.exists()


def test_unmigrated_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    assert cli.main(["check-invariants", "--url", f"sqlite:///{path}"]) == 2
    assert "cannot read the database" in capsys.readouterr().err
