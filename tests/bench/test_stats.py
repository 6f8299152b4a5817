"""`linggong bench stats` loads a market by COPY and times every statistics query."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bench import stats as stats_bench
from market.stations import service as station_service
from tests.conftest import PostgresServer
from web import cli


@pytest.mark.postgres
def test_bench_loads_a_small_market_and_times_every_query(
    postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    timings = stats_bench.run(
        server_url=postgres_server.url_for("postgres"), workers=300, jobs=600, repeat=2
    )
    assert len(timings) == 18
    assert all(t.p95_ms >= t.p50_ms > 0 for t in timings)
    summary_year = next(t for t in timings if t.name == "summary, 365 days")
    assert 500 < summary_year.rows <= 600  # jobs posted over the year, cancelled ones included
    assert "dropped" not in capsys.readouterr().out


def test_bench_refuses_a_sqlite_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "stats", "--url", "sqlite:///x.db"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err


def test_station_seed_adds_the_yantai_stations_once(session: Session) -> None:
    added = station_service.stations_seed(session=session)
    assert len(added) == len(station_service.YANTAI_STATIONS)
    assert station_service.stations_seed(session=session) == []
    nearest = station_service.list_nearest_stations(session=session, lat=37.54, lon=121.30, k=1)
    assert nearest[0][0].name == "芝罘区只楚零工市场工会驿站"
