"""The statistics rollup is built and kept by a background refresh, never by a staff read."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import col, select

from market.accounts import codes
from market.accounts.codes import Purpose
from market.db import make_engine, session_scope
from market.migrations import upgrade
from market.models import Delivery, StatsDay, StatsRefresh
from market.settings import Settings, get_settings
from market.types import utcnow
from tests.factories import next_phone
from tests.market.notifications.helpers import deliveries_of, hired, produce
from tests.staff_factories import make_posted_job
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


def _unpaid_hire(engine: Engine) -> int:
    """A shift that ended four days ago, never paid (written directly, committed)."""
    from tests.market.work.work_factories import make_hire

    with session_scope(engine) as s:
        application, _job = make_hire(s, start_at=utcnow() - timedelta(days=4, hours=9))
        return application.id or 0


def _cases(engine: Engine) -> list[int | None]:
    from market.models import Report

    with session_scope(engine) as s:
        return [r.work_record_id for r in s.exec(select(Report)).all()]


def test_the_background_refresh_also_opens_arrears_cases(fresh_engine: Engine) -> None:
    hire = _unpaid_hire(fresh_engine)
    settings = Settings(environment="test", stats_refresh_seconds=0.05, arrears_days=3)
    with TestClient(create_app(settings, engine=fresh_engine)):
        deadline = time.monotonic() + 10
        while not _cases(fresh_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # a few more rounds: still one case
    assert _cases(fresh_engine) == [hire]


def test_the_arrears_sweep_command_opens_each_case_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    upgrade(url)
    engine = make_engine(url)
    hire = _unpaid_hire(engine)
    monkeypatch.setenv("LINGGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert cli.main(["arrears-sweep", "--days", "5"]) == 0  # not due yet
        assert cli.main(["arrears-sweep"]) == 0
        assert cli.main(["arrears-sweep"]) == 0
        with pytest.raises(SystemExit):
            cli.main(["arrears-sweep", "--days", "-1"])
    finally:
        monkeypatch.delenv("LINGGONG_DATABASE_URL")
        get_settings.cache_clear()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "arrears sweep (5 days to pay): 0 cases opened: none"
    assert out[1].startswith("arrears sweep (3 days to pay): 1 cases opened: ")
    assert out[2] == "arrears sweep (3 days to pay): 0 cases opened: none"
    assert _cases(engine) == [hire]
    engine.dispose()


def _sessions_and_keys(engine: Engine, *, now: datetime) -> tuple[str, str]:
    """An expired and a live session and idempotency key (committed): the live ones' keys."""
    from market.accounts import service as accounts
    from market.models import IdempotencyRecord
    from tests.factories import make_worker

    with session_scope(engine) as s:
        user = make_worker(s)
        assert user.id is not None
        _expired_token, expired = accounts.session_create(session=s, user=user)
        expired.created_at = expired.last_seen_at = now - timedelta(days=40)
        _live_token, live = accounts.session_create(session=s, user=user)
        for key, age in (("old", timedelta(hours=25)), ("new", timedelta(hours=1))):
            s.add(
                IdempotencyRecord(
                    user_id=user.id,
                    route="POST /api/v1/jobs",
                    key=key,
                    request_hash="h" * 64,
                    status_code=201,
                    created_at=now - age,
                )
            )
        s.add(expired)
        return live.token_hash, "new"


def _left(engine: Engine) -> tuple[list[str], list[str]]:
    from market.models import IdempotencyRecord, UserSession

    with session_scope(engine) as s:
        return (
            list(s.exec(select(UserSession.token_hash)).all()),
            list(s.exec(select(IdempotencyRecord.key)).all()),
        )


def test_the_background_refresh_also_purges_expired_sessions_and_keys(
    fresh_engine: Engine,
) -> None:
    live_session, live_key = _sessions_and_keys(fresh_engine, now=utcnow())
    settings = Settings(environment="test", stats_refresh_seconds=0.05)
    with TestClient(create_app(settings, engine=fresh_engine)):
        deadline = time.monotonic() + 10
        while len(_left(fresh_engine)[0]) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
    assert _left(fresh_engine) == ([live_session], [live_key])


def test_a_failed_purge_is_a_warning_and_the_loop_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from web import stats_refresh

    rounds: list[str] = []

    def failing(_engine: Engine) -> dict[str, int]:
        rounds.append("purge")
        if len(rounds) >= 3:
            raise asyncio.CancelledError  # ends the loop after a few rounds
        raise RuntimeError("database gone")

    monkeypatch.setattr(stats_refresh, "refresh_once", lambda _engine: None)
    monkeypatch.setattr(stats_refresh, "sweep_once", lambda _engine, _days: [])
    monkeypatch.setattr(stats_refresh, "standby_once", lambda _engine: None)
    monkeypatch.setattr(stats_refresh, "purge_once", failing)
    engine = cast(Engine, object())
    ended: list[BaseException] = []

    def run_alone() -> None:
        # on a loop of its own: a loop may already be running in the test's thread
        try:
            asyncio.run(stats_refresh.refresh_periodically(engine, every_seconds=0))
        except BaseException as exc:  # the CancelledError that ends the loop
            ended.append(exc)

    with caplog.at_level(logging.WARNING, logger="web.stats_refresh"):
        loop_thread = threading.Thread(target=run_alone)
        loop_thread.start()
        loop_thread.join(timeout=30)
    assert [type(exc) for exc in ended] == [asyncio.CancelledError]
    assert rounds == ["purge"] * 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "purge of expired sessions" in warnings[0].getMessage()


def test_the_purge_command_prints_what_it_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade(url)
    engine = make_engine(url)
    live_session, live_key = _sessions_and_keys(engine, now=utcnow())
    with session_scope(engine) as s:  # a code texted two hours ago: past the hour that counts it
        codes.code_request(
            session=s, phone=next_phone(), purpose=Purpose.signup, now=utcnow() - timedelta(hours=2)
        )
    worker_id, _employer_id, _job_id = hired(engine)
    produce(engine)
    with session_scope(engine) as s:  # the worker's messages, sent 91 days ago
        then = utcnow() - timedelta(days=91)
        s.execute(
            update(Delivery)
            .where(col(Delivery.user_id) == worker_id)
            .values(status="sent", created_at=then, next_attempt_at=then)
        )
    old_deliveries = len(deliveries_of(engine, worker_id))
    assert old_deliveries > 0
    monkeypatch.setenv("LINGGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert cli.main(["purge"]) == 0
        assert cli.main(["purge"]) == 0
    finally:
        monkeypatch.delenv("LINGGONG_DATABASE_URL")
        get_settings.cache_clear()
    assert capsys.readouterr().out.splitlines() == [
        "purged 1 expired sessions, 1 expired idempotency keys, 1 old phone codes, "
        f"{old_deliveries} old delivery-log rows, 0 feed impressions past their retention",
        "purged 0 expired sessions, 0 expired idempotency keys, 0 old phone codes, "
        "0 old delivery-log rows, 0 feed impressions past their retention",
    ]
    assert deliveries_of(engine, worker_id) == []
    assert _left(engine) == ([live_session], [live_key])
    engine.dispose()
