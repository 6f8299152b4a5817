"""Standby offers past their deadline pass to the next worker: from `linggong standby-sweep`
and from the app's background loop."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from market.applications import service as application_service
from market.db import make_engine, session_scope
from market.migrations import upgrade
from market.models import Standby
from market.settings import Settings, get_settings
from market.standby import service as standby_service
from market.types import utcnow
from tests.factories import make_job, make_worker
from web import cli
from web.app import create_app


def _overdue_offer(engine: Engine) -> tuple[int, int]:
    """A full job's place called off and offered to the first of two standby workers; the
    offer's deadline has just passed (written directly, committed)."""
    with session_scope(engine) as s:
        job = make_job(s, headcount=1, instant=True, start_at=utcnow() + timedelta(days=1))
        hired = make_worker(s)
        application = application_service.application_claim(
            session=s, job_id=job.id or 0, worker=hired
        ).application
        first, second = (
            standby_service.standby_join(session=s, job_id=job.id or 0, worker=make_worker(s))
            for _ in range(2)
        )
        application_service.application_cancel(
            session=s, application=application, user=hired, reason="x"
        )
        assert first.status == "offered"
        first.offer_deadline = utcnow() - timedelta(minutes=1)
        s.add(first)
        return first.id or 0, second.id or 0


def _statuses(engine: Engine, *ids: int) -> list[str]:
    with session_scope(engine) as s:
        return [s.get_one(Standby, i).status for i in ids]


def test_the_standby_sweep_command_passes_an_expired_offer_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    upgrade(url)
    engine = make_engine(url)
    first, second = _overdue_offer(engine)
    monkeypatch.setenv("LINGGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert cli.main(["standby-sweep"]) == 0
        assert cli.main(["standby-sweep"]) == 0
    finally:
        monkeypatch.delenv("LINGGONG_DATABASE_URL")
        get_settings.cache_clear()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("standby sweep: 1 offers expired, 1 places offered")
    assert out[1].startswith("standby sweep: 0 offers expired, 0 places offered")
    assert _statuses(engine, first, second) == ["expired", "offered"]
    engine.dispose()


def test_the_background_loop_sweeps_standby_offers(fresh_engine: Engine) -> None:
    first, second = _overdue_offer(fresh_engine)
    settings = Settings(environment="test", stats_refresh_seconds=0.05)
    with TestClient(create_app(settings, engine=fresh_engine)):
        deadline = time.monotonic() + 10
        while _statuses(fresh_engine, first)[0] != "expired" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _statuses(fresh_engine, first, second) == ["expired", "offered"]
