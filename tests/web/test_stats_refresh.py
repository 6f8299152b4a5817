"""The statistics rollup is built and kept by a background refresh, never by a staff read."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from market.db import make_engine, session_scope
from market.migrations import upgrade
from market.models import StatsDay, StatsRefresh
from market.settings import Settings, get_settings
from market.types import utcnow
from tests.staff.staff_factories import make_posted_job
from web import cli
from web.app import create_app


def _wait_for_rollup(engine: Engine, seconds: float = 10.0) -> StatsRefresh | None:
    deadline = time.monotonic() + seconds
    while True:
        with session_scope(engine) as s:
            state = s.get(StatsRefresh, 1)
        if state is not None or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def test_the_app_builds_the_rollup_in_the_background(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as s:
        make_posted_job(s, created_at=utcnow() - timedelta(days=2), headcount=4)
    settings = Settings(environment="test", stats_refresh_seconds=0.05)
    with TestClient(create_app(settings, engine=fresh_engine)):
        assert _wait_for_rollup(fresh_engine) is not None
    with session_scope(fresh_engine) as s:
        assert [r.slots_offered for r in s.exec(select(StatsDay)).all()] == [4]


def test_the_app_leaves_the_rollup_alone_when_told_to(fresh_engine: Engine) -> None:
    settings = Settings(environment="test", stats_refresh_seconds=0)
    with TestClient(create_app(settings, engine=fresh_engine)):
        assert _wait_for_rollup(fresh_engine, seconds=0.3) is None


def test_the_stats_refresh_command_builds_the_rollup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    monkeypatch.setenv("LINGGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert cli.main(["stats-refresh"]) == 0
    finally:
        monkeypatch.delenv("LINGGONG_DATABASE_URL")
        get_settings.cache_clear()
    assert "statistics rollup refreshed" in capsys.readouterr().out
    engine = make_engine(url)
    try:
        assert _wait_for_rollup(engine, seconds=0) is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize("every", ["-5", "soon", "nan"])
def test_the_stats_refresh_command_refuses_a_bad_interval_before_touching_the_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    every: str,
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    monkeypatch.setenv("LINGGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            cli.main(["stats-refresh", "--every", every])
    finally:
        monkeypatch.delenv("LINGGONG_DATABASE_URL")
        get_settings.cache_clear()
    assert exited.value.code == 2
    assert f"--every: {every!r}" in capsys.readouterr().err
    engine = make_engine(url)
    try:
        assert _wait_for_rollup(engine, seconds=0) is None  # nothing was refreshed
    finally:
        engine.dispose()
